//! Crowds in the scene: a crowd scenario played and drawn. People are low-poly figures
//! (one shared mesh, eight clothing colours, heights 1.55–1.90 m) facing where they walk;
//! spawn areas (green) and exits (red) are drawn on the ground.
//!
//! Scenarios are edited through commands: the editor's drawing tools (spawn areas, exits,
//! waypoints, people, gather and flee points, [`crate::editor::crowd_tool`]) send
//! [`CrowdCommand::Add`]; the Crowd panel edits fields and sends [`CrowdCommand::Replace`]; every edit is checked, can be undone
//! and restarts the run at time 0; [`CrowdCommand::Save`] writes the file atomically.
//!
//! Input: [`CrowdCommand`]s from the UI or the command line. Output: person entities and
//! [`CrowdPlayer`] (time, counts, the scenario and its problems) for the UI.

use std::collections::HashMap;
use std::path::PathBuf;

use bevy::prelude::*;
use twincity_crowd::scenario::{
    Action, Area, CrowdScenario, Event, Exit, NEAREST_EXIT, Person as PersonSpec, Spawn, Wait,
    Waypoint,
};
use twincity_crowd::{AgentId, SimRun, Timeline, WalkableSpec};
use twincity_model::geometry::world_from_plan;
use twincity_model::undo::History;
use twincity_scene::demo_city::KERB_HEIGHT;

use bevy::asset::RenderAssetUsages;
use bevy::image::ImageSampler;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
use twincity_crowd::density::{DensityLayout, level_of_service};

use crate::render::frame::{FrameSet, add_frame_sets};

/// System sets of the crowd plugin.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CrowdSet {
    /// Turns input in the view into commands (the editor's drawing tools,
    /// [`crate::editor::crowd_tool`]).
    Input,
    /// Applies commands and advances the simulation.
    Step,
    /// Moves person entities and draws areas.
    Draw,
}

/// What the user asks of the crowd.
#[derive(Message, Clone, Debug, PartialEq)]
pub enum CrowdCommand {
    /// Load a crowd scenario file and start it paused at time 0.
    Load(PathBuf),
    /// Back to time 0 with the same scenario.
    Restart,
    /// Play or pause.
    TogglePlay,
    /// Advance by 0.1 s (paused).
    Step,
    /// Run until this simulated time, then pause (used by `edit --crowd-at`).
    RunUntil(f64),
    /// Jump to this simulated time, back or forward within what was simulated so far.
    Seek(f64),
    /// Start a new, unsaved scenario on this walkable area (nothing to walk yet: draw an exit
    /// and a spawn area).
    New(WalkableSpec),
    /// Add an element drawn in the view (plan coordinates).
    Add(CrowdItem),
    /// The scenario as edited in the panel.
    Replace(Box<CrowdScenario>),
    /// Undo or redo the last scenario edit.
    Undo,
    Redo,
    /// Save to this path, or to the scenario's own file.
    Save(Option<PathBuf>),
}

/// What a drawing tool makes.
#[derive(Clone, Debug, PartialEq)]
pub enum CrowdItem {
    Spawn(Area),
    Exit(Area),
    Waypoint(Area),
    Person((f64, f64)),
    /// A `Gather` event around this point, at the current simulated time.
    Gather((f64, f64)),
    /// A `Flee` event from this point, at the current simulated time.
    Flee((f64, f64)),
}

/// The drawing tool in use: areas are dragged on the ground, points clicked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrowdTool {
    Spawn,
    Exit,
    Waypoint,
    Person,
    Gather,
    Flee,
}

impl CrowdTool {
    pub const ALL: [CrowdTool; 6] = [
        CrowdTool::Spawn,
        CrowdTool::Exit,
        CrowdTool::Waypoint,
        CrowdTool::Person,
        CrowdTool::Gather,
        CrowdTool::Flee,
    ];

    /// Areas are dragged; the others are single clicks.
    pub fn is_area(self) -> bool {
        matches!(
            self,
            CrowdTool::Spawn | CrowdTool::Exit | CrowdTool::Waypoint
        )
    }

