//! The editor's 3D view: orbit / pan / zoom around a focus point, a fly mode, click selection.
//!
//! Controls (also in Help → Keyboard shortcuts and the README):
//! - left drag: orbit; right or middle drag: pan; wheel: zoom;
//! - `F`: toggle fly mode (drag to look, `W A S D` to move, `Q`/`E` down/up, `Shift` faster,
//!   wheel changes the speed);
//! - left click: select a building or a camera; `Z`: frame the selection; `Home`: frame
//!   everything in the scene (the demo district and imported files).

use bevy::camera::Viewport;
use bevy::camera::primitives::Aabb;
use bevy::input::mouse::{AccumulatedMouseMotion, AccumulatedMouseScroll, MouseScrollUnit};
use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use bevy_egui::input::EguiWantsInput;
use twincity_model::project::EditorView;

use crate::render::city::{CityPart, CityStatus, DemoLayout};
use crate::render::document::{CurrentView, Document, FrameWhenLoaded, Selection, ViewRequest};
use crate::render::frame::{FrameSet, add_frame_sets};

/// System sets of the viewport plugin.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ViewportSet {
    /// Mouse and keyboard drive the view; clicks select.
    Input,
    /// The camera transform and viewport follow the view state.
    ApplyCamera,
}

/// The editor's main 3D camera.
#[derive(Component)]
pub struct EditorCamera;

/// Orbit state of the view (angles as in [`EditorView`]).
#[derive(Resource, Clone, Debug)]
pub struct ViewState {
    pub view: EditorView,
    pub fly: bool,
    /// Fly speed in metres per second.
    pub fly_speed: f32,
}

impl Default for ViewState {
    fn default() -> Self {
        Self {
            view: EditorView::default(),
            fly: false,
            fly_speed: 12.0,
        }
    }
}

impl ViewState {
    /// Unit vector from the eye to the focus.
    pub fn forward(&self) -> Vec3 {
        let (sy, cy) = self.view.yaw_deg.to_radians().sin_cos();
        let (sp, cp) = self.view.pitch_deg.to_radians().sin_cos();
        Vec3::new(sy * cp, -sp, -cy * cp)
    }

    pub fn eye(&self) -> Vec3 {
        self.view.focus - self.forward() * self.view.distance
    }

    pub fn transform(&self) -> Transform {
        Transform::from_translation(self.eye()).looking_to(self.forward(), Vec3::Y)
    }
}

/// Set to fit the view to everything in the scene on the next frame.
#[derive(Resource, Clone, Copy, Debug, Default)]
pub struct FrameAllRequest(pub bool);

/// The part of the window not covered by panels, in logical pixels (set by the UI).
#[derive(Resource, Clone, Copy, Debug, Default)]
pub struct ViewportRect(pub Option<Rect>);

/// Set while a drawing tool uses the left mouse button in the view (the view then orbits with
/// the right button only). Cleared at the start of every frame; each tool in use sets it in
/// [`FrameSet::Input`], before the view reads it.
#[derive(Resource, Clone, Copy, Debug, Default)]
pub struct ToolActive(pub bool);

fn clear_tool_active(mut tool: ResMut<ToolActive>) {
    tool.0 = false;
}

#[derive(Resource, Default)]
struct DragState {
    /// Button and cursor position where a drag started inside the viewport.
    start: Option<(MouseButton, Vec2)>,
    moved: f32,
}

pub struct ViewportPlugin;

impl Plugin for ViewportPlugin {
    fn build(&self, app: &mut App) {
        add_frame_sets(app);
        app.init_resource::<ViewState>()
            .init_resource::<ViewportRect>()
            .init_resource::<DragState>()
            .init_resource::<ToolActive>()
            .init_resource::<FrameAllRequest>()
            .init_resource::<FrameWhenLoaded>()
            .configure_sets(
                Update,
                (ViewportSet::Input, ViewportSet::ApplyCamera)
                    .chain()
                    .in_set(FrameSet::View),
            )
            .add_systems(First, clear_tool_active)
            .add_systems(Startup, spawn_editor_camera)
            .add_systems(
                Update,
                (
                    (
                        apply_view_request,
                        mouse_input,
                        keyboard_input,
                        frame_when_loaded,
                        frame_all,
                    )
                        .chain()
                        .in_set(ViewportSet::Input),
                    apply_camera.in_set(ViewportSet::ApplyCamera),
                ),
            );
    }
}

