//! Crowd scenarios (RON): a walkable polygon, spawn areas, named people, waypoints (with
//! waiting and queueing), exits, timed behaviours and model parameters. [`super::run::SimRun`]
//! plays one.

use std::path::{Path, PathBuf};

use glam::DVec2;
use serde::{Deserialize, Serialize};

use super::model::CfsmParams;
use super::nav::NavGraph;
use twincity_model::area::WalkableArea;
use twincity_model::ronfile::{self, DocError, FieldProblem};

/// The crowd scenario format version this build reads.
pub const CROWD_SCENARIO_VERSION: u32 = 1;

/// The exit name that lets each agent take the exit closest to it along walkable paths.
pub const NEAREST_EXIT: &str = "nearest";

/// An axis-aligned area in plan coordinates (metres).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    pub min: (f64, f64),
    pub max: (f64, f64),
}

impl Area {
    pub fn min(&self) -> DVec2 {
        DVec2::new(self.min.0, self.min.1)
    }

    pub fn max(&self) -> DVec2 {
        DVec2::new(self.max.0, self.max.1)
    }

    pub fn centre(&self) -> DVec2 {
        (self.min() + self.max()) * 0.5
    }

    pub fn contains(&self, p: DVec2) -> bool {
        p.cmpge(self.min()).all() && p.cmple(self.max()).all()
    }

    /// The rectangle spanned by two corners given in any order.
    pub fn from_corners(a: DVec2, b: DVec2) -> Self {
        let (lo, hi) = (a.min(b), a.max(b));
        Self {
            min: (lo.x, lo.y),
            max: (hi.x, hi.y),
        }
    }

    fn check(&self) -> Result<(), String> {
        let ok = [self.min.0, self.min.1, self.max.0, self.max.1]
            .iter()
            .all(|v| v.is_finite());
        if !ok || self.min.0 >= self.max.0 || self.min.1 >= self.max.1 {
            return Err(format!(
                "must have finite corners with min < max on both axes, got min {:?} max {:?}",
                self.min, self.max
            ));
        }
        Ok(())
    }
}

/// How agents are drawn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AgentProfile {
    /// Mean desired speed, m/s (Weidmann 1993: 1.34).
    pub speed_mean: f64,
    /// Standard deviation of the desired speed, m/s (0.26).
    pub speed_sd: f64,
    /// Desired speeds are clamped to `speed_min..=speed_max`.
    pub speed_min: f64,
    pub speed_max: f64,
    /// Body radius, metres (JuPedSim's default 0.2).
    pub radius: f64,
}

impl Default for AgentProfile {
    fn default() -> Self {
        Self {
            speed_mean: 1.34,
            speed_sd: 0.26,
            speed_min: 0.5,
            speed_max: 2.0,
            radius: 0.2,
        }
    }
}

/// Where people may walk.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WalkableSpec {
    /// An explicit polygon with holes (plan metres).
    Polygon {
        outer: Vec<(f64, f64)>,
        #[serde(default)]
        holes: Vec<Vec<(f64, f64)>>,
    },
    /// The pavements of the bundled demo district: blocks and crossings, minus buildings and
    /// street furniture (see `crowd::city`).
    DemoDistrict,
    /// Derived from an imported glTF/GLB city (see `crowd::city::walkable_area_of_meshes` for
    /// the rule). `file` is relative to the scenario file's folder, or absolute; plan
    /// coordinates are the file's, less [`twincity_gltf::mesh::local_origin`] when the file uses
    /// large projected coordinates.
    Mesh {
        file: PathBuf,
        /// Set for files exported with `+Z` up instead of glTF's `+Y` up.
        #[serde(default)]
        z_up: bool,
        /// The point of the file's coordinates that becomes plan (0, 0): `(east, north, up)`
        /// as in a project's origin. `None`: the file's own re-centring (see
        /// [`twincity_gltf::mesh::local_origin`]). The editor sets the project's origin, so
        /// that people walk where the imported city is drawn.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        origin: Option<(f64, f64, f64)>,
    },
}

/// A walkable area with what the editor needs to draw people on it.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedWalkable {
    pub area: WalkableArea,
    /// Height of the walking surface, metres.
    pub ground_height: f64,
    /// How a mesh area was derived, and what was left out (`None` for polygons).
    pub note: Option<String>,
}