    /// What a drag from `a` to `b` (a click when they are equal) adds with this tool.
    pub fn item(self, a: Vec2, b: Vec2) -> CrowdItem {
        let area = Area::from_corners(
            bevy::math::DVec2::new(a.x as f64, a.y as f64),
            bevy::math::DVec2::new(b.x as f64, b.y as f64),
        );
        let p = (b.x as f64, b.y as f64);
        match self {
            CrowdTool::Spawn => CrowdItem::Spawn(area),
            CrowdTool::Exit => CrowdItem::Exit(area),
            CrowdTool::Waypoint => CrowdItem::Waypoint(area),
            CrowdTool::Person => CrowdItem::Person(p),
            CrowdTool::Gather => CrowdItem::Gather(p),
            CrowdTool::Flee => CrowdItem::Flee(p),
        }
    }
}

/// A name not used yet: `Base 1`, `Base 2`, ...
fn fresh_name(base: &str, taken: &[&str]) -> String {
    (1..)
        .map(|k| format!("{base} {k}"))
        .find(|n| !taken.contains(&n.as_str()))
        .expect("an unused name")
}

/// Adds a drawn element to a scenario with sensible defaults (editable in the panel).
pub fn add_item(s: &mut CrowdScenario, item: CrowdItem, now: f64) {
    let round = |v: f64| (v * 10.0).round() / 10.0;
    let area = |a: Area| Area {
        min: (round(a.min.0), round(a.min.1)),
        max: (round(a.max.0), round(a.max.1)),
    };
    let default_exit = if s.exits.len() == 1 {
        s.exits[0].name.clone()
    } else {
        NEAREST_EXIT.to_string()
    };
    match item {
        CrowdItem::Spawn(a) => {
            let taken: Vec<&str> = s.spawns.iter().map(|x| x.name.as_str()).collect();
            let name = fresh_name(&twincity_i18n::tr("note-new-spawn"), &taken);
            s.spawns.push(Spawn {
                name,
                area: area(a),
                count: 20,
                exit: default_exit,
                start_s: 0.0,
                rate_per_s: 1.0,
                via: Vec::new(),
                group_size: (1, 1),
            });
        }
        CrowdItem::Exit(a) => {
            let taken: Vec<&str> = s.exits.iter().map(|x| x.name.as_str()).collect();
            let name = fresh_name(&twincity_i18n::tr("note-new-exit"), &taken);
            s.exits.push(Exit {
                name,
                area: area(a),
            });
        }
        CrowdItem::Waypoint(a) => {
            let taken: Vec<&str> = s.waypoints.iter().map(|x| x.name.as_str()).collect();
            let name = fresh_name(&twincity_i18n::tr("note-new-waypoint"), &taken);
            s.waypoints.push(Waypoint {
                name,
                area: area(a),
                wait: Wait::Idle {
                    min_s: 10.0,
                    max_s: 30.0,
                },
            });
        }
        CrowdItem::Person(p) => {
            let taken: Vec<&str> = s.people.iter().map(|x| x.name.as_str()).collect();
            let name = fresh_name(&twincity_i18n::tr("note-new-person"), &taken);
            s.people.push(PersonSpec {
                name,
                at: (round(p.0), round(p.1)),
                exit: default_exit,
                start_s: 0.0,
                via: Vec::new(),
                speed: 0.0,
            });
        }
        CrowdItem::Gather(p) => s.events.push(Event {
            at_s: round(now),
            action: Action::Gather {
                at: (round(p.0), round(p.1)),
                radius: 1.5,
                within: 20.0,
                share: 0.5,
                stay_s: 60.0,
            },
        }),
        CrowdItem::Flee(p) => s.events.push(Event {
            at_s: round(now),
            action: Action::Flee {
                from: (round(p.0), round(p.1)),
                radius: 10.0,
                speed_factor: 1.6,
                stay_s: 10.0,
            },
        }),
    }
}

/// A scenario with nothing in it yet, on `walkable`.
pub fn empty_scenario(walkable: WalkableSpec) -> CrowdScenario {
    CrowdScenario {
        version: twincity_crowd::scenario::CROWD_SCENARIO_VERSION,
        name: twincity_i18n::tr("note-new-crowd-scenario"),
        walkable,
        spawns: Vec::new(),
        people: Vec::new(),
        waypoints: Vec::new(),
        exits: Vec::new(),
        events: Vec::new(),
        agents: Default::default(),
        model: Default::default(),
        duration_s: 300.0,
        seed: 1,
        output_fps: 10,
    }
}

