//! The cloned-plate check (the "Plate check" window, View menu).
//!
//! For each vehicle a speed camera measures, once the scenario reaches the check's time, the
//! camera the user chose watching the radar is read back; the first frame (from the check's
//! time, up to [`SEEN_WITHIN_S`] after it) where the vehicle's box is at least [`MIN_BOX_PX`]
//! tall is cropped around the vehicle (10 % margin) and given to a make/model classifier (a
//! `Classification` card: its labels are body names). The plate is read from the ground truth;
//! the registry gives the make, model and body the plate belongs to. When the body the model
//! sees differs from the registered one with a score at or above the threshold, an alert
//! "plate … possibly cloned" goes to the inference window's alert list, where a person
//! confirms or dismisses it (both logged); nothing is acted on without them. The ground
//! truth's `cloned_plate` flag is shown in a column labelled "truth", for demonstrations, and
//! never raises an alert.
//!
//! The rule, the frame choice and the crop are plain functions ([`verdict`], [`PlateCheck::observe`],
//! [`crop_box`]); the window and the read-back are the thin part below them.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use bevy::prelude::*;
use bevy::render::gpu_readback::{Readback, ReadbackComplete};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use image::RgbImage;
use twincity_i18n::tr;
use twincity_model::{CameraId, VirtualCamera};
use twincity_scenario::format::Registration;
use twincity_scenario::run::SpeedCheck;
use twincity_scenario::world::{VehicleState, WorldState};

use crate::editor::inference::{AlertText, InferencePanel, InferenceSet};
use crate::editor::previews::CameraPreviews;
use crate::render::document::Document;
use crate::render::scenario::ScenarioPlayer;

/// A vehicle counts as seen when its box in the image is at least this tall (pixels).
pub const MIN_BOX_PX: f32 = 24.0;
/// How long after the check's time the vehicle may first be seen (seconds).
pub const SEEN_WITHIN_S: f64 = 1.5;
/// Margin added around the vehicle's box on each side, as a share of its size.
pub const CROP_MARGIN: f32 = 0.10;
/// Default score at or above which a disagreeing prediction raises an alert.
pub const DEFAULT_THRESHOLD: f32 = 0.5;

/// What a passage's check concluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The body seen is the registered one.
    Match,
    /// Another body than the registered one, with a score at or above the threshold.
    PossiblyCloned,
    /// Another body, but with a score below the threshold.
    Uncertain,
    /// The registry does not give the plate's body (or does not know the plate).
    UnknownRegisteredBody,
    /// The vehicle was not seen large enough in the camera near the check's time.
    NotSeen,
}

impl Verdict {
    /// The verdict as the alert log keeps it (in English, whatever the interface's language:
    /// the log is read by tools and audits).
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Match => "match",
            Verdict::PossiblyCloned => "possibly cloned",
            Verdict::Uncertain => "different body, low score",
            Verdict::UnknownRegisteredBody => "unknown registered body",
            Verdict::NotSeen => "not seen",
        }
    }

    /// The verdict as the window shows it, in the interface's language.
    pub fn shown(self) -> String {
        tr(match self {
            Verdict::Match => "plate-verdict-match",
            Verdict::PossiblyCloned => "plate-verdict-possibly-cloned",
            Verdict::Uncertain => "plate-verdict-uncertain",
            Verdict::UnknownRegisteredBody => "plate-verdict-unknown-body",
            Verdict::NotSeen => "plate-verdict-not-seen",
        })
    }
}

/// The rule: compares the registered body with the model's best label and score.
pub fn verdict(
    registered_body: Option<&str>,
    predicted: Option<(&str, f32)>,
    threshold: f32,
) -> Verdict {
    let Some((label, score)) = predicted else {
        return Verdict::NotSeen;
    };
    let Some(registered) = registered_body else {
        return Verdict::UnknownRegisteredBody;
    };
    if label == registered {
        Verdict::Match
    } else if score >= threshold {
        Verdict::PossiblyCloned
    } else {
        Verdict::Uncertain
    }
}

/// The pixel box `[x0, y0, x1, y1]` of points seen by `camera` (in the camera's own
/// resolution); `None` when any point is behind it.
pub fn projected_box(
    camera: &VirtualCamera,
    points: impl IntoIterator<Item = Vec3>,
) -> Option<[f32; 4]> {
    let mut b = [
        f32::INFINITY,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NEG_INFINITY,
    ];
    for p in points {
        let q = camera.project(p)?;
        b = [b[0].min(q.x), b[1].min(q.y), b[2].max(q.x), b[3].max(q.y)];
    }
    b[0].is_finite().then_some(b)
}