/// Areas derived from meshes, by file, axis, origin and modification: checking and running a
/// scenario derive the same area, and the editor re-derives it on every edit.
static MESH_AREAS: twincity_model::filecache::FileCache<ResolvedWalkable> =
    twincity_model::filecache::FileCache::new();

impl WalkableSpec {
    /// The walkable polygon this stands for. Mesh paths are taken as they are (the loader
    /// makes them absolute); an unreadable mesh is an error naming the file.
    pub fn resolve(&self) -> Result<ResolvedWalkable, String> {
        match self {
            WalkableSpec::Polygon { outer, holes } => Ok(ResolvedWalkable {
                area: WalkableArea {
                    outer: outer.clone(),
                    holes: holes.clone(),
                },
                ground_height: 0.0,
                note: None,
            }),
            WalkableSpec::DemoDistrict => Ok(ResolvedWalkable {
                area: super::city::walkable_area_of(&twincity_scene::demo_city::demo_district()),
                ground_height: twincity_scene::demo_city::KERB_HEIGHT as f64,
                note: None,
            }),
            WalkableSpec::Mesh { file, z_up, origin } => Self::resolve_mesh(
                file,
                *z_up,
                origin.map(|(e, n, u)| glam::DVec3::new(e, u, -n)),
            ),
        }
    }

    fn resolve_mesh(
        file: &Path,
        z_up: bool,
        origin: Option<glam::DVec3>,
    ) -> Result<ResolvedWalkable, String> {
        let mut options = vec![z_up as u64];
        if let Some(o) = origin {
            options.extend(o.to_array().map(f64::to_bits));
        }
        let unreadable = |e: std::io::Error| {
            format!(
                "cannot read {}: {e}; give the path of a .glb or .gltf file, relative to \
                 the scenario's folder",
                file.display()
            )
        };
        MESH_AREAS.get_or_try(file, &options, unreadable, || {
            Self::derive_mesh(file, z_up, origin)
        })
    }

    fn derive_mesh(
        file: &Path,
        z_up: bool,
        origin: Option<glam::DVec3>,
    ) -> Result<ResolvedWalkable, String> {
        let mut soup =
            twincity_gltf::mesh::load_triangles(file, z_up).map_err(|e| e.to_string())?;
        let origin = origin.unwrap_or_else(|| twincity_gltf::mesh::local_origin(&soup));
        soup.translate(-origin);
        let mesh = super::city::walkable_area_of_meshes(&soup)
            .map_err(|m| format!("{}: {m}", file.display()))?;
        let mut note = format!(
            "{} from {} ground part(s) minus {} structure(s)",
            mesh.ground_rule, mesh.ground_parts, mesh.structures
        );
        if origin != glam::DVec3::ZERO {
            note += &format!(
                "; coordinates relative to x, y, z = {:.0}, {:.0}, {:.0} of the file (y up)",
                origin.x, origin.y, origin.z
            );
        }
        if mesh.pieces_dropped > 0 {
            note += &format!(
                "; {} disconnected piece(s) left out (only the largest is walked)",
                mesh.pieces_dropped
            );
        }
        for skipped in &soup.skipped {
            note += &format!("; {skipped}");
        }
        Ok(ResolvedWalkable {
            area: mesh.area,
            ground_height: mesh.ground_height,
            note: Some(note),
        })
    }
}

fn single() -> (u32, u32) {
    (1, 1)
}

/// Where and when agents appear, where they pass and which exit they head for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spawn {
    pub name: String,
    pub area: Area,
    /// How many agents this spawn creates in all.
    pub count: u32,
    /// Name of the exit these agents walk to, or `"nearest"`.
    pub exit: String,
    /// When the first agent appears, seconds.
    #[serde(default)]
    pub start_s: f64,
    /// Agents per second; 0 places all of them at `start_s`.
    #[serde(default)]
    pub rate_per_s: f64,
    /// Waypoints visited in order before the exit.
    #[serde(default)]
    pub via: Vec<String>,
    /// People come in groups of `min..=max` (families, friends), drawn uniformly; a group
    /// appears together, walks at its slowest member's speed and keeps together.
    #[serde(default = "single")]
    pub group_size: (u32, u32),
}

