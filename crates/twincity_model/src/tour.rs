//! Tours (`*.tour.ron`): a sequence of steps a demonstrator presents to citizens, each setting
//! the view (an orbit pose, or through a virtual camera), what is shown (coverage, privacy
//! masks, the crowd, a camera preview, a model's overlay and counts, capture against what is
//! kept), the scenario's time, an alert for a person to decide, and a short text in French and
//! English. Every field is documented in `docs/tours.md`.
//!
//! Paths (project, scenario, crowd, model card) are stored relative to the tour file and held
//! absolute in memory, as in the project file.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::project::{EditorView, Project};
use crate::ronfile::{self, DocError, FieldProblem};

/// The tour format version this build reads and writes.
pub const TOUR_VERSION: u32 = 1;
/// File name suffix of tour files.
pub const TOUR_SUFFIX: &str = ".tour.ron";
/// The most steps a tour may hold.
pub const MAX_STEPS: usize = 500;
/// The longest title, and the longest text, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_TEXT_CHARS: usize = 4_000;
/// The longest flight between two steps, and the longest a step may wait before the next
/// one comes on its own, seconds.
pub const MAX_FLIGHT_S: f32 = 30.0;
pub const MAX_ADVANCE_S: f32 = 3_600.0;
/// The latest scenario time a step may name, seconds (a day).
pub const MAX_TIME_S: f64 = 86_400.0;

/// A text in the two languages of the interface.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub fr: String,
    pub en: String,
}

impl Text {
    pub fn new(fr: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            fr: fr.into(),
            en: en.into(),
        }
    }

    /// The text in the language of this ISO 639-1 code (`"fr"`, `"en"`); English for any
    /// other; the other language when this one is empty.
    pub fn get(&self, language: &str) -> &str {
        let (first, second) = if language == "fr" {
            (&self.fr, &self.en)
        } else {
            (&self.en, &self.fr)
        };
        if first.trim().is_empty() {
            second
        } else {
            first
        }
    }

    fn is_empty(&self) -> bool {
        self.fr.trim().is_empty() && self.en.trim().is_empty()
    }
}

/// A whole tour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tour {
    /// Format version; must be [`TOUR_VERSION`].
    pub version: u32,
    pub title: Text,
    /// The project (city, cameras) shown; the bundled demo project when `None`.
    #[serde(default)]
    pub project: Option<PathBuf>,
    /// A scenario (`*.scenario.ron`) played under the steps (its crowd comes with it).
    #[serde(default)]
    pub scenario: Option<PathBuf>,
    /// A crowd scenario shown when there is no scenario.
    #[serde(default)]
    pub crowd: Option<PathBuf>,
    pub steps: Vec<Step>,
}

/// One step of a tour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub title: Text,
    /// What the presenter says, shown under the title.
    #[serde(default)]
    pub text: Text,
    /// Where the view goes.
    #[serde(default)]
    pub view: StepView,
    /// Seconds the view takes to fly from the previous step's pose (0: cut).
    #[serde(default = "default_flight_s")]
    pub flight_s: f32,
    /// What is shown during the step.
    #[serde(default)]
    pub show: Show,
    /// The scenario's (or crowd's) time during the step; `None` leaves it as it is.
    #[serde(default)]
    pub time: Option<StepTime>,
    /// A question the model raised that a person must decide (confirm or dismiss) before the
    /// tour goes on by itself.
    #[serde(default)]
    pub alert: Option<Text>,
    /// Go on to the next step after this many seconds (auto-advance), unless paused.
    #[serde(default)]
    pub advance_after_s: Option<f32>,
}

fn default_flight_s() -> f32 {
    2.0
}

/// Where a step's view goes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum StepView {
    /// Stay where the previous step left the view.
    #[default]
    Keep,
    /// An orbit pose, as the editor's view and the project's `view` field.
    Orbit(EditorView),
    /// Look through the project's camera of this name (its pose and field of view).
    Through(String),
}

/// What a step shows. Everything is off unless the step turns it on, except the people.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Show {
    /// The city's buildings, streets and furniture.
    #[serde(default = "yes")]
    pub city: bool,
    /// The people of the scenario or crowd.
    #[serde(default = "yes")]
    pub people: bool,
    /// The cameras' bodies and fields of view.
    #[serde(default)]
    pub frustums: bool,
    /// DORI pixel-density coverage of the cameras, with occlusion.
    #[serde(default)]
    pub coverage: bool,
    /// The project's privacy masks (and the coverage they black out).
    #[serde(default)]
    pub privacy_masks: bool,
    /// The crowd's density heatmap.
    #[serde(default)]
    pub heatmap: bool,
    /// A camera's live picture, by name, shown large beside the text.
    #[serde(default)]
    pub preview: Option<String>,
    /// A model card run on the previewed camera: its boxes over the picture, its count
    /// against the true count.
    #[serde(default)]
    pub model: Option<PathBuf>,
    /// A camera, by name, whose picture is shown twice side by side: as captured, and as the
    /// product keeps it (faces blurred).
    #[serde(default)]
    pub privacy: Option<String>,
}