/// The point of the ground plane at height `ground` under a ray, in plan coordinates.
pub fn ground_point(origin: Vec3, direction: Vec3, ground: f32) -> Option<Vec2> {
    if direction.y.abs() < 1e-6 {
        return None;
    }
    let t = (ground - origin.y) / direction.y;
    (t > 0.0).then(|| twincity_model::geometry::plan_from_world(origin + direction * t))
}

/// The crowd being played.
#[derive(Resource, Default)]
pub struct CrowdPlayer {
    pub path: Option<PathBuf>,
    pub scenario: Option<CrowdScenario>,
    pub run: Option<SimRun>,
    /// Checkpoints for seeking back (every 2 s of simulated time).
    pub timeline: Option<Timeline>,
    pub playing: bool,
    /// Simulated seconds per real second.
    pub speed: f32,
    /// Show the density heatmap (Fruin levels of service).
    pub heatmap: bool,
    pub error: Option<String>,
    /// What is wrong with the edited scenario (it cannot run until fixed).
    pub problem: Option<String>,
    /// Edited since loaded or saved.
    pub dirty: bool,
    /// The drawing tool in use, if any.
    pub tool: Option<CrowdTool>,
    /// Corners (plan) of the area being dragged.
    pub drag: Option<(Vec2, Vec2)>,
    /// Scenario edits, for undo.
    pub history: Option<History<CrowdScenario>>,
    /// Last message of a save.
    pub saved: Option<String>,
    /// Real seconds not yet simulated.
    backlog: f64,
    /// An edit arrived: restart once edits pause.
    restart_due: bool,
}

impl CrowdPlayer {
    pub fn time(&self) -> f64 {
        self.run.as_ref().map_or(0.0, |r| r.time())
    }

    /// The furthest simulated time, which seeking can reach.
    pub fn reached(&self) -> f64 {
        self.timeline.as_ref().map_or(0.0, |t| t.reached_s)
    }

    /// Steps the run and records checkpoints.
    fn step(&mut self) {
        if let Some(run) = self.run.as_mut() {
            run.step();
            if let Some(t) = self.timeline.as_mut() {
                t.record(run);
            }
        }
    }

    /// Makes `scenario` the current one after an edit; it is recorded for undo and the run
    /// restarted once edits pause (one drag in the panel is one undo step).
    fn edited(&mut self, scenario: CrowdScenario) {
        if self.history.is_none() {
            self.history = Some(History::new(scenario.clone()));
        }
        self.scenario = Some(scenario);
        self.dirty = true;
        self.restart_due = true;
    }

    /// Checks the scenario and starts it at time 0, or keeps it stopped with its problem.
    fn restart(&mut self) {
        let Some(s) = self.scenario.clone() else {
            return;
        };
        match SimRun::new(s) {
            Ok(run) => {
                self.start(run);
                self.problem = None;
            }
            Err(p) => {
                self.run = None;
                self.timeline = None;
                self.playing = false;
                self.problem = Some(format!("{}: {}", p.field, p.message));
            }
        }
    }

    fn start(&mut self, run: SimRun) {
        self.timeline = Some(Timeline::new(&run, CHECKPOINT_EVERY_S));
        self.run = Some(run);
        self.backlog = 0.0;
    }

    pub fn walking(&self) -> usize {
        self.run.as_ref().map_or(0, |r| r.crowd().agents().len())
    }

    pub fn exited(&self) -> u32 {
        self.run.as_ref().map_or(0, |r| r.exited())
    }

    /// Height of the walking surface: the demo district's pavements are raised; an imported
    /// city's is its ground's.
    pub fn ground(&self) -> f32 {
        match self.scenario.as_ref().map(|s| &s.walkable) {
            Some(WalkableSpec::DemoDistrict) => KERB_HEIGHT,
            Some(mesh @ WalkableSpec::Mesh { .. }) => {
                mesh.resolve().map_or(0.0, |r| r.ground_height as f32)
            }
            _ => 0.0,
        }
    }
}