/// One named person at a given spot: the actors of scripted incidents.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub name: String,
    /// Where the person appears, plan metres.
    pub at: (f64, f64),
    /// Name of the exit the person walks to, or `"nearest"`.
    pub exit: String,
    #[serde(default)]
    pub start_s: f64,
    #[serde(default)]
    pub via: Vec<String>,
    /// Desired speed, m/s; 0 draws it from the agent profile.
    #[serde(default)]
    pub speed: f64,
}

/// An area where agents leave the simulation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exit {
    pub name: String,
    pub area: Area,
}

/// What agents do at a waypoint.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum Wait {
    /// Walk through the area and go on.
    #[default]
    None,
    /// Stop at a free spot of the area for a time drawn uniformly in `min_s..=max_s`
    /// (a bench, a shop window, a meeting point).
    Idle { min_s: f64, max_s: f64 },
    /// Queue: line up from `head` in the direction of `towards`, one behind the other; the
    /// person at the head is served for `service_s` seconds, then goes on and the line moves up.
    Queue {
        head: (f64, f64),
        towards: (f64, f64),
        service_s: f64,
    },
}

/// A named area agents pass through on their way (`via` of a spawn or person).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waypoint {
    pub name: String,
    pub area: Area,
    #[serde(default)]
    pub wait: Wait,
}

fn default_flee_factor() -> f64 {
    1.6
}

fn default_flee_stay() -> f64 {
    10.0
}

/// A behaviour that starts at a given time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Action {
    /// Of the agents within `within` metres of `at`, a `share` (0–1, drawn from the seed)
    /// stop what they do and gather in rings around `at`, the first ring `radius` from it,
    /// facing it; after `stay_s` seconds (0: until the end) they go on their way.
    Gather {
        at: (f64, f64),
        radius: f64,
        within: f64,
        share: f64,
        #[serde(default)]
        stay_s: f64,
    },
    /// Agents within `radius` of `from` run away from it, `speed_factor` times faster than
    /// they walk (at most 3 m/s), to a walkable spot 3 m beyond the radius; there they stop
    /// and look back for `stay_s` seconds (0: until the end), then go on their way.
    Flee {
        from: (f64, f64),
        radius: f64,
        #[serde(default = "default_flee_factor")]
        speed_factor: f64,
        #[serde(default = "default_flee_stay")]
        stay_s: f64,
    },
    /// The named person falls where they are (a malaise) and lies still until the end of the
    /// run: an obstacle the others walk around. Of the agents within `within` metres, a
    /// `share` (0–1, drawn from the seed) stop and gather around the body, the nearest one
    /// kneeling beside it; they stay `stay_s` seconds (0: until the end).
    Collapse {
        who: String,
        within: f64,
        share: f64,
        #[serde(default)]
        stay_s: f64,
    },
    /// The named person walks to `at` and stands there for `stay_s` seconds (0: until the end).
    WalkTo {
        who: String,
        at: (f64, f64),
        #[serde(default)]
        stay_s: f64,
    },
}

/// An action and when it happens.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub at_s: f64,
    pub action: Action,
}

fn default_duration() -> f64 {
    60.0
}

fn default_fps() -> u32 {
    10
}

/// A crowd scenario file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrowdScenario {
    pub version: u32,
    pub name: String,
    pub walkable: WalkableSpec,
    #[serde(default)]
    pub spawns: Vec<Spawn>,
    #[serde(default)]
    pub people: Vec<Person>,
    #[serde(default)]
    pub waypoints: Vec<Waypoint>,
    pub exits: Vec<Exit>,
    #[serde(default)]
    pub events: Vec<Event>,
    #[serde(default)]
    pub agents: AgentProfile,
    #[serde(default)]
    pub model: CfsmParams,
    /// Simulated time, seconds (the command line may override it).
    #[serde(default = "default_duration")]
    pub duration_s: f64,
    /// Random seed: same seed, same trajectories.
    #[serde(default)]
    pub seed: u64,
    /// Frames per second of the trajectory output.
    #[serde(default = "default_fps")]
    pub output_fps: u32,
}

/// The folder a file is in (`.` for a bare file name).
/// The most agents one crowd scenario may ask for, all spawns and people together.
pub const MAX_AGENTS: u64 = 1_000_000;
/// The most spawns, people, waypoints, exits or events one crowd scenario may list.
pub const MAX_LIST: usize = 10_000;

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

