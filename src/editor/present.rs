//! Presentation mode: a tour ([`twincity_model::tour`]) shown full screen to citizens, step by
//! step. The editing panels are hidden; each step flies the view to its pose (or through a
//! virtual camera), turns on what it shows (coverage, privacy masks, frustums, the crowd's
//! heatmap, a camera's live picture with a model's boxes and counts), sets the scenario's
//! time, and shows its title and text in large type, with a discreet step indicator.
//!
//! Keys: → / Space / Page Down or a click go on, ← / Page Up go back, P pauses the
//! auto-advance, Esc leaves (the editor comes back as it was). A step's alert waits for a
//! person to confirm or dismiss it: the tour never decides on its own.
//!
//! `twincity present TOUR --screenshots DIR` saves one window screenshot per step, once each
//! step's picture is complete, then exits (the tests and the README's pictures use it).

use std::path::PathBuf;

use bevy::input::mouse::MouseButton;
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy::window::{MonitorSelection, PrimaryWindow, WindowMode};
use bevy_egui::input::EguiWantsInput;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use twincity_i18n::{Arg, language, tr, tr_args};
use twincity_model::project::EditorView;
use twincity_model::tour::{Show, Step, StepTime, StepView, Tour, view_at_camera};
use twincity_model::{CameraId, VirtualCamera};

use crate::editor::cameras::OverlaySettings;
use crate::editor::capture::{FrameComplete, save_png};
use crate::editor::coverage::CoverageView;
use crate::editor::inference::InferencePanel;
use crate::editor::previews::CameraPreviews;
use crate::editor::viewport::{ToolActive, ViewState, ViewportRect, ViewportSet};
use crate::render::city::CityPart;
use crate::render::crowd::{CrowdCommand, CrowdPlayer, CrowdSet, Person};
use crate::render::document::{DocCommand, Document, Notifications};
use crate::render::figure::ScenarioFigure;
use crate::render::frame::{FrameSet, add_frame_sets};
use crate::render::scenario::{ScenarioCommand, ScenarioPlayer, ScenarioSet};

/// System sets of presentation mode.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PresentSet {
    /// Keys and clicks move between steps.
    Input,
    /// A new step turns on what it shows and starts its flight.
    Apply,
    /// The view flies to the step's pose.
    Fly,
}

/// How far ahead of a camera the view's focus lies while flying to it, metres.
const THROUGH_FOCUS_M: f32 = 12.0;

/// A person's decision on a step's alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Confirmed,
    Dismissed,
}

/// The view flying from one pose to the next.
#[derive(Clone, Debug)]
struct Flight {
    from: EditorView,
    to: EditorView,
    start: f64,
    seconds: f32,
    /// Look through this camera once there.
    then_through: Option<CameraId>,
}

/// What the editor showed before presenting, put back on leaving.
#[derive(Clone, Debug)]
struct EditorState {
    view: EditorView,
    overlays: OverlaySettings,
    coverage: bool,
    heatmap: bool,
    look_through: Option<CameraId>,
    enlarged: Option<CameraId>,
    /// The cameras that ran a model.
    models_on: Vec<CameraId>,
}

/// The tour being presented (or edited: [`crate::editor::tour_editor`]).
#[derive(Resource, Default)]
pub struct Presentation {
    pub tour: Option<Tour>,
    /// Presenting now (panels hidden).
    pub active: bool,
    pub step: usize,
    /// Auto-advance is paused (P).
    pub paused: bool,
    /// Keep the window as it is instead of going full screen (screenshots, tests).
    pub windowed: bool,
    /// Each step's alert decision, by step.
    pub verdicts: std::collections::HashMap<usize, Verdict>,
    applied: Option<usize>,
    flight: Option<Flight>,
    /// When the step's flight ended (real seconds), for the auto-advance.
    settled_at: Option<f64>,
    saved: Option<EditorState>,
}

impl Presentation {
    /// Starts presenting `tour` at its first step.
    pub fn start(&mut self, tour: Tour) {
        self.tour = Some(tour);
        self.start_at(0);
    }

    /// Starts presenting the tour held at step `step`.
    pub fn start_at(&mut self, step: usize) {
        let steps = self.step_count();
        if steps == 0 {
            return;
        }
        self.active = true;
        self.step = step.min(steps - 1);
        self.applied = None;
        self.verdicts.clear();
        self.paused = false;
    }

