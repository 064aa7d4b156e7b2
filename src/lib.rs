//! TwinCity Studio: the editor (Bevy + egui) and the command line, over the layered crates (docs/ARCHITECTURE.md).
//!
//! Each feature is one small plugin with one public `SystemSet` enum; [`schedule`] orders them
//! all in one place. See `docs/ARCHITECTURE.md` for what flows between them.

pub mod args;
pub mod cameras;
pub mod capture;
pub mod city;
pub mod cli;
pub mod coverage;
pub mod coverage_view;
pub mod crowd_ui;
pub mod crowds;
pub mod document;
pub mod editor;
pub mod eval;
pub mod eval_report;
pub mod export_ui;
pub mod figure;
pub mod headless;
pub mod id_pass;
pub mod import_bench;
pub mod infer_bench;
pub mod inference;
pub mod people;
pub mod placement;
pub mod previews;
pub mod raycast;
pub mod readback;
pub mod readiness;
pub mod real_video;
pub mod render;
pub mod scenario_cli;
pub mod scenario_view;
pub mod schedule;
pub mod sim;
pub mod timeline_ui;
pub mod ui;
pub mod viewport;
pub mod widgets;