fn finite_point(p: (f64, f64)) -> bool {
    p.0.is_finite() && p.1.is_finite()
}

fn pt(p: (f64, f64)) -> DVec2 {
    DVec2::new(p.0, p.1)
}

impl CrowdScenario {
    /// Loads and fully checks a scenario file.
    pub fn load(path: &Path) -> Result<Self, DocError> {
        Self::load_with_text(path).map(|(s, _)| s)
    }

    /// Like [`CrowdScenario::load`], also returning the file's text (to locate later errors).
    pub fn load_with_text(path: &Path) -> Result<(Self, String), DocError> {
        let (mut scenario, text): (CrowdScenario, String) = ronfile::read(path)?;
        if let WalkableSpec::Mesh { file, .. } = &mut scenario.walkable {
            *file = folder_of(path).join(&*file);
        }
        scenario
            .check()
            .map_err(|problem| problem.into_error(path, &text))?;
        Ok((scenario, text))
    }

    /// Writes the scenario atomically (the previous file stays intact if anything fails).
    /// Mesh paths are written relative to the file's folder when they lie under it.
    pub fn save(&self, path: &Path) -> Result<(), DocError> {
        let mut copy = self.clone();
        if let WalkableSpec::Mesh { file, .. } = &mut copy.walkable {
            let dir = std::path::absolute(folder_of(path)).unwrap_or_default();
            let abs = std::path::absolute(&*file).unwrap_or_else(|_| file.clone());
            if let Ok(rel) = abs.strip_prefix(&dir) {
                *file = rel.to_path_buf();
            }
        }
        let text = ronfile::to_string(&copy)?;
        ronfile::write_atomic(path, text.as_bytes())
    }

    /// Checks every value and that each spawn and person can reach its waypoints and exit.
    pub fn check(&self) -> Result<(), FieldProblem> {
        self.prepare().map(|_| ())
    }

    /// The speed the fastest agent may reach (fleeing included): sizes neighbour searches.
    pub fn top_speed(&self) -> f64 {
        let flee = self
            .events
            .iter()
            .filter_map(|e| match e.action {
                Action::Flee { speed_factor, .. } => Some(speed_factor),
                _ => None,
            })
            .fold(1.0, f64::max);
        let people = self.people.iter().map(|p| p.speed).fold(0.0, f64::max);
        (self.agents.speed_max.max(people) * flee).min(3.0)
    }

    /// Every agent the file asks for: the spawns' counts and the named people (no overflow,
    /// whatever the counts).
    pub fn agent_count(&self) -> u64 {
        self.spawns.iter().map(|s| u64::from(s.count)).sum::<u64>() + self.people.len() as u64
    }

    fn waypoint_index(&self, name: &str) -> Option<usize> {
        self.waypoints.iter().position(|w| w.name == name)
    }

    /// Checks the scenario and returns what the check had to build anyway: the walkable
    /// area (derived from the city for `DemoDistrict`) and its navigation graph.
    pub(crate) fn prepare(&self) -> Result<(WalkableArea, NavGraph), FieldProblem> {
        if self.version != CROWD_SCENARIO_VERSION {
            return Err(FieldProblem::new(
                "version",
                format!(
                    "this build reads crowd scenario version {CROWD_SCENARIO_VERSION}, the file has {}",
                    self.version
                ),
            )
            .at("version"));
        }
        let area = self
            .walkable
            .resolve()
            .map_err(|m| FieldProblem::new("walkable", m).at("walkable"))?
            .area;
        area.check()
            .map_err(|m| FieldProblem::new("walkable", m).at("walkable"))?;
        self.model
            .check()
            .map_err(|(f, m)| FieldProblem::new(format!("model.{f}"), m).at(f))?;
        self.check_agents_and_timing()?;
        if self.exits.is_empty() {
            return Err(FieldProblem::new(
                "exits",
                "add at least one exit area where agents leave",
            )
            .at("exits"));
        }
        for (i, e) in self.exits.iter().enumerate() {
            self.check_exit(i, e, &area)?;
        }
        for (i, w) in self.waypoints.iter().enumerate() {
            self.check_waypoint(i, w, &area)?;
        }
        if self.spawns.is_empty() && self.people.is_empty() {
            return Err(FieldProblem::new(
                "spawns",
                "add at least one spawn area (or a named person under `people`)",
            )
            .at("spawns"));
        }
        for (field, len) in [
            ("spawns", self.spawns.len()),
            ("people", self.people.len()),
            ("waypoints", self.waypoints.len()),
            ("exits", self.exits.len()),
            ("events", self.events.len()),
        ] {
            if len > MAX_LIST {
                return Err(FieldProblem::new(
                    field,
                    format!("lists {len} entries; at most {MAX_LIST} are supported"),
                )
                .at(field));
            }
        }
        let agents = self.agent_count();
        if agents > MAX_AGENTS {
            return Err(FieldProblem::new(
                "spawns",
                format!(
                    "the spawns and people add up to {agents} agents; at most {MAX_AGENTS} \
                     can be simulated (lower the spawns' `count`)"
                ),
            )
            .at("spawns"));
        }
        let nav = NavGraph::new(&area, self.agents.radius + 0.05);
        for (i, s) in self.spawns.iter().enumerate() {
            self.check_spawn(i, s, &area, &nav)?;
        }
        for (i, p) in self.people.iter().enumerate() {
            self.check_person(i, p, &area, &nav)?;
        }
        for (i, e) in self.events.iter().enumerate() {
            self.check_event(i, e, &area)?;
        }
        Ok((area, nav))
    }