    pub fn current(&self) -> Option<&Step> {
        self.tour.as_ref()?.steps.get(self.step)
    }

    pub fn step_count(&self) -> usize {
        self.tour.as_ref().map_or(0, |t| t.steps.len())
    }

    pub fn next(&mut self) {
        if self.step + 1 < self.step_count() {
            self.step += 1;
        }
    }

    pub fn back(&mut self) {
        self.step = self.step.saturating_sub(1);
    }

    /// Leaves presentation mode (the editor comes back as it was).
    pub fn leave(&mut self) {
        self.active = false;
    }

    /// The step is on screen: applied, its flight over.
    pub fn settled(&self) -> bool {
        self.applied == Some(self.step) && self.flight.is_none()
    }

    /// The current step's alert waits for a decision.
    pub fn awaiting_decision(&self) -> bool {
        self.current().is_some_and(|s| s.alert.is_some()) && !self.verdicts.contains_key(&self.step)
    }
}

/// Saving one screenshot per step, then exiting (`twincity present --screenshots DIR`).
#[derive(Resource)]
pub struct StepScreenshots {
    pub dir: PathBuf,
    settle: u32,
    capturing: bool,
    /// Steps saved, and a failure.
    done: Vec<usize>,
    failed: Option<String>,
    started: Option<f64>,
}

impl StepScreenshots {
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            settle: 0,
            capturing: false,
            done: Vec::new(),
            failed: None,
            started: None,
        }
    }
}

pub struct PresentPlugin;

impl Plugin for PresentPlugin {
    fn build(&self, app: &mut App) {
        add_frame_sets(app);
        app.init_resource::<Presentation>()
            .configure_sets(Update, PresentSet::Input.in_set(FrameSet::Input))
            .configure_sets(
                Update,
                PresentSet::Apply
                    .in_set(FrameSet::Scene)
                    // What the tour loads is in the players before a step seeks in it.
                    .after(ScenarioSet::Step)
                    .after(CrowdSet::Step),
            )
            .configure_sets(
                Update,
                PresentSet::Fly
                    .in_set(FrameSet::View)
                    .after(ViewportSet::Input)
                    .before(ViewportSet::ApplyCamera),
            )
            .add_systems(Update, present_input.in_set(PresentSet::Input))
            .add_systems(
                Update,
                (enter_or_leave, apply_step, show_what_the_step_says)
                    .chain()
                    .in_set(PresentSet::Apply),
            )
            .add_systems(Update, (fly, auto_advance).chain().in_set(PresentSet::Fly))
            .add_systems(Update, step_screenshots.after(PresentSet::Fly))
            .add_systems(
                EguiPrimaryContextPass,
                presentation_ui
                    .run_if(presenting)
                    .after(crate::editor::widgets::UiSet::Panels),
            );
    }
}

/// Whether the editor is presenting (its panels hide).
pub fn presenting(p: Res<Presentation>) -> bool {
    p.active
}

/// → / Space / Page Down / a click: next step; ← / Page Up: back; P: pause; Esc: leave. The
/// left button belongs to the tour while presenting (no selection, no orbit).
fn present_input(
    mut p: ResMut<Presentation>,
    keys: Res<ButtonInput<KeyCode>>,
    buttons: Res<ButtonInput<MouseButton>>,
    egui_input: Option<Res<EguiWantsInput>>,
    mut tool: ResMut<ToolActive>,
    shots: Option<Res<StepScreenshots>>,
) {
    if !p.active {
        return;
    }
    tool.0 = true;
    if shots.is_some() {
        return;
    }
    let over_ui = egui_input.is_some_and(|e| e.is_pointer_over_area() || e.wants_pointer_input());
    if keys.any_just_pressed([KeyCode::ArrowRight, KeyCode::Space, KeyCode::PageDown])
        || (buttons.just_pressed(MouseButton::Left) && !over_ui)
    {
        p.next();
    }
    if keys.any_just_pressed([KeyCode::ArrowLeft, KeyCode::PageUp]) {
        p.back();
    }
    if keys.just_pressed(KeyCode::KeyP) {
        p.paused = !p.paused;
    }
    if keys.just_pressed(KeyCode::Escape) {
        p.leave();
    }
}

