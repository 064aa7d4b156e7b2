//! Playing a compiled scenario: the crowd (with the incidents' people) steps forward, vehicles
//! follow their routes, dumped objects appear, the sun is where the time says; [`WorldState`]
//! is the whole state at a time and [`WorldState::labels`] its exact ground truth.

use glam::DVec2;
use serde::Serialize;

use super::sun::SunPosition;
use crate::format::{Compiled, Dumper, Incident, Lights, ObjectKind, VAN_SPEED, VehicleSpec};
use crate::world::{
    EnvironmentState, FALL_S, IncidentState, ObjectState, PersonState, Pose, Role, VehicleState,
    WorldState,
};
use twincity_crowd::run::{Activity, SimRun};
use twincity_model::ronfile::FieldProblem;

/// Height an object is let go from (carried at the hip, or off a van's sill), metres.
const DROP_HEIGHT_M: f64 = 0.8;

/// The driver of a dumping van unloads after this long parked, seconds.
const UNLOAD_DELAY: f64 = 1.0;

/// A vehicle measured by a speed camera.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpeedCheck {
    pub camera: String,
    pub event: String,
    pub plate: String,
    pub time_s: f64,
    pub speed_kmh: f64,
    pub limit_kmh: f64,
    pub speeding: bool,
    pub cloned_plate: bool,
}

/// A scenario being played. Cloning it takes a checkpoint.
#[derive(Clone)]
pub struct ScenarioRun {
    pub compiled: Compiled,
    crowd: Option<SimRun>,
    time: f64,
    /// Per event: when an on-foot dumper reached the spot.
    arrived: Vec<Option<f64>>,
}

impl ScenarioRun {
    pub fn new(compiled: Compiled) -> Result<Self, FieldProblem> {
        let crowd = match &compiled.crowd {
            Some(c) => Some(SimRun::new(c.clone())?),
            None => None,
        };
        let n = compiled.events.len();
        Ok(Self {
            compiled,
            crowd,
            time: 0.0,
            arrived: vec![None; n],
        })
    }

    pub fn time(&self) -> f64 {
        self.time
    }

    pub fn crowd(&self) -> Option<&SimRun> {
        self.crowd.as_ref()
    }

    /// Plays on to time `t` (seconds; an earlier time does nothing).
    pub fn advance_to(&mut self, t: f64) {
        if let Some(crowd) = self.crowd.as_mut() {
            while crowd.time() < t - 1e-9 {
                crowd.step();
                // Arrivals are noticed at the crowd's behaviour ticks (every 0.1 s).
                for (i, e) in self.compiled.events.iter().enumerate() {
                    if self.arrived[i].is_some() {
                        continue;
                    }
                    if let (
                        Incident::Dumping {
                            by: Dumper::OnFoot, ..
                        },
                        Some(name),
                    ) = (&e.incident, &self.compiled.actors[i])
                        && let Some(id) = crowd.person(name)
                        && let Some(Activity::Standing { until, .. }) = crowd.activity(id)
                        && until.is_finite()
                    {
                        self.arrived[i] = Some(crowd.time());
                    }
                }
            }
        }
        self.time = self.time.max(t);
    }

    /// When each dumping's objects go down, as `(first drop, last drop)`; `None` before the
    /// dumper arrived.
    pub fn dumping_span(&self, event: usize) -> Option<(f64, f64)> {
        let e = &self.compiled.events[event];
        let Incident::Dumping { by, from, spot, .. } = &e.incident else {
            return None;
        };
        let drop = e.value("drop_s");
        let begin = match by {
            Dumper::OnFoot => self.arrived[event]?,
            Dumper::Van(_) => e.start_s + dist(*from, *spot) / VAN_SPEED + UNLOAD_DELAY,
        };
        Some((begin, begin + drop))
    }

