//! The Tour window (View → Tour editor): makes and edits the tour that presentation mode
//! shows. "Record the view as a step" takes the current view (or the camera looked through),
//! the overlays on screen, the enlarged camera preview and its model, and the scenario's time;
//! steps are reordered, removed, and their texts edited in French and English; the tour is
//! checked when saved (the same checks as `twincity validate`).

use std::path::PathBuf;

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use twincity_i18n::{Arg, tr, tr_args};
use twincity_model::tour::{Show, Step, StepTime, StepView, Text, Tour};

use crate::editor::cameras::OverlaySettings;
use crate::editor::coverage::CoverageView;
use crate::editor::inference::InferencePanel;
use crate::editor::present::Presentation;
use crate::editor::previews::CameraPreviews;
use crate::editor::viewport::ViewState;
use crate::render::crowd::CrowdPlayer;
use crate::render::document::Document;
use crate::render::scenario::ScenarioPlayer;

/// The Tour window's state (the tour itself is [`Presentation::tour`]).
#[derive(Resource, Default)]
pub struct TourEditor {
    pub open: bool,
    pub selected: Option<usize>,
    /// The file typed in the window.
    pub file: String,
    /// The last problem (a file that does not load, a tour that does not validate) or note.
    pub message: Option<(bool, String)>,
}

pub struct TourEditorPlugin;

impl Plugin for TourEditorPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<TourEditor>().add_systems(
            EguiPrimaryContextPass,
            tour_window
                .run_if(|p: Res<Presentation>, e: Res<TourEditor>| e.open && !p.active)
                .after(crate::editor::widgets::UiSet::Panels),
        );
    }
}

/// What a recorded step takes from the editor.
#[derive(bevy::ecs::system::SystemParam)]
struct OnScreen<'w> {
    doc: Res<'w, Document>,
    view: Res<'w, ViewState>,
    previews: Res<'w, CameraPreviews>,
    overlays: Res<'w, OverlaySettings>,
    coverage: Res<'w, CoverageView>,
    crowd: Res<'w, CrowdPlayer>,
    scenario: Res<'w, ScenarioPlayer>,
    inference: Res<'w, InferencePanel>,
}

impl OnScreen<'_> {
    /// A step showing what the editor shows now.
    fn step(&self, number: usize) -> Step {
        let cameras = &self.doc.project.cameras;
        let name = |id| cameras.iter().find(|c| c.id == id).map(|c| c.name.clone());
        let view = match self.previews.look_through.and_then(name) {
            Some(camera) => StepView::Through(camera),
            None => StepView::Orbit(self.view.view.clone()),
        };
        let enlarged = self.previews.enlarged;
        let model = enlarged
            .and_then(|id| self.inference.cameras.get(&id))
            .filter(|r| r.enabled)
            .and_then(|r| r.model.clone());
        let show = Show {
            frustums: self.overlays.frustums,
            coverage: self.coverage.show,
            privacy_masks: !self.doc.project.coverage.privacy_masks.is_empty()
                && !self.coverage.hide_outlines,
            heatmap: self.crowd.heatmap,
            preview: enlarged.and_then(name),
            model,
            ..Show::default()
        };
        let time = if self.scenario.run.is_some() {
            match (self.scenario.playing, self.scenario.loop_range) {
                (true, Some((a, b))) => Some(StepTime::Play(a, b)),
                _ => Some(StepTime::At(self.scenario.time())),
            }
        } else {
            self.crowd.run.as_ref().map(|r| StepTime::At(r.time()))
        };
        let title = Text::new(format!("Étape {number}"), format!("Step {number}"));
        Step {
            show,
            time,
            ..Step::at(view, title)
        }
    }

    /// The tour's sources, from what the editor has open, where the tour names none.
    fn sources_into(&self, tour: &mut Tour) {
        if tour.project.is_none() {
            tour.project = self.doc.path.clone();
        }
        if tour.scenario.is_none() {
            tour.scenario = self.scenario.path.clone();
        }
        if tour.crowd.is_none() && tour.scenario.is_none() {
            tour.crowd = self.crowd.path.clone();
        }
    }
}

