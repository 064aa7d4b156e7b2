//! Scenarios in the scene: a scenario file loaded, played, scrubbed and edited, its world drawn
//! in the 3D view (people with their poses — a fallen person lying, a bystander kneeling —
//! dumped objects, vehicles, the sun where the time of day puts it, night and fog).
//!
//! Input: [`ScenarioCommand`] messages (from the timeline panel, `twincity edit --scenario`).
//! Output: [`ScenarioPlayer`] (state the panel shows) and figure entities tagged
//! [`ScenarioFigure`]. Edits are recorded for undo (one drag, one step), the scenario is
//! recompiled and replayed to the current time; the file is reloaded when it changes on disk
//! and has no unsaved edits here.

use std::path::PathBuf;
use std::time::SystemTime;

use bevy::prelude::*;
use twincity_model::undo::History;
use twincity_scenario::run::ScenarioRun;
use twincity_scenario::world::WorldState;
use twincity_scenario::{Compiled, Scenario};

use crate::render::figure::ScenarioFigure;
use crate::render::frame::{FrameSet, add_frame_sets};

/// System sets of the scenario plugin.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScenarioSet {
    /// Turns input in the view into commands (the editor's point placing,
    /// [`crate::editor::scenario_place`]).
    Input,
    /// Applies commands, plays on, reloads a file changed on disk.
    Step,
    /// Brings figures, light and fog in line with the world state.
    Draw,
}

/// What the user asks of the scenario.
#[derive(Message, Clone, Debug, PartialEq)]
pub enum ScenarioCommand {
    Load(PathBuf),
    /// Save to the given file, or to the one it came from.
    Save(Option<PathBuf>),
    /// The edited scenario (one message per frame of a drag; recorded when edits pause).
    Replace(Box<Scenario>),
    Undo,
    Redo,
    TogglePlay,
    /// Pause and advance one tenth of a second.
    Step,
    Seek(f64),
    /// Play between these times over and over (`None`: to the end, once).
    Loop(Option<(f64, f64)>),
    Close,
}

/// Seconds of scenario time between checkpoints (seeking back replays at most this much).
const CHECKPOINT_EVERY_S: f64 = 5.0;
/// Real seconds between looks at the file's modification time.
const POLL_EVERY_S: f64 = 1.0;