/// Entering: the editor's state is kept, the window goes full screen, the tour's project,
/// scenario and crowd are opened. Leaving: all of it comes back.
#[allow(clippy::too_many_arguments)]
fn enter_or_leave(
    mut p: ResMut<Presentation>,
    mut view: ResMut<ViewState>,
    mut overlays: ResMut<OverlaySettings>,
    mut coverage: ResMut<CoverageView>,
    mut crowd: ResMut<CrowdPlayer>,
    mut previews: ResMut<CameraPreviews>,
    mut inference: ResMut<InferencePanel>,
    mut window: Query<&mut Window, With<PrimaryWindow>>,
    sources: TourSources,
) {
    match (p.active, p.saved.is_some()) {
        (true, false) => {
            p.saved = Some(EditorState {
                view: view.view.clone(),
                overlays: *overlays,
                coverage: coverage.show,
                heatmap: crowd.heatmap,
                look_through: previews.look_through,
                enlarged: previews.enlarged,
                models_on: inference
                    .cameras
                    .iter()
                    .filter(|(_, r)| r.enabled)
                    .map(|(id, _)| *id)
                    .collect(),
            });
            view.fly = false;
            if !p.windowed
                && let Ok(mut w) = window.single_mut()
            {
                w.mode = WindowMode::BorderlessFullscreen(MonitorSelection::Current);
            }
            if let Some(tour) = &p.tour {
                sources.open(tour, crowd.path.as_ref());
            }
        }
        (false, true) => {
            let Some(s) = p.saved.take() else { return };
            view.view = s.view;
            *overlays = s.overlays;
            coverage.show = s.coverage;
            coverage.hide_outlines = false;
            crowd.heatmap = s.heatmap;
            previews.look_through = s.look_through;
            previews.enlarged = s.enlarged;
            inference.show_privacy(None);
            for (id, run) in inference.cameras.iter_mut() {
                run.enabled = s.models_on.contains(id);
            }
            p.flight = None;
            p.applied = None;
            if let Ok(mut w) = window.single_mut()
                && w.mode != WindowMode::Windowed
            {
                w.mode = WindowMode::Windowed;
            }
        }
        _ => {}
    }
}

/// What a tour opens when presenting starts: its project (unless the open one has unsaved
/// changes), scenario and crowd, each only when not open already.
#[derive(bevy::ecs::system::SystemParam)]
struct TourSources<'w> {
    doc: Res<'w, Document>,
    scenario: Res<'w, ScenarioPlayer>,
    doc_commands: MessageWriter<'w, DocCommand>,
    scenario_commands: MessageWriter<'w, ScenarioCommand>,
    crowd_commands: MessageWriter<'w, CrowdCommand>,
    notes: ResMut<'w, Notifications>,
    time: Res<'w, Time<Real>>,
}

impl TourSources<'_> {
    /// `crowd`: the crowd scenario open now.
    fn open(mut self, tour: &Tour, crowd: Option<&PathBuf>) {
        let same = |a: Option<&PathBuf>, b: &PathBuf| {
            a.is_some_and(|a| a == b || a.canonicalize().ok() == b.canonicalize().ok())
        };
        if let Some(project) = &tour.project
            && !same(self.doc.path.as_ref(), project)
        {
            if self.doc.is_dirty() {
                let now = self.time.elapsed();
                self.notes.error(
                    tr_args(
                        "present-project-unsaved",
                        &[("file", project.display().to_string().into())],
                    ),
                    now,
                );
            } else {
                self.doc_commands.write(DocCommand::Open(project.clone()));
            }
        }
        if let Some(scenario) = &tour.scenario
            && !same(self.scenario.path.as_ref(), scenario)
        {
            self.scenario_commands
                .write(ScenarioCommand::Load(scenario.clone()));
        }
        if let Some(tour_crowd) = &tour.crowd
            && tour.scenario.is_none()
            && !same(crowd, tour_crowd)
        {
            self.crowd_commands
                .write(CrowdCommand::Load(tour_crowd.clone()));
        }
    }
}