    /// The state of the world now.
    pub fn state(&self) -> WorldState {
        let t = self.time;
        let c = &self.compiled;
        let mut people = self.crowd_people();
        let mut objects = Vec::new();
        let mut vehicles = Vec::new();
        for (i, e) in c.events.iter().enumerate() {
            match &e.incident {
                Incident::Dumping {
                    by,
                    from,
                    spot,
                    objects: kinds,
                    leave_to,
                    ..
                } => {
                    objects.extend(self.dumped_objects(i, kinds));
                    if let Dumper::Van(v) = by {
                        let back = leave_to.unwrap_or(*from);
                        let stay = e.value("drop_s") + 2.0 * UNLOAD_DELAY;
                        let route = [*from, *spot, back];
                        if let Some(pose) =
                            route_pose(&route, VAN_SPEED, Some((1, stay)), t - e.start_s)
                        {
                            people.extend(self.van_driver(i, pose));
                            vehicles.push(self.vehicle_state(&e.id, v, pose));
                        }
                    }
                }
                Incident::Vehicle {
                    vehicle,
                    route,
                    park,
                    ..
                } => {
                    let speed = e.value("speed_kmh") / 3.6;
                    // A bicycle never leaves (no riders are drawn yet): parked at its first
                    // corner to the end, the last frame included.
                    let stay = if vehicle.kind == crate::vehicles::VehicleKind::Bicycle {
                        f64::INFINITY
                    } else {
                        e.value("park.stay_s")
                    };
                    let park = park.as_ref().map(|p| (p.at, stay));
                    if let Some(pose) = route_pose(route, speed, park, t - e.start_s) {
                        vehicles.push(self.vehicle_state(&e.id, vehicle, pose));
                    }
                }
                _ => {}
            }
        }
        WorldState {
            time_s: t,
            people,
            objects,
            vehicles,
            environment: self.environment_state(),
            incidents: self.incident_states(),
        }
    }

    /// The people of the crowd now, with the roles the incidents give them.
    fn crowd_people(&self) -> Vec<PersonState> {
        let t = self.time;
        let c = &self.compiled;
        let Some(crowd) = &self.crowd else {
            return Vec::new();
        };
        let actor_of = |id| {
            c.actors.iter().enumerate().find_map(|(i, name)| {
                let name = name.as_ref()?;
                (crowd.person(name) == Some(id)).then_some(i)
            })
        };
        let mut people = Vec::new();
        for a in crowd.crowd().agents() {
            let activity = crowd.activity(a.id);
            let heading = a.direction.y.atan2(a.direction.x);
            let mut pose = match activity {
                Some(Activity::Fleeing { .. }) if a.speed > 0.05 => Pose::Running,
                _ if a.speed > 0.05 => Pose::Walking,
                _ => Pose::Standing,
            };
            let mut role = Role::Passerby;
            let mut carrying = false;
            if let Some(i) = actor_of(a.id) {
                let id = c.events[i].id.clone();
                match (&c.events[i].incident, activity) {
                    (Incident::Collapse { .. }, Some(Activity::Down { since })) => {
                        let progress = ((t - since) / FALL_S).clamp(0.0, 1.0);
                        pose = if progress < 1.0 {
                            Pose::Falling { progress }
                        } else {
                            Pose::Lying
                        };
                        role = Role::Fallen(id);
                    }
                    (Incident::Dumping { .. }, _) => {
                        carrying = self.dumping_span(i).is_none_or(|(_, end)| t < end);
                        role = Role::Dumper(id);
                    }
                    _ => {}
                }
            } else if let Some(Activity::Gathering { around, .. }) = activity {
                role = self.gathering_role(around);
                if crowd.is_kneeling(a.id) && matches!(role, Role::Bystander(_)) {
                    pose = Pose::Kneeling;
                }
            }
            people.push(PersonState {
                position: [a.position.x, a.position.y],
                heading,
                pose,
                role,
                carrying,
                walked: a.walked,
                speed: a.speed,
                look: crate::look::look(c.seed, a.id.0 as u64, c.randomisation.appearance),
            });
        }
        people
    }

