//! Scenarios: a city (a project file), its cameras, a crowd, and a timeline of incidents —
//! illegal dumping, a person collapsing, gatherings and dispersals, vehicles passing a speed
//! camera (with cloned plates), and the environment (time of day, rain, fog, street lights).
//!
//! A scenario file (`*.scenario.ron`, format in `docs/scenarios.md`) is checked as a whole
//! ([`Scenario::load`]), then [`Scenario::compile`] draws every randomised value from the
//! scenario's seed, resolves event times (absolute, or after another event's start or end)
//! and turns the incidents that involve people into crowd actions. [`run::ScenarioRun`] plays
//! it: the same seed gives the same world state at every frame.

use std::path::{Path, PathBuf};

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use twincity_crowd::scenario::{Action, CrowdScenario, Event, Person};
use twincity_model::ronfile::{self, DocError, FieldProblem};

pub use crate::props::ObjectKind;
pub use crate::vehicles::{VehicleBody, VehicleKind};

/// File names of scenarios end with this (other `.ron` files are crowd scenarios).
pub const SCENARIO_SUFFIX: &str = ".scenario.ron";

/// A number in a scenario: a plain value, or one drawn from the scenario's seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Num {
    Fixed(f64),
    Drawn(Draw),
}

impl Default for Num {
    fn default() -> Self {
        Num::Fixed(0.0)
    }
}

/// How a randomised number is drawn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Draw {
    /// Uniformly between the two bounds.
    Range(f64, f64),
    /// One of the values, each as likely.
    Choice(Vec<f64>),
}

impl Num {
    pub(crate) fn check(&self, field: &str) -> Result<(), FieldProblem> {
        let ok = match self {
            Num::Fixed(v) => v.is_finite(),
            Num::Drawn(Draw::Range(a, b)) => a.is_finite() && b.is_finite() && a <= b,
            Num::Drawn(Draw::Choice(values)) => {
                !values.is_empty() && values.iter().all(|v| v.is_finite())
            }
        };
        if ok {
            Ok(())
        } else {
            Err(FieldProblem::new(
                field,
                "must be a finite number, Range(low, high) with low <= high, or Choice([..]) of at least one value",
            ))
        }
    }

    /// The smallest and largest values it can take.
    pub fn bounds(&self) -> (f64, f64) {
        match self {
            Num::Fixed(v) => (*v, *v),
            Num::Drawn(Draw::Range(a, b)) => (*a, *b),
            Num::Drawn(Draw::Choice(values)) => values
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(*v), hi.max(*v))
                }),
        }
    }

    /// The value: the fixed one, or one drawn from `rng`.
    pub fn draw(&self, rng: &mut ChaCha8Rng) -> f64 {
        match self {
            Num::Fixed(v) => *v,
            Num::Drawn(Draw::Range(a, b)) if b > a => rng.random_range(*a..=*b),
            Num::Drawn(Draw::Range(a, _)) => *a,
            Num::Drawn(Draw::Choice(values)) => values[rng.random_range(0..values.len())],
        }
    }
}

fn noon() -> Num {
    Num::Fixed(12.0)
}
fn midsummer() -> u32 {
    172
}
fn paris() -> f64 {
    48.85
}
fn lead() -> f64 {
    8.0
}
fn drop_time() -> Num {
    Num::Fixed(12.0)
}
fn flee_factor() -> f64 {
    1.6
}
fn flee_stay() -> Num {
    Num::Fixed(10.0)
}
fn gate() -> f64 {
    4.0
}

/// Street lights.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lights {
    /// On while the sun is below the horizon (civil twilight and night).
    #[default]
    Auto,
    On,
    Off,
}

/// Light and weather, each value possibly drawn from the seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    /// Local solar time, hours (0 to 24).
    #[serde(default = "noon")]
    pub time_of_day_h: Num,
    /// Day of the year (1 to 366), for the sun's height.
    #[serde(default = "midsummer")]
    pub day_of_year: u32,
    /// Latitude for the sun, degrees; the project's geographic origin is used when it has one.
    #[serde(default = "paris")]
    pub latitude_deg: f64,
    /// Rain, from 0 (dry) to 1 (downpour).
    #[serde(default)]
    pub rain: Num,
    /// Meteorological visibility in fog, metres; `None`: clear air.
    #[serde(default)]
    pub fog_visibility_m: Option<Num>,
    #[serde(default)]
    pub street_lights: Lights,
}

impl Default for Environment {
    fn default() -> Self {
        Self {
            time_of_day_h: noon(),
            day_of_year: midsummer(),
            latitude_deg: paris(),
            rain: Num::Fixed(0.0),
            fog_visibility_m: None,
            street_lights: Lights::Auto,
        }
    }
}

/// A registered plate: what the vehicle carrying it should be.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    pub plate: String,
    pub make: String,
    pub model: String,
    /// The catalogue body of the registered make and model (what a vehicle carrying this
    /// plate should look like), when known: the cloned-plate check compares it with what a
    /// model sees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<VehicleBody>,
}

/// A speed camera: vehicles passing within `gate_m` of `at` are measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpeedCamera {
    pub name: String,
    pub at: (f64, f64),
    pub limit_kmh: f64,
    #[serde(default = "gate")]
    pub gate_m: f64,
}

/// A vehicle: its kind, what it is, and the plate it carries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VehicleSpec {
    pub kind: VehicleKind,
    pub make: String,
    pub model: String,
    /// The plate's text; empty (and left out of the file) for a bicycle, which has none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub plate: String,
    /// The catalogue body drawn (`saloon`, `delivery_van`...; see `docs/scenarios.md`); by
    /// default the kind's usual one (`saloon`, `van`, `pickup`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<VehicleBody>,
    /// Its colour, by name from the body's palette (`white`, `grey`, `black`, `silver`,
    /// `blue`, `red`...); by default drawn from the palette (see `docs/scenarios.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colour: Option<String>,
}

impl VehicleSpec {
    /// The body drawn.
    pub fn body(&self) -> VehicleBody {
        self.body
            .unwrap_or_else(|| VehicleBody::default_for(self.kind))
    }