/// The step *Record the view as a step* adds now, numbered `number`: what the editor shows
/// in `world` (a windowless world holding the editor's resources will do); `None` when a
/// resource the editor keeps is missing.
pub fn record_step(world: &mut World, number: usize) -> Option<Step> {
    let mut state = bevy::ecs::system::SystemState::<OnScreen>::new(world);
    state.get(world).ok().map(|screen| screen.step(number))
}

fn tour_window(
    mut contexts: EguiContexts,
    mut editor: ResMut<TourEditor>,
    mut presentation: ResMut<Presentation>,
    screen: OnScreen,
) -> Result {
    let ctx = contexts.ctx_mut()?.clone();
    let mut open = editor.open;
    egui::Window::new(tr("tour-window"))
        .open(&mut open)
        .default_width(460.0)
        .show(&ctx, |ui| {
            file_row(ui, &mut editor, &mut presentation);
            let Some(tour) = presentation.tour.as_mut() else {
                ui.weak(tr("tour-none"));
                if ui.button(tr("tour-new")).clicked() {
                    let mut tour = Tour::new(Text::new("Visite", "Tour"));
                    screen.sources_into(&mut tour);
                    tour.steps.push(screen.step(1));
                    presentation.tour = Some(tour);
                    editor.selected = Some(0);
                }
                return;
            };
            title_fields(ui, "tour-title", &mut tour.title, false);
            ui.separator();
            steps_list(ui, &mut editor, tour, &screen);
            ui.separator();
            if let Some(i) = editor.selected.filter(|i| *i < tour.steps.len()) {
                step_fields(ui, &mut tour.steps[i]);
                ui.add_space(6.0);
                if ui.button(tr("tour-present-from")).clicked() {
                    presentation.start_at(i);
                }
            }
        });
    editor.open = open;
    Ok(())
}

/// New, open and save the tour file.
fn file_row(ui: &mut egui::Ui, editor: &mut TourEditor, presentation: &mut Presentation) {
    ui.horizontal(|ui| {
        ui.label(tr("tour-file"));
        ui.add(egui::TextEdit::singleline(&mut editor.file).desired_width(240.0));
        if ui.button(tr("tour-open")).clicked() {
            let path = PathBuf::from(editor.file.trim());
            match Tour::load(&path) {
                Ok(tour) => {
                    presentation.tour = Some(tour);
                    editor.selected = Some(0);
                    editor.message = None;
                }
                Err(e) => editor.message = Some((true, e.to_string())),
            }
        }
        let can_save = presentation.tour.is_some() && !editor.file.trim().is_empty();
        if ui
            .add_enabled(can_save, egui::Button::new(tr("tour-save")))
            .clicked()
            && let Some(tour) = &presentation.tour
        {
            let path = PathBuf::from(editor.file.trim());
            editor.message = Some(match tour.save(&path) {
                Ok(()) => (
                    false,
                    tr_args("tour-saved", &[("file", path.display().to_string().into())]),
                ),
                Err(e) => (true, e.to_string()),
            });
        }
    });
    if let Some((is_error, text)) = &editor.message {
        let colour = if *is_error {
            egui::Color32::from_rgb(230, 80, 60)
        } else {
            ui.visuals().weak_text_color()
        };
        ui.colored_label(colour, text);
    }
}