    /// The objects dumping `event` has dropped by now, of the `kinds` it drops one by one.
    fn dumped_objects(&self, event: usize, kinds: &[ObjectKind]) -> Vec<ObjectState> {
        let t = self.time;
        let e = &self.compiled.events[event];
        let mut objects = Vec::new();
        if let Some((begin, end)) = self.dumping_span(event) {
            let centre = self.pile_centre(event);
            let n = kinds.len();
            for (k, kind) in kinds.iter().enumerate() {
                let at = begin + (end - begin) * k as f64 / n as f64;
                if t >= at {
                    let mut o = pile_object(&e.id, *kind, centre, k);
                    o.height_m = crate::props::fall_height(DROP_HEIGHT_M, t - at);
                    objects.push(o);
                }
            }
        }
        objects
    }

    /// The driver of dumping `event`'s van at `pose`, while unloading: standing on the kerb
    /// side.
    fn van_driver(&self, event: usize, pose: RoutePose) -> Option<PersonState> {
        let t = self.time;
        let c = &self.compiled;
        let e = &c.events[event];
        if pose.parked
            && let Some((begin, end)) = self.dumping_span(event)
            && (begin..end + UNLOAD_DELAY).contains(&t)
        {
            let dir = DVec2::from_angle(pose.heading);
            let p = pose.position + DVec2::new(dir.y, -dir.x) * 1.6;
            return Some(PersonState {
                position: [p.x, p.y],
                heading: pose.heading - std::f64::consts::FRAC_PI_2,
                pose: Pose::Standing,
                role: Role::Driver(e.id.clone()),
                carrying: t < end,
                walked: 0.0,
                speed: 0.0,
                look: crate::look::look(
                    c.seed,
                    (1 << 40) + event as u64,
                    c.randomisation.appearance,
                ),
            });
        }
        None
    }

    /// The sun, the street lights and the weather now.
    fn environment_state(&self) -> EnvironmentState {
        let env = &self.compiled.environment;
        let sun = SunPosition::at(env.latitude_deg, env.day_of_year, env.time_of_day_h);
        EnvironmentState {
            time_of_day_h: env.time_of_day_h,
            sun_elevation_deg: sun.elevation_deg,
            sun_azimuth_deg: sun.azimuth_deg,
            street_lights_on: match env.lights {
                Lights::Auto => sun.is_night(),
                Lights::On => true,
                Lights::Off => false,
            },
            rain: env.rain,
            fog_visibility_m: env.fog_visibility_m,
        }
    }