    /// Length, width, height, metres (the body's).
    pub fn size(&self) -> [f64; 3] {
        self.body().model().size()
    }

    /// Whether it carries a plate (every kind but a bicycle, whose plate is empty).
    pub fn has_plate(&self) -> bool {
        self.kind.has_plate() && !self.plate.trim().is_empty()
    }
}

/// Who dumps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Dumper {
    /// A person walking among the crowd.
    OnFoot,
    /// A van that drives in, parks by the spot while its driver unloads, and drives away.
    Van(VehicleSpec),
}

/// A stop on a vehicle's route.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Park {
    /// Index of the route corner where it stops.
    pub at: usize,
    pub stay_s: Num,
}

/// An incident on the timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Incident {
    /// Illegal dumping: the dumper comes from `from` to `spot`, drops the objects there one
    /// by one over `drop_s` seconds and leaves (on foot: to the nearest exit; a van: to
    /// `leave_to`, else back to `from`). The objects stay.
    Dumping {
        by: Dumper,
        from: (f64, f64),
        spot: (f64, f64),
        objects: Vec<ObjectKind>,
        #[serde(default = "drop_time")]
        drop_s: Num,
        #[serde(default)]
        leave_to: Option<(f64, f64)>,
    },
    /// A person walks from `from` towards `towards` for `walk_before_s` seconds, then falls
    /// (malaise) and lies still: an obstacle. Of the people within `within` metres a `share`
    /// stop and gather, the nearest kneeling beside; they stay `stay_s` (0: until the end).
    Collapse {
        from: (f64, f64),
        towards: (f64, f64),
        #[serde(default = "lead")]
        walk_before_s: f64,
        within: f64,
        share: Num,
        #[serde(default)]
        stay_s: Num,
    },
    /// A `share` of the people within `within` metres converge on `at` (a street show, a
    /// queue, a meeting) in rings from `radius`, and stay `stay_s` seconds (0: until the end).
    Gathering {
        at: (f64, f64),
        radius: f64,
        within: f64,
        share: Num,
        #[serde(default)]
        stay_s: Num,
    },
    /// People within `radius` of `from` run away, `speed_factor` times their walking speed,
    /// stop beyond it and look back for `stay_s` seconds.
    Dispersal {
        from: (f64, f64),
        radius: f64,
        #[serde(default = "flee_factor")]
        speed_factor: f64,
        #[serde(default = "flee_stay")]
        stay_s: Num,
    },
    /// A vehicle drives along `route` (plan corners, lane following) at `speed_kmh`, possibly
    /// parking at one corner; it leaves the scene at the route's end.
    Vehicle {
        vehicle: VehicleSpec,
        route: Vec<(f64, f64)>,
        speed_kmh: Num,
        #[serde(default)]
        park: Option<Park>,
    },
}

impl Incident {
    /// The incident's kind, as written in files and labels.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Incident::Dumping { .. } => "dumping",
            Incident::Collapse { .. } => "collapse",
            Incident::Gathering { .. } => "gathering",
            Incident::Dispersal { .. } => "dispersal",
            Incident::Vehicle { .. } => "vehicle",
        }
    }

    /// The incident's places by field name (vehicle routes are lists, not listed here).
    pub fn points_mut(&mut self) -> Vec<(&'static str, &mut (f64, f64))> {
        match self {
            Incident::Dumping {
                from,
                spot,
                leave_to,
                ..
            } => {
                let mut out = vec![("from", from), ("spot", spot)];
                if let Some(l) = leave_to {
                    out.push(("leave_to", l));
                }
                out
            }
            Incident::Collapse { from, towards, .. } => vec![("from", from), ("towards", towards)],
            Incident::Gathering { at, .. } => vec![("at", at)],
            Incident::Dispersal { from, .. } => vec![("from", from)],
            Incident::Vehicle { .. } => Vec::new(),
        }
    }

    fn needs_crowd(&self) -> bool {
        matches!(
            self,
            Incident::Dumping {
                by: Dumper::OnFoot,
                ..
            } | Incident::Collapse { .. }
                | Incident::Gathering { .. }
                | Incident::Dispersal { .. }
        )
    }
}

/// When an event starts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Start {
    /// Seconds from the start of the scenario.
    At(Num),
    /// `delay_s` after the named event starts.
    After {
        event: String,
        #[serde(default)]
        delay_s: Num,
    },
    /// `delay_s` after the named event ends.
    AfterEnd {
        event: String,
        #[serde(default)]
        delay_s: Num,
    },
}

/// One event of the timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioEvent {
    /// Unique name (other events refer to it; labels carry it).
    pub id: String,
    pub start: Start,
    pub incident: Incident,
}

/// A scenario file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub version: u32,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Project file (city, cameras), relative to the scenario; the bundled demo project when
    /// omitted.
    #[serde(default)]
    pub project: Option<PathBuf>,
    /// Crowd scenario file (walkable area, passers-by), relative to the scenario. Incidents
    /// involving people need one.
    #[serde(default)]
    pub crowd: Option<PathBuf>,
    /// Every random draw of the scenario and its crowd comes from this seed.
    #[serde(default)]
    pub seed: u64,
    pub duration_s: f64,
    #[serde(default)]
    pub environment: Environment,
    #[serde(default)]
    pub registry: Vec<Registration>,
    #[serde(default)]
    pub speed_cameras: Vec<SpeedCamera>,
    #[serde(default)]
    pub events: Vec<ScenarioEvent>,
    /// Domain randomisation of the datasets rendered from it (`twincity render`).
    #[serde(default, skip_serializing_if = "Randomisation::is_default")]
    pub randomisation: Randomisation,
}

/// An event with its times and every value drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct TimedEvent {
    pub id: String,
    pub start_s: f64,
    /// When it is over (for dumping on foot, estimated at 1.3 m/s; the run gives the exact
    /// span). Infinite for what lasts until the end (a fallen person).
    pub end_s: f64,
    pub incident: Incident,
    /// The drawn values, by field name (`drop_s`, `share`, `stay_s`, `speed_kmh`, ...).
    pub drawn: Vec<(String, f64)>,
}