/// The corners of a vehicle's figure (the box the renderer and the annotation use).
pub fn vehicle_points(v: &VehicleState) -> Vec<Vec3> {
    use twincity_scenario::figures::{cube_triangles, world, yaw};
    let [l, w, h] = v.vehicle.size().map(|x| x as f32);
    cube_triangles(
        world(v.position, h / 2.0),
        yaw(v.heading),
        Vec3::new(l, h, w),
    )
    .into_iter()
    .flatten()
    .collect()
}

/// A box in camera pixels scaled to an image of `width` × `height` (the camera's resolution
/// times `scale`) and clipped to it: `[x0, y0, x1, y1]`, `None` when nothing is left.
pub fn image_box(b: [f32; 4], scale: f32, width: u32, height: u32) -> Option<[f32; 4]> {
    let (w, h) = (width as f32, height as f32);
    let c = [
        (b[0] * scale).clamp(0.0, w),
        (b[1] * scale).clamp(0.0, h),
        (b[2] * scale).clamp(0.0, w),
        (b[3] * scale).clamp(0.0, h),
    ];
    (c[2] > c[0] && c[3] > c[1]).then_some(c)
}

/// The crop around a box in image pixels: `margin` of its size added on each side, clipped
/// to the image, as `[left, top, width, height]`; `None` when empty.
pub fn crop_box(b: [f32; 4], margin: f32, width: u32, height: u32) -> Option<[u32; 4]> {
    let (mx, my) = ((b[2] - b[0]) * margin, (b[3] - b[1]) * margin);
    let left = (b[0] - mx).floor().clamp(0.0, width as f32) as u32;
    let top = (b[1] - my).floor().clamp(0.0, height as f32) as u32;
    let right = (b[2] + mx).ceil().clamp(0.0, width as f32) as u32;
    let bottom = (b[3] + my).ceil().clamp(0.0, height as f32) as u32;
    (right > left && bottom > top).then(|| [left, top, right - left, bottom - top])
}

/// A GPU read-back of a BGRA texture (rows tight or padded to 256 bytes) as an RGB image.
pub fn rgb_from_bgra_readback(width: u32, height: u32, data: &[u8]) -> Option<RgbImage> {
    let row = width as usize * 4;
    let padded = row.div_ceil(256) * 256;
    let h = height as usize;
    let stride = if data.len() == row * h {
        row
    } else if data.len() >= padded * h {
        padded
    } else {
        return None;
    };
    let mut out = RgbImage::new(width, height);
    for (y, line) in data.chunks(stride).take(h).enumerate() {
        for (x, px) in line[..row].chunks_exact(4).enumerate() {
            out.put_pixel(x as u32, y as u32, image::Rgb([px[2], px[1], px[0]]));
        }
    }
    Some(out)
}

/// One passage checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Index into the run's speed checks.
    pub check: usize,
    pub time_s: f64,
    pub plate: String,
    pub speed_kmh: f64,
    /// Registered make and model.
    pub registered: Option<(String, String)>,
    pub registered_body: Option<String>,
    /// The model's best label and score.
    pub predicted: Option<(String, f32)>,
    /// When the crop was taken.
    pub seen_at_s: Option<f64>,
    pub verdict: Verdict,
    /// Ground truth, for demonstrations only: the plate belongs to another make or model.
    pub truth_cloned: bool,
    /// The alert raised, if any.
    pub alert: Option<AlertText>,
}

impl Row {
    /// The passage in one line, as the log keeps it.
    pub fn summary(&self) -> String {
        let registered = match (&self.registered, &self.registered_body) {
            (Some((make, model)), body) => {
                format!(
                    "registered {} ({make} {model})",
                    body.as_deref().unwrap_or("?")
                )
            }
            (None, _) => "not registered".to_string(),
        };
        let seen = self
            .predicted
            .as_ref()
            .map_or("not seen".to_string(), |(l, s)| format!("seen {l} {s:.2}"));
        format!(
            "plate {} at {:.1} s, {:.0} km/h: {registered}, {seen}: {}",
            self.plate,
            self.time_s,
            self.speed_kmh,
            self.verdict.label()
        )
    }
}

/// The check's state: settings and the passages done.
#[derive(Clone, Debug)]
pub struct PlateCheck {
    pub threshold: f32,
    pub rows: Vec<Row>,
    last_time: f64,
}

impl Default for PlateCheck {
    fn default() -> Self {
        Self {
            threshold: DEFAULT_THRESHOLD,
            rows: Vec::new(),
            last_time: f64::NEG_INFINITY,
        }
    }
}

impl PlateCheck {
    /// Whether a check the scenario has reached at `t` has no row yet (its vehicle not yet
    /// seen in a picture, and its window not yet over).
    pub fn pending(&self, checks: &[SpeedCheck], t: f64) -> bool {
        checks
            .iter()
            .enumerate()
            .any(|(i, c)| c.time_s <= t + 1e-9 && !self.rows.iter().any(|r| r.check == i))
    }

