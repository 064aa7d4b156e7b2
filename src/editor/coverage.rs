//! The DORI coverage overlay in the editor: a ground texture coloured by the best class any
//! camera (or one chosen camera) gives a standing person, recomputed in the background when
//! cameras, the city or the coverage settings change, with the summary for the panel.

use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};

use bevy::asset::RenderAssetUsages;
use bevy::image::ImageSampler;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
use bevy_egui::egui;
use twincity_i18n::{Arg, tr, tr_args};
use twincity_model::coverage_setup::CoverageSetup;
use twincity_model::{Project, VirtualCamera};
use twincity_scene::coverage::{self, CLASSES, Coverage, CoverageSummary, Grid, Occluders};

use crate::render::document::Document;

/// System sets of the coverage overlay.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CoverageSet {
    /// Starts computations and collects their results.
    Compute,
    /// The area-of-interest drawing tool reads clicks in the view (before the view does).
    Edit,
    /// Keeps the ground texture in line with the result.
    Draw,
}

/// Most texels of the overlay (cells are merged beyond, e.g. for kilometres-wide imports).
const MAX_TEXELS: f64 = 4096.0 * 4096.0;

/// Edits pause this long before a recomputation starts (one slider drag, one computation).
const SETTLE_S: f64 = 0.3;

/// What a computation depends on.
#[derive(Clone, PartialEq)]
struct Inputs {
    cameras: Vec<VirtualCamera>,
    setup: CoverageSetup,
    scene: SceneKey,
}

use crate::render::frame::{FrameSet, add_frame_sets};
use crate::render::raycast::SceneKey;

impl Inputs {
    fn of(p: &Project) -> Self {
        let mut setup = p.coverage.clone();
        setup.cell_m = setup.cell_m.max(0.05);
        Self {
            cameras: p.cameras.clone(),
            setup,
            scene: SceneKey::of(p),
        }
    }
}

type Outcome = Result<(Arc<Occluders>, Coverage, CoverageSummary, f64), String>;

struct Job {
    inputs: Inputs,
    /// In a mutex only so that the resource is `Sync`; one system reads it.
    rx: Mutex<Receiver<Outcome>>,
}

/// The overlay's state, shown and driven by the Coverage section of the scene panel.
#[derive(Resource, Default)]
pub struct CoverageView {
    /// Overlay on.
    pub show: bool,
    /// Hide the area of interest's and privacy masks' outlines (a presentation step that
    /// does not show them).
    pub hide_outlines: bool,
    /// `None`: the best of all cameras; else one camera's coverage (index in the project).
    pub camera: Option<usize>,
    /// The latest result and what it was computed from.
    result: Option<(Inputs, Coverage)>,
    pub summary: Option<CoverageSummary>,
    /// Seconds the latest computation took.
    pub seconds: f64,
    pub status: String,
    occluders: Option<(SceneKey, Arc<Occluders>)>,
    job: Option<Job>,
    /// Inputs seen last frame and since when (real seconds).
    pending: Option<(Inputs, f64)>,
    /// What the texture shows: camera choice and the result's address.
    drawn: Option<(Option<usize>, usize)>,
    entity: Option<Entity>,
    image: Option<Handle<Image>>,
    /// The area of interest being drawn in the view, corner by corner.
    pub drawing: Option<AoiDraft>,
}

/// An area of interest being drawn: corners in plan (east, north), the point under the
/// pointer, and the last problem (a crossing outline) shown in the panel.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AoiDraft {
    pub corners: Vec<(f64, f64)>,
    pub hover: Option<(f64, f64)>,
    pub problem: Option<String>,
}

impl AoiDraft {
    /// A click at `p`: closes the outline when it lands within `snap` metres of the first
    /// corner (with three or more corners), else adds a corner (a click on the last corner
    /// again is ignored). True when the outline is closed.
    pub fn click(&mut self, p: (f64, f64), snap: f64) -> bool {
        let near = |q: (f64, f64)| (q.0 - p.0).hypot(q.1 - p.1) <= snap;
        if self.corners.len() >= 3 && near(self.corners[0]) {
            return true;
        }
        if self.corners.last().is_some_and(|&q| near(q)) {
            return false;
        }
        self.corners.push(p);
        false
    }