/// A new step: what it shows, its time, and the flight to its view.
#[allow(clippy::too_many_arguments)]
fn apply_step(
    mut p: ResMut<Presentation>,
    doc: Res<Document>,
    view: Res<ViewState>,
    mut previews: ResMut<CameraPreviews>,
    mut inference: ResMut<InferencePanel>,
    scenario: Res<ScenarioPlayer>,
    mut scenario_commands: MessageWriter<ScenarioCommand>,
    mut crowd_commands: MessageWriter<CrowdCommand>,
    time: Res<Time<Real>>,
) {
    if !p.active || p.applied == Some(p.step) {
        return;
    }
    let Some(step) = p.current().cloned() else {
        return;
    };
    p.applied = Some(p.step);
    p.settled_at = None;
    let cameras = &doc.project.cameras;
    let by_name = |name: &str| cameras.iter().find(|c| c.name == name);
    // Where the view is now: through a camera, or the orbit pose.
    let here = previews
        .look_through
        .and_then(|id| cameras.iter().find(|c| c.id == id))
        .map_or_else(|| view.view.clone(), |c| view_at_camera(c, THROUGH_FOCUS_M));
    // A step that keeps the view keeps the last view a step before it set, so that a tour
    // shown from its middle (`--step`, going back) looks as it does when played through.
    let set_before = p.tour.as_ref().and_then(|t| {
        t.steps[..=p.step]
            .iter()
            .rev()
            .map(|s| &s.view)
            .find(|v| **v != StepView::Keep)
            .cloned()
    });
    let (to, then_through) = match set_before.as_ref().unwrap_or(&step.view) {
        StepView::Keep => (None, previews.look_through),
        StepView::Orbit(v) if step.view == StepView::Keep && *v == here => (None, None),
        StepView::Orbit(v) => (Some(v.clone()), None),
        StepView::Through(name)
            if step.view == StepView::Keep
                && by_name(name).map(|c| c.id) == previews.look_through =>
        {
            (None, previews.look_through)
        }
        StepView::Through(name) => match by_name(name) {
            Some(c) => (Some(view_at_camera(c, THROUGH_FOCUS_M)), Some(c.id)),
            None => (None, None),
        },
    };
    previews.look_through = None;
    p.flight = to.map(|to| Flight {
        from: here,
        to,
        start: time.elapsed_secs_f64(),
        seconds: step.flight_s,
        then_through,
    });
    if p.flight.is_none() {
        previews.look_through = then_through;
    }
    let shown = |name: &Option<String>| name.as_deref().and_then(by_name).map(|c| c.id);
    let preview = shown(&step.show.preview);
    previews.enlarged = preview.or(shown(&step.show.privacy));
    previews.shown = previews.enlarged.is_some();
    run_step_model(&mut inference, &step.show, preview, cameras);
    inference.show_privacy(shown(&step.show.privacy));
    if let Some(t) = &step.time {
        step_time(t, &scenario, &mut scenario_commands, &mut crowd_commands);
    }
}

/// The step's model on the previewed camera, every other camera's model off.
fn run_step_model(
    inference: &mut InferencePanel,
    show: &Show,
    preview: Option<CameraId>,
    cameras: &[VirtualCamera],
) {
    for run in inference.cameras.values_mut() {
        run.enabled = false;
    }
    if let (Some(card), Some(camera)) = (&show.model, preview) {
        let known: Vec<CameraId> = cameras.iter().map(|c| c.id).collect();
        if known.contains(&camera) {
            inference.run_everywhere(card.clone(), &[camera]);
        }
    }
}

/// The scenario (or, without one, the crowd) taken to the step's time; whether it plays, and
/// the range it loops over, are kept by [`show_what_the_step_says`].
fn step_time(
    t: &StepTime,
    scenario: &ScenarioPlayer,
    scenario_commands: &mut MessageWriter<ScenarioCommand>,
    crowd_commands: &mut MessageWriter<CrowdCommand>,
) {
    if scenario.scenario.is_some() || scenario.path.is_some() {
        let at = match *t {
            StepTime::At(at) | StepTime::Play(at, _) => at,
        };
        scenario_commands.write(ScenarioCommand::Seek(at));
    } else {
        let at = match *t {
            StepTime::At(at) | StepTime::Play(at, _) => at,
        };
        crowd_commands.write(CrowdCommand::RunUntil(at));
    }
}

/// The people drawn: the crowd's and the scenario's figures.
type PeopleFilter = Or<(With<Person>, With<ScenarioFigure>)>;
/// The city's parts (none of them a person).
type CityFilter = (With<CityPart>, Without<Person>, Without<ScenarioFigure>);

