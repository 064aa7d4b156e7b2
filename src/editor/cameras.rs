//! Overlays in the 3D view: each virtual camera's body and view frustum (drawn out to the
//! distance where the lens still gives Detection-class pixel density, 25 px/m), and a box around
//! the selected building.

use bevy::prelude::*;
use twincity_model::camera::DoriClass;

use crate::render::city::DemoLayout;
use crate::render::document::{Document, Selection};
use crate::render::frame::{FrameSet, add_frame_sets};

/// System sets of the camera overlay plugin.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CameraSet {
    /// Click-to-place: a click on the city adds a camera, the drag aims it.
    Place,
    Draw,
}

/// Whether overlays are drawn (View menu).
#[derive(Resource, Clone, Copy, Debug, PartialEq)]
pub struct OverlaySettings {
    pub frustums: bool,
    /// The Camera previews window is open.
    pub previews: bool,
    /// The Model inference window is open.
    pub inference: bool,
    /// The Plate check window is open.
    pub plate_check: bool,
}

impl Default for OverlaySettings {
    fn default() -> Self {
        Self {
            frustums: true,
            previews: true,
            inference: false,
            plate_check: false,
        }
    }
}

pub struct CameraOverlayPlugin;

impl Plugin for CameraOverlayPlugin {
    fn build(&self, app: &mut App) {
        add_frame_sets(app);
        app.init_resource::<OverlaySettings>()
            .init_resource::<crate::editor::placement::CameraPlacement>()
            .init_resource::<crate::render::raycast::SceneRaycast>()
            .init_resource::<crate::editor::placement::CameraGrab>()
            .configure_sets(
                Update,
                (
                    CameraSet::Place.in_set(FrameSet::Input),
                    CameraSet::Draw.in_set(FrameSet::Draw),
                ),
            )
            .add_systems(
                Update,
                (
                    (
                        crate::editor::placement::place_cameras,
                        crate::editor::placement::grab_cameras,
                    )
                        .chain()
                        .in_set(CameraSet::Place),
                    (
                        draw_camera_frustums,
                        draw_selected_building,
                        crate::editor::placement::draw_grab_handles,
                    )
                        .in_set(CameraSet::Draw),
                ),
            );
    }
}

/// Longest frustum drawn, metres (tele lenses reach far).
const MAX_FRUSTUM: f32 = 80.0;

fn draw_camera_frustums(
    mut gizmos: Gizmos,
    doc: Res<Document>,
    selection: Res<Selection>,
    settings: Res<OverlaySettings>,
) {
    if !settings.frustums {
        return;
    }
    for cam in &doc.project.cameras {
        let selected = *selection == Selection::Camera(cam.id);
        let colour = if selected {
            Color::srgb(1.0, 0.85, 0.1)
        } else {
            Color::srgb(1.0, 0.45, 0.1)
        };
        let rot = cam.world_from_camera_rotation();
        let body = Transform::from_translation(cam.position - cam.forward() * 0.3)
            .with_rotation(rot)
            .with_scale(Vec3::new(0.35, 0.35, 0.6));
        gizmos.cube(body, colour);
        let reach = DoriClass::max_distance(&cam.lens, cam.resolution.0, 25.0).min(MAX_FRUSTUM);
        let half_w = (cam.lens.horizontal_fov() * 0.5).tan() * reach;
        let half_h = (cam.render_vertical_fov() * 0.5).tan() * reach;
        let corners = [
            Vec3::new(-half_w, half_h, -reach),
            Vec3::new(half_w, half_h, -reach),
            Vec3::new(half_w, -half_h, -reach),
            Vec3::new(-half_w, -half_h, -reach),
        ]
        .map(|c| cam.position + rot * c);
        for c in corners {
            gizmos.line(cam.position, c, colour);
        }
        gizmos.linestrip(
            [corners[0], corners[1], corners[2], corners[3], corners[0]],
            colour,
        );
        // A tick on the top edge shows which way is up in the image.
        let top_mid = (corners[0] + corners[1]) * 0.5;
        gizmos.line(top_mid, top_mid + rot * Vec3::Y * half_h * 0.2, colour);
    }
}

fn draw_selected_building(
    mut gizmos: Gizmos,
    selection: Res<Selection>,
    layout: Option<Res<DemoLayout>>,
    raycast: Option<Res<crate::render::raycast::SceneRaycast>>,
) {
    if let (Selection::Part(i), Some(r)) = (*selection, raycast.as_ref())
        && let Some(p) = r.parts().get(i as usize)
    {
        let size = p.max - p.min + Vec3::splat(0.6);
        gizmos.cube(
            Transform::from_translation((p.min + p.max) * 0.5).with_scale(size),
            Color::srgb(1.0, 0.85, 0.1),
        );
        return;
    }
    let (Selection::Building(id), Some(layout)) = (*selection, layout) else {
        return;
    };
    if let Some(b) = layout.0.buildings.iter().find(|b| b.id == id) {
        let bb = b.aabb();
        let size = bb.max - bb.min + Vec3::splat(0.6);
        gizmos.cube(
            Transform::from_translation((bb.min + bb.max) * 0.5).with_scale(size),
            Color::srgb(1.0, 0.85, 0.1),
        );
    }
}