impl TimedEvent {
    pub fn value(&self, name: &str) -> f64 {
        drawn_value(&self.drawn, name)
    }
}

/// The environment with its values drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EnvironmentValues {
    pub time_of_day_h: f64,
    pub day_of_year: u32,
    pub latitude_deg: f64,
    pub rain: f64,
    pub fog_visibility_m: Option<f64>,
    pub lights: Lights,
}

/// A scenario ready to play: times resolved, values drawn, the crowd with its added people
/// and actions.
#[derive(Clone, Debug)]
pub struct Compiled {
    pub name: String,
    pub seed: u64,
    pub duration_s: f64,
    pub events: Vec<TimedEvent>,
    pub environment: EnvironmentValues,
    pub registry: Vec<Registration>,
    pub speed_cameras: Vec<SpeedCamera>,
    pub crowd: Option<CrowdScenario>,
    /// Crowd person name of each on-foot dumper / fallen person, by event index.
    pub actors: Vec<Option<String>>,
    /// Hash of the scenario file's content and seed (for dataset manifests).
    pub hash: u64,
    pub randomisation: Randomisation,
}

/// Latitude of a project's scene, degrees, when its origin is geographic (an EPSG code the
/// exports know, or Earth-centred): the sun of its scenarios is computed there.
pub fn project_latitude(project: &twincity_model::Project) -> Option<f64> {
    let georef = twincity_scene::coverage_export::Georef::new(project.origin.as_ref());
    if !georef.is_wgs84() {
        return None;
    }
    georef.point(0.0, 0.0).map(|p| p[1])
}

/// Walking speed used to estimate when an on-foot dumper arrives, m/s.
const ESTIMATED_WALK: f64 = 1.3;
/// Vans drive in and out at this speed, m/s (20 km/h).
pub const VAN_SPEED: f64 = 20.0 / 3.6;

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// The longest time a value may give, seconds (a scenario lasts at most a day).
pub const MAX_SECONDS: f64 = 86_400.0;
/// The most events, registry entries, speed cameras and route corners a scenario may list.
pub const MAX_EVENTS: usize = 10_000;
pub const MAX_REGISTRY: usize = 100_000;
pub const MAX_SPEED_CAMERAS: usize = 100;
pub const MAX_ROUTE_CORNERS: usize = 10_000;
/// The largest radius or gate, metres.
pub const MAX_RADIUS_M: f64 = 1_000.0;

/// A point of the project's local frame: finite plan metres within
/// [`MAX_COORDINATE_M`](twincity_model::area::MAX_COORDINATE_M) of its origin.
fn in_frame(p: (f64, f64)) -> bool {
    let limit = twincity_model::area::MAX_COORDINATE_M;
    p.0.is_finite() && p.1.is_finite() && p.0.abs() <= limit && p.1.abs() <= limit
}

/// What a point outside the local frame is told.
const FRAME_FIX: &str = "plan metres within 1 000 km of the project's origin (its local frame)";

fn dist(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - b.0).hypot(a.1 - b.1)
}

/// Length of a polyline, metres.
pub fn route_length(route: &[(f64, f64)]) -> f64 {
    route.windows(2).map(|w| dist(w[0], w[1])).sum()
}

/// Where the problems of one event are reported: its field names and its anchor in the file.
struct EventSite<'a> {
    i: usize,
    id: &'a str,
    anchor: String,
}

impl EventSite<'_> {
    /// The event's field `f`, as problems name it.
    fn field(&self, f: &str) -> String {
        format!("events[{}] ({}).{f}", self.i, self.id)
    }

    /// A problem with field `f`.
    fn fail(&self, f: &str, m: String) -> Result<(), FieldProblem> {
        Err(FieldProblem::new(self.field(f), m).at(self.anchor.clone()))
    }

    /// Checks the number in field `f`.
    fn num(&self, f: &str, n: &Num) -> Result<(), FieldProblem> {
        n.check(&self.field(f))
            .map_err(|p| p.at(self.anchor.clone()))
    }

    /// Checks the time in field `f`: zero or positive, at most [`MAX_SECONDS`].
    fn seconds(&self, f: &str, n: &Num) -> Result<(), FieldProblem> {
        self.num(f, n)?;
        let (lo, hi) = n.bounds();
        if lo < 0.0 || hi > MAX_SECONDS {
            return Err(FieldProblem::new(
                self.field(f),
                format!("must be zero or positive and at most {MAX_SECONDS} s (a day)"),
            )
            .at(self.anchor.clone()));
        }
        Ok(())
    }

    /// Checks a share: a number within 0..=1.
    fn share(&self, n: &Num) -> Result<(), FieldProblem> {
        self.num("share", n)?;
        let (lo, hi) = n.bounds();
        if lo < 0.0 || hi > 1.0 {
            return Err(
                FieldProblem::new(self.field("share"), "must be within 0..=1")
                    .at(self.anchor.clone()),
            );
        }
        Ok(())
    }
}

impl Scenario {
    /// Reads and checks a scenario file; the project and crowd paths become relative to the
    /// current folder, and the crowd file is loaded and checked too.
    pub fn load(path: &Path) -> Result<Self, DocError> {
        Self::load_with_text(path).map(|(s, _)| s)
    }

    pub fn load_with_text(path: &Path) -> Result<(Self, String), DocError> {
        let (mut s, text): (Scenario, String) = ronfile::read(path)?;
        let dir = folder_of(path);
        for file in [&mut s.project, &mut s.crowd].into_iter().flatten() {
            *file = dir.join(&*file);
        }
        s.check().map_err(|p| p.into_error(path, &text))?;
        // A file this one names is reported from here: which field named it, and why it
        // cannot be used.
        let referred = |field: &str, e: DocError| DocError::Invalid {
            path: path.to_path_buf(),
            location: ronfile::locate(&text, &format!("{field}:")),
            field: field.into(),
            message: e.to_string(),
        };
        if let Some(crowd) = &s.crowd {
            CrowdScenario::load(crowd).map_err(|e| referred("crowd", e))?;
        }
        if let Some(project) = &s.project {
            twincity_model::Project::load(project).map_err(|e| referred("project", e))?;
        }
        Ok((s, text))
    }

