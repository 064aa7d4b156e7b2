//! Placing a camera by clicking the city: the click ray is cast against the scene's triangles
//! (the demo district and every import, through the same BVH as coverage); on a wall the
//! camera is mounted 0.3 m out from it at the chosen height above the ground below, on the
//! ground or a roof it stands on a pole of that height; dragging aims it at the surface under
//! the pointer. The whole press–drag–release is one undo step.

use bevy::prelude::*;
use twincity_model::{CameraId, VirtualCamera};
use twincity_scene::coverage::Occluders;

use crate::render::document::{Document, Interaction, Notifications, Selection};
use crate::render::raycast::SceneRaycast;

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
    camera: Option<
        Single<(&Camera, &GlobalTransform), With<crate::editor::viewport::EditorCamera>>,
    >,
    rect: Option<Res<crate::editor::viewport::ViewportRect>>,
    egui_input: Option<Res<bevy_egui::input::EguiWantsInput>>,
    mut tool_active: ResMut<crate::editor::viewport::ToolActive>,
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
    let (ray, over_ui) = crate::editor::viewport::pointer_ray(
        &window,
        *camera,
        rect.as_deref(),
        egui_input.as_deref(),
    );
    let Some(ray) = ray else {
        return;
    };
    let occ = match raycast.get(&doc.project) {
        Ok((o, _)) => o,
        Err(e) => {
            notes.error(
                twincity_i18n::tr_args("place-failed", &[("why", e.to_string().into())]),
                time.elapsed(),
            );
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
        let name = twincity_i18n::tr_args("camera-default-name", &[("n", id.0.to_string().into())]);
        let mut new = VirtualCamera::new(id, name, position, 0.0);
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
    /// The arrow handle: the camera slides up or down its vertical.
    Height,
}

/// One of the selected camera's on-screen handles: a knob of `radius` at `centre`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GrabHandle {
    pub mode: GrabMode,
    pub centre: Vec3,
    pub radius: f32,
}

/// The handles of `cam` seen from `eye`, sized to stay about as large on screen at any
/// distance: a knob on the camera (drag: move over the city), a knob above it (drag: height)
/// and a knob ahead of the lens (drag: aim).
pub fn grab_handles(cam: &VirtualCamera, eye: Vec3) -> [GrabHandle; 3] {
    let size = (eye.distance(cam.position) * 0.025).clamp(0.15, 25.0);
    [
        GrabHandle {
            mode: GrabMode::Move,
            centre: cam.position,
            radius: size,
        },
        GrabHandle {
            mode: GrabMode::Height,
            centre: cam.position + Vec3::Y * size * 4.0,
            radius: size * 0.8,
        },
        GrabHandle {
            mode: GrabMode::Aim,
            centre: cam.position + cam.forward() * size * 5.0,
            radius: size * 0.8,
        },
    ]
}

/// The handle the ray `origin + t * dir` (unit `dir`) meets first, if any.
pub fn pick_handle(handles: &[GrabHandle], origin: Vec3, dir: Vec3) -> Option<GrabHandle> {
    handles
        .iter()
        .filter_map(|h| {
            let t = (h.centre - origin).dot(dir);
            let miss = (origin + dir * t).distance(h.centre);
            (t > 0.0 && miss <= h.radius).then_some((t, *h))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, h)| h)
}

/// The height on the vertical through `base` closest to the ray `origin + t * dir`; `None`
/// when the ray runs (nearly) vertical and says nothing about height.
pub fn height_on_ray(base: Vec3, origin: Vec3, dir: Vec3) -> Option<f32> {
    // Closest points of two lines: base + s * Y and origin + t * dir.
    let w = base - origin;
    let b = Vec3::Y.dot(dir);
    let c = dir.dot(dir);
    let denom = c - b * b;
    if denom < 1e-4 * c {
        return None;
    }
    let s = (b * dir.dot(w) - c * Vec3::Y.dot(w)) / denom;
    Some(base.y + s)
}