fn spawn_editor_camera(mut commands: Commands, view: Res<ViewState>) {
    commands.spawn((
        Name::new("Editor camera"),
        EditorCamera,
        Camera3d::default(),
        // The city and the editor's overlays (frustums, outlines, coverage).
        bevy::camera::visibility::RenderLayers::from_layers(&[
            0,
            crate::render::overlay::OVERLAY_LAYER,
        ]),
        Projection::Perspective(PerspectiveProjection {
            fov: EDITOR_FOV_DEG.to_radians(),
            near: 0.2,
            far: 5_000.0,
            ..default()
        }),
        view.transform(),
    ));
}

fn apply_view_request(mut request: ResMut<ViewRequest>, mut view: ResMut<ViewState>) {
    if let Some(v) = request.0.take() {
        view.view = v;
        view.fly = false;
    }
}

/// The ray under the pointer when it is in the 3D view, and whether egui has the pointer
/// (over a panel or in use): what the tools in the view (crowd drawing, camera placement)
/// start from.
pub fn pointer_ray(
    window: &Window,
    camera: (&Camera, &GlobalTransform),
    rect: Option<&ViewportRect>,
    egui_input: Option<&EguiWantsInput>,
) -> (Option<Ray3d>, bool) {
    let cursor = window
        .cursor_position()
        .filter(|c| rect.and_then(|r| r.0).is_none_or(|r| r.contains(*c)));
    let over_ui = egui_input.is_some_and(|e| e.is_pointer_over_area() || e.wants_pointer_input());
    let ray = cursor.and_then(|c| camera.0.viewport_to_world(camera.1, c).ok());
    (ray, over_ui)
}

/// The mouse, keys and pointer ray in the 3D view, for the tools that click on the city
/// (all optional: headless apps have no window).
#[derive(bevy::ecs::system::SystemParam)]
pub struct ViewPointer<'w, 's> {
    pub buttons: Option<Res<'w, ButtonInput<MouseButton>>>,
    pub keys: Option<Res<'w, ButtonInput<KeyCode>>>,
    window: Option<Single<'w, 's, &'static Window, With<PrimaryWindow>>>,
    camera: Option<Single<'w, 's, (&'static Camera, &'static GlobalTransform), With<EditorCamera>>>,
    rect: Option<Res<'w, ViewportRect>>,
    egui_input: Option<Res<'w, EguiWantsInput>>,
}

impl ViewPointer<'_, '_> {
    /// The ray under the pointer in the view, unless the pointer is over a panel.
    pub fn ray(&self) -> Option<Ray3d> {
        let (window, camera) = (self.window.as_ref()?, self.camera.as_ref()?);
        let (ray, over_ui) = pointer_ray(
            window,
            **camera,
            self.rect.as_deref(),
            self.egui_input.as_deref(),
        );
        ray.filter(|_| !over_ui)
    }

    pub fn just_pressed(&self, button: MouseButton) -> bool {
        self.buttons
            .as_ref()
            .is_some_and(|b| b.just_pressed(button))
    }

    pub fn key_just_pressed(&self, key: KeyCode) -> bool {
        self.keys.as_ref().is_some_and(|k| k.just_pressed(key))
    }

    /// Keys go to a text field being edited in a panel.
    pub fn typing(&self) -> bool {
        self.egui_input
            .as_ref()
            .is_some_and(|e| e.wants_keyboard_input())
    }
}

fn cursor_in_viewport(window: &Window, rect: &ViewportRect) -> Option<Vec2> {
    let cursor = window.cursor_position()?;
    match rect.0 {
        Some(r) if r.contains(cursor) => Some(cursor),
        Some(_) => None,
        None => Some(cursor),
    }
}

