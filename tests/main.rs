//! Easel's integration tests, in one binary so the GPU stack links once.
#![allow(clippy::unwrap_used)] // tests state their expectations with unwrap

mod arrange;
mod defaults;
mod engine_apply;
mod export_conformance;
mod export_guide;
mod export_resources;
mod export_snapshot;
mod hostile_input;
mod properties;
mod scene_import;
mod support;
mod text_behaviour;
mod text_conformance;