    /// Checks the agent profile, the duration and the output frame rate.
    fn check_agents_and_timing(&self) -> Result<(), FieldProblem> {
        let a = &self.agents;
        if !(a.speed_mean.is_finite()
            && a.speed_mean > 0.0
            && a.speed_sd.is_finite()
            && a.speed_sd >= 0.0)
        {
            return Err(FieldProblem::new(
                "agents",
                "speed_mean must be positive and speed_sd zero or positive",
            )
            .at("agents"));
        }
        if !(a.speed_min > 0.0 && a.speed_min <= a.speed_max && a.speed_max <= 5.0) {
            return Err(FieldProblem::new(
                "agents",
                format!(
                    "need 0 < speed_min <= speed_max <= 5 m/s, got {} and {}",
                    a.speed_min, a.speed_max
                ),
            )
            .at("speed_min"));
        }
        if !(0.05..=1.0).contains(&a.radius) {
            return Err(FieldProblem::new(
                "agents.radius",
                format!("must be between 0.05 and 1 m, got {}", a.radius),
            )
            .at("radius"));
        }
        if !(self.duration_s.is_finite() && self.duration_s > 0.0 && self.duration_s <= 86_400.0) {
            return Err(FieldProblem::new(
                "duration_s",
                format!(
                    "must be more than 0 and at most 86400 s (a day), got {}",
                    self.duration_s
                ),
            )
            .at("duration_s"));
        }
        if !(1..=100).contains(&self.output_fps) {
            return Err(FieldProblem::new(
                "output_fps",
                format!("must be 1 to 100, got {}", self.output_fps),
            )
            .at("output_fps"));
        }
        Ok(())
    }

    /// Checks exit `i`: a valid area centred inside the walkable area, a name that is neither
    /// reserved nor used by an earlier exit.
    fn check_exit(&self, i: usize, e: &Exit, area: &WalkableArea) -> Result<(), FieldProblem> {
        let anchor = format!("\"{}\"", e.name);
        let field = format!("exits[{i}] ({})", e.name);
        e.area
            .check()
            .map_err(|m| FieldProblem::new(format!("{field}.area"), m).at(anchor.clone()))?;
        if !area.contains(e.area.centre()) {
            return Err(FieldProblem::new(
                format!("{field}.area"),
                "its centre must lie inside the walkable area; move the exit area inside the polygon",
            )
            .at(anchor));
        }
        if e.name == NEAREST_EXIT {
            return Err(FieldProblem::new(
                format!("{field}.name"),
                "`nearest` is reserved (a spawn's `exit: \"nearest\"` means the closest exit); rename this exit",
            )
            .at(anchor));
        }
        if self.exits[..i].iter().any(|o| o.name == e.name) {
            return Err(FieldProblem::new(
                format!("exits[{i}].name"),
                format!("`{}` is used twice; exit names must be unique", e.name),
            )
            .at(anchor));
        }
        Ok(())
    }

