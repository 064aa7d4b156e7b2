//! The desktop editor (Bevy + egui) over the [`crate::render`] layer: the app, the 3D view and tools, and one module per panel or feature.

pub mod app;
pub mod cameras;
pub mod capture;
pub mod coverage;
pub mod crowd_panel;
pub mod crowd_tool;
pub mod export;
pub mod inference;
pub mod panels;
pub mod placement;
pub mod plate_check;
pub mod present;
pub mod previews;
pub mod real_video;
pub mod scenario_place;
pub mod timeline;
pub mod tour_editor;
pub mod train;
pub mod view_quality;
pub mod viewport;
pub mod widgets;

pub use app::{EditorOptions, build_editor};