/// A person figure; the id links it to its agent.
#[derive(Component)]
pub struct Person(pub AgentId);

#[derive(Resource, Default)]
struct PersonEntities(HashMap<AgentId, Entity>);

pub struct CrowdPlugin;

impl Plugin for CrowdPlugin {
    fn build(&self, app: &mut App) {
        add_frame_sets(app);
        if !app.is_plugin_added::<crate::render::people::PeoplePlugin>() {
            app.add_plugins(crate::render::people::PeoplePlugin);
        }
        // The people are posed after this view has set their states.
        app.configure_sets(
            Update,
            (
                CrowdSet::Input.in_set(FrameSet::Input),
                CrowdSet::Step.in_set(FrameSet::Scene),
                CrowdSet::Draw
                    .in_set(FrameSet::Draw)
                    .before(crate::render::people::PeopleSet::Pose),
            ),
        );
        app.add_message::<CrowdCommand>()
            .insert_resource(CrowdPlayer {
                speed: 1.0,
                ..default()
            })
            .init_resource::<PersonEntities>()
            .init_resource::<HeatmapState>()
            .add_systems(Update, apply_commands_and_step.in_set(CrowdSet::Step))
            .add_systems(
                Update,
                (sync_people, draw_areas, update_heatmap).in_set(CrowdSet::Draw),
            );
    }
}

/// Simulated-time budget per frame, so the editor stays responsive.
const MAX_STEPS_PER_FRAME: u32 = 300;

/// Simulated seconds between checkpoints (seeking simulates at most this much).
const CHECKPOINT_EVERY_S: f64 = 2.0;

fn apply_commands_and_step(
    mut commands: MessageReader<CrowdCommand>,
    mut player: ResMut<CrowdPlayer>,
    time: Res<Time<Real>>,
) {
    let mut edits_this_frame = false;
    for c in commands.read() {
        match c {
            CrowdCommand::Load(path) => match CrowdScenario::load_with_text(path) {
                Ok((scenario, text)) => match SimRun::new(scenario.clone()) {
                    Ok(run) => {
                        player.start(run);
                        player.history = Some(History::new(scenario.clone()));
                        player.scenario = Some(scenario);
                        player.path = Some(path.clone());
                        player.playing = false;
                        player.error = None;
                        player.problem = None;
                        player.dirty = false;
                        player.saved = None;
                    }
                    Err(p) => player.error = Some(p.into_error(path, &text).to_string()),
                },
                Err(e) => player.error = Some(e.to_string()),
            },
            CrowdCommand::Restart => player.restart(),
            CrowdCommand::New(walkable) => {
                let s = empty_scenario(walkable.clone());
                player.history = Some(History::new(s.clone()));
                player.scenario = Some(s);
                player.path = None;
                player.dirty = true;
                player.error = None;
                player.saved = None;
                player.restart();
            }
            CrowdCommand::Add(item) => {
                let now = player.time();
                if let Some(mut s) = player.scenario.clone() {
                    add_item(&mut s, item.clone(), now);
                    player.edited(s);
                }
            }
            CrowdCommand::Replace(s) => {
                if player.scenario.as_ref() != Some(s) {
                    player.edited((**s).clone());
                }
                // Restart when the edits pause (not at every frame of a drag).
                edits_this_frame = true;
            }
            CrowdCommand::Undo | CrowdCommand::Redo => {
                let back = *c == CrowdCommand::Undo;
                if let Some(s) = player.history.as_mut().and_then(|h| h.step(back).cloned()) {
                    player.scenario = Some(s);
                    player.dirty = true;
                    player.restart_due = true;
                }
            }
            CrowdCommand::Save(to) => {
                let Some(s) = player.scenario.clone() else {
                    continue;
                };
                match crate::render::document::save_valid(
                    to.clone(),
                    player.path.as_ref(),
                    s.check(),
                    |p| s.save(p),
                ) {
                    Ok(path) => {
                        player.saved = Some(twincity_i18n::tr_args(
                            "note-saved",
                            &[("file", crate::render::document::file_arg(&path))],
                        ));
                        player.path = Some(path);
                        player.dirty = false;
                    }
                    Err(m) => player.saved = Some(m),
                }
            }
            CrowdCommand::TogglePlay => player.playing = !player.playing,
            CrowdCommand::Step => {
                player.playing = false;
                if let Some(dt) = player.run.as_ref().map(|r| r.scenario.model.dt) {
                    for _ in 0..(0.1 / dt).round() as u32 {
                        player.step();
                    }
                }
            }
            CrowdCommand::RunUntil(t) => {
                while player.run.as_ref().is_some_and(|r| r.time() < *t) {
                    player.step();
                }
            }
            CrowdCommand::Seek(t) => {
                if let Some(timeline) = player.timeline.as_ref() {
                    let run = timeline.seek(*t);
                    player.run = Some(run);
                }
            }
        }
    }
    if player.restart_due && !edits_this_frame {
        player.restart_due = false;
        let player = &mut *player;
        if let (Some(h), Some(s)) = (player.history.as_mut(), player.scenario.as_ref()) {
            h.observe(s, false);
        }
        player.restart();
    }
    if !player.playing {
        player.backlog = 0.0;
        return;
    }
    player.backlog += time.delta_secs_f64() * player.speed as f64;
    let Some(dt) = player.run.as_ref().map(|r| r.scenario.model.dt) else {
        return;
    };
    let mut steps = 0;
    while player.backlog >= dt && steps < MAX_STEPS_PER_FRAME {
        player.step();
        player.backlog -= dt;
        steps += 1;
    }
    // Drop what could not be simulated in time rather than piling it up.
    player.backlog = player.backlog.min(dt);
}