    /// Checks spawn `i`: its area, count, timing and group size, and that its agents can
    /// reach their waypoints and exit.
    fn check_spawn(
        &self,
        i: usize,
        s: &Spawn,
        area: &WalkableArea,
        nav: &NavGraph,
    ) -> Result<(), FieldProblem> {
        let field = |f: &str| format!("spawns[{i}] ({}).{f}", s.name);
        let anchor = format!("\"{}\"", s.name);
        s.area
            .check()
            .map_err(|m| FieldProblem::new(field("area"), m).at(anchor.clone()))?;
        if s.count == 0 || s.count > 1_000_000 {
            return Err(FieldProblem::new(
                field("count"),
                format!("must be 1 to 1 000 000, got {}", s.count),
            )
            .at(anchor));
        }
        if !(s.start_s.is_finite()
            && s.start_s >= 0.0
            && s.rate_per_s.is_finite()
            && s.rate_per_s >= 0.0)
        {
            return Err(FieldProblem::new(
                field("start_s"),
                "start_s and rate_per_s must be zero or positive",
            )
            .at(anchor));
        }
        let (gmin, gmax) = s.group_size;
        if !(1 <= gmin && gmin <= gmax && gmax <= 12) {
            return Err(FieldProblem::new(
                field("group_size"),
                format!("must be (min, max) with 1 <= min <= max <= 12, got ({gmin}, {gmax})"),
            )
            .at(anchor));
        }
        let Some(from) = walkable_point_in(area, &s.area, self.agents.radius) else {
            return Err(FieldProblem::new(
                field("area"),
                "no point of this area lies inside the walkable area (with room for an agent); move it onto the walkable polygon",
            )
            .at(anchor));
        };
        self.check_route(area, nav, from, &s.via, &s.exit, &field, &anchor)
    }

    /// Checks person `i`: a unique name, a free place to stand inside the walkable area, a
    /// valid start and speed, and a route to their waypoints and exit.
    fn check_person(
        &self,
        i: usize,
        p: &Person,
        area: &WalkableArea,
        nav: &NavGraph,
    ) -> Result<(), FieldProblem> {
        let a = &self.agents;
        let field = |f: &str| format!("people[{i}] ({}).{f}", p.name);
        let anchor = format!("\"{}\"", p.name);
        if self.people[..i].iter().any(|o| o.name == p.name) {
            return Err(FieldProblem::new(
                field("name"),
                "is used twice; people's names must be unique",
            )
            .at(anchor));
        }
        let at = pt(p.at);
        if !finite_point(p.at) || !area.contains(at) || area.distance_to_walls(at) < a.radius {
            return Err(FieldProblem::new(
                field("at"),
                format!(
                    "{:?} is not inside the walkable area with {} m to spare; move the person onto it",
                    p.at, a.radius
                ),
            )
            .at(anchor));
        }
        if let Some(other) = self.people[..i]
            .iter()
            .find(|o| o.start_s == p.start_s && pt(o.at).distance(at) < 2.0 * a.radius)
        {
            return Err(FieldProblem::new(
                field("at"),
                format!(
                    "overlaps `{}` at {:?}: people appearing at the same time must stand at least {} m apart (two radii); move one of them",
                    other.name,
                    other.at,
                    2.0 * a.radius
                ),
            )
            .at(anchor));
        }
        if !(p.start_s.is_finite() && p.start_s >= 0.0) {
            return Err(FieldProblem::new(field("start_s"), "must be zero or positive").at(anchor));
        }
        if !(p.speed == 0.0 || (p.speed.is_finite() && (0.1..=3.0).contains(&p.speed))) {
            return Err(FieldProblem::new(
                field("speed"),
                format!(
                    "must be 0 (drawn from the agent profile) or 0.1 to 3 m/s, got {}",
                    p.speed
                ),
            )
            .at(anchor));
        }
        self.check_route(area, nav, at, &p.via, &p.exit, &field, &anchor)
    }