/// The scenario being played and edited.
#[derive(Resource)]
pub struct ScenarioPlayer {
    pub path: Option<PathBuf>,
    pub scenario: Option<Scenario>,
    pub compiled: Option<Compiled>,
    pub run: Option<ScenarioRun>,
    /// Runs at 0, 5, 10... s, for seeking back.
    checkpoints: Vec<ScenarioRun>,
    pub playing: bool,
    /// Scenario seconds per real second.
    pub speed: f32,
    pub loop_range: Option<(f64, f64)>,
    /// Index of the event shown in the editor, if any.
    pub selected: Option<usize>,
    /// The next click in the view sets this place of this event (`points_mut` name, or
    /// `route` to add a corner to a vehicle's route).
    pub placing: Option<(usize, &'static str)>,
    /// An error loading the file.
    pub error: Option<String>,
    /// What is wrong with the edited scenario (it does not play until fixed).
    pub problem: Option<String>,
    pub dirty: bool,
    pub saved: Option<String>,
    pub history: Option<History<Scenario>>,
    /// The file's modification time when loaded or saved.
    modified: Option<SystemTime>,
    last_poll: f64,
    restart_due: bool,
    /// The world at the current time (kept so drawing does not recompute it).
    pub state: Option<WorldState>,
    /// Latitude of the open project's scene, for the sun (when it is geographic).
    pub latitude: Option<f64>,
    /// Leave the events' places undrawn (presentation mode).
    pub hide_places: bool,
}

impl Default for ScenarioPlayer {
    fn default() -> Self {
        Self {
            path: None,
            scenario: None,
            compiled: None,
            run: None,
            checkpoints: Vec::new(),
            playing: false,
            speed: 1.0,
            loop_range: None,
            selected: None,
            placing: None,
            error: None,
            problem: None,
            dirty: false,
            saved: None,
            history: None,
            modified: None,
            last_poll: 0.0,
            restart_due: false,
            state: None,
            latitude: None,
            hide_places: false,
        }
    }
}

fn modified(path: &std::path::Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

impl ScenarioPlayer {
    pub fn time(&self) -> f64 {
        self.run.as_ref().map_or(0.0, |r| r.time())
    }

    pub fn duration(&self) -> f64 {
        self.scenario.as_ref().map_or(0.0, |s| s.duration_s)
    }

    /// Compiles the scenario and plays it to `at` seconds; on a problem, keeps it stopped
    /// with the message.
    fn restart(&mut self, at: f64) {
        let Some(s) = self.scenario.clone() else {
            return;
        };
        let run = s
            .check()
            .map_err(|p| format!("{}: {}", p.field, p.message))
            .and_then(|_| s.compile(self.latitude).map_err(|e| e.to_string()))
            .and_then(|c| {
                let run = ScenarioRun::new(c.clone())
                    .map_err(|p| format!("{}: {}", p.field, p.message))?;
                Ok((c, run))
            });
        match run {
            Ok((compiled, run)) => {
                self.compiled = Some(compiled);
                self.checkpoints = vec![run.clone()];
                self.run = Some(run);
                self.problem = None;
                self.seek(at);
            }
            Err(m) => {
                self.compiled = None;
                self.run = None;
                self.checkpoints.clear();
                self.playing = false;
                self.problem = Some(m);
                self.state = None;
            }
        }
    }

    /// Plays on to `t`, keeping checkpoints.
    fn advance(&mut self, t: f64) {
        let t = t.min(self.duration());
        let Some(run) = self.run.as_mut() else {
            return;
        };
        while run.time() < t - 1e-9 {
            let next = (self.checkpoints.len() as f64 * CHECKPOINT_EVERY_S).min(t);
            run.advance_to(next);
            if (run.time() - self.checkpoints.len() as f64 * CHECKPOINT_EVERY_S).abs() < 1e-9 {
                self.checkpoints.push(run.clone());
            }
        }
        self.state = Some(run.state());
    }

    /// Shows the world under other light and weather (a dataset's per-frame draw) until the
    /// next seek or restart.
    pub fn override_environment(&mut self, env: twincity_scenario::EnvironmentValues) {
        if let Some(run) = self.run.as_mut() {
            run.compiled.environment = env;
            self.state = Some(run.state());
        }
    }

    /// Goes to time `t`: from the last checkpoint before it, or on from now.
    pub fn seek(&mut self, t: f64) {
        let t = t.clamp(0.0, self.duration());
        let now = self.time();
        if t < now - 1e-9 || self.run.is_none() {
            let k = ((t / CHECKPOINT_EVERY_S).floor() as usize)
                .min(self.checkpoints.len().saturating_sub(1));
            if let Some(cp) = self.checkpoints.get(k) {
                self.run = Some(cp.clone());
            }
        }
        self.advance(t);
    }

    fn load(&mut self, path: &std::path::Path) {
        match Scenario::load(path) {
            Ok(scenario) => {
                self.history = Some(History::new(scenario.clone()));
                self.scenario = Some(scenario);
                self.path = Some(path.to_path_buf());
                self.modified = modified(path);
                self.error = None;
                self.dirty = false;
                self.saved = None;
                self.playing = false;
                self.selected = None;
                self.loop_range = None;
                self.restart(0.0);
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    fn close(&mut self) {
        *self = Self {
            speed: self.speed,
            latitude: self.latitude,
            ..Self::default()
        };
    }
}

/// The editor's lighting before a scenario changed it: sun transform and illuminance,
/// ambient brightness, sky colour.
#[derive(Resource, Default)]
struct DaylightBackup(Option<(Transform, f32, f32, Color)>);

pub struct ScenarioPlugin;

impl Plugin for ScenarioPlugin {
    fn build(&self, app: &mut App) {
        add_frame_sets(app);
        if !app.is_plugin_added::<crate::render::people::PeoplePlugin>() {
            app.add_plugins(crate::render::people::PeoplePlugin);
        }
        if !app.is_plugin_added::<crate::render::models::ModelsPlugin>() {
            app.add_plugins(crate::render::models::ModelsPlugin);
        }
        // The people are posed after this view has set their states.
        app.configure_sets(
            Update,
            (
                ScenarioSet::Input.in_set(FrameSet::Input),
                ScenarioSet::Step.in_set(FrameSet::Scene),
                ScenarioSet::Draw
                    .in_set(FrameSet::Draw)
                    .before(crate::render::people::PeopleSet::Pose)
                    .before(crate::render::models::ModelsSet::Pose),
            ),
        );
        app.add_message::<ScenarioCommand>()
            .init_resource::<ScenarioPlayer>()
            .init_resource::<DaylightBackup>()
            .add_systems(Update, apply_commands_and_play.in_set(ScenarioSet::Step))
            .add_systems(
                Update,
                (
                    sync_figures,
                    sync_scenario_people,
                    sync_light,
                    sync_fog,
                    sync_lamps,
                    sync_rain,
                    draw_places,
                )
                    .in_set(ScenarioSet::Draw),
            );
    }
}

fn apply_commands_and_play(
    mut commands: MessageReader<ScenarioCommand>,
    mut player: ResMut<ScenarioPlayer>,
    time: Res<Time<Real>>,
    doc: Option<Res<crate::render::document::Document>>,
) {
    // The sun stands where the open project's city is.
    let latitude = doc
        .as_ref()
        .and_then(|d| twincity_scenario::project_latitude(&d.project));
    if player.latitude != latitude {
        player.latitude = latitude;
        if player.scenario.is_some() {
            let now = player.time();
            player.restart(now);
        }
    }
    let mut edits_this_frame = false;
    for c in commands.read() {
        match c {
            ScenarioCommand::Load(path) => player.load(path),
            ScenarioCommand::Close => player.close(),
            ScenarioCommand::Replace(s) => {
                if player.scenario.as_ref() != Some(s) {
                    player.scenario = Some((**s).clone());
                    player.dirty = true;
                    player.restart_due = true;
                }
                edits_this_frame = true;
            }
            ScenarioCommand::Undo | ScenarioCommand::Redo => {
                let back = *c == ScenarioCommand::Undo;
                if let Some(s) = player.history.as_mut().and_then(|h| h.step(back).cloned()) {
                    player.scenario = Some(s);
                    player.dirty = true;
                    let now = player.time();
                    player.restart(now);
                }
            }
            ScenarioCommand::Save(to) => {
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
                        player.modified = modified(&path);
                        player.path = Some(path);
                        player.dirty = false;
                    }
                    Err(m) => player.saved = Some(m),
                }
            }
            ScenarioCommand::TogglePlay => {
                player.playing = !player.playing;
                if player.playing && player.time() >= player.duration() - 1e-9 {
                    let start = player.loop_range.map_or(0.0, |r| r.0);
                    player.seek(start);
                }
            }
            ScenarioCommand::Step => {
                player.playing = false;
                let t = player.time() + 0.1;
                player.seek(t);
            }
            ScenarioCommand::Seek(t) => player.seek(*t),
            ScenarioCommand::Loop(range) => {
                player.loop_range = range.filter(|(a, b)| b > a);
            }
        }
    }
    // Edits are recorded, and the scenario replayed, once a drag pauses.
    if player.restart_due && !edits_this_frame {
        player.restart_due = false;
        let player = &mut *player;
        if let (Some(h), Some(s)) = (player.history.as_mut(), player.scenario.as_ref()) {
            h.observe(s, false);
        }
        let now = player.time();
        player.restart(now);
    }
    // Hot reload: the file changed on disk and nothing here is unsaved.
    let now = time.elapsed_secs_f64();
    if now - player.last_poll >= POLL_EVERY_S {
        player.last_poll = now;
        if let Some(path) = player.path.clone()
            && let Some(m) = modified(&path)
            && player.modified.is_some_and(|before| before != m)
        {
            if player.dirty {
                player.saved = Some(twincity_i18n::tr_args(
                    "note-changed-on-disk",
                    &[("file", crate::render::document::file_arg(&path))],
                ));
                player.modified = Some(m);
            } else {
                let t = player.time();
                let (selected, looped) = (player.selected, player.loop_range);
                player.load(&path);
                if player.error.is_none() {
                    player.saved = Some(twincity_i18n::tr_args(
                        "note-reloaded",
                        &[("file", crate::render::document::file_arg(&path))],
                    ));
                    player.selected = selected;
                    player.loop_range = looped;
                    player.seek(t);
                } else {
                    // Keep what was playing; say why the new file is refused.
                    player.modified = Some(m);
                }
            }
        }
    }
    if !player.playing || player.run.is_none() {
        return;
    }
    let mut t = player.time() + time.delta_secs_f64() * player.speed as f64;
    let end = player.loop_range.map_or(player.duration(), |r| r.1);
    if t >= end {
        match player.loop_range {
            Some((a, _)) => t = a,
            None => {
                t = end;
                player.playing = false;
            }
        }
    }
    player.seek(t);
}

/// Ground height of pavements in the scenario's city (the demo district's are raised).
fn pavement(player: &ScenarioPlayer) -> f32 {
    player
        .compiled
        .as_ref()
        .map_or(twincity_scene::demo_city::KERB_HEIGHT, |c| {
            c.pavement_height()
        })
}

/// The scenario's people, drawn as animated characters posed from their state.
fn sync_scenario_people(
    mut commands: Commands,
    player: Res<ScenarioPlayer>,
    assets: Option<Res<crate::render::people::CharacterAssets>>,
    loaded: Res<crate::render::people::CharactersLoaded>,
    figures: Query<(Entity, &ScenarioFigure), With<crate::render::people::PersonBody>>,
    mut bodies: Query<&mut crate::render::people::PersonBody>,
) {
    let Some(assets) = assets else {
        return;
    };
    if !loaded.0 || (!player.is_changed() && !loaded.is_changed()) {
        return;
    }
    let mut existing: std::collections::HashMap<usize, Entity> = figures
        .iter()
        .filter_map(|(e, f)| match f {
            ScenarioFigure::Person(i) => Some((*i, e)),
            _ => None,
        })
        .collect();
    let ground = pavement(&player);
    let people = player.state.iter().flat_map(|state| {
        state.people.iter().enumerate().map(move |(i, p)| {
            let body = crate::render::people::PersonBody {
                state: p.clone(),
                time_s: state.time_s,
                ground,
            };
            (i, body)
        })
    });
    crate::render::people::sync_people(
        &mut commands,
        &assets,
        &mut existing,
        &mut bodies,
        people,
        ScenarioFigure::Person,
    );
}

/// The scenario's vehicles and dumped objects, drawn from their models.
#[allow(clippy::type_complexity)]
fn sync_figures(
    mut commands: Commands,
    player: Res<ScenarioPlayer>,
    assets: Option<ResMut<crate::render::models::ModelAssets>>,
    mut images: ResMut<Assets<Image>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut vehicles: Query<(
        Entity,
        &mut crate::render::models::DrawnVehicle,
        &mut ScenarioFigure,
        &mut Transform,
    )>,
    mut objects: Query<
        (
            Entity,
            &mut crate::render::models::DrawnObject,
            &mut ScenarioFigure,
            &mut Transform,
        ),
        Without<crate::render::models::DrawnVehicle>,
    >,
) {
    let Some(mut assets) = assets else {
        return;
    };
    if !player.is_changed() {
        return;
    }
    let ground = pavement(&player);
    let (vs, os, lights) = match &player.state {
        Some(s) => (
            &s.vehicles[..],
            &s.objects[..],
            s.environment.street_lights_on,
        ),
        None => (&[][..], &[][..], false),
    };
    crate::render::models::sync_vehicles(
        &mut commands,
        &mut assets,
        &mut images,
        &mut materials,
        vs,
        lights,
        ground,
        &mut vehicles,
    );
    crate::render::models::sync_objects(
        &mut commands,
        &mut assets,
        &mut materials,
        os,
        ground,
        &mut objects,
    );
}

/// The sun where the scenario's time puts it, dim at night; restored when the scenario closes.
fn sync_light(
    player: Res<ScenarioPlayer>,
    mut backup: ResMut<DaylightBackup>,
    mut sun: Query<(&mut Transform, &mut DirectionalLight)>,
    ambient: Option<ResMut<GlobalAmbientLight>>,
    mut sky: Option<ResMut<ClearColor>>,
) {
    if !player.is_changed() {
        return;
    }
    let Ok((mut transform, mut light)) = sun.single_mut() else {
        return;
    };
    let mut ambient = ambient;
    let Some(env) = player.state.as_ref().map(|s| &s.environment) else {
        if let Some((t, lux, amb, colour)) = backup.0.take() {
            *transform = t;
            light.illuminance = lux;
            if let Some(a) = ambient.as_mut() {
                a.brightness = amb;
            }
            if let Some(s) = sky.as_mut() {
                s.0 = colour;
            }
        }
        return;
    };
    if backup.0.is_none() {
        backup.0 = Some((
            *transform,
            light.illuminance,
            ambient.as_ref().map_or(0.0, |a| a.brightness),
            sky.as_ref().map_or(Color::BLACK, |s| s.0),
        ));
    }
    let Some((_, day_lux, day_ambient, day_sky)) = backup.0 else {
        return;
    };
    let sun_pos = twincity_scenario::sun::SunPosition {
        elevation_deg: env.sun_elevation_deg,
        azimuth_deg: env.sun_azimuth_deg,
    };
    let towards_sun = sun_pos.direction();
    // Below the horizon the light comes from just above it, very dim (moon and sky glow).
    let lit = towards_sun.with_y(towards_sun.y.max(0.15)).normalize();
    let daylight = (env.sun_elevation_deg.to_radians().sin().max(0.0) as f32 * 1.4).min(1.0);
    let overcast = 1.0 - 0.6 * env.rain as f32;
    *transform = Transform::from_translation(lit * 300.0).looking_at(Vec3::ZERO, Vec3::Y);
    light.illuminance = (day_lux * daylight * overcast).max(day_lux * 0.01);
    if let Some(a) = ambient.as_mut() {
        let night_floor = if env.street_lights_on { 0.12 } else { 0.05 };
        a.brightness = day_ambient * (daylight * overcast).max(night_floor);
    }
    if let Some(s) = sky.as_mut() {
        // Night sky, greyer in rain or fog.
        let night = Color::srgb(0.02, 0.03, 0.07);
        let grey = Color::srgb(0.62, 0.65, 0.68);
        let clear = night.mix(&day_sky, (daylight * 2.0).min(1.0));
        let murk = (0.6 * env.rain as f32).max(
            env.fog_visibility_m
                .map_or(0.0, |v| (1.0 - v as f32 / 1000.0).clamp(0.0, 0.9)),
        );
        s.0 = clear.mix(&grey.mix(&night, 1.0 - (daylight * 2.0).min(1.0)), murk);
    }
}

/// Street lamps glow brightly when the scenario says they are on, not at all when off; as
/// usual without a scenario.
fn sync_lamps(
    player: Res<ScenarioPlayer>,
    lamps: Option<Res<crate::render::city::StreetLamps>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    let Some(lamps) = lamps else {
        return;
    };
    if !player.is_changed() && !lamps.is_changed() {
        return;
    }
    let glow = match player
        .state
        .as_ref()
        .map(|s| s.environment.street_lights_on)
    {
        Some(true) => crate::render::city::LAMP_GLOW * 6.0,
        Some(false) => LinearRgba::BLACK,
        None => crate::render::city::LAMP_GLOW,
    };
    if let Some(mut m) = materials.get_mut(&lamps.0)
        && m.emissive != glow
    {
        m.emissive = glow;
    }
}

/// Falling rain in front of one camera: thin streaks in a box ahead of it, kept upright and
/// moving down with the scenario's time (so the same frame shows the same rain), seen by
/// that camera only (a render layer of its own).
#[derive(Component)]
pub struct RainCurtain {
    pub camera: Entity,
}

/// First render layer used for rain (one per camera).
const RAIN_LAYER: usize = 16;
/// Streaks per unit of rain, their fall speed (m/s) and the height the pattern repeats over.
const RAIN_STREAKS: f32 = 900.0;
const RAIN_SPEED: f32 = 8.0;
const RAIN_REPEAT: f32 = 10.0;

/// Streaks in a box ahead of a camera looking along -Z, twice over in height so the pattern
/// moved down by up to `RAIN_REPEAT` still fills the box.
pub fn rain_mesh(streaks: usize) -> Mesh {
    let mut positions = Vec::new();
    let mut indices: Vec<u32> = Vec::new();
    // A fixed low-discrepancy spread (no randomness: the same rain every run).
    for k in 0..streaks {
        let f = |m: f32| ((k as f32 + 0.5) * m).fract();
        let x = -9.0 + 18.0 * f(0.754_877_7);
        let z = -1.5 - 22.0 * f(0.569_840_3);
        let y0 = -5.0 + 2.0 * RAIN_REPEAT * f(0.381_966);
        // About the same width on screen at any distance (a streak is a drop's motion blur).
        let (w, len) = (0.003 * -z, 0.45 + 0.02 * -z);
        for copy in [0.0, -2.0 * RAIN_REPEAT] {
            let y = y0 + copy;
            let base = positions.len() as u32;
            positions.extend([
                [x - w, y, z],
                [x + w, y, z],
                [x + w, y + len, z],
                [x - w, y + len, z],
            ]);
            indices.extend([base, base + 1, base + 2, base, base + 2, base + 3]);
        }
    }
    let normals = vec![[0.0, 0.0, 1.0]; positions.len()];
    Mesh::new(
        bevy::mesh::PrimitiveTopology::TriangleList,
        bevy::asset::RenderAssetUsages::default(),
    )
    .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, positions)
    .with_inserted_attribute(Mesh::ATTRIBUTE_NORMAL, normals)
    .with_inserted_indices(bevy::mesh::Indices::U32(indices))
}

#[allow(clippy::type_complexity)]
fn sync_rain(
    mut commands: Commands,
    player: Res<ScenarioPlayer>,
    mut cameras: Query<
        (
            Entity,
            &GlobalTransform,
            Option<&mut bevy::camera::visibility::RenderLayers>,
        ),
        (
            With<Camera3d>,
            Without<RainCurtain>,
            Without<crate::render::id_pass::IdCamera>,
        ),
    >,
    mut curtains: Query<(Entity, &RainCurtain, &mut Transform)>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut cached: Local<Option<(u32, Handle<Mesh>, Handle<StandardMaterial>)>>,
) {
    use bevy::camera::visibility::RenderLayers;
    let rain = player
        .state
        .as_ref()
        .map_or(0.0, |s| s.environment.rain as f32);
    if rain < 0.02 {
        for (e, ..) in &curtains {
            commands.entity(e).despawn();
        }
        return;
    }
    let level = (rain * 10.0).round() as u32;
    if cached.as_ref().is_none_or(|(l, ..)| *l != level) {
        let mesh = meshes.add(rain_mesh((RAIN_STREAKS * level as f32 / 10.0) as usize));
        let material = materials.add(StandardMaterial {
            base_color: Color::srgba(0.85, 0.88, 0.95, 0.45),
            unlit: true,
            alpha_mode: AlphaMode::Blend,
            ..default()
        });
        for (e, ..) in &curtains {
            commands.entity(e).despawn();
        }
        *cached = Some((level, mesh, material));
        return;
    }
    let Some((_, mesh, material)) = cached.as_ref() else {
        return;
    };
    let fall = (player.time() as f32 * RAIN_SPEED) % RAIN_REPEAT;
    let mut taken: Vec<Entity> = Vec::new();
    for (camera, at, layers) in cameras.iter_mut() {
        // A layer per camera, stable while the camera lives.
        let layer = RAIN_LAYER + camera.index_u32() as usize % 32;
        match layers {
            Some(mut l) if !l.intersects(&RenderLayers::layer(layer)) => {
                *l = l.clone().with(layer);
            }
            Some(_) => {}
            None => {
                commands
                    .entity(camera)
                    .insert(RenderLayers::from_layers(&[0, layer]));
            }
        }
        // Upright in the world, turned with the camera's heading.
        let forward = at.forward().as_vec3();
        let yaw = (-forward.x).atan2(-forward.z);
        let place = Transform::from_translation(at.translation() - Vec3::Y * fall)
            .with_rotation(Quat::from_rotation_y(yaw));
        match curtains.iter_mut().find(|(_, c, _)| c.camera == camera) {
            Some((e, _, mut t)) => {
                *t = place;
                taken.push(e);
            }
            None => {
                commands.spawn((
                    Name::new("Rain"),
                    RainCurtain { camera },
                    Mesh3d(mesh.clone()),
                    MeshMaterial3d(material.clone()),
                    bevy::light::NotShadowCaster,
                    RenderLayers::layer(layer),
                    place,
                ));
            }
        }
    }
    for (e, ..) in &curtains {
        if !taken.contains(&e) {
            commands.entity(e).despawn();
        }
    }
}

/// Fog on the 3D view and the camera previews when the scenario has some.
fn sync_fog(
    mut commands: Commands,
    player: Res<ScenarioPlayer>,
    views: Query<(Entity, Option<&DistanceFog>), With<Camera3d>>,
) {
    if !player.is_changed() {
        return;
    }
    let fog = player.state.as_ref().and_then(|s| {
        s.environment
            .fog_visibility_m
            .map(|v| (v, s.environment.sun_elevation_deg))
    });
    for (entity, current) in &views {
        match (fog, current) {
            (Some((visibility, elevation)), _) => {
                let light = (elevation.to_radians().sin().max(0.0) as f32 * 2.0).clamp(0.08, 1.0);
                commands.entity(entity).insert(DistanceFog {
                    color: Color::srgb(0.7 * light, 0.72 * light, 0.75 * light),
                    falloff: FogFalloff::from_visibility(visibility as f32),
                    ..default()
                });
            }
            (None, Some(_)) => {
                commands.entity(entity).remove::<DistanceFog>();
            }
            (None, None) => {}
        }
    }
}

/// The selected event's places in the view: spots, areas and routes.
fn draw_places(mut gizmos: Gizmos, player: Res<ScenarioPlayer>) {
    use twincity_scenario::Incident;
    let Some(s) = player.scenario.as_ref().filter(|_| !player.hide_places) else {
        return;
    };
    let y = pavement(&player) + 0.05;
    let at = |p: (f64, f64)| Vec3::new(p.0 as f32, y, -p.1 as f32);
    for (i, e) in s.events.iter().enumerate() {
        let selected = player.selected == Some(i);
        let colour = if selected {
            Color::srgb(1.0, 0.9, 0.2)
        } else {
            Color::srgb(0.9, 0.5, 0.9).with_alpha(0.6)
        };
        let ring = |gizmos: &mut Gizmos, p: (f64, f64), r: f32| {
            gizmos.circle(
                Isometry3d::new(at(p), Quat::from_rotation_x(std::f32::consts::FRAC_PI_2)),
                r,
                colour,
            );
        };
        match &e.incident {
            Incident::Dumping {
                from,
                spot,
                leave_to,
                ..
            } => {
                ring(&mut gizmos, *spot, 1.0);
                gizmos.line(at(*from), at(*spot), colour);
                if let Some(l) = leave_to {
                    gizmos.line(at(*spot), at(*l), colour.with_alpha(0.4));
                }
            }
            Incident::Collapse {
                from,
                towards,
                within,
                ..
            } => {
                ring(&mut gizmos, *from, 0.5);
                gizmos.line(at(*from), at(*towards), colour);
                if selected {
                    ring(&mut gizmos, *towards, *within as f32);
                }
            }
            Incident::Gathering {
                at: p,
                radius,
                within,
                ..
            } => {
                ring(&mut gizmos, *p, *radius as f32);
                if selected {
                    ring(&mut gizmos, *p, *within as f32);
                }
            }
            Incident::Dispersal { from, radius, .. } => ring(&mut gizmos, *from, *radius as f32),
            Incident::Vehicle { route, .. } => {
                gizmos.linestrip(route.iter().map(|p| at(*p)), colour);
            }
        }
    }
    for c in &s.speed_cameras {
        gizmos.circle(
            Isometry3d::new(at(c.at), Quat::from_rotation_x(std::f32::consts::FRAC_PI_2)),
            c.gate_m as f32,
            Color::srgb(1.0, 0.2, 0.2),
        );
    }
}
