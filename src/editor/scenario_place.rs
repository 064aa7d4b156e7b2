//! Placing a scenario event's points in the 3D view: with a point field chosen in the
//! timeline panel, a click where the pointer meets the city sets it (plan position).

use bevy::prelude::*;

use crate::editor::viewport::{ToolActive, ViewPointer};
use crate::render::document::Document;
use crate::render::raycast::{SceneRaycast, city_point};
use crate::render::scenario::{ScenarioCommand, ScenarioPlayer, ScenarioSet};

/// Adds point placing to an app that has [`crate::render::scenario::ScenarioPlugin`].
pub struct ScenarioPlacePlugin;

impl Plugin for ScenarioPlacePlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(Update, place_input.in_set(ScenarioSet::Input));
    }
}

/// Placing an event's point: a left click in the view puts it where the pointer meets the
/// city (plan position); Esc cancels. Route corners are added one click at a time.
fn place_input(
    mut player: ResMut<ScenarioPlayer>,
    mut out: MessageWriter<ScenarioCommand>,
    doc: Option<Res<Document>>,
    mut raycast: Option<ResMut<SceneRaycast>>,
    pointer: ViewPointer,
    mut tool_active: Option<ResMut<ToolActive>>,
) {
    let Some((event, field)) = player.placing else {
        return;
    };
    if let Some(t) = tool_active.as_mut() {
        t.0 = true;
    }
    if pointer.key_just_pressed(KeyCode::Escape) {
        player.placing = None;
        return;
    }
    if !pointer.just_pressed(MouseButton::Left) {
        return;
    }
    let Some(ray) = pointer.ray() else {
        return;
    };
    let Some(p) = city_point(
        raycast.as_deref_mut(),
        doc.as_ref().map(|d| &d.project),
        ray,
    ) else {
        return;
    };
    let plan = (
        (p.x as f64 * 10.0).round() / 10.0,
        (-p.z as f64 * 10.0).round() / 10.0,
    );
    let Some(mut s) = player.scenario.clone() else {
        return;
    };
    let Some(e) = s.events.get_mut(event) else {
        player.placing = None;
        return;
    };
    if field == "route" {
        if let twincity_scenario::Incident::Vehicle { route, .. } = &mut e.incident {
            route.push(plan);
        }
        // Corners keep coming until Esc or the panel's Done.
    } else {
        if let Some((_, point)) = e
            .incident
            .points_mut()
            .into_iter()
            .find(|(n, _)| *n == field)
        {
            *point = plan;
        }
        player.placing = None;
    }
    out.write(ScenarioCommand::Replace(Box::new(s)));
}