/// Keeps on screen what the step shows (every frame: the scene respawns people and parts).
#[allow(clippy::too_many_arguments)]
fn show_what_the_step_says(
    p: Res<Presentation>,
    mut overlays: ResMut<OverlaySettings>,
    mut coverage: ResMut<CoverageView>,
    mut crowd: ResMut<CrowdPlayer>,
    mut scenario: ResMut<ScenarioPlayer>,
    mut people: Query<&mut Visibility, PeopleFilter>,
    mut city: Query<&mut Visibility, CityFilter>,
    mut hidden: Local<bool>,
) {
    if let Some(time) = p
        .active
        .then(|| p.current().and_then(|s| s.time.clone()))
        .flatten()
    {
        let (playing, range) = match time {
            StepTime::At(_) => (false, None),
            StepTime::Play(a, b) => (true, Some((a, b))),
        };
        if scenario.playing != playing {
            scenario.playing = playing;
        }
        if scenario.loop_range != range {
            scenario.loop_range = range;
        }
    }
    if scenario.hide_places != p.active {
        scenario.hide_places = p.active;
    }
    let show = p
        .active
        .then(|| p.current().map(|s| s.show.clone()))
        .flatten();
    let set = |v: &mut Visibility, on: bool| {
        let wanted = if on {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        };
        if *v != wanted {
            *v = wanted;
        }
    };
    match show {
        Some(show) => {
            let o = OverlaySettings {
                frustums: show.frustums,
                previews: false,
                inference: false,
                plate_check: false,
            };
            if *overlays != o {
                *overlays = o;
            }
            if coverage.show != show.coverage {
                coverage.show = show.coverage;
            }
            if coverage.hide_outlines == show.privacy_masks {
                coverage.hide_outlines = !show.privacy_masks;
            }
            if crowd.heatmap != show.heatmap {
                crowd.heatmap = show.heatmap;
            }
            for mut v in &mut people {
                set(&mut v, show.people);
            }
            for mut v in &mut city {
                set(&mut v, show.city);
            }
            *hidden = !(show.people && show.city);
        }
        None if *hidden => {
            for mut v in &mut people {
                set(&mut v, true);
            }
            for mut v in &mut city {
                set(&mut v, true);
            }
            *hidden = false;
        }
        None => {}
    }
}

/// Smoothly moves the view along the step's flight (eased; the shorter way round; the
/// distance on a log scale), then looks through the step's camera.
fn fly(
    mut p: ResMut<Presentation>,
    mut view: ResMut<ViewState>,
    mut previews: ResMut<CameraPreviews>,
    time: Res<Time<Real>>,
) {
    let now = time.elapsed_secs_f64();
    if p.active && view.fly {
        view.fly = false;
    }
    let Some(f) = p.flight.clone() else {
        if p.active && p.settled_at.is_none() && p.applied == Some(p.step) {
            p.settled_at = Some(now);
        }
        return;
    };
    let s = if f.seconds <= 0.0 {
        1.0
    } else {
        ((now - f.start) / f64::from(f.seconds)).clamp(0.0, 1.0) as f32
    };
    view.view = between(&f.from, &f.to, s);
    view.fly = false;
    if s >= 1.0 {
        previews.look_through = f.then_through;
        p.flight = None;
        p.settled_at = Some(now);
    }
}

/// The pose `s` (0 to 1) of the way from `a` to `b`, eased in and out.
pub fn between(a: &EditorView, b: &EditorView, s: f32) -> EditorView {
    let e = s * s * (3.0 - 2.0 * s);
    let turn = (b.yaw_deg - a.yaw_deg + 540.0).rem_euclid(360.0) - 180.0;
    let log_d = a.distance.ln() + (b.distance.ln() - a.distance.ln()) * e;
    EditorView {
        focus: a.focus.lerp(b.focus, e),
        yaw_deg: (a.yaw_deg + turn * e).rem_euclid(360.0),
        pitch_deg: a.pitch_deg + (b.pitch_deg - a.pitch_deg) * e,
        distance: log_d.exp(),
    }
}

/// A step with `advance_after_s` goes on by itself once it has been on screen that long,
/// unless paused or waiting for a person's decision.
fn auto_advance(
    mut p: ResMut<Presentation>,
    time: Res<Time<Real>>,
    shots: Option<Res<StepScreenshots>>,
) {
    if !p.active || p.paused || shots.is_some() || p.awaiting_decision() {
        return;
    }
    let (Some(after), Some(since)) = (p.current().and_then(|s| s.advance_after_s), p.settled_at)
    else {
        return;
    };
    if time.elapsed_secs_f64() - since >= f64::from(after) && p.step + 1 < p.step_count() {
        p.next();
    }
}

