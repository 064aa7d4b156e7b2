//! Scenes without a renderer: the demo district as plain data (with its meshes and texture maps), ray casting against a scene's
//! triangles, DORI coverage with occlusion and its GeoJSON/Markdown exports.

pub mod coverage;
pub mod coverage_export;
pub mod demo_city;
pub mod demo_mesh;
pub mod demo_textures;