/// The crowd's people, drawn as animated characters: each agent's look is drawn from the
/// scenario's seed and its id, its walking cycle from the distance it walked.
fn sync_people(
    mut commands: Commands,
    player: Res<CrowdPlayer>,
    assets: Option<Res<crate::render::people::CharacterAssets>>,
    loaded: Res<crate::render::people::CharactersLoaded>,
    mut people: ResMut<PersonEntities>,
    mut bodies: Query<&mut crate::render::people::PersonBody>,
) {
    let Some(assets) = assets else {
        return;
    };
    if !loaded.0 || (!player.is_changed() && !loaded.is_changed() && !people.0.is_empty()) {
        return;
    }
    let ground = player.ground();
    let seed = player.scenario.as_ref().map_or(0, |s| s.seed);
    let time_s = player.time();
    let wanted = player.run.iter().flat_map(|run| {
        run.crowd().agents().iter().map(move |a| {
            use twincity_scenario::world::{PersonState, Pose, Role};
            let state = PersonState {
                position: [a.position.x, a.position.y],
                heading: a.direction.y.atan2(a.direction.x),
                pose: if a.speed > 0.05 {
                    Pose::Walking
                } else {
                    Pose::Standing
                },
                role: Role::Passerby,
                carrying: false,
                walked: a.walked,
                speed: a.speed,
                look: twincity_scenario::look::look(seed, a.id.0 as u64, true),
            };
            let body = crate::render::people::PersonBody {
                state,
                time_s,
                ground,
            };
            (a.id, body)
        })
    });
    crate::render::people::sync_people(
        &mut commands,
        &assets,
        &mut people.0,
        &mut bodies,
        wanted,
        Person,
    );
}

/// Side of a heatmap cell, metres, for areas up to [`HEATMAP_MAX_CELLS`] square metres.
const HEATMAP_CELL: f64 = 1.0;
/// Most cells the heatmap texture holds (2048 × 2048); larger areas get coarser cells.
const HEATMAP_MAX_CELLS: f64 = 4_194_304.0;

/// The heatmap cell size for a walkable area spanning `lo..hi`: 1 m, or coarser so that the
/// texture stays within [`HEATMAP_MAX_CELLS`] even for a scenario kilometres wide.
pub fn heatmap_cell(lo: bevy::math::DVec2, hi: bevy::math::DVec2) -> f64 {
    let size = (hi - lo).max(bevy::math::DVec2::splat(HEATMAP_CELL));
    HEATMAP_CELL.max((size.x * size.y / HEATMAP_MAX_CELLS).sqrt().ceil())
}