/// `--screenshots DIR`: once a step's picture is complete, saves `step-NN.png`, then goes on;
/// after the last step, exits (code 1 when a step never completed in four minutes).
fn step_screenshots(
    mut commands: Commands,
    shots: Option<ResMut<StepScreenshots>>,
    mut p: ResMut<Presentation>,
    complete: FrameComplete,
    time: Res<Time<Real>>,
    mut exit: MessageWriter<AppExit>,
) {
    let Some(mut shots) = shots else { return };
    let now = time.elapsed_secs_f64();
    if let Some(e) = &shots.failed {
        error!("{e}");
        exit.write(AppExit::error());
        return;
    }
    if shots.capturing || !p.active {
        return;
    }
    if shots.done.contains(&p.step) {
        if p.step + 1 >= p.step_count() {
            info!(
                "{} step screenshots saved in {}",
                shots.done.len(),
                shots.dir.display()
            );
            exit.write(AppExit::Success);
        } else {
            p.next();
            shots.started = Some(now);
        }
        return;
    }
    let started = *shots.started.get_or_insert(now);
    if now - started > 240.0 {
        shots.failed = Some(format!("step {} never showed a complete frame", p.step + 1));
        return;
    }
    if !(p.settled() && complete.ready()) {
        shots.settle = 0;
        return;
    }
    shots.settle += 1;
    if shots.settle < 6 {
        return;
    }
    shots.settle = 0;
    shots.capturing = true;
    let step = p.step;
    let path = shots.dir.join(format!("step-{:02}.png", step + 1));
    commands.spawn(Screenshot::primary_window()).observe(
        move |captured: On<ScreenshotCaptured>, mut shots: ResMut<StepScreenshots>| {
            shots.capturing = false;
            match save_png(&captured.image, &path) {
                Ok(()) => shots.done.push(step),
                Err(e) => shots.failed = Some(format!("{}: {e}", path.display())),
            }
        },
    );
}

/// The presentation's screen: the view, the step's title and text in large type along the
/// bottom, a camera's picture on the right when the step shows one, the alert to decide, and
/// the step indicator.
#[allow(clippy::too_many_arguments)]
fn presentation_ui(
    mut contexts: EguiContexts,
    mut p: ResMut<Presentation>,
    mut viewport: ResMut<ViewportRect>,
    previews: Res<CameraPreviews>,
    inference: Res<InferencePanel>,
    doc: Res<Document>,
    scenario: Res<ScenarioPlayer>,
) -> Result {
    let picture = previews
        .enlarged
        .and_then(|id| previews.images().find(|(c, _, _)| *c == id))
        .map(|(id, h, size)| (id, h.clone(), size));
    let texture = picture
        .as_ref()
        .and_then(|(id, h, size)| Some((*id, contexts.image_id(h)?, *size)));
    let kept = inference.privacy.as_ref().and_then(|v| {
        let (handle, size) = v.kept.as_ref()?;
        Some((contexts.image_id(handle)?, *size, v.blurred))
    });
    let ctx = contexts.ctx_mut()?.clone();
    let Some(step) = p.current().cloned() else {
        return Ok(());
    };
    let lang = language().code();
    let whole = ctx.viewport_rect();
    let mut root = egui::Ui::new(
        ctx.clone(),
        egui::Id::new("presentation_root"),
        egui::UiBuilder::new()
            .layer_id(egui::LayerId::background())
            .max_rect(whole),
    );
    caption(&mut root, &mut p, &step, lang);
    if let Some((camera, texture, size)) = texture {
        let name = doc
            .project
            .cameras
            .iter()
            .find(|c| c.id == camera)
            .map_or("", |c| c.name.as_str());
        let result = inference
            .cameras
            .get(&camera)
            .and_then(|r| r.shown.as_ref());
        let classes = step
            .show
            .model
            .as_ref()
            .and_then(|card| {
                let card = card.canonicalize().unwrap_or_else(|_| card.clone());
                inference.models.iter().find(|m| m.card == card)
            })
            .map_or(&[][..], |m| m.classes.as_slice());
        // Captured beside kept takes the whole width: the two pictures are the step.
        let share = if step.show.privacy.is_some() {
            1.0
        } else {
            0.38
        };
        egui::Panel::right("presentation_picture")
            .exact_size(whole.width() * share)
            .show(&mut root, |ui| {
                if step.show.privacy.is_some() {
                    privacy_pictures(ui, name, (texture, size), kept);
                } else {
                    camera_picture(ui, name, texture, size, (result, classes), &step.show);
                }
            });
    }
    let r = root.available_rect_before_wrap();
    viewport.0 = Some(Rect::new(r.min.x, r.min.y, r.max.x, r.max.y));
    // Over the view, or over the whole window when pictures fill it.
    let corner = if r.width() > 200.0 { r } else { whole };
    step_indicator(
        &ctx,
        corner,
        &p,
        scenario.run.as_ref().map(|_| scenario.time()),
    );
    Ok(())
}

