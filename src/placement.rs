//! Placing a camera by clicking the city: the click ray is cast against the scene's triangles
//! (the demo district and every import, through the same BVH as coverage); on a wall the
//! camera is mounted 0.3 m out from it at the chosen height above the ground below, on the
//! ground or a roof it stands on a pole of that height; dragging aims it at the surface under
//! the pointer. The whole press–drag–release is one undo step.

use std::sync::Arc;

use bevy::prelude::*;
use twincity_core::coverage::{Occluders, ScenePart, scene_model};
use twincity_core::{CameraId, Project, VirtualCamera};

use crate::document::{Document, Interaction, Notifications, Selection};

/// Wall mounts stand this far out from the wall, metres.
const WALL_OFFSET: f32 = 0.3;

/// What the click-to-place tool needs between frames.
#[derive(Resource)]
pub struct CameraPlacement {
    /// The tool is on: the next left click in the view places a camera.
    pub active: bool,
    /// Height of the optical centre above the ground (walls) or the surface clicked.
    pub mount_height: f32,
    /// The camera being aimed while the button is held.
    dragging: Option<CameraId>,
}

impl Default for CameraPlacement {
    fn default() -> Self {
        Self {
            active: false,
            mount_height: 6.0,
            dragging: None,
        }
    }
}

/// What a project's scene geometry depends on: caches of it compare these.
#[derive(Clone, PartialEq)]
pub struct SceneKey {
    demo_city: bool,
    imports: Vec<twincity_core::project::CityImport>,
    origin: Option<twincity_core::project::GeoOrigin>,
}

impl SceneKey {
    pub fn of(project: &Project) -> Self {
        Self {
            demo_city: project.demo_city,
            imports: project.imports.clone(),
            origin: project.origin.clone(),
        }
    }
}

/// The scene's triangles ready for ray casting (clicks: placing cameras, selecting parts of
/// imported files), rebuilt when the city changes.
#[derive(Resource, Default)]
pub struct SceneRaycast {
    scene: Option<(SceneKey, Arc<Occluders>, Arc<Vec<ScenePart>>)>,
}

impl SceneRaycast {
    /// The occluders and the imported parts, built on first use and when the city changes.
    pub fn get(
        &mut self,
        project: &Project,
    ) -> Result<(Arc<Occluders>, Arc<Vec<ScenePart>>), String> {
        let key = SceneKey::of(project);
        if let Some((k, occ, parts)) = &self.scene
            && *k == key
        {
            return Ok((occ.clone(), parts.clone()));
        }
        let model = scene_model(project)?;
        let occ = Arc::new(Occluders::with_parts(&model.triangles, &model.part_of));
        let parts = Arc::new(model.parts);
        self.scene = Some((key, occ.clone(), parts.clone()));
        Ok((occ, parts))
    }

    /// The parts of the last scene built (empty before any).
    pub fn parts(&self) -> &[ScenePart] {
        self.scene.as_ref().map_or(&[], |(_, _, p)| p.as_slice())
    }
}

/// Where a camera clicked onto `point` (surface normal `normal`, facing the viewer) goes, and
/// the direction it first looks: away from a wall, or along the view on open ground.
pub fn mount(
    occ: &Occluders,
    point: Vec3,
    normal: Vec3,
    view_dir: Vec3,
    height: f32,
) -> (Vec3, Vec3) {
    let out = Vec3::new(normal.x, 0.0, normal.z);
    if normal.y.abs() < 0.5 && out.length() > 1e-3 {
        let out = out.normalize();
        let base = point + out * WALL_OFFSET;
        let ground = occ.below(base).unwrap_or(base.y.min(0.0));
        (Vec3::new(base.x, ground + height, base.z), out)
    } else {
        let ahead = Vec3::new(view_dir.x, 0.0, view_dir.z).normalize_or(Vec3::NEG_Z);
        (point + Vec3::Y * height, ahead)
    }
}