#[derive(Resource, Default)]
struct HeatmapState {
    /// The ground sheet and its image, made for the area of `density`.
    entity: Option<Entity>,
    image: Option<Handle<Image>>,
    /// Real time of the last refresh.
    refreshed: f64,
    /// The walkable area, and its density grid with the wall correction (kept while the
    /// heatmap is off: the grid depends on the area only).
    density: Option<(twincity_crowd::WalkableArea, DensityLayout)>,
}

/// Colour of a density on the heatmap: Fruin's levels A–F, transparent where nobody is.
pub fn heatmap_colour(density: f32) -> [u8; 4] {
    if density <= 0.0 {
        return [0, 0, 0, 0];
    }
    match level_of_service(density) {
        'A' => [80, 200, 80, 140],
        'B' => [160, 215, 60, 150],
        'C' => [240, 215, 50, 160],
        'D' => [250, 150, 40, 170],
        'E' => [240, 75, 25, 180],
        _ => [175, 15, 25, 190],
    }
}

fn update_heatmap(
    mut commands: Commands,
    player: Res<CrowdPlayer>,
    mut state: ResMut<HeatmapState>,
    mut images: ResMut<Assets<Image>>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    time: Res<Time<Real>>,
) {
    let run = match (&player.run, player.heatmap) {
        (Some(run), true) => run,
        _ => {
            if let Some(e) = state.entity.take() {
                commands.entity(e).despawn();
            }
            return;
        }
    };
    let now = time.elapsed_secs_f64();
    if state.entity.is_some() && now - state.refreshed < 0.25 {
        return;
    }
    state.refreshed = now;
    // Corrected for the walls, so that people along a wall read their density and nothing is
    // drawn off the walkable area. Testing every cell against the area is what costs: it is
    // done once per area, each refresh then only sums the people's kernels.
    let area = run.area();
    let (lo, hi) = area.bounds();
    let cell = heatmap_cell(lo, hi);
    let new_area = state.density.as_ref().is_none_or(|(a, _)| a != area);
    if new_area {
        state.density = Some((area.clone(), DensityLayout::new(Some(area), lo, hi, cell)));
    }
    if new_area || state.entity.is_none() {
        if let Some(e) = state.entity.take() {
            commands.entity(e).despawn();
        }
        let (cols, rows) = DensityLayout::grid_size(lo, hi, cell);
        let mut image = Image::new_fill(
            Extent3d {
                width: cols as u32,
                height: rows as u32,
                depth_or_array_layers: 1,
            },
            TextureDimension::D2,
            &[0, 0, 0, 0],
            TextureFormat::Rgba8UnormSrgb,
            RenderAssetUsages::default(),
        );
        image.sampler = ImageSampler::nearest();
        let handle = images.add(image);
        // Plan (east, north) -> world (x, -z); image row 0 is the north edge.
        let y = player.ground() + 0.06;
        let (w, e, s, n) = (
            lo.x as f32,
            (lo.x + cols as f64 * cell) as f32,
            lo.y as f32,
            (lo.y + rows as f64 * cell) as f32,
        );
        let entity = commands
            .spawn(crate::render::overlay::ground_sheet(
                "Density heatmap",
                handle.clone(),
                (w, e, s, n),
                y,
                &mut meshes,
                &mut materials,
            ))
            .id();
        state.entity = Some(entity);
        state.image = Some(handle);
    }
    let Some((_, layout)) = &state.density else {
        return;
    };
    let grid = layout.estimate(run.crowd().agents());
    if let Some(mut image) = state.image.as_ref().and_then(|h| images.get_mut(h)) {
        let mut data = Vec::with_capacity(grid.cols * grid.rows * 4);
        for row in (0..grid.rows).rev() {
            for col in 0..grid.cols {
                data.extend_from_slice(&heatmap_colour(grid.values[row * grid.cols + col]));
            }
        }
        image.data = Some(data);
    }
}