/// Along the bottom: the title, the text, the alert and its decision, the keys.
fn caption(root: &mut egui::Ui, p: &mut Presentation, step: &Step, lang: &str) {
    egui::Panel::bottom("presentation_caption")
        .frame(
            egui::Frame::new()
                .fill(egui::Color32::from_rgb(30, 40, 54))
                .inner_margin(egui::Margin::symmetric(28, 18)),
        )
        .show(root, |ui| {
            ui.horizontal_top(|ui| {
                let text_width = if step.alert.is_some() {
                    ui.available_width() * 0.62
                } else {
                    ui.available_width()
                };
                ui.allocate_ui(egui::vec2(text_width, 0.0), |ui| {
                    ui.vertical(|ui| {
                        ui.label(
                            egui::RichText::new(step.title.get(lang))
                                .size(34.0)
                                .strong()
                                .color(egui::Color32::WHITE),
                        );
                        ui.add_space(6.0);
                        let text = step.text.get(lang);
                        if !text.is_empty() {
                            ui.label(
                                egui::RichText::new(text)
                                    .size(22.0)
                                    .color(egui::Color32::from_gray(225)),
                            );
                        }
                    });
                });
                if let Some(alert) = &step.alert {
                    ui.add_space(16.0);
                    alert_card(ui, p, alert.get(lang));
                }
            });
            ui.add_space(8.0);
            let keys = if p.paused {
                tr("present-keys-paused")
            } else {
                tr("present-keys")
            };
            ui.label(
                egui::RichText::new(keys)
                    .size(14.0)
                    .color(egui::Color32::from_gray(150)),
            );
        });
}

/// The model's alert: a person confirms or dismisses it; the tour waits for the decision.
fn alert_card(ui: &mut egui::Ui, p: &mut Presentation, text: &str) {
    egui::Frame::new()
        .fill(egui::Color32::from_rgb(70, 40, 12))
        .stroke(egui::Stroke::new(
            2.0,
            egui::Color32::from_rgb(245, 170, 60),
        ))
        .corner_radius(8.0)
        .inner_margin(egui::Margin::same(14))
        .show(ui, |ui| {
            ui.vertical(|ui| {
                ui.label(
                    egui::RichText::new(tr("present-alert-title"))
                        .size(18.0)
                        .strong()
                        .color(egui::Color32::from_rgb(255, 200, 110)),
                );
                ui.label(
                    egui::RichText::new(text)
                        .size(20.0)
                        .color(egui::Color32::WHITE),
                );
                ui.add_space(8.0);
                match p.verdicts.get(&p.step) {
                    None => {
                        ui.horizontal(|ui| {
                            let big = |s: String| egui::RichText::new(s).size(20.0);
                            if ui.button(big(tr("present-confirm"))).clicked() {
                                p.verdicts.insert(p.step, Verdict::Confirmed);
                            }
                            if ui.button(big(tr("present-dismiss"))).clicked() {
                                p.verdicts.insert(p.step, Verdict::Dismissed);
                            }
                        });
                        ui.label(
                            egui::RichText::new(tr("present-alert-waits"))
                                .size(15.0)
                                .color(egui::Color32::from_gray(200)),
                        );
                    }
                    Some(v) => {
                        let id = match v {
                            Verdict::Confirmed => "present-confirmed",
                            Verdict::Dismissed => "present-dismissed",
                        };
                        ui.label(egui::RichText::new(tr(id)).size(18.0).strong());
                    }
                }
            });
        });
}