    /// Each incident's span (for a dumping, until its last object is down) and whether it
    /// is under way now.
    fn incident_states(&self) -> Vec<IncidentState> {
        self.compiled
            .events
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let (start, end) = match self.dumping_span(i) {
                    Some((_, end)) => (e.start_s, end),
                    None => (e.start_s, e.end_s),
                };
                IncidentState {
                    id: e.id.clone(),
                    kind: e.incident.kind_name().into(),
                    start_s: start,
                    end_s: end.is_finite().then_some(end),
                    active: self.time >= start && self.time < end,
                }
            })
            .collect()
    }

    /// Where a dumping's objects are piled: the spot on foot; for a van, on the kerb side
    /// (its right), clear of the van.
    fn pile_centre(&self, event: usize) -> (f64, f64) {
        let e = &self.compiled.events[event];
        match &e.incident {
            Incident::Dumping {
                by: Dumper::Van(v),
                from,
                spot,
                ..
            } => {
                let dir = (DVec2::new(spot.0, spot.1) - DVec2::new(from.0, from.1))
                    .normalize_or(DVec2::X);
                let p = DVec2::new(spot.0, spot.1)
                    + DVec2::new(dir.y, -dir.x) * (v.size()[1] / 2.0 + 1.4);
                (p.x, p.y)
            }
            Incident::Dumping { spot, .. } => *spot,
            _ => (0.0, 0.0),
        }
    }

    /// Bystanders of a fallen person, or the gathering whose point they surround.
    fn gathering_role(&self, around: DVec2) -> Role {
        let c = &self.compiled;
        if let Some(crowd) = &self.crowd {
            for (i, e) in c.events.iter().enumerate() {
                if let (Incident::Collapse { .. }, Some(name)) = (&e.incident, &c.actors[i])
                    && let Some(id) = crowd.person(name)
                    && let Some(a) = crowd.crowd().agents().iter().find(|a| a.id == id)
                    && a.position.distance(around) < 1e-6
                {
                    return Role::Bystander(e.id.clone());
                }
            }
        }
        for e in &c.events {
            if let Incident::Gathering { at, .. } = &e.incident
                && DVec2::new(at.0, at.1).distance(around) < 1e-6
            {
                return Role::Gathering(e.id.clone());
            }
        }
        Role::Passerby
    }

    fn vehicle_state(&self, event: &str, v: &VehicleSpec, pose: RoutePose) -> VehicleState {
        // A vehicle with no plate (a bicycle) is in no registry.
        let registered = self
            .compiled
            .registry
            .iter()
            .find(|r| v.has_plate() && r.plate == v.plate);
        let registered_body = registered.and_then(|r| r.body);
        let registered = registered.map(|r| (r.make.clone(), r.model.clone()));
        let cloned_plate = registered
            .as_ref()
            .is_some_and(|(make, model)| *make != v.make || *model != v.model);
        VehicleState {
            event: event.to_string(),
            vehicle: v.clone(),
            position: [pose.position.x, pose.position.y],
            heading: pose.heading,
            speed_kmh: pose.speed * 3.6,
            parked: pose.parked,
            distance_m: pose.distance,
            paint: v
                .colour
                .as_deref()
                .and_then(|c| crate::vehicles::named_paint(v.body(), c))
                .or_else(|| {
                    crate::vehicles::paint_for(v.body(), self.compiled.seed, event, &v.plate)
                })
                .map(|c| (c.name, c.srgb)),
            registered,
            registered_body,
            cloned_plate,
        }
    }

    /// Every passage of a vehicle past a speed camera during the scenario (closest approach
    /// within the camera's gate), in time order. Vehicles without a plate (parked bicycles)
    /// are not measured.
    pub fn speed_checks(&self) -> Vec<SpeedCheck> {
        let c = &self.compiled;
        let mut out = Vec::new();
        for e in &c.events {
            let Incident::Vehicle {
                vehicle,
                route,
                park,
                ..
            } = &e.incident
            else {
                continue;
            };
            if !vehicle.has_plate() {
                continue;
            }
            let speed = e.value("speed_kmh") / 3.6;
            let park = park.as_ref().map(|p| (p.at, e.value("park.stay_s")));
            for cam in &c.speed_cameras {
                let at = DVec2::new(cam.at.0, cam.at.1);
                // Closest approach along the route, at every corner's segment.
                let mut best: Option<(f64, f64)> = None; // (distance, along)
                let mut along = 0.0;
                for w in route.windows(2) {
                    let (a, b) = (DVec2::new(w[0].0, w[0].1), DVec2::new(w[1].0, w[1].1));
                    let len = a.distance(b);
                    let s = ((at - a).dot(b - a) / (len * len).max(1e-12)).clamp(0.0, 1.0);
                    let d = (a + (b - a) * s).distance(at);
                    if best.is_none_or(|(bd, _)| d < bd) {
                        best = Some((d, along + s * len));
                    }
                    along += len;
                }
                let Some((d, along)) = best else { continue };
                if d > cam.gate_m {
                    continue;
                }
                let Some(time) = time_at_distance(route, speed, park, along) else {
                    continue;
                };
                let time_s = e.start_s + time;
                if time_s > c.duration_s {
                    continue;
                }
                let pose = route_pose(route, speed, park, time);
                let speed_kmh = pose.map_or(0.0, |p| p.speed * 3.6);
                let state = pose.map(|p| self.vehicle_state(&e.id, vehicle, p));
                out.push(SpeedCheck {
                    camera: cam.name.clone(),
                    event: e.id.clone(),
                    plate: vehicle.plate.clone(),
                    time_s,
                    speed_kmh,
                    limit_kmh: cam.limit_kmh,
                    speeding: speed_kmh > cam.limit_kmh,
                    cloned_plate: state.is_some_and(|s| s.cloned_plate),
                });
            }
        }
        out.sort_by(|a, b| a.time_s.total_cmp(&b.time_s));
        out
    }
}