fn yes() -> bool {
    true
}

impl Default for Show {
    fn default() -> Self {
        Self {
            city: true,
            people: true,
            frustums: false,
            coverage: false,
            privacy_masks: false,
            heatmap: false,
            preview: None,
            model: None,
            privacy: None,
        }
    }
}

/// The scenario's time during a step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum StepTime {
    /// Stopped at this time, seconds.
    At(f64),
    /// Played from `.0` to `.1` seconds, over and over.
    Play(f64, f64),
}

impl Tour {
    /// An empty tour (no step yet) on the bundled demo project.
    pub fn new(title: Text) -> Self {
        Self {
            version: TOUR_VERSION,
            title,
            project: None,
            scenario: None,
            crowd: None,
            steps: Vec::new(),
        }
    }

    /// Loads and checks a tour file; relative paths become absolute (against its folder).
    pub fn load(path: &Path) -> Result<Self, DocError> {
        let text = ronfile::read_text(path)?;
        Self::from_ron(path, &text)
    }

    /// Parses and checks tour text; `path` names the file in errors and its folder resolves
    /// relative paths.
    pub fn from_ron(path: &Path, text: &str) -> Result<Self, DocError> {
        let mut tour: Tour = ronfile::parse(path, text)?;
        tour.validate().map_err(|p| p.into_error(path, text))?;
        let dir = folder_of(path);
        tour.map_paths(|p| {
            let joined = if p.is_relative() {
                dir.join(p)
            } else {
                p.clone()
            };
            // Canonical where the file exists (no `..` in what is shown), else absolute.
            joined
                .canonicalize()
                .or_else(|_| std::path::absolute(&joined))
                .unwrap_or(joined)
        });
        Ok(tour)
    }

    /// The RON text of this tour, paths relative to `base_dir` where they lie under it.
    pub fn to_ron(&self, base_dir: &Path) -> Result<String, DocError> {
        let mut copy = self.clone();
        copy.map_paths(|p| relative_to(p, base_dir));
        ronfile::to_string(&copy)
    }

    /// Checks, then writes the tour atomically (the old file survives any failure).
    pub fn save(&self, path: &Path) -> Result<(), DocError> {
        self.validate().map_err(|p| p.into_error(path, ""))?;
        let dir = folder_of(path);
        let dir = std::path::absolute(&dir).unwrap_or(dir);
        let text = self.to_ron(&dir)?;
        ronfile::write_atomic(path, text.as_bytes())
    }

    fn map_paths(&mut self, f: impl Fn(&PathBuf) -> PathBuf) {
        for p in [&mut self.project, &mut self.scenario, &mut self.crowd]
            .into_iter()
            .flatten()
        {
            *p = f(p);
        }
        for step in &mut self.steps {
            if let Some(m) = &mut step.show.model {
                *m = f(m);
            }
        }
    }

    /// Checks values that parse but cannot be presented.
    pub fn validate(&self) -> Result<(), FieldProblem> {
        if self.version != TOUR_VERSION {
            return Err(FieldProblem::new(
                "version",
                format!(
                    "this build reads tour version {TOUR_VERSION}, the file has version {}; \
                     write `version: {TOUR_VERSION},`",
                    self.version
                ),
            )
            .at("version"));
        }
        check_text("title", &self.title, MAX_TITLE_CHARS, "title")?;
        if self.steps.is_empty() {
            return Err(
                FieldProblem::new("steps", "is empty; a tour needs at least one step").at("steps"),
            );
        }
        if self.steps.len() > MAX_STEPS {
            return Err(FieldProblem::new(
                "steps",
                format!(
                    "lists {} steps; at most {MAX_STEPS} are supported",
                    self.steps.len()
                ),
            )
            .at("steps"));
        }
        for (i, step) in self.steps.iter().enumerate() {
            step.validate(i)?;
        }
        Ok(())
    }

