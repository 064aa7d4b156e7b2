//! The status bar: frame rate, scene size, camera count, fly speed and the latest message.

use bevy::diagnostic::{DiagnosticsStore, FrameTimeDiagnosticsPlugin};
use bevy::prelude::*;
use bevy_egui::egui;

use super::{PanelRoot, SceneStats, group_digits};
use crate::editor::viewport::ViewState;
use crate::render::document::{Document, Level, Notifications};

/// The status bar along the bottom of the window.
pub(super) fn status_bar(
    mut root: PanelRoot,
    doc: Res<Document>,
    stats: Res<SceneStats>,
    diagnostics: Res<DiagnosticsStore>,
    notes: Res<Notifications>,
    view: Res<ViewState>,
) -> Result {
    root.show("status", |ui, _| {
        egui::Panel::bottom("status_bar").show(ui, |ui| {
            status_line(ui, &doc, &stats, &diagnostics, &notes, &view);
        });
    })
}

fn status_line(
    ui: &mut egui::Ui,
    doc: &Document,
    stats: &SceneStats,
    diagnostics: &DiagnosticsStore,
    notes: &Notifications,
    view: &ViewState,
) {
    ui.horizontal(|ui| {
        let fps = diagnostics
            .get(&FrameTimeDiagnosticsPlugin::FPS)
            .and_then(|d| d.smoothed())
            .unwrap_or(0.0);
        ui.monospace(format!("{fps:5.1} FPS"));
        ui.separator();
        ui.monospace(format!("{} triangles", group_digits(stats.triangles)));
        ui.separator();
        ui.monospace(format!("{} meshes", stats.meshes));
        ui.separator();
        ui.monospace(format!("{} cameras", doc.project.cameras.len()));
        ui.separator();
        if view.fly {
            ui.monospace(format!("fly {:.0} m/s", view.fly_speed));
            ui.separator();
        }
        if let Some(n) = notes.latest() {
            let colour = match n.level {
                Level::Info => ui.visuals().text_color(),
                Level::Error => egui::Color32::from_rgb(230, 80, 60),
            };
            ui.colored_label(colour, &n.text);
        }
    });
}
