//! The scene panel (left): city meshes, cameras, the crowd, coverage and the scenario.

use bevy::prelude::*;
use bevy_egui::egui;
use twincity_i18n::{Arg, tr, tr_args};

use super::{Actions, PanelRoot, PathPurpose};
use crate::editor::coverage::CoverageView;
use crate::editor::placement::CameraPlacement;
use crate::editor::viewport::ViewState;
use crate::render::city::{CityStatus, DemoLayout, ImportState};
use crate::render::crowd::CrowdPlayer;
use crate::render::document::{Document, Selection};
use crate::render::scenario::ScenarioPlayer;

/// What the scene panel shows and edits besides the document.
#[derive(bevy::ecs::system::SystemParam)]
pub(super) struct SceneViews<'w> {
    city_status: Res<'w, CityStatus>,
    layout: Res<'w, DemoLayout>,
    placement: ResMut<'w, CameraPlacement>,
    crowd: ResMut<'w, CrowdPlayer>,
    coverage: ResMut<'w, CoverageView>,
    scenario: Res<'w, ScenarioPlayer>,
    view: Res<'w, ViewState>,
}

/// The scene panel along the left side of the window, scrolling.
pub(super) fn scene_panel(
    mut root: PanelRoot,
    mut doc: ResMut<Document>,
    selection: Res<Selection>,
    mut views: SceneViews,
) -> Result {
    root.show("scene", |ui, actions| {
        egui::Panel::left("scene_panel")
            .default_size(250.0)
            .resizable(true)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    scene_sections(ui, &mut doc, *selection, &mut views, actions);
                });
            });
    })
}

/// The sections of the scene panel, top to bottom.
fn scene_sections(
    ui: &mut egui::Ui,
    doc: &mut Document,
    selection: Selection,
    views: &mut SceneViews,
    actions: &mut Actions,
) {
    scene_list(
        ui,
        doc,
        selection,
        &views.city_status,
        &views.layout,
        &mut views.placement,
        actions,
    );
    let demo_city = doc.project.demo_city;
    let out = crate::editor::crowd_panel::crowd_panel(
        ui,
        &mut views.crowd,
        demo_city,
        &doc.project.imports,
        doc.project.origin.as_ref(),
    );
    actions.crowd.extend(out.commands);
    let project = &mut doc.project;
    crate::editor::coverage::coverage_panel(
        ui,
        &mut views.coverage,
        &project.cameras,
        &mut project.coverage,
        views.view.view.focus,
    );
    if out.load {
        actions.prompt = Some(PathPurpose::Crowd);
    }
    scenario_section(ui, &views.scenario, actions);
    if out.save_as {
        actions.prompt = Some(PathPurpose::CrowdSaveAs);
    }
}

