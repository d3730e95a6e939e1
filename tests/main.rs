//! Easel's integration tests, in one binary so the GPU stack links once.

mod scene_model;
mod assets_conformance;
mod assets_store;
mod export_conformance;
mod render_behaviour;
mod render_golden;
mod support;