    /// Writes the scenario atomically, paths relative to the file's folder where they lie
    /// under it.
    pub fn save(&self, path: &Path) -> Result<(), DocError> {
        let mut copy = self.clone();
        let dir = std::path::absolute(folder_of(path)).unwrap_or_default();
        for file in [&mut copy.project, &mut copy.crowd].into_iter().flatten() {
            let abs = std::path::absolute(&*file).unwrap_or_else(|_| file.clone());
            if let Ok(rel) = abs.strip_prefix(&dir) {
                *file = rel.to_path_buf();
            }
        }
        let mut text = ronfile::to_string(&copy)?;
        // The comment block at the top of the file (what the scenario is, how to run it) is
        // kept when the file is saved over.
        if let Ok(before) = std::fs::read_to_string(path) {
            let header: String = before
                .lines()
                .take_while(|l| l.trim_start().starts_with("//") || l.trim().is_empty())
                .filter(|l| !l.trim().is_empty())
                .map(|l| format!("{l}\n"))
                .collect();
            text = header + &text;
        }
        ronfile::write_atomic(path, text.as_bytes())
    }

    /// Every value in range, every reference to an existing event, no cycle of `After`s.
    pub fn check(&self) -> Result<(), FieldProblem> {
        if self.version != 1 {
            return Err(FieldProblem::new(
                "version",
                format!(
                    "version {} is not known; this TwinCity reads version 1",
                    self.version
                ),
            )
            .at("version"));
        }
        if !(self.duration_s.is_finite() && self.duration_s > 0.0 && self.duration_s <= 86_400.0) {
            return Err(FieldProblem::new(
                "duration_s",
                format!(
                    "must be more than 0 and at most 86400 s, got {}",
                    self.duration_s
                ),
            )
            .at("duration_s"));
        }
        self.randomisation.check()?;
        let env = &self.environment;
        let at_env = |f: &str| format!("environment.{f}");
        env.time_of_day_h
            .check(&at_env("time_of_day_h"))
            .map_err(|p| p.at("time_of_day_h"))?;
        let (lo, hi) = env.time_of_day_h.bounds();
        if lo < 0.0 || hi > 24.0 {
            return Err(
                FieldProblem::new(at_env("time_of_day_h"), "hours must be within 0..=24")
                    .at("time_of_day_h"),
            );
        }
        if !(1..=366).contains(&env.day_of_year) {
            return Err(
                FieldProblem::new(at_env("day_of_year"), "must be 1 to 366").at("day_of_year")
            );
        }
        if !(env.latitude_deg.is_finite() && env.latitude_deg.abs() <= 90.0) {
            return Err(
                FieldProblem::new(at_env("latitude_deg"), "must be within -90..=90")
                    .at("latitude_deg"),
            );
        }
        env.rain.check(&at_env("rain")).map_err(|p| p.at("rain"))?;
        let (lo, hi) = env.rain.bounds();
        if lo < 0.0 || hi > 1.0 {
            return Err(FieldProblem::new(
                at_env("rain"),
                "must be within 0 (dry) ..= 1 (downpour)",
            )
            .at("rain"));
        }
        if let Some(fog) = &env.fog_visibility_m {
            fog.check(&at_env("fog_visibility_m"))
                .map_err(|p| p.at("fog_visibility_m"))?;
            if fog.bounds().0 < 5.0 {
                return Err(FieldProblem::new(
                    at_env("fog_visibility_m"),
                    "visibility below 5 m is not simulated; use at least 5",
                )
                .at("fog_visibility_m"));
            }
        }
        for (field, len, max) in [
            ("registry", self.registry.len(), MAX_REGISTRY),
            ("speed_cameras", self.speed_cameras.len(), MAX_SPEED_CAMERAS),
            ("events", self.events.len(), MAX_EVENTS),
        ] {
            if len > max {
                return Err(FieldProblem::new(
                    field,
                    format!(
                        "lists {len} entries; at most {max} are supported (split the scenario)"
                    ),
                )
                .at(field));
            }
        }
        for (i, r) in self.registry.iter().enumerate() {
            if r.plate.trim().is_empty() {
                return Err(
                    FieldProblem::new(format!("registry[{i}].plate"), "is empty").at("registry"),
                );
            }
            if self.registry[..i].iter().any(|o| o.plate == r.plate) {
                return Err(FieldProblem::new(
                    format!("registry[{i}].plate"),
                    format!("`{}` is registered twice", r.plate),
                )
                .at(format!("\"{}\"", r.plate)));
            }
        }
        for (i, c) in self.speed_cameras.iter().enumerate() {
            let ok = in_frame(c.at)
                && c.limit_kmh.is_finite()
                && c.limit_kmh > 0.0
                && c.limit_kmh <= 250.0
                && c.gate_m.is_finite()
                && c.gate_m > 0.0
                && c.gate_m <= MAX_RADIUS_M;
            if !ok {
                return Err(FieldProblem::new(
                    format!("speed_cameras[{i}]"),
                    format!(
                        "needs `at` in {FRAME_FIX}, a `limit_kmh` within 0..=250 and a \
                         `gate_m` within 0..={MAX_RADIUS_M}"
                    ),
                )
                .at(format!("\"{}\"", c.name)));
            }
        }
        for (i, e) in self.events.iter().enumerate() {
            self.check_event(i, e)?;
        }
        self.start_order().map(|_| ())
    }