#[allow(clippy::too_many_arguments)]
pub fn place_cameras(
    mut placement: ResMut<CameraPlacement>,
    mut raycast: ResMut<SceneRaycast>,
    mut doc: ResMut<Document>,
    mut selection: ResMut<Selection>,
    mut interaction: ResMut<Interaction>,
    mut notes: ResMut<Notifications>,
    buttons: Option<Res<ButtonInput<MouseButton>>>,
    keys: Option<Res<ButtonInput<KeyCode>>>,
    window: Option<Single<&Window, With<bevy::window::PrimaryWindow>>>,
    camera: Option<Single<(&Camera, &GlobalTransform), With<crate::viewport::EditorCamera>>>,
    rect: Option<Res<crate::viewport::ViewportRect>>,
    egui_input: Option<Res<bevy_egui::input::EguiWantsInput>>,
    mut tool_active: ResMut<crate::viewport::ToolActive>,
    time: Res<Time<Real>>,
) {
    if keys.is_some_and(|k| k.just_pressed(KeyCode::Escape)) {
        placement.active = false;
    }
    interaction.tool_dragging = placement.dragging.is_some();
    if !placement.active && placement.dragging.is_none() {
        return;
    }
    tool_active.0 = true;
    let (Some(buttons), Some(window), Some(camera)) = (buttons, window, camera) else {
        return;
    };
    let (ray, over_ui) =
        crate::viewport::pointer_ray(&window, *camera, rect.as_deref(), egui_input.as_deref());
    let Some(ray) = ray else {
        return;
    };
    let occ = match raycast.get(&doc.project) {
        Ok((o, _)) => o,
        Err(e) => {
            notes.error(format!("Cannot place a camera: {e}"), time.elapsed());
            placement.active = false;
            return;
        }
    };
    let hit = occ
        .ray_hit(ray.origin, *ray.direction)
        .map(|(t, n)| (ray.origin + *ray.direction * t, n));
    if buttons.just_pressed(MouseButton::Left) && !over_ui && placement.dragging.is_none() {
        let Some((point, normal)) = hit else {
            return;
        };
        let (position, look) = mount(&occ, point, normal, *ray.direction, placement.mount_height);
        let id = doc.project.next_camera_id();
        let mut new = VirtualCamera::new(id, format!("Camera {}", id.0), position, 0.0);
        // Look out along `look`, 15° down, until the drag says where.
        new.aim_at(position + look * 10.0 - Vec3::Y * 10.0 * 15f32.to_radians().tan());
        doc.project.cameras.push(new);
        *selection = Selection::Camera(id);
        placement.dragging = Some(id);
        interaction.tool_dragging = true;
        return;
    }
    if let Some(id) = placement.dragging {
        if let Some((target, _)) = hit
            && let Some(c) = doc.project.camera_mut(id)
            && c.position.distance(target) > 1.0
        {
            let mut aimed = c.clone();
            aimed.aim_at(target);
            if aimed.pan_deg != c.pan_deg || aimed.tilt_deg != c.tilt_deg {
                *c = aimed;
            }
        }
        if !buttons.pressed(MouseButton::Left) {
            placement.dragging = None;
            placement.active = false;
            interaction.tool_dragging = false;
        }
    }
}

/// What the grab keys do to the selected camera.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrabMode {
    /// G: the camera follows the pointer over the city, keeping its height above the ground.
    Move,
    /// R: the camera turns to look at the surface under the pointer.
    Aim,
}

/// A camera being moved or aimed with the pointer (the 3D view's camera gizmo): a click
/// confirms, Esc or a right click puts it back; the whole grab is one undo step.
#[derive(Resource, Default)]
pub struct CameraGrab {
    pub active: Option<(CameraId, GrabMode)>,
    original: Option<VirtualCamera>,
    /// Height of the camera above the ground under it when the grab started.
    height: f32,
}