    /// The closed outline, checked as the project file checks it (three corners or more, no
    /// crossing edges, an area).
    pub fn ring(&self) -> Result<Vec<(f64, f64)>, String> {
        let setup = CoverageSetup {
            area_of_interest: Some(self.corners.clone()),
            ..CoverageSetup::default()
        };
        setup.check().map_err(|(_, m)| m)?;
        Ok(self.corners.clone())
    }
}

impl CoverageView {
    /// Nothing left to compute or draw (or the overlay is off): screenshots wait for this.
    pub fn settled(&self) -> bool {
        let idle = self.job.is_none() && self.pending.is_none();
        !self.show
            || (idle && self.drawn.is_some())
            || (idle && self.result.is_none() && !self.status.is_empty())
    }
}

pub struct CoveragePlugin;

impl Plugin for CoveragePlugin {
    fn build(&self, app: &mut App) {
        add_frame_sets(app);
        app.configure_sets(
            Update,
            (
                CoverageSet::Edit.in_set(FrameSet::Input),
                CoverageSet::Compute.in_set(FrameSet::Scene),
                CoverageSet::Draw.in_set(FrameSet::Draw),
            ),
        );
        app.init_resource::<CoverageView>().add_systems(
            Update,
            (
                compute.in_set(CoverageSet::Compute),
                aoi_tool_input.in_set(CoverageSet::Edit),
                (
                    draw,
                    (draw_outlines, draw_aoi_draft).run_if(resource_exists::<GizmoConfigStore>),
                )
                    .in_set(CoverageSet::Draw),
            ),
        );
    }
}

fn compute(mut view: ResMut<CoverageView>, doc: Res<Document>, time: Res<Time<Real>>) {
    if let Some(job) = &view.job {
        let received = match job.rx.lock() {
            Ok(rx) => rx.try_recv(),
            Err(_) => Err(std::sync::mpsc::TryRecvError::Disconnected),
        };
        match received {
            Ok(Ok((occ, cov, summary, seconds))) => {
                let job = view.job.take().expect("checked above");
                view.occluders = Some((job.inputs.scene.clone(), occ));
                view.summary = Some(summary);
                view.seconds = seconds;
                view.status = tr_args(
                    "coverage-computed",
                    &[("seconds", twincity_i18n::number(seconds, 2).into())],
                );
                view.result = Some((job.inputs, cov));
            }
            Ok(Err(e)) => {
                view.job = None;
                view.status = tr_args("coverage-failed", &[("why", e.to_string().into())]);
                view.result = None;
                view.summary = None;
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => return,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                view.job = None;
                view.status = tr("coverage-stopped");
            }
        }
    }
    if !view.show {
        return;
    }
    let inputs = Inputs::of(&doc.project);
    if view.result.as_ref().is_some_and(|(i, _)| *i == inputs) {
        view.pending = None;
        return;
    }
    let now = time.elapsed_secs_f64();
    match &view.pending {
        Some((p, since)) if *p == inputs => {
            if now - since < SETTLE_S {
                return;
            }
        }
        _ => {
            view.pending = Some((inputs, now));
            return;
        }
    }
    view.pending = None;
    if inputs.cameras.is_empty() {
        view.status = tr("coverage-no-cameras");
        view.result = None;
        view.summary = None;
        return;
    }
    let cached = view
        .occluders
        .as_ref()
        .filter(|(k, _)| *k == inputs.scene)
        .map(|(_, o)| o.clone());
    let project = doc.project.clone();
    let (tx, rx) = channel();
    let job_inputs = inputs.clone();
    std::thread::spawn(move || {
        let started = std::time::Instant::now();
        let result = (|| {
            let occ = match cached {
                Some(o) => o,
                None => {
                    let (tris, _) = coverage::scene_triangles(&project)?;
                    Arc::new(Occluders::new(&tris))
                }
            };
            let setup = &job_inputs.setup;
            let grid = coverage::grid_for(&occ, &job_inputs.cameras, setup.cell_m);
            let grid = coarsen(grid);
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
            let cov = coverage::compute(&occ, &job_inputs.cameras, grid, setup, threads);
            let summary = cov.summary(setup);
            Ok((occ, cov, summary, started.elapsed().as_secs_f64()))
        })();
        let _ = tx.send(result);
    });
    view.status = tr("coverage-computing");
    view.job = Some(Job {
        inputs,
        rx: Mutex::new(rx),
    });
}

