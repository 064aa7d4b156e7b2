//! The crowd drawing tools in the 3D view: with a tool chosen in the Crowd panel, a drag on
//! the ground draws an area and a click places a point, sent as [`CrowdCommand::Add`].

use bevy::prelude::*;
use bevy_egui::input::EguiWantsInput;

use crate::editor::viewport::{EditorCamera, ToolActive, ViewportRect, pointer_ray};
use crate::render::crowd::{CrowdCommand, CrowdPlayer, CrowdSet, ground_point};

/// Adds the drawing tools to an app that has [`crate::render::crowd::CrowdPlugin`].
pub struct CrowdToolPlugin;

impl Plugin for CrowdToolPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(Update, draw_tool_input.in_set(CrowdSet::Input));
    }
}

/// Drawing tools: with a tool selected, a left drag on the ground draws an area and a left
/// click places a point (the view does not orbit with the left button meanwhile).
fn draw_tool_input(
    mut player: ResMut<CrowdPlayer>,
    buttons: Option<Res<ButtonInput<MouseButton>>>,
    window: Option<Single<&Window, With<bevy::window::PrimaryWindow>>>,
    camera: Option<Single<(&Camera, &GlobalTransform), With<EditorCamera>>>,
    rect: Option<Res<ViewportRect>>,
    egui_input: Option<Res<EguiWantsInput>>,
    mut tool_active: Option<ResMut<ToolActive>>,
    mut out: MessageWriter<CrowdCommand>,
) {
    if let Some(t) = tool_active.as_mut()
        && player.tool.is_some()
        && player.scenario.is_some()
    {
        t.0 = true;
    }
    let (Some(tool), Some(buttons), Some(window), Some(camera)) =
        (player.tool, buttons, window, camera)
    else {
        player.drag = None;
        return;
    };
    if player.scenario.is_none() {
        return;
    }
    let ground = player.ground();
    let (ray, over_ui) = pointer_ray(&window, *camera, rect.as_deref(), egui_input.as_deref());
    let point = ray.and_then(|ray| ground_point(ray.origin, *ray.direction, ground));
    if buttons.just_pressed(MouseButton::Left)
        && !over_ui
        && let Some(p) = point
    {
        player.drag = Some((p, p));
    }
    if let (Some((a, _)), Some(p)) = (player.drag, point) {
        player.drag = Some((a, p));
    }
    if buttons.just_released(MouseButton::Left)
        && let Some((a, b)) = player.drag.take()
    {
        let big_enough = (b - a).abs().min_element() >= 0.5;
        if !tool.is_area() || big_enough {
            out.write(CrowdCommand::Add(tool.item(a, b)));
        }
    }
}