/// The steps, one a line: select, move up or down, remove; record the view as a new step or
/// into the selected one.
fn steps_list(ui: &mut egui::Ui, editor: &mut TourEditor, tour: &mut Tour, screen: &OnScreen) {
    ui.label(tr_args(
        "tour-steps",
        &[("n", Arg::Count(tour.steps.len() as i64))],
    ));
    let mut change = None;
    egui::ScrollArea::vertical()
        .max_height(180.0)
        .show(ui, |ui| {
            for (i, step) in tour.steps.iter().enumerate() {
                ui.horizontal(|ui| {
                    let lang = twincity_i18n::language().code();
                    let label = format!("{}. {}", i + 1, step.title.get(lang));
                    if ui
                        .selectable_label(editor.selected == Some(i), label)
                        .clicked()
                    {
                        editor.selected = Some(i);
                    }
                    if ui.small_button(tr("tour-up")).clicked() && i > 0 {
                        change = Some((i, i - 1));
                    }
                    if ui.small_button(tr("tour-down")).clicked() && i + 1 < tour.steps.len() {
                        change = Some((i, i + 1));
                    }
                    if ui.small_button(tr("tour-remove")).clicked() {
                        change = Some((i, usize::MAX));
                    }
                });
            }
        });
    match change {
        Some((i, usize::MAX)) => {
            tour.steps.remove(i);
            editor.selected = (!tour.steps.is_empty()).then(|| i.min(tour.steps.len() - 1));
        }
        Some((i, j)) => {
            tour.steps.swap(i, j);
            editor.selected = Some(j);
        }
        None => {}
    }
    ui.horizontal(|ui| {
        if ui
            .button(tr("tour-record"))
            .on_hover_text(tr("tour-record-tip"))
            .clicked()
        {
            screen.sources_into(tour);
            let at = editor.selected.map_or(tour.steps.len(), |i| i + 1);
            tour.steps.insert(at, screen.step(at + 1));
            editor.selected = Some(at);
        }
        if let Some(i) = editor.selected.filter(|i| *i < tour.steps.len())
            && ui.button(tr("tour-update")).clicked()
        {
            let fresh = screen.step(i + 1);
            let step = &mut tour.steps[i];
            step.view = fresh.view;
            step.show = fresh.show;
            step.time = fresh.time;
        }
    });
}

/// A text in French and English (one line, or several for a step's text).
fn title_fields(ui: &mut egui::Ui, label: &str, text: &mut Text, multiline: bool) {
    ui.label(tr(label));
    egui::Grid::new(("tour_text", label))
        .num_columns(2)
        .show(ui, |ui| {
            for (code, value) in [("FR", &mut text.fr), ("EN", &mut text.en)] {
                ui.monospace(code);
                let edit = if multiline {
                    egui::TextEdit::multiline(value).desired_rows(3)
                } else {
                    egui::TextEdit::singleline(value)
                };
                ui.add(edit.desired_width(360.0));
                ui.end_row();
            }
        });
}

/// The selected step's texts, flight, auto-advance and alert.
fn step_fields(ui: &mut egui::Ui, step: &mut Step) {
    title_fields(ui, "tour-step-title", &mut step.title, false);
    title_fields(ui, "tour-step-text", &mut step.text, true);
    ui.horizontal(|ui| {
        ui.label(tr("tour-flight"));
        ui.add(
            crate::editor::widgets::drag(&mut step.flight_s)
                .range(0.0..=twincity_model::tour::MAX_FLIGHT_S)
                .speed(0.1)
                .suffix(" s"),
        );
        let mut auto = step.advance_after_s.is_some();
        if ui.checkbox(&mut auto, tr("tour-advance")).changed() {
            step.advance_after_s = auto.then_some(10.0);
        }
        if let Some(s) = &mut step.advance_after_s {
            ui.add(
                crate::editor::widgets::drag(s)
                    .range(0.5..=twincity_model::tour::MAX_ADVANCE_S)
                    .speed(0.5)
                    .suffix(" s"),
            );
        }
    });
    let mut alert = step.alert.is_some();
    if ui.checkbox(&mut alert, tr("tour-alert")).changed() {
        step.alert = alert.then(Text::default);
    }
    if let Some(text) = &mut step.alert {
        title_fields(ui, "tour-alert-text", text, false);
    }
    let show = &step.show;
    let mut on = Vec::new();
    for (flag, id) in [
        (show.frustums, "tour-show-frustums"),
        (show.coverage, "tour-show-coverage"),
        (show.privacy_masks, "tour-show-masks"),
        (show.heatmap, "tour-show-heatmap"),
    ] {
        if flag {
            on.push(tr(id));
        }
    }
    if let Some(camera) = &show.preview {
        on.push(tr_args(
            "tour-show-preview",
            &[("camera", camera.clone().into())],
        ));
    }
    if show.model.is_some() {
        on.push(tr("tour-show-model"));
    }
    let shown = if on.is_empty() {
        tr("tour-shows-nothing")
    } else {
        on.join(", ")
    };
    ui.weak(tr_args("tour-shows", &[("what", shown.into())]));
}