/// Grows the cells of grids too large for one texture.
fn coarsen(grid: Grid) -> Grid {
    let n = grid.len() as f64;
    if n <= MAX_TEXELS {
        return grid;
    }
    let cell = grid.cell * (n / MAX_TEXELS).sqrt().ceil();
    Grid {
        cols: ((grid.cols as f64 * grid.cell) / cell).ceil() as usize,
        rows: ((grid.rows as f64 * grid.cell) / cell).ceil() as usize,
        cell,
        min: grid.min,
    }
}

/// Colour of a pixel density: transparent below Detection, then one colour per class.
pub fn class_colour(ppm: f32) -> [u8; 4] {
    match CLASSES.iter().rposition(|(_, t)| ppm >= *t) {
        None => [0, 0, 0, 0],
        Some(0) => [70, 130, 230, 150],
        Some(1) => [60, 200, 110, 160],
        Some(2) => [240, 200, 40, 170],
        _ => [230, 60, 50, 180],
    }
}

#[allow(clippy::too_many_arguments)]
fn draw(
    mut commands: Commands,
    mut view: ResMut<CoverageView>,
    mut images: ResMut<Assets<Image>>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    let Some((_, cov)) = view.result.as_ref().filter(|_| view.show) else {
        if let Some(e) = view.entity.take() {
            commands.entity(e).despawn();
        }
        view.drawn = None;
        return;
    };
    let key = (view.camera, cov as *const Coverage as usize);
    if view.drawn == Some(key) {
        return;
    }
    let g = &cov.grid;
    let ppm = match view.camera.and_then(|i| cov.cameras.get(i)) {
        Some(c) => &c.ppm,
        None => &cov.best,
    };
    let mut data = Vec::with_capacity(g.len() * 4);
    // Image row 0 is the north edge.
    for row in (0..g.rows).rev() {
        for col in 0..g.cols {
            data.extend_from_slice(&class_colour(ppm[row * g.cols + col]));
        }
    }
    let mut image = Image::new(
        Extent3d {
            width: g.cols as u32,
            height: g.rows as u32,
            depth_or_array_layers: 1,
        },
        TextureDimension::D2,
        data,
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::default(),
    );
    image.sampler = ImageSampler::nearest();
    // A flat sheet just above the scene's ground level (the 10th percentile of cell heights).
    let mut heights: Vec<f32> = cov.ground.iter().copied().filter(|h| !h.is_nan()).collect();
    let y = if heights.is_empty() {
        0.0
    } else {
        let k = heights.len() / 10;
        *heights.select_nth_unstable_by(k, f32::total_cmp).1
    } + 0.2;
    let (w, e, s, n) = (
        g.min.x as f32,
        (g.min.x + g.cols as f64 * g.cell) as f32,
        g.min.y as f32,
        (g.min.y + g.rows as f64 * g.cell) as f32,
    );
    if let Some(e) = view.entity.take() {
        commands.entity(e).despawn();
    }
    let handle = images.add(image);
    let entity = commands
        .spawn(crate::render::overlay::ground_sheet(
            "DORI coverage",
            handle.clone(),
            (w, e, s, n),
            y,
            &mut meshes,
            &mut materials,
        ))
        .id();
    view.entity = Some(entity);
    view.image = Some(handle);
    view.drawn = Some(key);
}

/// The area-of-interest tool: each left click in the view adds a corner where the pointer
/// meets the city (its plan position), a click on the first corner or Enter closes the
/// outline (it replaces the project's area of interest, one undo step), Backspace removes the
/// last corner, Esc cancels.
fn aoi_tool_input(
    mut view: ResMut<CoverageView>,
    mut doc: ResMut<Document>,
    mut raycast: Option<ResMut<crate::render::raycast::SceneRaycast>>,
    pointer: crate::editor::viewport::ViewPointer,
    mut tool_active: Option<ResMut<crate::editor::viewport::ToolActive>>,
) {
    let Some(draft) = view.drawing.as_mut() else {
        return;
    };
    if let Some(t) = tool_active.as_mut() {
        t.0 = true;
    }
    let mut finish = false;
    if !pointer.typing() {
        if pointer.key_just_pressed(KeyCode::Escape) {
            view.drawing = None;
            return;
        }
        if pointer.key_just_pressed(KeyCode::Backspace) {
            draft.corners.pop();
        }
        finish = pointer.key_just_pressed(KeyCode::Enter);
    }
    draft.hover = None;
    if let Some(ray) = pointer.ray()
        && let Some(p) =
            crate::render::raycast::city_point(raycast.as_deref_mut(), Some(&doc.project), ray)
    {
        let plan = (p.x as f64, -p.z as f64);
        draft.hover = Some(plan);
        // Snapping to the first corner: about 12 pixels at that distance.
        let snap = (ray.origin.distance(p) as f64 * 0.02).max(0.2);
        if pointer.just_pressed(MouseButton::Left) {
            finish |= draft.click(plan, snap);
        }
    }
    if finish {
        match draft.ring() {
            Ok(ring) => {
                doc.project.coverage.area_of_interest = Some(ring);
                view.drawing = None;
            }
            Err(m) => draft.problem = Some(m),
        }
    }
}