/// The city meshes (demo district and imports) and the cameras, with the placing tool.
fn scene_list(
    ui: &mut egui::Ui,
    doc: &mut Document,
    selection: Selection,
    status: &CityStatus,
    layout: &DemoLayout,
    placement: &mut CameraPlacement,
    a: &mut Actions,
) {
    ui.heading(tr("scene-heading"));
    ui.separator();
    egui::CollapsingHeader::new(tr("scene-city-meshes"))
        .id_salt("city_meshes")
        .default_open(true)
        .show(ui, |ui| {
            ui.checkbox(&mut doc.project.demo_city, tr("scene-demo-district"));
            if doc.project.demo_city {
                egui::CollapsingHeader::new(tr_args(
                    "scene-buildings",
                    &[("n", Arg::Count(layout.0.buildings.len() as i64))],
                ))
                .id_salt("demo_buildings")
                .show(ui, |ui| {
                    for b in &layout.0.buildings {
                        let sel = selection == Selection::Building(b.id);
                        if ui.selectable_label(sel, &b.name).clicked() {
                            a.select = Some(Selection::Building(b.id));
                        }
                    }
                });
            }
            let mut remove = None;
            for (i, import) in doc.project.imports.iter().enumerate() {
                let name = import
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let state = status
                    .imports
                    .iter()
                    .find(|(p, _)| *p == import.path)
                    .map(|(_, s)| s.clone())
                    .unwrap_or(ImportState::Loading);
                ui.horizontal(|ui| {
                    let (icon, tip) = match &state {
                        ImportState::Loading => ("...", tr("scene-import-loading")),
                        ImportState::Loaded => ("ok", tr("scene-import-loaded")),
                        ImportState::Failed(e) => ("!", e.clone()),
                    };
                    ui.label(icon).on_hover_text(tip);
                    ui.label(&name)
                        .on_hover_text(import.path.display().to_string());
                    if ui
                        .small_button("x")
                        .on_hover_text(tr("scene-remove-import"))
                        .clicked()
                    {
                        remove = Some(i);
                    }
                });
                if let ImportState::Failed(e) = &state {
                    // Why it failed, in full: the icon alone tells nothing.
                    ui.label(
                        egui::RichText::new(tr_args(
                            "scene-not-loaded",
                            &[("why", e.clone().into())],
                        ))
                        .color(egui::Color32::from_rgb(230, 90, 80))
                        .small(),
                    );
                }
            }
            if let Some(i) = remove {
                doc.project.imports.remove(i);
            }
            if ui.button(tr("scene-import")).clicked() {
                a.prompt = Some(PathPurpose::Import);
            }
        });
    egui::CollapsingHeader::new(tr_args(
        "scene-cameras",
        &[("n", Arg::Count(doc.project.cameras.len() as i64))],
    ))
    .id_salt("cameras")
    .default_open(true)
    .show(ui, |ui| {
        for c in &doc.project.cameras {
            let sel = selection == Selection::Camera(c.id);
            if ui.selectable_label(sel, &c.name).clicked() {
                a.select = Some(Selection::Camera(c.id));
            }
        }
        ui.horizontal_wrapped(|ui| {
            if ui
                .button(tr("scene-add-camera"))
                .on_hover_text(tr("scene-add-camera-tip"))
                .clicked()
            {
                a.add_camera = true;
            }
            if ui
                .selectable_label(placement.active, tr("scene-place"))
                .on_hover_text(tr("scene-place-tip"))
                .clicked()
            {
                placement.active = !placement.active;
            }
        });
        if placement.active {
            ui.horizontal(|ui| {
                ui.label(tr("scene-mount-height"));
                ui.add(
                    crate::editor::widgets::drag(&mut placement.mount_height)
                        .speed(0.1)
                        .range(0.5..=100.0)
                        .suffix(" m"),
                );
            });
            ui.weak(tr("scene-place-tip"));
        }
    });
}

/// The Scenario section of the scene panel: load a scenario (its timeline opens below the
/// view), or what is loaded and playing.
fn scenario_section(ui: &mut egui::Ui, player: &ScenarioPlayer, action: &mut Actions) {
    egui::CollapsingHeader::new(tr("scene-scenario"))
        .id_salt("scenario")
        .default_open(true)
        .show(ui, |ui| {
            match &player.scenario {
                Some(s) => {
                    ui.label(tr_args(
                        "scene-scenario-name",
                        &[
                            ("name", s.name.clone().into()),
                            ("n", Arg::Count(s.events.len() as i64)),
                        ],
                    ));
                    if let Some(state) = &player.state {
                        let down = state.people.iter().filter(|p| p.is_down()).count();
                        let lights = if state.environment.street_lights_on {
                            "scene-lights-on"
                        } else {
                            "scene-lights-off"
                        };
                        ui.weak(tr_args(
                            "scene-world",
                            &[
                                ("time", twincity_i18n::number(state.time_s, 1).into()),
                                ("people", Arg::Count(state.people.len() as i64)),
                                ("down", Arg::Count(down as i64)),
                                ("objects", Arg::Count(state.objects.len() as i64)),
                                ("vehicles", Arg::Count(state.vehicles.len() as i64)),
                                (
                                    "sun",
                                    twincity_i18n::number(state.environment.sun_elevation_deg, 0)
                                        .into(),
                                ),
                                ("lights", tr(lights).into()),
                            ],
                        ));
                    }
                }
                None => {
                    ui.weak(tr("scene-scenario-none"));
                }
            }
            if let Some(e) = &player.error {
                ui.colored_label(egui::Color32::LIGHT_RED, e);
            }
            ui.horizontal(|ui| {
                if ui
                    .button(tr("scene-load-scenario"))
                    .on_hover_text(tr("scene-load-scenario-tip"))
                    .clicked()
                {
                    action.prompt = Some(PathPurpose::Scenario);
                }
                if ui
                    .button(tr("menu-export"))
                    .on_hover_text(tr("scene-export-tip"))
                    .clicked()
                {
                    action.export = true;
                }
            });
        });
}