    /// Checks the names and times the steps use against what they refer to: every camera
    /// named exists in `project`, and every time lies within the scenario's `duration_s` (when
    /// the tour plays one).
    pub fn check_references(
        &self,
        project: &Project,
        duration_s: Option<f64>,
    ) -> Result<(), FieldProblem> {
        let names: Vec<&str> = project.cameras.iter().map(|c| c.name.as_str()).collect();
        for (i, step) in self.steps.iter().enumerate() {
            let anchor = step_anchor(step);
            let cameras = [
                ("view", step_camera(step)),
                ("show.preview", step.show.preview.as_deref()),
                ("show.privacy", step.show.privacy.as_deref()),
            ];
            for (field, name) in cameras {
                if let Some(name) = name
                    && !names.contains(&name)
                {
                    return Err(FieldProblem::new(
                        format!("steps[{i}].{field}"),
                        format!(
                            "names the camera {name:?}, which the project \"{}\" does not have; \
                             its cameras are {}",
                            project.name,
                            quoted_list(&names)
                        ),
                    )
                    .at(anchor));
                }
            }
            if step.show.model.is_some() && step.show.preview.is_none() {
                return Err(FieldProblem::new(
                    format!("steps[{i}].show.model"),
                    "runs on the previewed camera: name one in `show.preview`",
                )
                .at(anchor));
            }
            if let Some(model) = &step.show.model
                && !model.is_file()
            {
                return Err(FieldProblem::new(
                    format!("steps[{i}].show.model"),
                    format!(
                        "{} is not a file; name a model card (such as the bundled \
                         assets/models/yolox_nano.ron), relative to the tour file",
                        model.display()
                    ),
                )
                .at(anchor));
            }
            if let (Some(time), Some(duration)) = (&step.time, duration_s) {
                let latest = match time {
                    StepTime::At(t) => *t,
                    StepTime::Play(_, to) => *to,
                };
                if latest > duration {
                    return Err(FieldProblem::new(
                        format!("steps[{i}].time"),
                        format!("reaches {latest} s, after the end of the scenario ({duration} s)"),
                    )
                    .at(anchor));
                }
            }
        }
        Ok(())
    }
}

impl Step {
    /// A step at an orbit pose, nothing else shown.
    pub fn at(view: StepView, title: Text) -> Self {
        Self {
            title,
            text: Text::default(),
            view,
            flight_s: default_flight_s(),
            show: Show::default(),
            time: None,
            alert: None,
            advance_after_s: None,
        }
    }

    fn validate(&self, i: usize) -> Result<(), FieldProblem> {
        let anchor = step_anchor(self);
        let field = |f: &str| format!("steps[{i}].{f}");
        check_text(&field("title"), &self.title, MAX_TITLE_CHARS, &anchor)?;
        check_length(&field("text"), &self.text, MAX_TEXT_CHARS, &anchor)?;
        if let Some(alert) = &self.alert {
            check_text(&field("alert"), alert, MAX_TEXT_CHARS, &anchor)?;
        }
        if !(self.flight_s.is_finite() && (0.0..=MAX_FLIGHT_S).contains(&self.flight_s)) {
            return Err(FieldProblem::new(
                field("flight_s"),
                format!(
                    "must be between 0 (a cut) and {MAX_FLIGHT_S} seconds, got {}",
                    self.flight_s
                ),
            )
            .at(anchor));
        }
        if let Some(s) = self.advance_after_s
            && !(s.is_finite() && s > 0.0 && s <= MAX_ADVANCE_S)
        {
            return Err(FieldProblem::new(
                field("advance_after_s"),
                format!("must be more than 0 and at most {MAX_ADVANCE_S} seconds, got {s}"),
            )
            .at(anchor));
        }
        if let StepView::Orbit(v) = &self.view {
            check_view(v).map_err(|m| FieldProblem::new(field("view"), m).at(anchor.clone()))?;
        }
        if let StepView::Through(name) = &self.view
            && name.trim().is_empty()
        {
            return Err(FieldProblem::new(
                field("view"),
                "Through(\"\") names no camera; give a camera's name",
            )
            .at(anchor));
        }
        if let Some(time) = &self.time {
            let ok = |t: f64| t.is_finite() && (0.0..=MAX_TIME_S).contains(&t);
            let problem = match *time {
                StepTime::At(t) if !ok(t) => {
                    Some(format!("At({t}) must lie in 0..={MAX_TIME_S} s"))
                }
                StepTime::Play(a, b) if !(ok(a) && ok(b) && a < b) => Some(format!(
                    "Play({a}, {b}) must go from an earlier to a later time within 0..={MAX_TIME_S} s"
                )),
                _ => None,
            };
            if let Some(message) = problem {
                return Err(FieldProblem::new(field("time"), message).at(anchor));
            }
        }
        Ok(())
    }
}