fn dist(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - b.0).hypot(a.1 - b.1)
}

/// Where the `k`-th dumped object lies: a small pile around the spot (a golden-angle
/// spiral, so objects do not stack on one another).
fn pile_object(event: &str, kind: ObjectKind, spot: (f64, f64), k: usize) -> ObjectState {
    let r = 0.55 * (k as f64).sqrt();
    let a = k as f64 * 2.399_963;
    ObjectState {
        event: event.to_string(),
        kind,
        position: [spot.0 + r * a.cos(), spot.1 + r * a.sin()],
        yaw: (k as f64 * 0.7).rem_euclid(std::f64::consts::PI),
        variant: k,
        height_m: 0.0,
    }
}

/// A vehicle on its route.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RoutePose {
    pub position: DVec2,
    pub heading: f64,
    /// m/s.
    pub speed: f64,
    pub parked: bool,
    /// Metres driven since the start (the wheels turn by it).
    pub distance: f64,
}

/// Where a vehicle driving `route` at `speed` m/s, stopping `park = (corner, seconds)`, is
/// `t` seconds after it starts; `None` before it starts and after it reaches the end.
pub fn route_pose(
    route: &[(f64, f64)],
    speed: f64,
    park: Option<(usize, f64)>,
    t: f64,
) -> Option<RoutePose> {
    if t < 0.0 || route.len() < 2 || speed <= 0.0 {
        return None;
    }
    let pts: Vec<DVec2> = route.iter().map(|p| DVec2::new(p.0, p.1)).collect();
    let mut d = speed * t;
    let mut parked = false;
    if let Some((corner, stay)) = park {
        let park_at: f64 = pts[..=corner.min(pts.len() - 1)]
            .windows(2)
            .map(|w| w[0].distance(w[1]))
            .sum();
        if d >= park_at {
            if t < park_at / speed + stay {
                d = park_at;
                parked = true;
            } else {
                d -= stay * speed;
            }
        }
    }
    let mut along = 0.0;
    for (k, w) in pts.windows(2).enumerate() {
        let len = w[0].distance(w[1]);
        let last = k == pts.len() - 2;
        if d <= along + len || (last && parked) {
            let s = if len > 0.0 {
                ((d - along) / len).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let dir = (w[1] - w[0]).normalize_or(DVec2::X);
            // Parked at a corner: facing along the segment it arrived on.
            return Some(RoutePose {
                position: w[0] + (w[1] - w[0]) * s,
                heading: dir.y.atan2(dir.x),
                speed: if parked { 0.0 } else { speed },
                parked,
                distance: d,
            });
        }
        along += len;
    }
    None
}

/// When a vehicle driving `route` has covered `along` metres (after any stop before it).
fn time_at_distance(
    route: &[(f64, f64)],
    speed: f64,
    park: Option<(usize, f64)>,
    along: f64,
) -> Option<f64> {
    if speed <= 0.0 {
        return None;
    }
    let mut t = along / speed;
    if let Some((corner, stay)) = park {
        let park_at = crate::format::route_length(&route[..=corner.min(route.len() - 1)]);
        if along > park_at {
            t += stay;
        }
    }
    Some(t)
}