fn draw_areas(mut gizmos: Gizmos, player: Res<CrowdPlayer>) {
    let Some(s) = player.scenario.as_ref() else {
        return;
    };
    let y = player.ground() + 0.05;
    let rect = |gizmos: &mut Gizmos, min: (f64, f64), max: (f64, f64), colour: Color| {
        let corners = [
            (min.0, min.1),
            (max.0, min.1),
            (max.0, max.1),
            (min.0, max.1),
            (min.0, min.1),
        ]
        .map(|(x, z)| world_from_plan(Vec2::new(x as f32, z as f32), y));
        gizmos.linestrip(corners, colour);
    };
    for sp in &s.spawns {
        rect(
            &mut gizmos,
            sp.area.min,
            sp.area.max,
            Color::srgb(0.2, 0.9, 0.3),
        );
    }
    for e in &s.exits {
        rect(
            &mut gizmos,
            e.area.min,
            e.area.max,
            Color::srgb(0.95, 0.25, 0.2),
        );
    }
    for w in &s.waypoints {
        rect(
            &mut gizmos,
            w.area.min,
            w.area.max,
            Color::srgb(0.95, 0.8, 0.2),
        );
        if let Wait::Queue { head, towards, .. } = w.wait {
            let [h, t] =
                [head, towards].map(|(x, z)| world_from_plan(Vec2::new(x as f32, z as f32), y));
            gizmos.arrow(t, h, Color::srgb(0.95, 0.8, 0.2));
        }
    }
    let circle = |gizmos: &mut Gizmos, at: (f64, f64), r: f32, colour: Color| {
        let centre = world_from_plan(Vec2::new(at.0 as f32, at.1 as f32), y);
        gizmos.circle(
            Isometry3d::new(centre, Quat::from_rotation_x(std::f32::consts::FRAC_PI_2)),
            r,
            colour,
        );
    };
    for p in &s.people {
        circle(&mut gizmos, p.at, 0.4, Color::srgb(0.3, 0.8, 1.0));
    }
    for e in &s.events {
        match e.action {
            Action::Gather { at, radius, .. } => {
                circle(&mut gizmos, at, radius as f32, Color::srgb(0.2, 0.9, 0.9));
            }
            Action::Flee { from, radius, .. } => {
                circle(&mut gizmos, from, radius as f32, Color::srgb(0.9, 0.2, 0.8));
            }
            Action::WalkTo { at, .. } => {
                circle(&mut gizmos, at, 0.3, Color::srgb(0.3, 0.8, 1.0));
            }
            // Where the person falls is known only when it happens.
            Action::Collapse { .. } => {}
        }
    }
    if let Some((a, b)) = player.drag
        && player.tool.is_some_and(CrowdTool::is_area)
    {
        let (lo, hi) = (a.min(b), a.max(b));
        rect(
            &mut gizmos,
            (lo.x as f64, lo.y as f64),
            (hi.x as f64, hi.y as f64),
            Color::WHITE,
        );
    }
    // The outline of a drawn or derived area (the demo district's shows in its pavements).
    let area = match &s.walkable {
        WalkableSpec::DemoDistrict => None,
        spec => spec.resolve().ok().map(|r| r.area),
    };
    if let Some(area) = area {
        for ring in std::iter::once(&area.outer).chain(area.holes.iter()) {
            let mut pts: Vec<Vec3> = ring
                .iter()
                .map(|&(x, z)| world_from_plan(Vec2::new(x as f32, z as f32), y))
                .collect();
            if let Some(&first) = pts.first() {
                pts.push(first);
            }
            gizmos.linestrip(pts, Color::srgb(0.9, 0.9, 0.9));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bevy::math::DVec2;

    #[test]
    fn heatmap_cells_stay_within_the_texture_limit() {
        // The demo district: 1 m cells.
        assert_eq!(heatmap_cell(DVec2::splat(-110.0), DVec2::splat(110.0)), 1.0);
        // A 50 km x 50 km area: cells grow until at most 2048 x 2048 of them.
        let c = heatmap_cell(DVec2::ZERO, DVec2::splat(50_000.0));
        let cells = (50_000.0 / c).ceil() * (50_000.0 / c).ceil();
        assert!(cells <= HEATMAP_MAX_CELLS, "{c} m cells -> {cells}");
        assert!(c <= 25.0, "{c}");
        // Degenerate bounds still give a usable cell.
        assert_eq!(heatmap_cell(DVec2::ZERO, DVec2::ZERO), 1.0);
    }
}
