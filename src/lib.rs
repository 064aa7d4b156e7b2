//! TwinCity Studio: the editor (Bevy + egui) and the command line, over the layered crates (docs/ARCHITECTURE.md).
//!
//! Three layers, each using only those before it (checked by `tests/architecture.rs`):
//! - [`render`]: the scene in Bevy without any UI — the open project, the city, people, crowds
//!   and scenarios drawn, offscreen rendering with its id pass and read-back;
//! - [`editor`]: the desktop editor (Bevy + egui) — the app, the 3D view,
//!   camera placement, previews, one module per panel or feature;
//! - [`cli`]: the command line — one module per command, each owning its arguments.

pub mod cli;
pub mod editor;
pub mod render;