/// The outline being drawn, with a dashed-looking closing edge to the pointer.
fn draw_aoi_draft(mut gizmos: Gizmos, view: Res<CoverageView>) {
    let Some(draft) = &view.drawing else {
        return;
    };
    let at = |(e, n): (f64, f64)| Vec3::new(e as f32, 0.3, -n as f32);
    let colour = Color::srgb(0.2, 0.9, 0.95);
    let mut pts: Vec<Vec3> = draft.corners.iter().map(|&c| at(c)).collect();
    if let Some(h) = draft.hover {
        pts.push(at(h));
    }
    gizmos.linestrip(pts.clone(), colour);
    if let (Some(&first), Some(&last)) = (pts.first(), pts.last())
        && pts.len() >= 3
    {
        gizmos.line(last, first, colour.with_alpha(0.4));
    }
    for &c in &draft.corners {
        gizmos.sphere(Isometry3d::from_translation(at(c)), 0.4, colour);
    }
}

/// The Coverage section of the scene panel: overlay toggle, camera choice, legend, summary,
/// and the project's coverage settings (grid, target height, area of interest, privacy
/// masks; edits go through the document, so they undo). `focus` is the view's focus, where
/// new masks and areas are put.
pub fn coverage_panel(
    ui: &mut egui::Ui,
    view: &mut CoverageView,
    cameras: &[VirtualCamera],
    setup: &mut CoverageSetup,
    focus: Vec3,
) {
    egui::CollapsingHeader::new(tr("coverage-heading"))
        .id_salt("dori_coverage")
        .default_open(view.show)
        .show(ui, |ui| {
            ui.checkbox(&mut view.show, tr("coverage-show"))
                .on_hover_text(tr("coverage-show-tip"));
            settings(ui, setup, &mut view.drawing, focus);
            if !view.show {
                return;
            }
            let label = |i: Option<usize>| {
                i.and_then(|i| cameras.get(i))
                    .map_or_else(|| tr("coverage-all-cameras"), |c| c.name.clone())
            };
            egui::ComboBox::from_label(tr("coverage-camera"))
                .selected_text(label(view.camera))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut view.camera, None, label(None));
                    for i in 0..cameras.len() {
                        ui.selectable_value(&mut view.camera, Some(i), label(Some(i)));
                    }
                });
            ui.horizontal_wrapped(|ui| {
                for ((name, t), ppm) in CLASSES.iter().zip([25.0, 62.5, 125.0, 250.0]) {
                    let [r, g, b, _] = class_colour(ppm);
                    ui.colored_label(
                        egui::Color32::from_rgb(r, g, b),
                        format!("■ {} ≥ {t}", class_name(name)),
                    );
                }
            });
            ui.weak(&view.status);
            if let Some(s) = &view.summary {
                let areas = match view.camera.and_then(|i| s.cameras.get(i)) {
                    Some(c) => c.areas.as_array(),
                    None => s.all.as_array(),
                };
                egui::Grid::new("coverage_summary")
                    .num_columns(2)
                    .striped(true)
                    .show(ui, |ui| {
                        for ((name, _), a) in CLASSES.iter().zip(areas) {
                            ui.label(class_name(name));
                            ui.label(square_metres(a));
                            ui.end_row();
                        }
                        ui.label(tr("coverage-overlap"));
                        ui.label(square_metres(s.overlap_m2));
                        ui.end_row();
                        if let (Some(aoi), Some(blind)) = (s.aoi_m2, s.aoi_blind_m2) {
                            ui.label(tr("coverage-aoi-blind"));
                            ui.label(tr_args(
                                "coverage-aoi-blind-share",
                                &[
                                    ("blind", twincity_i18n::number(blind, 0).into()),
                                    ("aoi", twincity_i18n::number(aoi, 0).into()),
                                    (
                                        "share",
                                        twincity_i18n::number(100.0 * blind / aoi.max(1e-9), 1)
                                            .into(),
                                    ),
                                ],
                            ));
                            ui.end_row();
                        }
                    });
            }
        });
}