/// The name of the camera a step looks through, if any.
pub fn step_camera(step: &Step) -> Option<&str> {
    match &step.view {
        StepView::Through(name) => Some(name),
        _ => None,
    }
}

/// An orbit pose equivalent to standing at a camera: the same eye, looking the same way (the
/// editor's yaw is the compass bearing, its pitch the tilt), focus `distance` metres ahead.
pub fn view_at_camera(camera: &crate::VirtualCamera, distance: f32) -> EditorView {
    let (sy, cy) = camera.pan_deg.to_radians().sin_cos();
    let (sp, cp) = camera.tilt_deg.to_radians().sin_cos();
    let forward = glam::Vec3::new(sy * cp, -sp, -cy * cp);
    EditorView {
        focus: camera.position + forward * distance,
        yaw_deg: camera.pan_deg.rem_euclid(360.0),
        pitch_deg: camera.tilt_deg.clamp(-89.0, 89.0),
        distance,
    }
}

fn check_view(v: &EditorView) -> Result<(), String> {
    let limit = crate::area::MAX_COORDINATE_M as f32;
    let ok = v.focus.is_finite()
        && v.focus.abs().max_element() <= limit
        && v.yaw_deg.is_finite()
        && v.pitch_deg.is_finite()
        && (-89.0..=89.0).contains(&v.pitch_deg)
        && v.distance.is_finite()
        && v.distance > 0.0
        && v.distance <= limit;
    if ok {
        Ok(())
    } else {
        Err(format!(
            "Orbit must hold finite numbers: a focus within {limit} m of the origin, a pitch \
             between -89 and 89 degrees and a distance of more than 0 and at most {limit} m"
        ))
    }
}

/// A title or alert: both languages given, neither too long.
fn check_text(field: &str, text: &Text, max: usize, anchor: &str) -> Result<(), FieldProblem> {
    for (lang, s) in [("fr", &text.fr), ("en", &text.en)] {
        if s.trim().is_empty() {
            return Err(FieldProblem::new(
                format!("{field}.{lang}"),
                "is empty; give the text in both French (`fr`) and English (`en`)",
            )
            .at(anchor));
        }
    }
    check_length(field, text, max, anchor)
}

/// A text of at most `max` characters in each language (both may be empty).
fn check_length(field: &str, text: &Text, max: usize, anchor: &str) -> Result<(), FieldProblem> {
    if text.is_empty() {
        return Ok(());
    }
    for (lang, s) in [("fr", &text.fr), ("en", &text.en)] {
        let n = s.chars().count();
        if n > max {
            return Err(FieldProblem::new(
                format!("{field}.{lang}"),
                format!("holds {n} characters; at most {max} fit on the screen"),
            )
            .at(anchor));
        }
        if s.trim().is_empty() {
            return Err(FieldProblem::new(
                format!("{field}.{lang}"),
                "is empty while the other language is given; give both",
            )
            .at(anchor));
        }
    }
    Ok(())
}

/// What locates a step in its file: its French title, as written there.
fn step_anchor(step: &Step) -> String {
    format!("{:?}", step.title.fr)
}