    /// Forgets every passage (the scenario restarted or the settings changed).
    pub fn reset(&mut self) {
        self.rows.clear();
        self.last_time = f64::NEG_INFINITY;
    }

    /// Takes one frame of `camera` showing `state` (`image`: its rendered picture, any size
    /// with the camera's aspect, `None` when none came back): every check reached and not yet
    /// done whose vehicle is seen large enough is cropped and classified; checks past their
    /// window become "not seen". A time earlier than the last one seen resets the rows.
    /// Returns the alert texts raised in this frame.
    pub fn observe(
        &mut self,
        checks: &[SpeedCheck],
        registry: &[Registration],
        state: &WorldState,
        camera: &VirtualCamera,
        image: Option<&RgbImage>,
        outline: &dyn Fn(&VehicleState) -> Vec<Vec3>,
        classify: &mut dyn FnMut(&RgbImage) -> Vec<(String, f32)>,
    ) -> Vec<AlertText> {
        let t = state.time_s;
        if t < self.last_time - 1e-9 {
            self.rows.clear();
        }
        self.last_time = t;
        let mut alerts = Vec::new();
        for (i, check) in checks.iter().enumerate() {
            if check.time_s > t + 1e-9 || self.rows.iter().any(|r| r.check == i) {
                continue;
            }
            let seen = (t <= check.time_s + SEEN_WITHIN_S)
                .then(|| {
                    image.and_then(|img| vehicle_crop(state, &check.event, camera, img, outline))
                })
                .flatten();
            let predicted = match seen {
                Some(crop) => classify(&crop).into_iter().next(),
                None if t > check.time_s + SEEN_WITHIN_S => None,
                None => continue,
            };
            let row = self.row(i, check, registry, predicted, t);
            alerts.extend(row.alert.clone());
            self.rows.push(row);
        }
        alerts
    }

    fn row(
        &self,
        i: usize,
        check: &SpeedCheck,
        registry: &[Registration],
        predicted: Option<(String, f32)>,
        t: f64,
    ) -> Row {
        let reg = registry.iter().find(|r| r.plate == check.plate);
        let registered_body = reg.and_then(|r| r.body).map(|b| b.name().to_string());
        let v = verdict(
            registered_body.as_deref(),
            predicted.as_ref().map(|(l, s)| (l.as_str(), *s)),
            self.threshold,
        );
        let registered = reg.map(|r| (r.make.clone(), r.model.clone()));
        let alert = (v == Verdict::PossiblyCloned).then(|| {
            let (label, score) = predicted.clone().unwrap_or_default();
            let (make, model) = registered.clone().unwrap_or_default();
            let body = registered_body.as_deref().unwrap_or("?");
            AlertText::new(|lang| {
                twincity_i18n::tr_args_in(
                    lang,
                    "plate-alert-cloned",
                    &[
                        ("plate", check.plate.as_str().into()),
                        ("body", body.into()),
                        ("make", make.as_str().into()),
                        ("model", model.as_str().into()),
                        ("label", label.as_str().into()),
                        (
                            "score",
                            twincity_i18n::number_in(lang, score as f64, 2).into(),
                        ),
                    ],
                )
            })
        });
        Row {
            check: i,
            time_s: check.time_s,
            plate: check.plate.clone(),
            speed_kmh: check.speed_kmh,
            registered,
            registered_body,
            seen_at_s: predicted.is_some().then_some(t),
            predicted,
            verdict: v,
            truth_cloned: check.cloned_plate,
            alert,
        }
    }
}

/// The crop of the vehicle of `event` from `image` (the camera's picture), when its box is at
/// least [`MIN_BOX_PX`] tall there. The box is that of `outline`'s points (world space): the
/// drawn model's vertices in the editor, so that the crop frames the vehicle as the
/// dataset's crops do (its silhouette and a tenth around it), not its catalogue box, whose
/// corners stand out of a rounded body.
pub fn vehicle_crop(
    state: &WorldState,
    event: &str,
    camera: &VirtualCamera,
    image: &RgbImage,
    outline: &dyn Fn(&VehicleState) -> Vec<Vec3>,
) -> Option<RgbImage> {
    let v = state.vehicles.iter().find(|v| v.event == event)?;
    let b = projected_box(camera, outline(v))?;
    let scale = image.width() as f32 / camera.resolution.0.max(1) as f32;
    let b = image_box(b, scale, image.width(), image.height())?;
    if b[3] - b[1] < MIN_BOX_PX {
        return None;
    }
    let [x, y, w, h] = crop_box(b, CROP_MARGIN, image.width(), image.height())?;
    Some(image::imageops::crop_imm(image, x, y, w, h).to_image())
}