/// The area of interest (cyan, on the ground) and the privacy masks (red boxes), whenever the
/// project has them.
fn draw_outlines(mut gizmos: Gizmos, doc: Res<Document>, view: Res<CoverageView>) {
    if view.hide_outlines {
        return;
    }
    let setup = &doc.project.coverage;
    if let Some(ring) = &setup.area_of_interest {
        let mut pts: Vec<Vec3> = ring
            .iter()
            .map(|&(e, n)| Vec3::new(e as f32, 0.25, -n as f32))
            .collect();
        if let Some(&first) = pts.first() {
            pts.push(first);
        }
        gizmos.linestrip(pts, Color::srgb(0.2, 0.9, 0.95));
    }
    for m in &setup.privacy_masks {
        let (lo, hi) = (Vec3::from(m.min), Vec3::from(m.max));
        gizmos.cube(
            Transform::from_translation((lo + hi) * 0.5)
                .with_scale((hi - lo).max(Vec3::splat(0.02))),
            Color::srgb(0.95, 0.15, 0.15),
        );
    }
}

/// Grid, target height, area of interest and privacy masks.
fn settings(
    ui: &mut egui::Ui,
    setup: &mut CoverageSetup,
    drawing: &mut Option<AoiDraft>,
    focus: Vec3,
) {
    egui::CollapsingHeader::new(tr("coverage-settings"))
        .id_salt("coverage_settings")
        .default_open(false)
        .show(ui, |ui| {
            egui::Grid::new("coverage_setup")
                .num_columns(2)
                .show(ui, |ui| {
                    ui.label(tr("coverage-cell"));
                    ui.add(
                        crate::editor::widgets::drag(&mut setup.cell_m)
                            .speed(0.05)
                            .range(0.1..=10.0)
                            .suffix(" m"),
                    );
                    ui.end_row();
                    ui.label(tr("coverage-target-height"));
                    ui.add(
                        crate::editor::widgets::drag(&mut setup.target_height_m)
                            .speed(0.05)
                            .range(0.0..=3.0)
                            .suffix(" m"),
                    )
                    .on_hover_text(tr("coverage-target-height-tip"));
                    ui.end_row();
                });
            ui.separator();
            ui.label(tr("coverage-aoi"));
            match setup.area_of_interest.as_mut() {
                Some(ring) if ring.len() == 4 && is_rectangle(ring) => rectangle_fields(ui, ring),
                Some(ring) => corner_fields(ui, ring),
                None => {
                    ui.weak(tr("coverage-aoi-none"));
                }
            }
            aoi_drawing(ui, setup, drawing);
            ui.horizontal(|ui| {
                if ui.button(tr("coverage-aoi-square")).clicked() {
                    let (e, n) = (focus.x as f64, -focus.z as f64);
                    setup.area_of_interest = Some(vec![
                        (e - 20.0, n - 20.0),
                        (e + 20.0, n - 20.0),
                        (e + 20.0, n + 20.0),
                        (e - 20.0, n + 20.0),
                    ]);
                }
                if setup.area_of_interest.is_some() && ui.button(tr("coverage-aoi-clear")).clicked()
                {
                    setup.area_of_interest = None;
                }
            });
            ui.separator();
            privacy_masks(ui, setup, focus);
        });
}