#[allow(clippy::too_many_arguments)]
pub fn grab_cameras(
    mut grab: ResMut<CameraGrab>,
    mut raycast: ResMut<SceneRaycast>,
    mut doc: ResMut<Document>,
    selection: Res<Selection>,
    mut interaction: ResMut<Interaction>,
    buttons: Option<Res<ButtonInput<MouseButton>>>,
    keys: Option<Res<ButtonInput<KeyCode>>>,
    window: Option<Single<&Window, With<bevy::window::PrimaryWindow>>>,
    camera: Option<Single<(&Camera, &GlobalTransform), With<crate::viewport::EditorCamera>>>,
    egui_input: Option<Res<bevy_egui::input::EguiWantsInput>>,
    mut tool_active: ResMut<crate::viewport::ToolActive>,
) {
    let (Some(buttons), Some(keys)) = (buttons, keys) else {
        return;
    };
    let typing = egui_input
        .as_ref()
        .is_some_and(|e| e.wants_keyboard_input());
    if grab.active.is_none() {
        let Selection::Camera(id) = *selection else {
            return;
        };
        let mode = if keys.just_pressed(KeyCode::KeyG) {
            GrabMode::Move
        } else if keys.just_pressed(KeyCode::KeyR) {
            GrabMode::Aim
        } else {
            return;
        };
        if typing {
            return;
        }
        let Some(cam) = doc.project.camera(id).cloned() else {
            return;
        };
        let Ok((occ, _)) = raycast.get(&doc.project) else {
            return;
        };
        let ground = occ.below(cam.position).unwrap_or(0.0);
        grab.height = cam.position.y - ground;
        grab.original = Some(cam);
        grab.active = Some((id, mode));
    }
    let Some((id, mode)) = grab.active else {
        return;
    };
    tool_active.0 = true;
    interaction.tool_dragging = true;
    if keys.just_pressed(KeyCode::Escape) || buttons.just_pressed(MouseButton::Right) {
        if let (Some(original), Some(c)) = (grab.original.take(), doc.project.camera_mut(id)) {
            *c = original;
        }
        grab.active = None;
        interaction.tool_dragging = false;
        return;
    }
    if buttons.just_pressed(MouseButton::Left) {
        grab.active = None;
        grab.original = None;
        interaction.tool_dragging = false;
        return;
    }
    let (Some(window), Some(camera)) = (window, camera) else {
        return;
    };
    let (cam, cam_tf) = *camera;
    let Some(ray) = window
        .cursor_position()
        .and_then(|c| cam.viewport_to_world(cam_tf, c).ok())
    else {
        return;
    };
    let Ok((occ, _)) = raycast.get(&doc.project) else {
        return;
    };
    let Some((t, _)) = occ.ray_hit(ray.origin, *ray.direction) else {
        return;
    };
    let hit = ray.origin + *ray.direction * t;
    let height = grab.height;
    let Some(c) = doc.project.camera_mut(id) else {
        grab.active = None;
        return;
    };
    let mut moved = c.clone();
    match mode {
        GrabMode::Move => moved.position = hit + Vec3::Y * height,
        GrabMode::Aim => {
            if moved.position.distance(hit) > 1.0 {
                moved.aim_at(hit);
            }
        }
    }
    if moved != *c {
        *c = moved;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use twincity_core::coverage::box_triangles;

    /// A 10 m tall block on a ground plane.
    fn block() -> Occluders {
        let mut tris = vec![
            [
                Vec3::new(-50.0, 0.0, 50.0),
                Vec3::new(50.0, 0.0, 50.0),
                Vec3::new(50.0, 0.0, -50.0),
            ],
            [
                Vec3::new(-50.0, 0.0, 50.0),
                Vec3::new(50.0, 0.0, -50.0),
                Vec3::new(-50.0, 0.0, -50.0),
            ],
        ];
        tris.extend(box_triangles(
            Vec3::new(0.0, 0.0, -10.0),
            Vec3::new(10.0, 10.0, 0.0),
        ));
        Occluders::new(&tris)
    }

    #[test]
    fn wall_clicks_mount_on_the_wall_at_height_above_its_foot() {
        let occ = block();
        // Clicking the east wall (x = 10) at 8 m: mounted 0.3 m out, 6 m above the ground,
        // looking east.
        let (t, n) = occ
            .ray_hit(Vec3::new(30.0, 8.0, -5.0), Vec3::NEG_X)
            .unwrap();
        let point = Vec3::new(30.0, 8.0, -5.0) + Vec3::NEG_X * t;
        let (pos, look) = mount(&occ, point, n, Vec3::NEG_X, 6.0);
        assert!(pos.distance(Vec3::new(10.3, 6.0, -5.0)) < 1e-4, "{pos}");
        assert!(look.distance(Vec3::X) < 1e-5);
        // Clicking the roof: a 6 m mast on it, looking along the view.
        let (t, n) = occ
            .ray_hit(Vec3::new(5.0, 30.0, -5.0), Vec3::NEG_Y)
            .unwrap();
        let (pos, _) = mount(&occ, Vec3::new(5.0, 30.0 - t, -5.0), n, Vec3::X, 6.0);
        assert!(pos.distance(Vec3::new(5.0, 16.0, -5.0)) < 1e-4, "{pos}");
        // Clicking the ground: a 6 m pole.
        let (pos, look) = mount(
            &occ,
            Vec3::new(30.0, 0.0, 20.0),
            Vec3::Y,
            Vec3::new(1.0, -1.0, 0.0),
            6.0,
        );
        assert_eq!(pos, Vec3::new(30.0, 6.0, 20.0));
        assert!(look.distance(Vec3::X) < 1e-5);
    }
}