    fn check_event(&self, i: usize, e: &ScenarioEvent) -> Result<(), FieldProblem> {
        let site = EventSite {
            i,
            id: &e.id,
            anchor: format!("\"{}\"", e.id),
        };
        if e.id.trim().is_empty() {
            return site.fail("id", "is empty; give the event a name".into());
        }
        if self.events[..i].iter().any(|o| o.id == e.id) {
            return site.fail(
                "id",
                format!("`{}` is used by two events; ids must be unique", e.id),
            );
        }
        match &e.start {
            Start::At(n) => site.seconds("start", n)?,
            Start::After { event, delay_s } | Start::AfterEnd { event, delay_s } => {
                site.seconds("start.delay_s", delay_s)?;
                if !self.events.iter().any(|o| &o.id == event) {
                    return site.fail(
                        "start.event",
                        format!("no event is called `{event}`; the ids are: {}", self.ids()),
                    );
                }
            }
        }
        if e.incident.needs_crowd() && self.crowd.is_none() {
            return site.fail(
                "incident",
                format!(
                    "a {} involves people: add `crowd: \"FILE.ron\"` (a crowd scenario giving the walkable area; it may have no spawns)",
                    e.incident.kind_name()
                ),
            );
        }
        self.check_incident(&site, &e.incident)?;
        if let Incident::Vehicle { vehicle, park, .. } = &e.incident
            && vehicle.kind == VehicleKind::Bicycle
        {
            self.check_parked_bicycle(&site, &e.start, park.as_ref())?;
        }
        Ok(())
    }

    /// A bicycle stands parked for the whole scenario (no riders are drawn yet): it starts at
    /// 0 s and parks at its first corner for at least the scenario's duration.
    fn check_parked_bicycle(
        &self,
        site: &EventSite,
        start: &Start,
        park: Option<&Park>,
    ) -> Result<(), FieldProblem> {
        let how = format!(
            "write a parked bicycle as `start: At(0.0)`, `route: [(x, y), (x2, y2)]` (it stands \
             at the first corner, facing the second), `speed_kmh: 15.0` and `park: (at: 0, \
             stay_s: {:?})` (at least the scenario's duration_s)",
            self.duration_s
        );
        let why = "bicycles are parked only: no riders are drawn yet, so a bicycle cannot move";
        if !matches!(start, Start::At(n) if n.bounds() == (0.0, 0.0)) {
            return site.fail(
                "start",
                format!("a bicycle stands parked from the start of the scenario ({why}); {how}"),
            );
        }
        match park {
            None => site.fail(
                "incident.park",
                format!("a bicycle needs `park` ({why}); {how}"),
            ),
            Some(p) if p.at != 0 => site.fail(
                "incident.park.at",
                format!(
                    "a bicycle parks at its first corner, 0, not {} ({why}); {how}",
                    p.at
                ),
            ),
            Some(p) if p.stay_s.bounds().0 < self.duration_s => site.fail(
                "incident.park.stay_s",
                format!(
                    "a bicycle stays parked for the whole scenario: at least {} s, got {} s \
                     ({why}); {how}",
                    self.duration_s,
                    p.stay_s.bounds().0
                ),
            ),
            Some(_) => Ok(()),
        }
    }

    /// Checks the points, shares and durations of an event's incident.
    fn check_incident(&self, site: &EventSite, incident: &Incident) -> Result<(), FieldProblem> {
        match incident {
            Incident::Dumping {
                by,
                from,
                spot,
                objects,
                drop_s,
                leave_to,
            } => {
                if !(in_frame(*from) && in_frame(*spot) && leave_to.is_none_or(in_frame)) {
                    return site.fail(
                        "incident",
                        format!("`from`, `spot` and `leave_to` must be points in {FRAME_FIX}"),
                    );
                }
                if objects.is_empty() || objects.len() > 50 {
                    return site.fail("incident.objects", "list 1 to 50 objects".into());
                }
                site.seconds("incident.drop_s", drop_s)?;
                if let Dumper::Van(v) = by {
                    self.check_vehicle(&site.field("incident.by"), &site.anchor, v)?;
                    if v.kind == VehicleKind::Bicycle {
                        return site.fail(
                            "incident.by",
                            "a bicycle cannot drive in to dump (bicycles are parked only: no \
                             riders are drawn yet); use `Van((kind: Van, ...))` or `OnFoot`"
                                .into(),
                        );
                    }
                }
            }
            Incident::Collapse {
                from,
                towards,
                walk_before_s,
                within,
                share: s,
                stay_s,
            } => {
                if !(in_frame(*from) && in_frame(*towards)) {
                    return site.fail(
                        "incident",
                        format!("`from` and `towards` must be points in {FRAME_FIX}"),
                    );
                }
                if !((0.0..=MAX_SECONDS).contains(walk_before_s)
                    && (0.0..=MAX_RADIUS_M).contains(within))
                {
                    return site.fail(
                        "incident",
                        format!(
                            "`walk_before_s` must be 0 to {MAX_SECONDS} s and `within` 0 to \
                             {MAX_RADIUS_M} m"
                        ),
                    );
                }
                site.share(s)?;
                site.seconds("incident.stay_s", stay_s)?;
            }
            Incident::Gathering {
                at,
                radius,
                within,
                share: s,
                stay_s,
            } => {
                if !(in_frame(*at)
                    && (0.3..=MAX_RADIUS_M).contains(radius)
                    && *within > 0.0
                    && *within <= MAX_RADIUS_M)
                {
                    return site.fail(
                        "incident",
                        format!(
                            "needs `at` in {FRAME_FIX}, a `radius` of 0.3 to {MAX_RADIUS_M} m \
                             and a `within` of more than 0 and at most {MAX_RADIUS_M} m"
                        ),
                    );
                }
                site.share(s)?;
                site.seconds("incident.stay_s", stay_s)?;
            }
            Incident::Dispersal {
                from,
                radius,
                speed_factor,
                stay_s,
            } => {
                if !(in_frame(*from) && *radius > 0.0 && *radius <= MAX_RADIUS_M) {
                    return site.fail(
                        "incident",
                        format!(
                            "needs `from` in {FRAME_FIX} and a `radius` of more than 0 and at \
                             most {MAX_RADIUS_M} m"
                        ),
                    );
                }
                if !(1.0..=3.0).contains(speed_factor) {
                    return site.fail(
                        "incident.speed_factor",
                        format!("must be 1 to 3, got {speed_factor}"),
                    );
                }
                site.seconds("incident.stay_s", stay_s)?;
            }
            Incident::Vehicle {
                vehicle,
                route,
                speed_kmh,
                park,
            } => self.check_vehicle_incident(site, vehicle, route, speed_kmh, park.as_ref())?,
        }
        Ok(())
    }

