//! The scene in Bevy, without any UI: what the editor shows and what `twincity render` renders.
//!
//! Each feature is a plugin with a public `SystemSet` enum, placed in one of the frame's phases
//! ([`frame::FrameSet`]). Nothing here uses egui or the editor.

pub mod city;
pub mod crowd;
pub mod document;
pub mod figure;
pub mod frame;
pub mod headless;
pub mod id_pass;
pub mod models;
pub mod overlay;
pub mod people;
pub mod raycast;
pub mod readback;
pub mod readiness;
pub mod scenario;