/// A camera's picture, with the model's boxes and its count against the true count, or the
/// picture as captured beside what the product keeps.
fn camera_picture(
    ui: &mut egui::Ui,
    name: &str,
    texture: egui::TextureId,
    size: UVec2,
    (result, classes): (Option<&crate::editor::inference::Shown>, &[String]),
    show: &Show,
) {
    ui.label(egui::RichText::new(name).size(20.0).strong());
    let width = ui.available_width();
    let fit = |w: f32| egui::vec2(w, w * size.y as f32 / size.x.max(1) as f32);
    let image = ui.image((texture, fit(width)));
    if show.model.is_some() {
        match result {
            Some(shown) => {
                crate::editor::inference::paint_boxes(
                    &ui.painter_at(image.rect),
                    image.rect,
                    shown,
                    classes,
                    12.0,
                );
                let truth = shown.true_count.map_or("?".to_string(), |n| n.to_string());
                ui.label(
                    egui::RichText::new(tr_args(
                        "present-count",
                        &[
                            ("model", Arg::Count(shown.inference.count.round() as i64)),
                            ("truth", truth.into()),
                        ],
                    ))
                    .size(22.0),
                );
            }
            None => {
                ui.label(egui::RichText::new(tr("present-model-starting")).size(18.0));
            }
        }
    }
}

/// The camera's picture as captured beside the same picture as the product keeps it (faces
/// and plates blurred), on the twin's synthetic people only.
fn privacy_pictures(
    ui: &mut egui::Ui,
    name: &str,
    (captured, size): (egui::TextureId, UVec2),
    kept: Option<(egui::TextureId, UVec2, usize)>,
) {
    ui.label(egui::RichText::new(name).size(20.0).strong());
    // Two pictures side by side, as wide as the panel and the height left allow.
    let aspect = size.x.max(1) as f32 / size.y.max(1) as f32;
    let width = ((ui.available_width() - 12.0) / 2.0)
        .min((ui.available_height() - 110.0).max(60.0) * aspect);
    let fit = |s: UVec2| egui::vec2(width, width * s.y as f32 / s.x.max(1) as f32);
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.label(egui::RichText::new(tr("present-privacy-captured")).size(18.0));
            ui.image((captured, fit(size)));
        });
        ui.vertical(|ui| {
            ui.label(egui::RichText::new(tr("present-privacy-kept")).size(18.0));
            match kept {
                Some((texture, kept_size, blurred)) => {
                    ui.image((texture, fit(kept_size)));
                    ui.label(
                        egui::RichText::new(tr_args(
                            "present-privacy-faces",
                            &[("n", Arg::Count(blurred as i64))],
                        ))
                        .size(16.0),
                    );
                }
                None => {
                    ui.spinner();
                }
            }
        });
    });
    ui.add_space(8.0);
    ui.label(egui::RichText::new(tr("present-privacy-note")).size(17.0));
}

/// Top right of the view, small: "3 / 7" (and paused), the scenario's time.
fn step_indicator(ctx: &egui::Context, view: egui::Rect, p: &Presentation, time_s: Option<f64>) {
    let args = [
        ("step", Arg::Count(p.step as i64 + 1)),
        ("steps", Arg::Count(p.step_count() as i64)),
    ];
    let id = if p.paused {
        "present-step-paused"
    } else {
        "present-step"
    };
    let mut text = tr_args(id, &args);
    if let Some(t) = time_s {
        text.push_str(&format!("  ·  {} s", twincity_i18n::number(t, 0)));
    }
    egui::Area::new(egui::Id::new("presentation_step"))
        .order(egui::Order::Foreground)
        .pivot(egui::Align2::RIGHT_TOP)
        .fixed_pos(view.right_top() + egui::vec2(-14.0, 12.0))
        .interactable(false)
        .show(ctx, |ui| {
            egui::Frame::new()
                .fill(egui::Color32::from_black_alpha(150))
                .corner_radius(6.0)
                .inner_margin(egui::Margin::symmetric(10, 4))
                .show(ui, |ui| {
                    ui.add(
                        egui::Label::new(
                            egui::RichText::new(text)
                                .size(15.0)
                                .color(egui::Color32::from_gray(230)),
                        )
                        .extend(),
                    );
                });
        });
}