/// A rectangular area of interest: its two corners (kept when at least 0.5 m apart each way).
fn rectangle_fields(ui: &mut egui::Ui, ring: &mut Vec<(f64, f64)>) {
    let (mut lo, mut hi) = (ring[0], ring[2]);
    egui::Grid::new("aoi").num_columns(3).show(ui, |ui| {
        ui.label(tr("coverage-from"));
        ui.add(
            crate::editor::widgets::drag(&mut lo.0)
                .speed(0.5)
                .prefix("E "),
        );
        ui.add(
            crate::editor::widgets::drag(&mut lo.1)
                .speed(0.5)
                .prefix("N "),
        );
        ui.end_row();
        ui.label(tr("coverage-to"));
        ui.add(
            crate::editor::widgets::drag(&mut hi.0)
                .speed(0.5)
                .prefix("E "),
        );
        ui.add(
            crate::editor::widgets::drag(&mut hi.1)
                .speed(0.5)
                .prefix("N "),
        );
        ui.end_row();
    });
    let (a, b) = (
        (lo.0.min(hi.0), lo.1.min(hi.1)),
        (lo.0.max(hi.0), lo.1.max(hi.1)),
    );
    if b.0 - a.0 >= 0.5 && b.1 - a.1 >= 0.5 {
        let new = vec![a, (b.0, a.1), b, (a.0, b.1)];
        if *ring != new {
            *ring = new;
        }
    }
}

/// Any polygon: its corners, editable; a corner can go while three remain. Only outlines the
/// project file accepts (no crossing edges) are kept.
fn corner_fields(ui: &mut egui::Ui, ring: &mut Vec<(f64, f64)>) {
    let mut edited = ring.clone();
    let mut remove = None;
    egui::Grid::new("aoi_corners")
        .num_columns(3)
        .show(ui, |ui| {
            for (i, c) in edited.iter_mut().enumerate() {
                ui.add(
                    crate::editor::widgets::drag(&mut c.0)
                        .speed(0.5)
                        .prefix("E "),
                );
                ui.add(
                    crate::editor::widgets::drag(&mut c.1)
                        .speed(0.5)
                        .prefix("N "),
                );
                if ui
                    .add_enabled(ring.len() > 3, egui::Button::new("x"))
                    .on_hover_text(tr("coverage-remove-corner"))
                    .clicked()
                {
                    remove = Some(i);
                }
                ui.end_row();
            }
        });
    if let Some(i) = remove {
        edited.remove(i);
    }
    let check = CoverageSetup {
        area_of_interest: Some(edited.clone()),
        ..CoverageSetup::default()
    };
    if edited != *ring {
        match check.check() {
            Ok(()) => *ring = edited,
            Err((_, m)) => {
                ui.colored_label(egui::Color32::LIGHT_RED, m);
            }
        }
    }
}

/// Drawing the area of interest in the view: how, the outline so far, Close and Cancel; or
/// the button that starts it.
fn aoi_drawing(ui: &mut egui::Ui, setup: &mut CoverageSetup, drawing: &mut Option<AoiDraft>) {
    let Some(draft) = drawing else {
        if ui
            .button(tr("coverage-draw"))
            .on_hover_text(tr("coverage-draw-tip"))
            .clicked()
        {
            *drawing = Some(AoiDraft::default());
        }
        return;
    };
    ui.label(tr_args(
        "coverage-drawing",
        &[("n", Arg::Count(draft.corners.len() as i64))],
    ));
    if let Some(p) = &draft.problem {
        ui.colored_label(egui::Color32::LIGHT_RED, p);
    }
    let (mut close, mut cancel) = (false, false);
    ui.horizontal(|ui| {
        close = ui
            .add_enabled(
                draft.corners.len() >= 3,
                egui::Button::new(tr("coverage-close-outline")),
            )
            .clicked();
        cancel = ui.button(tr("dialog-cancel")).clicked();
    });
    if close {
        match draft.ring() {
            Ok(ring) => {
                setup.area_of_interest = Some(ring);
                *drawing = None;
            }
            Err(m) => draft.problem = Some(m),
        }
    } else if cancel {
        *drawing = None;
    }
}

