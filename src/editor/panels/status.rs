//! The status bar: frame rate, scene size, camera count, fly speed and the latest message.

use bevy::diagnostic::{DiagnosticsStore, FrameTimeDiagnosticsPlugin};
use bevy::prelude::*;
use bevy_egui::egui;

use twincity_i18n::{Arg, tr_args};

use super::{PanelRoot, SceneStats};
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
        ui.monospace(tr_args(
            "status-fps",
            &[("fps", twincity_i18n::number(fps, 1).into())],
        ));
        ui.separator();
        ui.monospace(tr_args(
            "status-triangles",
            &[
                ("n", Arg::Count(stats.triangles as i64)),
                (
                    "shown",
                    twincity_i18n::integer(stats.triangles as i64).into(),
                ),
            ],
        ));
        ui.separator();
        ui.monospace(tr_args(
            "status-meshes",
            &[("n", Arg::Count(stats.meshes as i64))],
        ));
        ui.separator();
        ui.monospace(tr_args(
            "status-cameras",
            &[("n", Arg::Count(doc.project.cameras.len() as i64))],
        ));
        ui.separator();
        if view.fly {
            ui.monospace(tr_args(
                "status-fly-speed",
                &[(
                    "speed",
                    twincity_i18n::number(f64::from(view.fly_speed), 0).into(),
                )],
            ));
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