fn mouse_input(
    buttons: Res<ButtonInput<MouseButton>>,
    motion: Res<AccumulatedMouseMotion>,
    scroll: Res<AccumulatedMouseScroll>,
    egui_input: Res<EguiWantsInput>,
    window: Single<&Window, With<PrimaryWindow>>,
    rect: Res<ViewportRect>,
    mut drag: ResMut<DragState>,
    mut view: ResMut<ViewState>,
    camera: Single<(&Camera, &GlobalTransform), With<EditorCamera>>,
    layout: Option<Res<DemoLayout>>,
    doc: Res<Document>,
    mut selection: ResMut<Selection>,
    tool: Res<ToolActive>,
    mut raycast: Option<ResMut<crate::render::raycast::SceneRaycast>>,
) {
    let cursor = cursor_in_viewport(&window, &rect);
    let over_ui = egui_input.is_pointer_over_area() || egui_input.wants_pointer_input();
    for button in [MouseButton::Left, MouseButton::Right, MouseButton::Middle] {
        if buttons.just_pressed(button)
            && drag.start.is_none()
            && !over_ui
            && !(tool.0 && button == MouseButton::Left)
            && let Some(c) = cursor
        {
            drag.start = Some((button, c));
            drag.moved = 0.0;
        }
    }
    let delta = motion.delta;
    if let Some((button, start)) = drag.start {
        drag.moved += delta.length();
        if buttons.pressed(button) {
            if drag.moved > 3.0 {
                let d = view.view.distance;
                let look = view.fly || button == MouseButton::Left;
                if look {
                    let eye = view.eye();
                    view.view.yaw_deg = (view.view.yaw_deg + delta.x * 0.25).rem_euclid(360.0);
                    view.view.pitch_deg = (view.view.pitch_deg + delta.y * 0.25).clamp(-89.0, 89.0);
                    if view.fly {
                        // Looking around in fly mode turns about the eye, not the focus.
                        view.view.focus = eye + view.forward() * d;
                    }
                } else {
                    // Pan like a map: right is the camera's right, "up" is forward on the ground.
                    let fwd = view.forward();
                    let right = fwd.cross(Vec3::Y).normalize_or_zero();
                    let ground_fwd = Vec3::new(fwd.x, 0.0, fwd.z).normalize_or_zero();
                    let scale = d * 0.0016;
                    view.view.focus += (-right * delta.x + ground_fwd * delta.y) * scale;
                }
            }
        } else {
            if button == MouseButton::Left && drag.moved <= 3.0 {
                *selection = pick(
                    start,
                    &camera,
                    layout.as_deref(),
                    &doc,
                    raycast.as_deref_mut(),
                );
            }
            drag.start = None;
        }
    }
    if cursor.is_some() && !over_ui && scroll.delta.y != 0.0 {
        let lines = match scroll.unit {
            MouseScrollUnit::Line => scroll.delta.y,
            MouseScrollUnit::Pixel => scroll.delta.y / 40.0,
        };
        if view.fly {
            view.fly_speed = (view.fly_speed * 1.15f32.powf(lines)).clamp(1.0, 400.0);
        } else {
            view.view.distance = (view.view.distance * 0.88f32.powf(lines)).clamp(2.0, 4000.0);
        }
    }
}