    fn check_waypoint(
        &self,
        i: usize,
        w: &Waypoint,
        area: &WalkableArea,
    ) -> Result<(), FieldProblem> {
        let field = |f: &str| format!("waypoints[{i}] ({}).{f}", w.name);
        let anchor = format!("\"{}\"", w.name);
        w.area
            .check()
            .map_err(|m| FieldProblem::new(field("area"), m).at(anchor.clone()))?;
        if self.waypoints[..i].iter().any(|o| o.name == w.name) {
            return Err(FieldProblem::new(
                field("name"),
                "is used twice; waypoint names must be unique",
            )
            .at(anchor));
        }
        if walkable_point_in(area, &w.area, self.agents.radius).is_none() {
            return Err(FieldProblem::new(
                field("area"),
                "no point of this area lies inside the walkable area; move it onto the walkable polygon",
            )
            .at(anchor));
        }
        match w.wait {
            Wait::None => {}
            Wait::Idle { min_s, max_s } => {
                if !(min_s.is_finite() && max_s.is_finite() && 0.0 <= min_s && min_s <= max_s) {
                    return Err(FieldProblem::new(
                        field("wait"),
                        format!("Idle needs 0 <= min_s <= max_s, got {min_s} and {max_s}"),
                    )
                    .at(anchor));
                }
            }
            Wait::Queue {
                head,
                towards,
                service_s,
            } => {
                let (h, t) = (pt(head), pt(towards));
                let placed = finite_point(head)
                    && finite_point(towards)
                    && w.area.contains(h)
                    && area.contains(h)
                    && h.distance(t) >= 0.5;
                if !placed {
                    return Err(FieldProblem::new(
                        field("wait"),
                        "a queue's head must lie inside both the waypoint's area and the walkable area, and `towards` at least 0.5 m from it (the line grows from the head towards that point)",
                    )
                    .at(anchor));
                }
                if !(service_s.is_finite() && service_s > 0.0) {
                    return Err(FieldProblem::new(
                        field("wait"),
                        format!("service_s must be a positive number of seconds, got {service_s}"),
                    )
                    .at(anchor));
                }
            }
        }
        Ok(())
    }

    /// Checks that `via` names waypoints, that `exit` names an exit (or is `nearest`) and that
    /// each leg can be walked from `from`.
    #[allow(clippy::too_many_arguments)]
    fn check_route(
        &self,
        walkable: &WalkableArea,
        nav: &NavGraph,
        from: DVec2,
        via: &[String],
        exit: &str,
        field: &dyn Fn(&str) -> String,
        anchor: &str,
    ) -> Result<(), FieldProblem> {
        let mut at = from;
        for name in via {
            let Some(w) = self.waypoint_index(name) else {
                let names: Vec<_> = self.waypoints.iter().map(|w| w.name.as_str()).collect();
                return Err(FieldProblem::new(
                    field("via"),
                    format!(
                        "no waypoint is named `{name}`; waypoints are: {}",
                        if names.is_empty() {
                            "(none)".to_string()
                        } else {
                            names.join(", ")
                        }
                    ),
                )
                .at(anchor));
            };
            let target = waypoint_target(&self.waypoints[w], walkable, self.agents.radius);
            if nav.path(at, target).is_none() {
                return Err(FieldProblem::new(
                    field("via"),
                    format!("waypoint `{name}` cannot be reached: the walkable area has no passage wide enough for agents of radius {} m", self.agents.radius),
                )
                .at(anchor));
            }
            at = target;
        }
        if exit == NEAREST_EXIT {
            if !self
                .exits
                .iter()
                .any(|e| nav.path(at, e.area.centre()).is_some())
            {
                return Err(FieldProblem::new(
                    field("exit"),
                    "no exit can be reached from here: the walkable area has no passage wide enough",
                )
                .at(anchor));
            }
            return Ok(());
        }
        let Some(e) = self.exits.iter().find(|e| e.name == exit) else {
            let names: Vec<_> = self.exits.iter().map(|e| e.name.as_str()).collect();
            return Err(FieldProblem::new(
                field("exit"),
                format!(
                    "no exit is named `{exit}`; exits are: {} (or `nearest`)",
                    names.join(", ")
                ),
            )
            .at(anchor));
        };
        if nav.path(at, e.area.centre()).is_none() {
            return Err(FieldProblem::new(
                field("exit"),
                format!("exit `{}` cannot be reached from this spawn area: the walkable area has no passage wide enough for agents of radius {} m", e.name, self.agents.radius),
            )
            .at(anchor));
        }
        Ok(())
    }