fn quoted_list(names: &[&str]) -> String {
    if names.is_empty() {
        return "none".into();
    }
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `path` relative to `base`, with `..` where it lies beside it (so the bundled tours name
/// `../projects/demo.twin.ron`); unchanged when they share no folder.
fn relative_to(path: &Path, base: &Path) -> PathBuf {
    use std::path::Component;
    let (p, b): (Vec<Component>, Vec<Component>) =
        (path.components().collect(), base.components().collect());
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 || !path.is_absolute() {
        return path.to_path_buf();
    }
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c.as_os_str());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Tour {
        let mut tour = Tour::new(Text::new("Visite", "Tour"));
        let mut first = Step::at(
            StepView::Orbit(EditorView::default()),
            Text::new("Le quartier", "The district"),
        );
        first.text = Text::new("Une place, trois caméras.", "A square, three cameras.");
        first.show.frustums = true;
        let mut second = Step::at(
            StepView::Through("Mairie - parvis".into()),
            Text::new("Par la caméra", "Through the camera"),
        );
        second.time = Some(StepTime::Play(5.0, 20.0));
        second.alert = Some(Text::new(
            "Une personne au sol ?",
            "A person on the ground?",
        ));
        second.advance_after_s = Some(8.0);
        tour.steps = vec![first, second];
        tour
    }

    #[test]
    fn tours_round_trip_through_their_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut tour = sample();
        tour.scenario = Some(dir.path().join("scenes/collapse.scenario.ron"));
        let path = dir.path().join("tours/visite.tour.ron");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        tour.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("\"../scenes/collapse.scenario.ron\""),
            "paths are stored relative to the tour: {text}"
        );
        let back = Tour::load(&path).unwrap();
        let mut expected = tour.clone();
        expected.scenario = Some(
            std::path::absolute(
                path.parent()
                    .unwrap()
                    .join("../scenes/collapse.scenario.ron"),
            )
            .unwrap(),
        );
        assert_eq!(back, expected);
    }

    #[test]
    fn errors_name_the_step_and_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.tour.ron");
        let mut tour = sample();
        tour.steps[1].flight_s = 90.0;
        let text = ronfile::to_string(&tour).unwrap();
        let e = Tour::from_ron(&path, &text).unwrap_err().to_string();
        assert!(e.contains("steps[1].flight_s"), "{e}");
        let line = text
            .lines()
            .position(|l| l.contains("Par la caméra"))
            .unwrap()
            + 1;
        assert!(e.contains(&format!("bad.tour.ron:{line}:")), "{e}");
    }

    #[test]
    fn a_title_in_one_language_only_is_refused() {
        let mut tour = sample();
        tour.steps[0].title.en.clear();
        let p = tour.validate().unwrap_err();
        assert_eq!(p.field, "steps[0].title.en");
        let mut tour = sample();
        tour.steps[0].text.fr.clear();
        assert_eq!(tour.validate().unwrap_err().field, "steps[0].text.fr");
    }

    /// A change to a valid tour, and the field its error must name.
    type Case = (Box<dyn Fn(&mut Tour)>, &'static str);

    #[test]
    fn bad_numbers_are_refused() {
        let cases: Vec<Case> = vec![
            (
                Box::new(|t| t.steps[1].time = Some(StepTime::Play(20.0, 5.0))),
                "steps[1].time",
            ),
            (
                Box::new(|t| t.steps[1].time = Some(StepTime::At(f64::NAN))),
                "steps[1].time",
            ),
            (
                Box::new(|t| t.steps[1].advance_after_s = Some(0.0)),
                "steps[1].advance_after_s",
            ),
            (
                Box::new(|t| {
                    t.steps[0].view = StepView::Orbit(EditorView {
                        distance: 1e30,
                        ..EditorView::default()
                    })
                }),
                "steps[0].view",
            ),
            (Box::new(|t| t.steps.clear()), "steps"),
            (Box::new(|t| t.version = 7), "version"),
        ];
        for (change, field) in cases {
            let mut tour = sample();
            change(&mut tour);
            assert_eq!(tour.validate().unwrap_err().field, field);
        }
    }

    #[test]
    fn references_are_checked_against_the_project_and_scenario() {
        let project = Project::demo().unwrap();
        let tour = sample();
        tour.check_references(&project, Some(60.0)).unwrap();
        let e = tour.check_references(&project, Some(10.0)).unwrap_err();
        assert_eq!(e.field, "steps[1].time");
        let mut tour = sample();
        tour.steps[0].show.preview = Some("Nowhere".into());
        let e = tour.check_references(&project, None).unwrap_err();
        assert_eq!(e.field, "steps[0].show.preview");
        assert!(e.message.contains("\"Mairie - parvis\""), "{}", e.message);
        let mut tour = sample();
        tour.steps[0].show.model = Some("missing.ron".into());
        assert_eq!(
            tour.check_references(&project, None).unwrap_err().field,
            "steps[0].show.model"
        );
    }

    #[test]
    fn a_view_at_a_camera_stands_at_its_eye() {
        let project = Project::demo().unwrap();
        let cam = &project.cameras[0];
        let v = view_at_camera(cam, 12.0);
        let (sy, cy) = v.yaw_deg.to_radians().sin_cos();
        let (sp, cp) = v.pitch_deg.to_radians().sin_cos();
        let eye = v.focus - glam::Vec3::new(sy * cp, -sp, -cy * cp) * v.distance;
        assert!(
            eye.distance(cam.position) < 1e-3,
            "{eye} vs {}",
            cam.position
        );
    }

    #[test]
    fn texts_fall_back_to_the_other_language() {
        let t = Text::new("Bonjour", "");
        assert_eq!(t.get("en"), "Bonjour");
        assert_eq!(Text::new("Bonjour", "Hello").get("fr"), "Bonjour");
        assert_eq!(Text::new("Bonjour", "Hello").get("de"), "Hello");
    }
}
