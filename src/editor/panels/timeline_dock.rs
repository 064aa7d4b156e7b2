//! The scenario's timeline, docked above the status bar while a scenario is loaded.

use bevy::prelude::*;
use bevy_egui::egui;

use super::{PanelRoot, PathPurpose};
use crate::render::scenario::ScenarioPlayer;

/// The timeline panel (see [`crate::editor::timeline`]): selecting and placing events, and
/// the scenario commands it asks for.
pub(super) fn timeline_dock(mut root: PanelRoot, mut scenario: ResMut<ScenarioPlayer>) -> Result {
    if scenario.scenario.is_none() {
        return Ok(());
    }
    root.show("timeline", |ui, actions| {
        egui::Panel::bottom("scenario_timeline")
            .default_size(240.0)
            .resizable(true)
            .show(ui, |ui| {
                let out = crate::editor::timeline::timeline_panel(ui, &scenario);
                if let Some(sel) = out.select {
                    scenario.selected = sel;
                }
                if let Some(placing) = out.placing {
                    scenario.placing = placing;
                }
                if out.save_as {
                    actions.prompt = Some(PathPurpose::ScenarioSaveAs);
                }
                actions.scenario.extend(out.commands);
            });
    })
}