/// A camera being moved or aimed with the pointer (the 3D view's camera gizmo): a click
/// confirms, Esc or a right click puts it back; the whole grab is one undo step.
#[derive(Resource, Default)]
pub struct CameraGrab {
    pub active: Option<(CameraId, GrabMode)>,
    original: Option<VirtualCamera>,
    /// Height of the camera above the ground under it when the grab started.
    height: f32,
    /// Started by dragging a handle: releasing the button ends it.
    by_handle: bool,
    /// Height handle: the knob's height above the camera when the drag started.
    knob_offset: f32,
    /// The handle under the pointer (drawn highlighted).
    pub hovered: Option<GrabMode>,
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
    camera: Option<
        Single<(&Camera, &GlobalTransform), With<crate::editor::viewport::EditorCamera>>,
    >,
    egui_input: Option<Res<bevy_egui::input::EguiWantsInput>>,
    mut tool_active: ResMut<crate::editor::viewport::ToolActive>,
) {
    let (Some(buttons), Some(keys)) = (buttons, keys) else {
        return;
    };
    let typing = egui_input
        .as_ref()
        .is_some_and(|e| e.wants_keyboard_input());
    let over_ui = egui_input
        .as_ref()
        .is_some_and(|e| e.is_pointer_over_area() || e.wants_pointer_input());
    let ray = match (&window, &camera) {
        (Some(window), Some(camera)) => {
            let (cam, cam_tf) = **camera;
            window
                .cursor_position()
                .and_then(|c| cam.viewport_to_world(cam_tf, c).ok())
        }
        _ => None,
    };
    if grab.active.is_none() {
        grab.hovered = None;
        let Selection::Camera(id) = *selection else {
            return;
        };
        let Some(cam) = doc.project.camera(id).cloned() else {
            return;
        };
        // The handles: hovering one keeps the left button from orbiting the view.
        let handle = match (&ray, &camera) {
            (Some(ray), Some(camera)) if !over_ui => pick_handle(
                &grab_handles(&cam, camera.1.translation()),
                ray.origin,
                *ray.direction,
            ),
            _ => None,
        };
        grab.hovered = handle.map(|h| h.mode);
        if handle.is_some() {
            tool_active.0 = true;
        }
        let (mode, by_handle) = match handle {
            Some(h) if buttons.just_pressed(MouseButton::Left) => (h.mode, true),
            _ if typing => return,
            _ if keys.just_pressed(KeyCode::KeyG) => (GrabMode::Move, false),
            _ if keys.just_pressed(KeyCode::KeyR) => (GrabMode::Aim, false),
            _ => return,
        };
        let Ok((occ, _)) = raycast.get(&doc.project) else {
            return;
        };
        let ground = occ.below(cam.position).unwrap_or(0.0);
        grab.height = cam.position.y - ground;
        grab.knob_offset = handle.map_or(0.0, |h| h.centre.y - cam.position.y);
        grab.original = Some(cam);
        grab.active = Some((id, mode));
        grab.by_handle = by_handle;
        grab.hovered = Some(mode);
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
    let done = if grab.by_handle {
        !buttons.pressed(MouseButton::Left)
    } else {
        buttons.just_pressed(MouseButton::Left)
    };
    if done {
        grab.active = None;
        grab.original = None;
        interaction.tool_dragging = false;
        return;
    }
    let Some(ray) = ray else {
        return;
    };
    let Ok((occ, _)) = raycast.get(&doc.project) else {
        return;
    };
    let Some(c) = doc.project.camera_mut(id) else {
        grab.active = None;
        return;
    };
    let moved = dragged(
        c,
        mode,
        &occ,
        (ray.origin, *ray.direction),
        grab.height,
        grab.knob_offset,
    );
    if moved != *c {
        *c = moved;
    }
}

/// Where a grab in `mode` takes `cam` when the pointer ray is `ray`: moving keeps `height`
/// above the surface under the pointer; the height handle follows the pointer up and down
/// the camera's vertical (its knob `knob_offset` above the camera); aiming looks at the
/// surface under the pointer. Unchanged when the ray gives no answer (sky, vertical ray).
pub fn dragged(
    cam: &VirtualCamera,
    mode: GrabMode,
    occ: &Occluders,
    ray: (Vec3, Vec3),
    height: f32,
    knob_offset: f32,
) -> VirtualCamera {
    let mut moved = cam.clone();
    let (origin, dir) = ray;
    if mode == GrabMode::Height {
        if let Some(y) = height_on_ray(cam.position, origin, dir) {
            moved.position.y = y - knob_offset;
        }
        return moved;
    }
    let Some((t, _)) = occ.ray_hit(origin, dir) else {
        return moved;
    };
    let hit = origin + dir * t;
    match mode {
        GrabMode::Move => moved.position = hit + Vec3::Y * height,
        _ => {
            if moved.position.distance(hit) > 1.0 {
                moved.aim_at(hit);
            }
        }
    }
    moved
}

/// Draws the selected camera's handles (the hovered or dragged one brighter).
pub fn draw_grab_handles(
    mut gizmos: Gizmos,
    doc: Res<Document>,
    selection: Res<Selection>,
    grab: Res<CameraGrab>,
    camera: Option<Single<&GlobalTransform, With<crate::editor::viewport::EditorCamera>>>,
) {
    let (Selection::Camera(id), Some(eye)) = (*selection, camera) else {
        return;
    };
    let Some(cam) = doc.project.camera(id) else {
        return;
    };
    for h in grab_handles(cam, eye.translation()) {
        let lit = grab.hovered == Some(h.mode);
        let colour = match (h.mode, lit) {
            (_, true) => Color::srgb(1.0, 1.0, 1.0),
            (GrabMode::Move, _) => Color::srgb(0.2, 0.8, 1.0),
            (GrabMode::Height, _) => Color::srgb(0.3, 1.0, 0.4),
            (GrabMode::Aim, _) => Color::srgb(1.0, 0.4, 0.8),
        };
        let iso = Isometry3d::from_translation(h.centre);
        gizmos.sphere(iso, h.radius, colour);
        match h.mode {
            GrabMode::Move => {
                let flat =
                    Isometry3d::new(h.centre, Quat::from_rotation_x(std::f32::consts::FRAC_PI_2));
                gizmos.circle(flat, h.radius * 1.6, colour);
            }
            GrabMode::Height => {
                gizmos.line(cam.position, h.centre, colour);
            }
            GrabMode::Aim => {
                gizmos.line(cam.position, h.centre, colour);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use twincity_scene::coverage::box_triangles;

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

    fn camera_at(position: Vec3) -> VirtualCamera {
        let mut c = VirtualCamera::new(CameraId(1), "c", position, 0.0);
        c.aim_at(position + Vec3::new(10.0, -5.0, 0.0));
        c
    }

    #[test]
    fn handles_keep_their_screen_size_and_the_nearest_is_picked() {
        let cam = camera_at(Vec3::new(0.0, 6.0, 0.0));
        let near = grab_handles(&cam, Vec3::new(0.0, 6.0, 40.0));
        let far = grab_handles(&cam, Vec3::new(0.0, 6.0, 400.0));
        // Ten times farther, ten times larger: the same angle on screen.
        assert!((far[0].radius / near[0].radius - 10.0).abs() < 1e-4);
        assert_eq!(near[0].centre, cam.position);
        assert!(near[1].centre.y > cam.position.y);
        // The aim knob lies ahead of the lens.
        assert!(
            (near[2].centre - cam.position)
                .normalize()
                .dot(cam.forward())
                > 0.999
        );
        // Looking from the eye straight at each knob picks that knob.
        let eye = Vec3::new(0.0, 6.0, 40.0);
        for h in near {
            let dir = (h.centre - eye).normalize();
            assert_eq!(pick_handle(&near, eye, dir).map(|p| p.mode), Some(h.mode));
        }
        // Beside all of them (and behind the eye): nothing.
        let beside = (Vec3::new(20.0, 6.0, 0.0) - eye).normalize();
        assert_eq!(pick_handle(&near, eye, beside), None);
        assert_eq!(pick_handle(&near, eye, Vec3::Z), None);
    }

    #[test]
    fn height_follows_the_pointer_along_the_vertical() {
        // An eye 30 m east, 10 m up, looking at the point 14 m up the vertical through (0, 0, 0).
        let eye = Vec3::new(30.0, 10.0, 0.0);
        let dir = (Vec3::new(0.0, 14.0, 0.0) - eye).normalize();
        let y = height_on_ray(Vec3::new(0.0, 6.0, 0.0), eye, dir).unwrap();
        assert!((y - 14.0).abs() < 1e-3, "{y}");
        // A ray passing beside the vertical gives the height of the closest approach.
        let dir = (Vec3::new(0.0, 20.0, 3.0) - eye).normalize();
        let y = height_on_ray(Vec3::ZERO, eye, dir).unwrap();
        assert!((y - 20.0).abs() < 0.5, "{y}");
        // Straight down says nothing about height.
        assert_eq!(height_on_ray(Vec3::ZERO, eye, Vec3::NEG_Y), None);
    }

    #[test]
    fn dragging_a_handle_moves_raises_or_aims_the_camera() {
        let occ = block();
        let cam = camera_at(Vec3::new(30.0, 6.0, 20.0));
        let eye = Vec3::new(60.0, 40.0, 60.0);
        // Move: the camera goes where the pointer meets the roof (10 m), 6 m above it.
        let roof = Vec3::new(5.0, 10.0, -5.0);
        let moved = dragged(
            &cam,
            GrabMode::Move,
            &occ,
            (eye, (roof - eye).normalize()),
            6.0,
            0.0,
        );
        assert!(
            moved.position.distance(Vec3::new(5.0, 16.0, -5.0)) < 1e-3,
            "{}",
            moved.position
        );
        assert_eq!(moved.pan_deg, cam.pan_deg);
        // Height: the knob (2 m above the camera) follows the pointer to 12 m, the camera to 10 m.
        let knob = Vec3::new(30.0, 12.0, 20.0);
        let raised = dragged(
            &cam,
            GrabMode::Height,
            &occ,
            (eye, (knob - eye).normalize()),
            6.0,
            2.0,
        );
        assert!(
            (raised.position.y - 10.0).abs() < 1e-3,
            "{}",
            raised.position
        );
        assert_eq!((raised.position.x, raised.position.z), (30.0, 20.0));
        // Aim: it looks at the ground point under the pointer.
        let spot = Vec3::new(40.0, 0.0, 30.0);
        let aimed = dragged(
            &cam,
            GrabMode::Aim,
            &occ,
            (eye, (spot - eye).normalize()),
            6.0,
            0.0,
        );
        assert_eq!(aimed.position, cam.position);
        assert!(aimed.forward().dot((spot - cam.position).normalize()) > 0.9999);
        // Pointing at the sky changes nothing.
        let sky = dragged(&cam, GrabMode::Move, &occ, (eye, Vec3::Y), 6.0, 0.0);
        assert_eq!(sky, cam);
    }
}
