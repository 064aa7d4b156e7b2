//! TwinCity Studio's document model: everything the editor saves and the layers above build
//! on. No Bevy dependency, so it compiles and tests in seconds.
//!
//! Coordinate convention (shared with glTF and Bevy): world space is right-handed, metres,
//! `+Y` up, `+X` east and `-Z` north. Plan (2D) coordinates are `(east, north) = (X, -Z)`;
//! see [`geometry::plan_from_world`].

pub mod area;
pub mod assets;
pub mod camera;
pub mod coverage_setup;
pub mod filecache;
pub mod geometry;
pub mod project;
pub mod ronfile;
pub mod simple;
pub mod tour;
pub mod undo;

pub use camera::{CameraId, Lens, LensPreset, VirtualCamera};
pub use project::Project;
