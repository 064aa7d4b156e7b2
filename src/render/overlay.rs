//! What every view of the scene shares: a virtual camera's pose as a Bevy camera, and the
//! overlay layer.
//!
//! Editor overlays (gizmos: frustums, crowd outlines; the coverage and density sheets) live on
//! [`OVERLAY_LAYER`], which only the editor's own 3D view renders: previews and offscreen
//! renders show the city as the camera would.

use bevy::camera::visibility::RenderLayers;
use bevy::prelude::*;
use twincity_model::VirtualCamera;

/// Render layer of editor-only drawings.
pub const OVERLAY_LAYER: usize = 1;

/// Puts every gizmo on [`OVERLAY_LAYER`] (call once per app that has gizmos).
pub fn gizmos_on_overlay_layer(store: Option<ResMut<GizmoConfigStore>>) {
    if let Some(mut store) = store {
        let (config, _) = store.config_mut::<DefaultGizmoConfigGroup>();
        config.render_layers = RenderLayers::layer(OVERLAY_LAYER);
    }
}

/// An editor-only textured sheet lying flat at height `y` over the plan rectangle
/// `(west, east, south, north)`: image row 0 along the north edge, blended, unlit, on
/// [`OVERLAY_LAYER`]. Used by the density heatmap and the coverage overlay.
pub fn ground_sheet(
    name: &'static str,
    image: Handle<Image>,
    (w, e, s, n): (f32, f32, f32, f32),
    y: f32,
    meshes: &mut Assets<Mesh>,
    materials: &mut Assets<StandardMaterial>,
) -> impl Bundle {
    use bevy::asset::RenderAssetUsages;
    use bevy::mesh::{Indices, PrimitiveTopology};
    let quad = Mesh::new(
        PrimitiveTopology::TriangleList,
        RenderAssetUsages::default(),
    )
    .with_inserted_attribute(
        Mesh::ATTRIBUTE_POSITION,
        vec![[w, y, -n], [e, y, -n], [e, y, -s], [w, y, -s]],
    )
    .with_inserted_attribute(Mesh::ATTRIBUTE_NORMAL, vec![[0.0, 1.0, 0.0]; 4])
    .with_inserted_attribute(
        Mesh::ATTRIBUTE_UV_0,
        vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]],
    )
    .with_inserted_indices(Indices::U32(vec![0, 3, 2, 0, 2, 1]));
    (
        Name::new(name),
        RenderLayers::layer(OVERLAY_LAYER),
        Mesh3d(meshes.add(quad)),
        MeshMaterial3d(materials.add(StandardMaterial {
            base_color_texture: Some(image),
            alpha_mode: AlphaMode::Blend,
            unlit: true,
            cull_mode: None,
            ..default()
        })),
        Transform::default(),
    )
}

/// The pose and lens of `cam` as a Bevy camera's transform and projection.
pub fn camera_pose(cam: &VirtualCamera) -> (Transform, Projection) {
    (
        Transform::from_translation(cam.position).with_rotation(cam.world_from_camera_rotation()),
        Projection::Perspective(PerspectiveProjection {
            fov: cam.render_vertical_fov(),
            aspect_ratio: cam.aspect(),
            near: 0.1,
            far: 5_000.0,
            ..default()
        }),
    )
}