    /// Checks a vehicle incident: the vehicle, a route of finite corners at least 1 m long,
    /// the speed and the parking corner.
    fn check_vehicle_incident(
        &self,
        site: &EventSite,
        vehicle: &VehicleSpec,
        route: &[(f64, f64)],
        speed_kmh: &Num,
        park: Option<&Park>,
    ) -> Result<(), FieldProblem> {
        self.check_vehicle(&site.field("incident.vehicle"), &site.anchor, vehicle)?;
        if route.len() < 2 || route.len() > MAX_ROUTE_CORNERS {
            return site.fail(
                "incident.route",
                format!(
                    "needs 2 to {MAX_ROUTE_CORNERS} corners, got {}",
                    route.len()
                ),
            );
        }
        if let Some(k) = route.iter().position(|p| !in_frame(*p)) {
            return site.fail(
                "incident.route",
                format!("corner {k} is not a point in {FRAME_FIX}"),
            );
        }
        if route_length(route) < 1.0 {
            return site.fail("incident.route", "is shorter than 1 m".into());
        }
        site.num("incident.speed_kmh", speed_kmh)?;
        let (lo, hi) = speed_kmh.bounds();
        if lo <= 0.0 || hi > 250.0 {
            return site.fail(
                "incident.speed_kmh",
                "must be more than 0 and at most 250".into(),
            );
        }
        if let Some(p) = park {
            if p.at >= route.len() {
                return site.fail(
                    "incident.park.at",
                    format!(
                        "corner {} does not exist; the route has {} corners (0 to {})",
                        p.at,
                        route.len(),
                        route.len() - 1
                    ),
                );
            }
            site.seconds("incident.park.stay_s", &p.stay_s)?;
        }
        Ok(())
    }

    fn check_vehicle(
        &self,
        field: &str,
        anchor: &str,
        v: &VehicleSpec,
    ) -> Result<(), FieldProblem> {
        if v.make.trim().is_empty() || v.model.trim().is_empty() {
            return Err(FieldProblem::new(field, "needs a make and a model").at(anchor));
        }
        if v.kind.has_plate() && v.plate.trim().is_empty() {
            return Err(FieldProblem::new(
                format!("{field}.plate"),
                format!(
                    "is empty: a {:?} needs a plate (only bicycles go without one)",
                    v.kind
                ),
            )
            .at(anchor));
        }
        if !v.kind.has_plate() && !v.plate.is_empty() {
            return Err(FieldProblem::new(
                format!("{field}.plate"),
                format!("a bicycle carries no plate: remove `plate: {:?}`", v.plate),
            )
            .at(anchor));
        }
        let body = v.body();
        if body.model().kind != v.kind {
            return Err(FieldProblem::new(
                format!("{field}.body"),
                format!(
                    "`{}` is a {:?}, not a {:?}: set `kind: {:?}` or choose a {:?} body",
                    body.name(),
                    body.model().kind,
                    v.kind,
                    body.model().kind,
                    v.kind
                ),
            )
            .at(anchor));
        }
        if let Some(c) = &v.colour
            && crate::vehicles::named_paint(body, c).is_none()
        {
            let names = crate::vehicles::palette(body)
                .iter()
                .map(|c| c.name)
                .collect::<Vec<_>>();
            return Err(FieldProblem::new(
                format!("{field}.colour"),
                if names.is_empty() {
                    format!("`{}` keeps its livery: remove the colour", body.name())
                } else {
                    format!(
                        "`{c}` is not a colour of `{}`; one of: {}",
                        body.name(),
                        names.join(", ")
                    )
                },
            )
            .at(anchor));
        }
        Ok(())
    }