/// The privacy masks (name, corners, Delete each), and a button adding one at the view focus.
fn privacy_masks(ui: &mut egui::Ui, setup: &mut CoverageSetup, focus: Vec3) {
    ui.label(tr("coverage-masks"));
    let mut remove = None;
    for (i, m) in setup.privacy_masks.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            ui.text_edit_singleline(&mut m.name);
            if ui.small_button(tr("prop-delete")).clicked() {
                remove = Some(i);
            }
        });
        egui::Grid::new(("mask", i)).num_columns(4).show(ui, |ui| {
            for (label, v) in [("min", &mut m.min), ("max", &mut m.max)] {
                ui.label(label);
                for c in v.iter_mut() {
                    ui.add(crate::editor::widgets::drag(c).speed(0.05));
                }
                ui.end_row();
            }
        });
        for k in 0..3 {
            if m.max[k] < m.min[k] {
                m.max[k] = m.min[k];
            }
        }
    }
    if let Some(i) = remove {
        setup.privacy_masks.remove(i);
    }
    if ui
        .button(tr("coverage-add-mask"))
        .on_hover_text(tr("coverage-add-mask-tip"))
        .clicked()
    {
        setup
            .privacy_masks
            .push(twincity_model::coverage_setup::PrivacyMask {
                name: tr_args(
                    "coverage-mask-name",
                    &[("n", (setup.privacy_masks.len() + 1).to_string().into())],
                ),
                min: [focus.x - 2.0, focus.y + 2.0, focus.z - 0.1],
                max: [focus.x + 2.0, focus.y + 5.0, focus.z + 0.1],
            });
    }
}

/// True for an axis-aligned rectangle written corner by corner from its south-west corner.
fn is_rectangle(r: &[(f64, f64)]) -> bool {
    r[0].1 == r[1].1 && r[1].0 == r[2].0 && r[2].1 == r[3].1 && r[3].0 == r[0].0
}

/// An area in square metres, as the interface's language writes it.
fn square_metres(a: f64) -> String {
    tr_args(
        "coverage-area",
        &[("area", twincity_i18n::number(a, 0).into())],
    )
}

/// A DORI class's name (`twincity_scene::coverage::CLASSES`) in the interface's language.
fn class_name(class: &str) -> String {
    match class {
        "Detection" => tr("dori-detection"),
        "Observation" => tr("dori-observation"),
        "Recognition" => tr("dori-recognition"),
        "Identification" => tr("dori-identification"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_colours_step_at_the_thresholds() {
        assert_eq!(class_colour(0.0)[3], 0);
        assert_eq!(class_colour(24.9)[3], 0);
        assert_ne!(class_colour(25.0), class_colour(62.4 + 0.2));
        assert_eq!(class_colour(25.0), class_colour(62.4));
        assert_eq!(class_colour(250.0), class_colour(5000.0));
        assert_ne!(class_colour(125.0), class_colour(249.0 + 1.0));
    }

    #[test]
    fn huge_grids_are_coarsened_to_fit_one_texture() {
        let g = Grid {
            min: bevy::math::DVec2::ZERO,
            cell: 0.5,
            cols: 20_000,
            rows: 10_000,
        };
        let c = coarsen(g);
        assert!(c.len() as f64 <= MAX_TEXELS, "{} cells", c.len());
        assert!((c.cols as f64 * c.cell) >= 10_000.0 && (c.rows as f64 * c.cell) >= 5_000.0);
    }

    #[test]
    fn an_outline_is_drawn_corner_by_corner_and_closed_on_its_first_corner() {
        let mut d = AoiDraft::default();
        // The first click adds a corner; a second click on (nearly) the same spot does not.
        assert!(!d.click((0.0, 0.0), 1.0));
        assert!(
            !d.click((0.3, 0.2), 1.0),
            "a click on the last corner again is ignored"
        );
        assert_eq!(d.corners.len(), 1);
        assert!(!d.click((30.0, 0.0), 1.0));
        assert!(!d.click((30.0, 20.0), 1.0));
        assert!(!d.click((5.0, 25.0), 1.0));
        assert!(d.click((0.5, -0.5), 1.0), "near the first corner: closed");
        assert_eq!(d.corners.len(), 4);
        assert_eq!(
            d.ring().unwrap(),
            vec![(0.0, 0.0), (30.0, 0.0), (30.0, 20.0), (5.0, 25.0)]
        );
        // A bow tie (crossing edges) is refused with the project file's message.
        let bow = AoiDraft {
            corners: vec![(0.0, 0.0), (10.0, 10.0), (10.0, 0.0), (0.0, 10.0)],
            ..AoiDraft::default()
        };
        let e = bow.ring().unwrap_err();
        assert!(e.contains("cross") || e.contains("intersect"), "{e}");
        let two = AoiDraft {
            corners: vec![(0.0, 0.0), (10.0, 10.0)],
            ..AoiDraft::default()
        };
        assert!(two.ring().is_err());
    }
}