/// The Plate check window's state: the card and camera chosen, the classifier opened, the
/// read-back of the camera's preview.
#[derive(Resource, Default)]
pub struct PlateCheckPanel {
    pub card: Option<PathBuf>,
    pub camera: Option<CameraId>,
    pub check: PlateCheck,
    pub error: Option<String>,
    /// A passage the scenario has reached still waits for a picture of its vehicle (or the
    /// classifier is still opening): what a screenshot waits for.
    pub waiting: bool,
    model: Option<(PathBuf, Mutex<twincity_infer::Model>)>,
    readback: Option<(Entity, AssetId<Image>)>,
    /// The last picture read back, and how many have come back since the read-back began.
    latest: Arc<Mutex<(u32, Option<Vec<u8>>)>>,
}

/// Pictures read back from a new preview before this many are dropped: the first ones come
/// from a target its camera has not drawn into yet (black).
pub const FIRST_READBACKS_DROPPED: u32 = 3;

pub struct PlateCheckPlugin;

/// The Plate check's exchange with the camera preview and the classifier (after the model
/// inference's).
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct PlateCheckSet;

impl Plugin for PlateCheckPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<PlateCheckPanel>()
            .add_systems(
                Update,
                plate_check_exchange
                    .in_set(PlateCheckSet)
                    .after(InferenceSet::Exchange),
            )
            .add_systems(
                EguiPrimaryContextPass,
                plate_check_window
                    .in_set(InferenceSet::Window)
                    .after(crate::editor::widgets::UiSet::Panels),
            );
    }
}

/// Keeps a read-back on the chosen camera's preview, opens the chosen card, and runs the
/// check on each frame that comes back; alerts go to the inference window's list.
fn plate_check_exchange(
    mut commands: Commands,
    mut check: ResMut<PlateCheckPanel>,
    mut inference: ResMut<InferencePanel>,
    mut previews: ResMut<CameraPreviews>,
    overlays: Res<crate::editor::cameras::OverlaySettings>,
    doc: Res<Document>,
    player: Res<ScenarioPlayer>,
    readiness: Res<crate::render::readiness::Readiness>,
    vehicles: DrawnVehicles,
) {
    let check = &mut *check;
    let camera = check
        .camera
        .and_then(|id| doc.project.cameras.iter().find(|c| c.id == id));
    let active = overlays.plate_check && camera.is_some() && check.card.is_some();
    let preview = camera
        .filter(|_| active)
        .and_then(|c| previews.images().find(|(id, _, _)| *id == c.id))
        .map(|(_, h, s)| (h.clone(), s));
    if let Some(c) = camera.filter(|_| active)
        && !previews.wide.contains(&c.id)
    {
        previews.wide.push(c.id);
    }
    keep_readback(&mut commands, check, preview.as_ref().map(|(h, _)| h));
    check.waiting = active && check.error.is_none();
    let (Some(cam), Some((_, size)), Some(run), Some(state)) =
        (camera, preview, player.run.as_ref(), player.state.as_ref())
    else {
        return;
    };
    if !open_model(check) {
        return;
    }
    // Only pictures of a complete frame: no pipeline compiling (a camera whose pipelines are
    // not ready draws nothing) and past the first read-backs of the preview.
    let drawn = readiness.stable_frames >= crate::render::readiness::STABLE_FRAMES;
    let data = check.latest.lock().ok().and_then(|mut l| {
        let (count, data) = (l.0, l.1.take());
        (drawn && count > FIRST_READBACKS_DROPPED)
            .then_some(data)
            .flatten()
    });
    let image = data.and_then(|d| rgb_from_bgra_readback(size.x, size.y, &d));
    let Some((_, model)) = check.model.as_ref() else {
        return;
    };
    let mut error = None;
    let mut classify = |crop: &RgbImage| match model.lock().map(|mut m| m.classify(crop)) {
        Ok(Ok(scores)) => scores,
        Ok(Err(e)) => {
            error = Some(e.to_string());
            Vec::new()
        }
        Err(_) => Vec::new(),
    };
    let checks = run.speed_checks();
    let before = check.check.rows.len();
    let outline = |v: &VehicleState| vehicles.outline(v);
    let alerts = check.check.observe(
        &checks,
        &run.compiled.registry,
        state,
        cam,
        image.as_ref(),
        &outline,
        &mut classify,
    );
    for row in check.check.rows.iter().skip(before) {
        inference.log_check(&cam.name, row.summary());
    }
    check.waiting = error.is_none() && check.check.pending(&checks, state.time_s);
    if error.is_some() {
        check.error = error;
    }
    for what in alerts {
        inference.raise(cam.id, &cam.name, what);
    }
}

