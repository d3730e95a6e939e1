//! Criterion benchmarks (in progress).
fn main() {}
