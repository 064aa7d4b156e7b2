//! TwinCity Studio core: everything that does not need a renderer.
//!
//! This crate has no Bevy dependency so that it compiles and tests in seconds. The editor
//! (`twincity` root package) turns these plain data types into entities and meshes.
//!
//! Coordinate convention (shared with glTF and Bevy): world space is right-handed, metres,
//! `+Y` up, `+X` east and `-Z` north. Plan (2D) coordinates are `(east, north) = (X, -Z)`;
//! see [`geometry::plan_from_world`].

pub mod annotate;
pub mod camera;
pub mod coverage;
pub mod coverage_export;
pub mod crowd;
pub mod dataset;
pub mod demo_city;
pub mod figures;
pub mod filecache;
pub mod geometry;
pub mod gltf_inspect;
pub mod gltf_mesh;
pub mod gltf_unpack;
pub mod metrics;
pub mod people;
pub mod privacy;
pub mod project;
pub mod ronfile;
pub mod scenario;
pub mod undo;

pub use camera::{CameraId, Lens, LensPreset, VirtualCamera};
pub use project::Project;