/// The vehicles as drawn: their models' vertices in the world.
#[derive(bevy::ecs::system::SystemParam)]
struct DrawnVehicles<'w, 's> {
    roots: Query<'w, 's, (Entity, &'static crate::render::models::DrawnVehicle)>,
    children: Query<'w, 's, &'static Children>,
    meshes: Query<
        'w,
        's,
        (
            &'static Mesh3d,
            &'static GlobalTransform,
            &'static InheritedVisibility,
        ),
    >,
    assets: Res<'w, Assets<Mesh>>,
}

impl DrawnVehicles<'_, '_> {
    /// The world positions of the drawn model's visible vertices (wheels and plates
    /// included); the catalogue box's corners while the model is not drawn yet.
    fn outline(&self, v: &VehicleState) -> Vec<Vec3> {
        let mut points = Vec::new();
        if let Some((root, _)) = self.roots.iter().find(|(_, d)| d.state.event == v.event) {
            for e in self.children.iter_descendants(root) {
                let Ok((mesh, at, shown)) = self.meshes.get(e) else {
                    continue;
                };
                if !shown.get() {
                    continue;
                }
                let Some(bevy::mesh::VertexAttributeValues::Float32x3(p)) = self
                    .assets
                    .get(&mesh.0)
                    .and_then(|m| m.attribute(Mesh::ATTRIBUTE_POSITION))
                else {
                    continue;
                };
                let m = at.affine();
                points.extend(p.iter().map(|q| m.transform_point3(Vec3::from(*q))));
            }
        }
        if points.is_empty() {
            vehicle_points(v)
        } else {
            points
        }
    }
}

fn keep_readback(
    commands: &mut Commands,
    check: &mut PlateCheckPanel,
    wanted: Option<&Handle<Image>>,
) {
    if check.readback.map(|(_, a)| a) == wanted.map(|h| h.id()) {
        return;
    }
    if let Some((e, _)) = check.readback.take() {
        commands.entity(e).despawn();
    }
    if let Some(handle) = wanted {
        let slot = check.latest.clone();
        if let Ok(mut l) = slot.lock() {
            *l = (0, None);
        }
        let e = commands
            .spawn((
                Name::new("Plate check read-back"),
                Readback::texture(handle.clone()),
            ))
            .observe(move |event: On<ReadbackComplete>| {
                if let Ok(mut s) = slot.lock() {
                    *s = (s.0.saturating_add(1), Some(event.data.clone()));
                }
            })
            .id();
        check.readback = Some((e, handle.id()));
    }
}

/// Opens the chosen card when it changed; whether a classifier is ready.
fn open_model(check: &mut PlateCheckPanel) -> bool {
    let Some(card) = check.card.clone() else {
        return false;
    };
    if check.model.as_ref().is_some_and(|(c, _)| *c == card) {
        return true;
    }
    if check.error.is_some() {
        return false;
    }
    match twincity_infer::Model::load(&card) {
        Ok(m) => {
            check.model = Some((card, Mutex::new(m)));
            check.check.reset();
            true
        }
        Err(e) => {
            check.error = Some(format!("{}: {e}", card.display()));
            false
        }
    }
}

fn plate_check_window(
    mut contexts: EguiContexts,
    mut check: ResMut<PlateCheckPanel>,
    mut inference: ResMut<InferencePanel>,
    mut overlays: ResMut<crate::editor::cameras::OverlaySettings>,
    doc: Res<Document>,
    player: Res<ScenarioPlayer>,
) -> Result {
    if !overlays.plate_check {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    inference.list_bundled();
    let mut open = true;
    egui::Window::new(tr("plate-window-title"))
        .id(egui::Id::new("plate_check_window"))
        .open(&mut open)
        .default_pos(egui::pos2(80.0, 80.0))
        .default_width(720.0)
        .vscroll(true)
        .show(&ctx, |ui| {
            settings_ui(ui, &mut check, &inference, &doc);
            ui.separator();
            if player.run.is_none() {
                ui.weak(tr("plate-load-scenario-hint"));
            }
            rows_ui(ui, &check.check);
            ui.separator();
            crate::editor::inference::alert_list(ui, &mut inference);
        });
    if !open {
        overlays.plate_check = false;
    }
    Ok(())
}

fn settings_ui(
    ui: &mut egui::Ui,
    check: &mut PlateCheckPanel,
    inference: &InferencePanel,
    doc: &Document,
) {
    let before = (check.card.clone(), check.camera, check.check.threshold);
    let classifiers: Vec<_> = inference
        .models
        .iter()
        .filter(|m| m.task == twincity_infer::Task::Classification)
        .collect();
    let name_of = |card: &Option<PathBuf>| {
        card.as_ref().map_or_else(
            || tr("plate-choose"),
            |c| {
                classifiers
                    .iter()
                    .find(|m| m.card == *c)
                    .map_or_else(|| c.display().to_string(), |m| m.name.clone())
            },
        )
    };
    ui.horizontal(|ui| {
        ui.label(tr("plate-classifier"));
        egui::ComboBox::from_id_salt("plate check card")
            .selected_text(name_of(&check.card))
            .show_ui(ui, |ui| {
                for m in &classifiers {
                    ui.selectable_value(&mut check.card, Some(m.card.clone()), &m.name);
                }
            });
    });
    if classifiers.is_empty() {
        ui.weak(tr("plate-no-classifier"));
    }
    let camera_name = |id: Option<CameraId>| {
        id.and_then(|id| doc.project.cameras.iter().find(|c| c.id == id))
            .map_or_else(|| tr("plate-choose"), |c| c.name.clone())
    };
    ui.horizontal(|ui| {
        ui.label(tr("plate-camera"));
        egui::ComboBox::from_id_salt("plate check camera")
            .selected_text(camera_name(check.camera))
            .show_ui(ui, |ui| {
                for c in &doc.project.cameras {
                    ui.selectable_value(&mut check.camera, Some(c.id), &c.name);
                }
            });
    });
    ui.add(
        crate::editor::widgets::slider(&mut check.check.threshold, 0.0..=1.0)
            .text(tr("plate-threshold")),
    );
    if let Some(e) = &check.error {
        ui.colored_label(egui::Color32::from_rgb(255, 90, 90), e);
    }
    if (check.card.clone(), check.camera, check.check.threshold) != before {
        check.error = None;
        check.check.reset();
    }
}

fn rows_ui(ui: &mut egui::Ui, check: &PlateCheck) {
    if check.rows.is_empty() {
        ui.weak(tr("plate-no-passage"));
        return;
    }
    egui::Grid::new("plate check rows")
        .striped(true)
        .show(ui, |ui| {
            for h in [
                "plate-column-time",
                "plate-column-plate",
                "plate-column-speed",
                "plate-column-registered",
                "plate-column-registered-body",
                "plate-column-seen",
                "plate-column-verdict",
                "plate-column-truth",
            ] {
                ui.strong(tr(h));
            }
            ui.end_row();
            for r in &check.rows {
                ui.label(format!("{} s", twincity_i18n::number(r.time_s, 1)));
                ui.label(&r.plate);
                ui.label(format!("{} km/h", twincity_i18n::number(r.speed_kmh, 0)));
                ui.label(
                    r.registered
                        .as_ref()
                        .map_or_else(|| tr("plate-not-registered"), |(a, b)| format!("{a} {b}")),
                );
                ui.label(r.registered_body.as_deref().unwrap_or("?"));
                ui.label(r.predicted.as_ref().map_or("-".into(), |(l, s)| {
                    format!("{l} {}", twincity_i18n::number(*s as f64, 2))
                }));
                let text = r.verdict.shown();
                if r.verdict == Verdict::PossiblyCloned {
                    ui.colored_label(egui::Color32::from_rgb(255, 90, 90), text);
                } else {
                    ui.label(text);
                }
                ui.weak(if r.truth_cloned {
                    tr("plate-truth-cloned")
                } else {
                    String::new()
                });
                ui.end_row();
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use twincity_scenario::run::ScenarioRun;
    use twincity_scenario::vehicles::VehicleBody;

    #[test]
    fn the_verdict_compares_the_registered_body_with_the_one_seen() {
        let v = |reg, pred, t| verdict(reg, pred, t);
        assert_eq!(v(Some("suv"), Some(("suv", 0.3)), 0.5), Verdict::Match);
        assert_eq!(
            v(Some("suv"), Some(("hatchback", 0.87)), 0.5),
            Verdict::PossiblyCloned
        );
        // At the threshold it alerts; below it does not.
        assert_eq!(
            v(Some("suv"), Some(("hatchback", 0.5)), 0.5),
            Verdict::PossiblyCloned
        );
        assert_eq!(
            v(Some("suv"), Some(("hatchback", 0.49)), 0.5),
            Verdict::Uncertain
        );
        assert_eq!(
            v(None, Some(("hatchback", 0.99)), 0.5),
            Verdict::UnknownRegisteredBody
        );
        assert_eq!(v(Some("suv"), None, 0.5), Verdict::NotSeen);
        assert_eq!(v(None, None, 0.5), Verdict::NotSeen);
    }

    #[test]
    fn the_crop_adds_a_tenth_on_each_side_and_stays_in_the_image() {
        // 100 × 50 box: 10 px and 5 px margins.
        assert_eq!(
            crop_box([100.0, 200.0, 200.0, 250.0], 0.1, 960, 540),
            Some([90, 195, 120, 60])
        );
        // Near the corner: clipped.
        assert_eq!(
            crop_box([2.0, 3.0, 52.0, 43.0], 0.1, 960, 540),
            Some([0, 0, 57, 47])
        );
        assert_eq!(
            crop_box([900.0, 500.0, 960.0, 540.0], 0.1, 960, 540),
            Some([894, 496, 66, 44])
        );
        assert_eq!(crop_box([10.0, 10.0, 10.0, 30.0], 0.1, 960, 540), None);
        // Camera pixels to a half-size preview, clipped; nothing left outside the image.
        assert_eq!(
            image_box([-100.0, 100.0, 400.0, 300.0], 0.5, 960, 540),
            Some([0.0, 50.0, 200.0, 150.0])
        );
        assert_eq!(image_box([2000.0, 0.0, 2100.0, 50.0], 0.5, 960, 540), None);
    }

    #[test]
    fn readbacks_with_padded_rows_become_rgb() {
        // 3 px wide: 12 bytes a row, padded to 256.
        let mut data = vec![0u8; 256 * 2];
        data[..4].copy_from_slice(&[1, 2, 3, 255]);
        data[256 + 8..256 + 12].copy_from_slice(&[10, 20, 30, 255]);
        let img = rgb_from_bgra_readback(3, 2, &data).unwrap();
        assert_eq!(img.get_pixel(0, 0).0, [3, 2, 1]);
        assert_eq!(img.get_pixel(2, 1).0, [30, 20, 10]);
        assert!(rgb_from_bgra_readback(3, 3, &data).is_none());
        let tight = vec![7u8; 3 * 2 * 4];
        assert!(rgb_from_bgra_readback(3, 2, &tight).is_some());
    }

    fn body_colour(body: VehicleBody) -> [u8; 3] {
        let i = VehicleBody::ALL.iter().position(|b| *b == body).unwrap() as u8;
        [20 + i * 15, 200, 40]
    }

    /// A stand-in for the rendered picture: each vehicle's projected box filled with its drawn
    /// body's colour, the nearest last.
    fn painted(state: &WorldState, camera: &VirtualCamera, width: u32) -> RgbImage {
        let scale = width as f32 / camera.resolution.0 as f32;
        let height = (camera.resolution.1 as f32 * scale) as u32;
        let mut img = RgbImage::from_pixel(width, height, image::Rgb([128, 128, 128]));
        let mut vehicles: Vec<&VehicleState> = state.vehicles.iter().collect();
        let depth = |v: &VehicleState| {
            let p = twincity_scenario::figures::world(v.position, 0.0);
            -p.distance(camera.position)
        };
        vehicles.sort_by(|a, b| depth(a).total_cmp(&depth(b)));
        for v in vehicles {
            let Some(b) = projected_box(camera, vehicle_points(v))
                .and_then(|b| image_box(b, scale, width, height))
            else {
                continue;
            };
            for y in b[1] as u32..(b[3] as u32).min(height) {
                for x in b[0] as u32..(b[2] as u32).min(width) {
                    img.put_pixel(x, y, image::Rgb(body_colour(v.vehicle.body())));
                }
            }
        }
        img
    }

    /// The stub classifier: the body whose colour covers most of the crop, scored 0.9.
    fn stub_classify(crop: &RgbImage) -> Vec<(String, f32)> {
        let mut best = VehicleBody::ALL
            .iter()
            .map(|b| {
                let c = body_colour(*b);
                let n = crop.pixels().filter(|p| p.0 == c).count();
                (b.name().to_string(), n)
            })
            .collect::<Vec<_>>();
        best.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        best.into_iter()
            .filter(|(_, n)| *n > 0)
            .enumerate()
            .map(|(i, (l, _))| (l, if i == 0 { 0.9 } else { 0.05 }))
            .collect()
    }

    /// The speed-camera scenario's project and its run, at the start.
    fn speed_camera_run() -> (twincity_model::Project, ScenarioRun) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let project =
            twincity_model::Project::load(&root.join("scenarios/south_street.twin.ron")).unwrap();
        let scenario = twincity_scenario::Scenario::load(
            &root.join("scenarios/speed_camera_cloned_plate.scenario.ron"),
        )
        .unwrap();
        let compiled = scenario
            .compile(twincity_scenario::project_latitude(&project))
            .unwrap();
        (project, ScenarioRun::new(compiled).unwrap())
    }

    /// The crop frames the outline it is given (in the editor, the drawn model's vertices),
    /// not the catalogue box: an outline shrunk to half round the vehicle's centre gives a
    /// crop half as large, centred on the same point.
    #[test]
    fn the_crop_frames_the_outline_given() {
        let (project, mut run) = speed_camera_run();
        run.advance_to(11.2);
        let state = run.state();
        let camera = project
            .cameras
            .iter()
            .find(|c| c.name == "Rue sud - radar, face")
            .unwrap();
        let image = painted(&state, camera, 960);
        let whole = vehicle_crop(&state, "cloned clio", camera, &image, &vehicle_points).unwrap();
        let half = |v: &VehicleState| {
            let p = vehicle_points(v);
            let c = p.iter().copied().sum::<Vec3>() / p.len() as f32;
            p.into_iter().map(|q| c + (q - c) * 0.5).collect()
        };
        let shrunk = vehicle_crop(&state, "cloned clio", camera, &image, &half).unwrap();
        for (w, s) in [
            (whole.width(), shrunk.width()),
            (whole.height(), shrunk.height()),
        ] {
            assert!(
                (s as f32 - w as f32 * 0.5).abs() <= 0.1 * w as f32,
                "crop {w} px, half outline {s} px"
            );
        }
        assert!(whole.height() >= 60, "{}", whole.height());
    }

    #[test]
    fn the_shipped_scenario_flags_the_cloned_clio_and_not_the_honest_one() {
        let (project, mut run) = speed_camera_run();
        let checks = run.speed_checks();
        let registry = run.compiled.registry.clone();
        let camera = project
            .cameras
            .iter()
            .find(|c| c.name == "Rue sud - radar, face")
            .unwrap()
            .clone();
        let mut check = PlateCheck::default();
        let mut alerts = Vec::new();
        let mut t = 0.0;
        while t <= run.compiled.duration_s {
            run.advance_to(t);
            let state = run.state();
            let image = painted(&state, &camera, 960);
            alerts.extend(check.observe(
                &checks,
                &registry,
                &state,
                &camera,
                Some(&image),
                &vehicle_points,
                &mut stub_classify,
            ));
            t += 0.1;
        }
        assert_eq!(check.rows.len(), checks.len(), "{:#?}", check.rows);
        assert_eq!(alerts.len(), 1, "{alerts:#?}");
        assert!(
            alerts[0].logged.starts_with(
                "plate AB-123-CD possibly cloned: registered suv (Peugeot 3008), seen hatchback 0.90"
            ),
            "{}",
            alerts[0].logged
        );
        let row = |plate: &str| check.rows.iter().find(|r| r.plate == plate).unwrap();
        let cloned = row("AB-123-CD");
        assert_eq!(cloned.verdict, Verdict::PossiblyCloned);
        assert!(cloned.truth_cloned);
        let seen = cloned.seen_at_s.unwrap();
        assert!(seen >= cloned.time_s && seen <= cloned.time_s + SEEN_WITHIN_S);
        let honest = row("EF-456-GH");
        assert_eq!(honest.verdict, Verdict::Match);
        assert_eq!(honest.predicted.as_ref().unwrap().0, "hatchback");
        assert!(honest.alert.is_none());
        // Seeking back before the checks forgets them; playing again raises the alert again.
        run = ScenarioRun::new(run.compiled.clone()).unwrap();
        run.advance_to(1.0);
        let state = run.state();
        let image = painted(&state, &camera, 960);
        check.observe(
            &checks,
            &registry,
            &state,
            &camera,
            Some(&image),
            &vehicle_points,
            &mut stub_classify,
        );
        assert!(check.rows.is_empty());
    }

    #[test]
    fn a_vehicle_never_seen_is_reported_not_seen_without_alert() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let scenario = twincity_scenario::Scenario::load(
            &root.join("scenarios/speed_camera_cloned_plate.scenario.ron"),
        )
        .unwrap();
        let mut run = ScenarioRun::new(scenario.compile(None).unwrap()).unwrap();
        let checks = run.speed_checks();
        let project =
            twincity_model::Project::load(&root.join("scenarios/south_street.twin.ron")).unwrap();
        let camera = project.cameras[0].clone();
        let mut check = PlateCheck::default();
        // No picture comes back: every check reached becomes "not seen" after its window.
        run.advance_to(run.compiled.duration_s);
        let state = run.state();
        let alerts = check.observe(
            &checks,
            &run.compiled.registry,
            &state,
            &camera,
            None,
            &vehicle_points,
            &mut |_| panic!("nothing to classify"),
        );
        assert!(alerts.is_empty());
        assert_eq!(check.rows.len(), checks.len());
        assert!(check.rows.iter().all(|r| r.verdict == Verdict::NotSeen));
    }
}
