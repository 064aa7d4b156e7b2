//! Scenes without a renderer: the demo district as plain data, ray casting against a scene's
//! triangles, DORI coverage with occlusion and its GeoJSON/Markdown exports.

pub mod coverage;
pub mod coverage_export;
pub mod demo_city;
