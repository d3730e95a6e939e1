//! Easel's whole-engine benchmark harness (in progress).
fn main() {}