    fn check_event(&self, i: usize, e: &Event, area: &WalkableArea) -> Result<(), FieldProblem> {
        let field = |f: &str| format!("events[{i}].{f}");
        let anchor = "events".to_string();
        if !(e.at_s.is_finite() && e.at_s >= 0.0) {
            return Err(FieldProblem::new(field("at_s"), "must be zero or positive").at(anchor));
        }
        let walkable = |p: (f64, f64)| finite_point(p) && area.contains(pt(p));
        let check_stay = |stay_s: f64| {
            if stay_s.is_finite() && stay_s >= 0.0 {
                Ok(())
            } else {
                Err(
                    FieldProblem::new(field("action.stay_s"), "must be zero or positive")
                        .at(anchor.clone()),
                )
            }
        };
        let check_who = |who: &str| {
            if self.people.iter().any(|p| p.name == who) {
                Ok(())
            } else {
                Err(FieldProblem::new(
                    field("action.who"),
                    format!("no person is named `{who}`; add them under `people`"),
                )
                .at(anchor.clone()))
            }
        };
        match &e.action {
            Action::Gather {
                at,
                radius,
                within,
                share,
                stay_s,
            } => {
                if !walkable(*at) {
                    return Err(FieldProblem::new(
                        field("action.at"),
                        format!("{at:?} is not inside the walkable area; people gather around a point they can reach"),
                    )
                    .at(anchor));
                }
                if !(radius.is_finite() && *radius >= 0.3 && within.is_finite() && *within > 0.0) {
                    return Err(FieldProblem::new(
                        field("action"),
                        format!("Gather needs radius >= 0.3 m and a positive `within`, got {radius} and {within}"),
                    )
                    .at(anchor));
                }
                if !(*share > 0.0 && *share <= 1.0) {
                    return Err(FieldProblem::new(
                        field("action.share"),
                        format!("must be in (0, 1], got {share}"),
                    )
                    .at(anchor));
                }
                check_stay(*stay_s)?;
            }
            Action::Flee {
                from,
                radius,
                speed_factor,
                stay_s,
            } => {
                check_stay(*stay_s)?;
                if !(finite_point(*from) && radius.is_finite() && *radius > 0.0) {
                    return Err(FieldProblem::new(
                        field("action"),
                        "Flee needs a finite `from` point and a positive radius",
                    )
                    .at(anchor));
                }
                if !(1.0..=3.0).contains(speed_factor) {
                    return Err(FieldProblem::new(
                        field("action.speed_factor"),
                        format!("must be 1 to 3, got {speed_factor}"),
                    )
                    .at(anchor));
                }
            }
            Action::Collapse {
                who,
                within,
                share,
                stay_s,
            } => {
                check_who(who)?;
                if !(within.is_finite() && *within >= 0.0 && (0.0..=1.0).contains(share)) {
                    return Err(FieldProblem::new(
                        field("action"),
                        format!("Collapse needs `within` >= 0 m and `share` in [0, 1], got {within} and {share}"),
                    )
                    .at(anchor));
                }
                check_stay(*stay_s)?;
            }
            Action::WalkTo { who, at, stay_s } => {
                check_who(who)?;
                if !walkable(*at) {
                    return Err(FieldProblem::new(
                        field("action.at"),
                        format!("{at:?} is not inside the walkable area; move the point onto it"),
                    )
                    .at(anchor));
                }
                check_stay(*stay_s)?;
            }
        }
        Ok(())
    }
}

/// The point agents head for at a waypoint by default: a queue's head, else a walkable point
/// of the area (its centre when that is walkable).
pub(crate) fn waypoint_target(w: &Waypoint, walkable: &WalkableArea, radius: f64) -> DVec2 {
    match w.wait {
        Wait::Queue { head, .. } => pt(head),
        _ => walkable_point_in(walkable, &w.area, radius).unwrap_or(w.area.centre()),
    }
}

/// A point of `area` inside the walkable area, at least `radius` from walls (scanning a grid).
pub(crate) fn walkable_point_in(
    walkable: &WalkableArea,
    area: &Area,
    radius: f64,
) -> Option<DVec2> {
    let (lo, hi) = (area.min(), area.max());
    let n = 16;
    let mut candidates = vec![area.centre()];
    for i in 0..=n {
        for j in 0..=n {
            let t = DVec2::new(i as f64, j as f64) / n as f64;
            candidates.push(lo + (hi - lo) * t);
        }
    }
    candidates
        .into_iter()
        .find(|p| walkable.contains(*p) && walkable.distance_to_walls(*p) >= radius)
}