    fn ids(&self) -> String {
        self.events
            .iter()
            .map(|e| e.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Event indices in an order where each comes after the event it is timed from; an error
    /// naming the cycle when there is one.
    fn start_order(&self) -> Result<Vec<usize>, FieldProblem> {
        let parent = |i: usize| match &self.events[i].start {
            Start::At(_) => None,
            Start::After { event, .. } | Start::AfterEnd { event, .. } => {
                self.events.iter().position(|e| &e.id == event)
            }
        };
        let mut order = Vec::new();
        let mut state = vec![0u8; self.events.len()]; // 0 new, 1 on the path, 2 done
        for root in 0..self.events.len() {
            let mut path = Vec::new();
            let mut i = root;
            loop {
                match state[i] {
                    2 => break,
                    1 => {
                        let cycle: Vec<&str> = path
                            .iter()
                            .skip_while(|&&p| p != i)
                            .map(|&p: &usize| self.events[p].id.as_str())
                            .collect();
                        return Err(FieldProblem::new(
                            format!("events ({})", self.events[i].id),
                            format!(
                                "start times go round in a circle: {} -> {}; time one of them with At(seconds)",
                                cycle.join(" -> "),
                                self.events[i].id
                            ),
                        )
                        .at(format!("\"{}\"", self.events[i].id)));
                    }
                    _ => {}
                }
                state[i] = 1;
                path.push(i);
                match parent(i) {
                    Some(p) => i = p,
                    None => break,
                }
            }
            for &p in path.iter().rev() {
                if state[p] != 2 {
                    state[p] = 2;
                    order.push(p);
                }
            }
        }
        Ok(order)
    }

    /// Draws every value from the seed, resolves start and end times, and prepares the crowd
    /// (loaded from `crowd`, with the scenario's seed and duration, plus a person and action
    /// for each incident involving people). `project_latitude`: the project's geographic
    /// latitude, which the sun uses when given.
    pub fn compile(&self, project_latitude: Option<f64>) -> Result<Compiled, DocError> {
        let mut crowd = match &self.crowd {
            Some(path) => Some(CrowdScenario::load(path)?),
            None => None,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let environment = self.environment.draw(&mut rng, project_latitude);
        // Draws in file order, so adding an event at the end changes no other event's values.
        let drawn: Vec<Vec<(String, f64)>> = self
            .events
            .iter()
            .map(|e| draw_event(e, &mut rng))
            .collect();
        let (start, end) = self.event_times(&drawn)?;
        let actors = match crowd.as_mut() {
            Some(crowd) => self.add_incidents_to_crowd(crowd, &drawn, &start)?,
            None => vec![None; self.events.len()],
        };
        let events = self
            .events
            .iter()
            .enumerate()
            .map(|(i, e)| TimedEvent {
                id: e.id.clone(),
                start_s: start[i],
                end_s: end[i],
                incident: e.incident.clone(),
                drawn: drawn[i].clone(),
            })
            .collect();
        Ok(Compiled {
            name: self.name.clone(),
            seed: self.seed,
            duration_s: self.duration_s,
            events,
            environment,
            registry: self.registry.clone(),
            speed_cameras: self.speed_cameras.clone(),
            crowd,
            actors,
            hash: self.content_hash(),
            randomisation: self.randomisation.clone(),
        })
    }

    /// Each event's start and planned end, seconds, resolved in start order from its drawn
    /// values.
    fn event_times(&self, drawn: &[Vec<(String, f64)>]) -> Result<(Vec<f64>, Vec<f64>), DocError> {
        let order = self.start_order().map_err(|p| DocError::Invalid {
            path: PathBuf::from(&self.name),
            location: None,
            field: p.field,
            message: p.message,
        })?;
        let mut start = vec![0.0f64; self.events.len()];
        let mut end = vec![0.0f64; self.events.len()];
        for &i in &order {
            let e = &self.events[i];
            let value = |n: &str| drawn_value(&drawn[i], n);
            let find = |id: &str| self.events.iter().position(|o| o.id == id).unwrap_or(i);
            start[i] = match &e.start {
                Start::At(_) => value("start"),
                Start::After { event, .. } => start[find(event)] + value("start.delay_s"),
                Start::AfterEnd { event, .. } => {
                    let base = end[find(event)];
                    let base = if base.is_finite() {
                        base
                    } else {
                        start[find(event)]
                    };
                    base + value("start.delay_s")
                }
            };
            end[i] = start[i] + planned_duration(&e.incident, &drawn[i]);
        }
        Ok((start, end))
    }

    /// Gives the crowd the scenario's seed and duration and a person and action for each
    /// incident involving people, then checks it again; each event's person, if it adds one.
    fn add_incidents_to_crowd(
        &self,
        crowd: &mut CrowdScenario,
        drawn: &[Vec<(String, f64)>],
        start: &[f64],
    ) -> Result<Vec<Option<String>>, DocError> {
        crowd.seed = self.seed;
        crowd.duration_s = self.duration_s;
        let mut actors = Vec::with_capacity(self.events.len());
        for (i, e) in self.events.iter().enumerate() {
            actors.push(add_incident_people(crowd, e, start[i], &drawn[i]));
        }
        let path = self.crowd.clone().unwrap_or_default();
        crowd.check().map_err(|p| DocError::Invalid {
            path,
            location: None,
            field: p.field,
            message: format!(
                "{} (after adding the scenario's incidents: check their points lie in the crowd's walkable area)",
                p.message
            ),
        })?;
        Ok(actors)
    }

    /// A hash of the scenario as written, which tells compiled scenarios apart.
    fn content_hash(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        ronfile::to_string(self).unwrap_or_default().hash(&mut h);
        h.finish()
    }
}

impl Environment {
    /// The values, drawn from `rng` (time of day, rain, fog, in that order); the sun at
    /// `project_latitude` when given.
    pub fn draw(&self, rng: &mut ChaCha8Rng, project_latitude: Option<f64>) -> EnvironmentValues {
        EnvironmentValues {
            time_of_day_h: self.time_of_day_h.draw(rng),
            day_of_year: self.day_of_year,
            latitude_deg: project_latitude.unwrap_or(self.latitude_deg),
            rain: self.rain.draw(rng),
            fog_visibility_m: self.fog_visibility_m.as_ref().map(|f| f.draw(rng)),
            lights: self.street_lights,
        }
    }
}

impl Compiled {
    /// Height of the pavement people walk on: the crowd's walkable mesh's ground, or the
    /// demo district's kerb.
    pub fn pavement_height(&self) -> f32 {
        match self.crowd.as_ref().map(|c| &c.walkable) {
            Some(w @ twincity_crowd::WalkableSpec::Mesh { .. }) => {
                w.resolve().map_or(0.0, |r| r.ground_height as f32)
            }
            _ => twincity_scene::demo_city::KERB_HEIGHT,
        }
    }
}

/// The value drawn for field `name` (0 when none was drawn).
fn drawn_value(drawn: &[(String, f64)], name: &str) -> f64 {
    drawn
        .iter()
        .find(|(k, _)| k == name)
        .map_or(0.0, |(_, v)| *v)
}

/// Adds the person and crowd actions of event `e`, starting at `t`, to the crowd; the
/// person's name when it adds one.
fn add_incident_people(
    crowd: &mut CrowdScenario,
    e: &ScenarioEvent,
    t: f64,
    drawn: &[(String, f64)],
) -> Option<String> {
    let value = |n: &str| drawn_value(drawn, n);
    match &e.incident {
        Incident::Dumping {
            by: Dumper::OnFoot,
            from,
            spot,
            ..
        } => {
            let name = format!("{} (dumper)", e.id);
            crowd.people.push(Person {
                name: name.clone(),
                at: *from,
                exit: "nearest".into(),
                start_s: t,
                via: Vec::new(),
                speed: ESTIMATED_WALK,
            });
            crowd.events.push(Event {
                at_s: t + 0.05,
                action: Action::WalkTo {
                    who: name.clone(),
                    at: *spot,
                    stay_s: value("drop_s").max(0.1),
                },
            });
            Some(name)
        }
        Incident::Collapse {
            from,
            towards,
            walk_before_s,
            within,
            ..
        } => {
            let name = format!("{} (person)", e.id);
            let appear = (t - walk_before_s).max(0.0);
            crowd.people.push(Person {
                name: name.clone(),
                at: *from,
                exit: "nearest".into(),
                start_s: appear,
                via: Vec::new(),
                speed: 0.0,
            });
            crowd.events.push(Event {
                at_s: appear + 0.05,
                action: Action::WalkTo {
                    who: name.clone(),
                    at: *towards,
                    stay_s: 0.0,
                },
            });
            crowd.events.push(Event {
                at_s: t.max(appear + 0.1),
                action: Action::Collapse {
                    who: name.clone(),
                    within: *within,
                    share: value("share"),
                    stay_s: value("stay_s"),
                },
            });
            Some(name)
        }
        Incident::Gathering {
            at, radius, within, ..
        } => {
            crowd.events.push(Event {
                at_s: t,
                action: Action::Gather {
                    at: *at,
                    radius: *radius,
                    within: *within,
                    share: value("share").max(1e-6),
                    stay_s: value("stay_s"),
                },
            });
            None
        }
        Incident::Dispersal {
            from,
            radius,
            speed_factor,
            ..
        } => {
            crowd.events.push(Event {
                at_s: t,
                action: Action::Flee {
                    from: *from,
                    radius: *radius,
                    speed_factor: *speed_factor,
                    stay_s: value("stay_s"),
                },
            });
            None
        }
        _ => None,
    }
}

/// Every randomised value of one event, drawn in a fixed order.
fn draw_event(e: &ScenarioEvent, rng: &mut ChaCha8Rng) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    let mut put =
        |name: &str, n: &Num, rng: &mut ChaCha8Rng| out.push((name.to_string(), n.draw(rng)));
    match &e.start {
        Start::At(n) => put("start", n, rng),
        Start::After { delay_s, .. } | Start::AfterEnd { delay_s, .. } => {
            put("start.delay_s", delay_s, rng)
        }
    }
    match &e.incident {
        Incident::Dumping { drop_s, .. } => put("drop_s", drop_s, rng),
        Incident::Collapse { share, stay_s, .. } | Incident::Gathering { share, stay_s, .. } => {
            put("share", share, rng);
            put("stay_s", stay_s, rng);
        }
        Incident::Dispersal { stay_s, .. } => put("stay_s", stay_s, rng),
        Incident::Vehicle {
            speed_kmh, park, ..
        } => {
            put("speed_kmh", speed_kmh, rng);
            if let Some(p) = park {
                put("park.stay_s", &p.stay_s, rng);
            }
        }
    }
    out
}

/// How long an incident lasts from its start, as planned.
fn planned_duration(incident: &Incident, drawn: &[(String, f64)]) -> f64 {
    let value = |n: &str| drawn_value(drawn, n);
    let forever = |v: f64| if v > 0.0 { v } else { f64::INFINITY };
    match incident {
        Incident::Dumping { by, from, spot, .. } => {
            let speed = match by {
                Dumper::OnFoot => ESTIMATED_WALK,
                Dumper::Van(_) => VAN_SPEED,
            };
            dist(*from, *spot) / speed + value("drop_s")
        }
        Incident::Collapse { .. } => f64::INFINITY,
        Incident::Gathering { .. } => forever(value("stay_s")),
        Incident::Dispersal { .. } => value("stay_s") + 5.0,
        Incident::Vehicle { route, park, .. } => {
            route_length(route) / (value("speed_kmh") / 3.6)
                + park.as_ref().map_or(0.0, |_| value("park.stay_s"))
        }
    }
}

/// Domain randomisation: the scenario's `randomisation` section, recorded in the dataset's
/// settings. Numbers are fixed or drawn (`Range`, `Choice`) per image from the seed, the frame
/// and the camera.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Randomisation {
    /// Time of day, rain and fog drawn again for every frame from the scenario's
    /// `environment` ranges (else drawn once, from the seed).
    pub environment_per_frame: bool,
    /// Clothing colours, skin tones and heights drawn per person from the seed (else a
    /// fixed palette).
    pub appearance: bool,
    /// Standard deviation of the sensor noise, 8-bit levels (0–64).
    pub sensor_noise: crate::format::Num,
    /// Length of the motion blur, pixels (0–50).
    pub motion_blur_px: crate::format::Num,
    /// JPEG compression quality (1–100) applied to the picture; none when absent.
    pub jpeg_quality: Option<crate::format::Num>,
    /// Resolution factor, 0.05–1 (0.5: half the camera's pixels each way).
    pub scale: crate::format::Num,
}

impl Default for Randomisation {
    fn default() -> Self {
        Self {
            environment_per_frame: false,
            appearance: false,
            sensor_noise: crate::format::Num::Fixed(0.0),
            motion_blur_px: crate::format::Num::Fixed(0.0),
            jpeg_quality: None,
            scale: crate::format::Num::Fixed(1.0),
        }
    }
}

impl Randomisation {
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// Checks every value's range; the problem names the field.
    pub fn check(&self) -> Result<(), twincity_model::ronfile::FieldProblem> {
        use twincity_model::ronfile::FieldProblem;
        let within = |n: &crate::format::Num, name: &str, lo: f64, hi: f64| {
            n.check(&format!("randomisation.{name}"))
                .map_err(|p| p.at(name))?;
            let (a, b) = n.bounds();
            if a < lo || b > hi {
                return Err(FieldProblem::new(
                    format!("randomisation.{name}"),
                    format!("must lie within {lo}..={hi}, got {a}..={b}"),
                )
                .at(name));
            }
            Ok(())
        };
        within(&self.sensor_noise, "sensor_noise", 0.0, 64.0)?;
        within(&self.motion_blur_px, "motion_blur_px", 0.0, 50.0)?;
        if let Some(q) = &self.jpeg_quality {
            within(q, "jpeg_quality", 1.0, 100.0)?;
        }
        within(&self.scale, "scale", 0.05, 1.0)
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