/// What is under the cursor: a camera icon (within 14 px) wins over a building.
fn pick(
    cursor: Vec2,
    camera: &(&Camera, &GlobalTransform),
    layout: Option<&DemoLayout>,
    doc: &Document,
    raycast: Option<&mut crate::render::raycast::SceneRaycast>,
) -> Selection {
    let (cam, cam_tf) = camera;
    let nearest_camera = doc
        .project
        .cameras
        .iter()
        .filter_map(|c| {
            let p = cam.world_to_viewport(cam_tf, c.position).ok()?;
            let d = p.distance(cursor);
            (d < 14.0).then_some((c.id, d))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((id, _)) = nearest_camera {
        return Selection::Camera(id);
    }
    let Ok(ray) = cam.viewport_to_world(cam_tf, cursor) else {
        return Selection::None;
    };
    let building = layout
        .filter(|_| doc.project.demo_city)
        .and_then(|l| l.0.ray_cast_buildings(ray.origin, *ray.direction))
        .map(|(b, t)| (Selection::Building(b.id), t));
    // Parts of imported files, through the scene's ray caster; the nearer hit wins.
    let part = raycast
        .filter(|_| !doc.project.imports.is_empty())
        .and_then(|r| r.get(&doc.project).ok())
        .and_then(|(occ, _)| occ.ray_hit_part(ray.origin, *ray.direction))
        .and_then(|(t, part)| Some((Selection::Part(part?), t)));
    match (building, part) {
        (Some(b), Some(p)) => {
            if p.1 < b.1 {
                p.0
            } else {
                b.0
            }
        }
        (Some((s, _)), None) | (None, Some((s, _))) => s,
        (None, None) => Selection::None,
    }
}

fn keyboard_input(
    keys: Res<ButtonInput<KeyCode>>,
    egui_input: Res<EguiWantsInput>,
    time: Res<Time<Real>>,
    mut view: ResMut<ViewState>,
    selection: Res<Selection>,
    layout: Option<Res<DemoLayout>>,
    doc: Res<Document>,
    mut frame_all: ResMut<FrameAllRequest>,
    raycast: Option<Res<crate::render::raycast::SceneRaycast>>,
) {
    if egui_input.wants_keyboard_input() {
        return;
    }
    let ctrl = keys.any_pressed([KeyCode::ControlLeft, KeyCode::ControlRight]);
    if ctrl {
        return;
    }
    if keys.just_pressed(KeyCode::KeyF) {
        view.fly = !view.fly;
    }
    if keys.just_pressed(KeyCode::Home) {
        frame_all.0 = true;
    }
    if keys.just_pressed(KeyCode::KeyZ) {
        let parts = raycast.as_ref().map_or(&[][..], |r| r.parts());
        frame_selection(&mut view, *selection, layout.as_deref(), &doc, parts);
    }
    if view.fly {
        let fwd = view.forward();
        let right = fwd.cross(Vec3::Y).normalize_or_zero();
        let mut dir = Vec3::ZERO;
        for (key, d) in [
            (KeyCode::KeyW, fwd),
            (KeyCode::KeyS, -fwd),
            (KeyCode::KeyD, right),
            (KeyCode::KeyA, -right),
            (KeyCode::KeyE, Vec3::Y),
            (KeyCode::KeyQ, Vec3::NEG_Y),
        ] {
            if keys.pressed(key) {
                dir += d;
            }
        }
        let boost = if keys.any_pressed([KeyCode::ShiftLeft, KeyCode::ShiftRight]) {
            4.0
        } else {
            1.0
        };
        let step = dir.normalize_or_zero() * view.fly_speed * boost * time.delta_secs();
        view.view.focus += step;
    }
}

/// Points the view at the selected building or camera.
pub fn frame_selection(
    view: &mut ViewState,
    selection: Selection,
    layout: Option<&DemoLayout>,
    doc: &Document,
    parts: &[twincity_scene::coverage::ScenePart],
) {
    match selection {
        Selection::Building(id) => {
            if let Some(b) = layout.and_then(|l| l.0.buildings.iter().find(|b| b.id == id)) {
                let bb = b.aabb();
                view.view.focus = (bb.min + bb.max) * 0.5;
                view.view.distance = (bb.max - bb.min).length() * 1.6;
            }
        }
        Selection::Camera(id) => {
            if let Some(c) = doc.project.camera(id) {
                view.view.focus = c.position;
                view.view.distance = 25.0;
            }
        }
        Selection::Part(i) => {
            if let Some(p) = parts.get(i as usize) {
                view.view.focus = (p.min + p.max) * 0.5;
                view.view.distance = ((p.max - p.min).length() * 1.6).max(10.0);
            }
        }
        Selection::None => {}
    }
    view.fly = false;
}

fn frame_when_loaded(
    mut pending: ResMut<FrameWhenLoaded>,
    status: Res<CityStatus>,
    mut request: ResMut<FrameAllRequest>,
) {
    if !pending.armed {
        return;
    }
    if !status.settled() {
        pending.frames_settled = 0;
        return;
    }
    // Bounds are computed after the scene is spawned: give it a few frames.
    pending.frames_settled += 1;
    if pending.frames_settled >= 3 {
        pending.armed = false;
        request.0 = true;
    }
}

/// Fits the view to the bounds of every mesh in the scene (except the surrounding ground),
/// keeping the viewing direction.
fn frame_all(
    mut request: ResMut<FrameAllRequest>,
    meshes: Query<(&Aabb, &GlobalTransform, Option<&CityPart>), With<Mesh3d>>,
    projection: Single<&Projection, With<EditorCamera>>,
    mut view: ResMut<ViewState>,
) {
    if !request.0 {
        return;
    }
    request.0 = false;
    let mut min = Vec3::splat(f32::INFINITY);
    let mut max = Vec3::splat(f32::NEG_INFINITY);
    for (aabb, transform, part) in &meshes {
        if part == Some(&CityPart::Ground) {
            continue;
        }
        let affine = transform.affine();
        let center = affine.transform_point3(Vec3::from(aabb.center));
        let half = Vec3::from(aabb.half_extents);
        // Extent of the transformed box: |M| applied to the half extents.
        let m = affine.matrix3;
        let extent = Vec3::new(
            m.row(0).abs().dot(half.into()),
            m.row(1).abs().dot(half.into()),
            m.row(2).abs().dot(half.into()),
        );
        if center.is_finite() && extent.is_finite() {
            min = min.min(center - extent);
            max = max.max(center + extent);
        }
    }
    if !min.is_finite() || !max.is_finite() {
        return;
    }
    let fov = match *projection {
        Projection::Perspective(p) => p.fov,
        _ => 50f32.to_radians(),
    };
    let radius = ((max - min).length() * 0.5).max(1.0);
    view.view.focus = (min + max) * 0.5;
    view.view.distance = (radius / (fov * 0.5).sin() * 1.05).clamp(2.0, 4.0e6);
    view.fly = false;
}

/// Field of view of the editor's own camera.
const EDITOR_FOV_DEG: f32 = 50.0;

fn apply_camera(
    view: Res<ViewState>,
    rect: Res<ViewportRect>,
    window: Single<&Window, With<PrimaryWindow>>,
    mut camera: Single<(&mut Transform, &mut Camera, &mut Projection), With<EditorCamera>>,
    mut current: ResMut<CurrentView>,
    previews: Option<Res<crate::editor::previews::CameraPreviews>>,
    doc: Res<Document>,
) {
    let (transform, cam, projection) = &mut *camera;
    // Looking through a virtual camera: its pose and vertical field of view.
    let through = previews
        .and_then(|p| p.look_through)
        .and_then(|id| doc.project.cameras.iter().find(|c| c.id == id));
    let (t, fov) = match through {
        Some(c) => (
            crate::render::overlay::camera_pose(c).0,
            c.render_vertical_fov(),
        ),
        None => (view.transform(), EDITOR_FOV_DEG.to_radians()),
    };
    if **transform != t {
        **transform = t;
    }
    if let Projection::Perspective(p) = &mut **projection
        && p.fov != fov
    {
        p.fov = fov;
    }
    if current.0 != view.view {
        current.0 = view.view.clone();
    }
    let scale = window.scale_factor();
    let size = UVec2::new(window.physical_width(), window.physical_height());
    let viewport = rect.0.and_then(|r| {
        let min = (r.min * scale).as_uvec2().min(size);
        let max = (r.max * scale).as_uvec2().min(size);
        let extent = max.saturating_sub(min);
        (extent.x >= 8 && extent.y >= 8).then_some(Viewport {
            physical_position: min,
            physical_size: extent,
            ..default()
        })
    });
    let same = match (&cam.viewport, &viewport) {
        (Some(a), Some(b)) => {
            a.physical_position == b.physical_position && a.physical_size == b.physical_size
        }
        (None, None) => true,
        _ => false,
    };
    if !same {
        cam.viewport = viewport;
    }
}
