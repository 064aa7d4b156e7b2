//! Pedestrian dynamics: the Collision-Free Speed Model (CFSM) of Tordeux, Chraibi and Seyfried
//! (2016), the default model of JuPedSim.
//!
//! Each agent `i` has a position `x_i`, a radius `r_i`, a desired speed `v0_i` and a target
//! (its next waypoint). Every step, from the state at time `t`:
//!
//! 1. direction: `e_i = normalise(e0_i + Σ_j a·exp((l_ij − s_ij)/D)·n_ij
//!    + Σ_w a_w·exp((r_i − d_iw)/D_w)·n_iw)`, where `e0_i` points at the target, `s_ij` is the
//!    distance to neighbour `j`, `n_ij` the unit vector from `j` to `i`, `l_ij = r_i + r_j`, and
//!    `d_iw`, `n_iw` the distance and unit normal from the closest point of wall `w`;
//! 2. speed: `v_i = min(v0_i, max(0, (s_i − l)/T))`, where `s_i` is the distance to the closest
//!    neighbour *ahead* (in the half-plane `e_i·(x_j − x_i) > 0` and within `l_ij` of the line of
//!    motion) and `T` the time gap;
//! 3. position: `x_i(t + dt) = x_i(t) + v_i·e_i·dt` (first order, no inertia).
//!
//! All agents are updated from the same state (synchronous update) in agent order, with
//! neighbours found through a uniform grid rebuilt each step: the result is bit-identical for a
//! given input and cost grows about linearly with the number of agents.

use glam::DVec2;
use serde::{Deserialize, Serialize};
use twincity_model::area::Wall;

/// Stable identifier of an agent (never an ECS entity).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AgentId(pub u32);

/// Model parameters; the defaults are JuPedSim's for its Collision-Free Speed Model, except the
/// time gap (0.7 s instead of 1 s), calibrated so that the model's fundamental diagram follows
/// Weidmann's (see `crowd::validation` and docs/crowd-model.md).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CfsmParams {
    /// Time gap `T`, seconds.
    pub time_gap: f64,
    /// Neighbour repulsion strength `a`.
    pub neighbour_strength: f64,
    /// Neighbour repulsion range `D`, metres.
    pub neighbour_range: f64,
    /// Wall repulsion strength `a_w`.
    pub wall_strength: f64,
    /// Wall repulsion range `D_w`, metres.
    pub wall_range: f64,
    /// Time step, seconds.
    pub dt: f64,
    /// How far (degrees either side of the way to its target) a walker held up by someone
    /// slower looks for a freer way past, 0 to never step aside (the plain CFSM). See
    /// docs/crowd-model.md, "Stepping aside".
    #[serde(default = "default_look_aside")]
    pub look_aside_deg: f64,
}

fn default_look_aside() -> f64 {
    30.0
}

impl Default for CfsmParams {
    fn default() -> Self {
        Self {
            time_gap: 0.7,
            neighbour_strength: 8.0,
            neighbour_range: 0.1,
            wall_strength: 5.0,
            wall_range: 0.02,
            dt: 0.01,
            look_aside_deg: default_look_aside(),
        }
    }
}

impl CfsmParams {
    /// The plain CFSM, as JuPedSim runs it: the defaults without stepping aside.
    pub fn plain() -> Self {
        Self {
            look_aside_deg: 0.0,
            ..Self::default()
        }
    }

    /// Returns the first parameter that is not a finite positive number.
    pub fn check(&self) -> Result<(), (String, String)> {
        for (name, v) in [
            ("time_gap", self.time_gap),
            ("neighbour_strength", self.neighbour_strength),
            ("neighbour_range", self.neighbour_range),
            ("wall_strength", self.wall_strength),
            ("wall_range", self.wall_range),
            ("dt", self.dt),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err((name.into(), format!("must be a positive number, got {v}")));
            }
        }
        if !(0.0..=90.0).contains(&self.look_aside_deg) {
            return Err((
                "look_aside_deg".into(),
                format!("must be 0 to 90 degrees, got {}", self.look_aside_deg),
            ));
        }
        if self.dt > 0.1 {
            return Err((
                "dt".into(),
                format!("must be at most 0.1 s, got {}", self.dt),
            ));
        }
        Ok(())
    }
}

/// One pedestrian.
#[derive(Clone, Debug, PartialEq)]
pub struct Agent {
    pub id: AgentId,
    pub position: DVec2,
    /// Unit direction of motion (last step).
    pub direction: DVec2,
    /// Speed of the last step, m/s.
    pub speed: f64,
    /// Distance walked since the agent entered, metres.
    pub walked: f64,
    pub desired_speed: f64,
    pub radius: f64,
    /// Waypoints still to reach; the agent heads for the first one.
    pub route: Vec<DVec2>,
}

impl Agent {
    /// The point the agent heads for now, if any.
    pub fn target(&self) -> Option<DVec2> {
        self.route.first().copied()
    }
}

/// Uniform grid over the scene for neighbour and wall queries.
#[derive(Clone, Debug)]
struct Grid {
    origin: DVec2,
    cell: f64,
    cols: usize,
    rows: usize,
    /// Where each cell's agents start in `packed` (one more entry than cells).
    starts: Vec<u32>,
    /// Every agent's position and radius, cell by cell (row-major), in agent order within a
    /// cell: neighbour loops read three contiguous runs (one per row of the 3 × 3 block)
    /// instead of chasing agent indices.
    packed: Vec<Slot>,
    /// Cell of each agent (scratch for the counting sort).
    cell_of_agent: Vec<u32>,
    /// Walls within `cell` of each cell.
    walls: Vec<Vec<u32>>,
}

/// An agent as neighbour loops need it.
#[derive(Clone, Copy, Debug)]
struct Slot {
    position: DVec2,
    radius: f64,
    index: u32,
}

impl Grid {
    fn new(min: DVec2, max: DVec2, cell: f64, walls: &[Wall]) -> Self {
        let origin = min - DVec2::splat(cell);
        let size = max - min + DVec2::splat(2.0 * cell);
        let cols = ((size.x / cell).ceil() as usize).max(1);
        let rows = ((size.y / cell).ceil() as usize).max(1);
        let mut grid = Self {
            origin,
            cell,
            cols,
            rows,
            starts: vec![0; cols * rows + 1],
            packed: Vec::new(),
            cell_of_agent: Vec::new(),
            walls: vec![Vec::new(); cols * rows],
        };
        for (i, w) in walls.iter().enumerate() {
            let lo = w.a.min(w.b) - DVec2::splat(cell);
            let hi = w.a.max(w.b) + DVec2::splat(cell);
            let (c0, r0) = grid.cell_of(lo);
            let (c1, r1) = grid.cell_of(hi);
            for r in r0..=r1 {
                for c in c0..=c1 {
                    // Keep only cells that really come within `cell` of the segment.
                    let centre = grid.origin + (DVec2::new(c as f64, r as f64) + 0.5) * cell;
                    if w.closest_point(centre).distance(centre) <= cell * 1.5 {
                        grid.walls[r * cols + c].push(i as u32);
                    }
                }
            }
        }
        grid
    }

    fn cell_of(&self, p: DVec2) -> (usize, usize) {
        let q = ((p - self.origin) / self.cell).floor();
        (
            (q.x.max(0.0) as usize).min(self.cols - 1),
            (q.y.max(0.0) as usize).min(self.rows - 1),
        )
    }

    /// Sorts the agents into cells (a stable counting sort).
    fn rebuild(&mut self, agents: &[Agent]) {
        self.cell_of_agent.clear();
        self.starts.fill(0);
        for a in agents {
            let (c, r) = self.cell_of(a.position);
            let cell = r * self.cols + c;
            self.cell_of_agent.push(cell as u32);
            self.starts[cell + 1] += 1;
        }
        for k in 1..self.starts.len() {
            self.starts[k] += self.starts[k - 1];
        }
        let empty = Slot {
            position: DVec2::ZERO,
            radius: 0.0,
            index: u32::MAX,
        };
        self.packed.clear();
        self.packed.resize(agents.len(), empty);
        // `starts[cell]` serves as the fill cursor, then is restored from the next cell's.
        for (i, a) in agents.iter().enumerate() {
            let cell = self.cell_of_agent[i] as usize;
            let at = self.starts[cell] as usize;
            self.packed[at] = Slot {
                position: a.position,
                radius: a.radius,
                index: i as u32,
            };
            self.starts[cell] += 1;
        }
        for k in (1..self.starts.len()).rev() {
            self.starts[k] = self.starts[k - 1];
        }
        self.starts[0] = 0;
    }

    /// The agents in the 3 × 3 cells around `p`: one run of slots per row, in row order and
    /// cell order within a row.
    fn rows_around(&self, p: DVec2) -> [&[Slot]; 3] {
        let (c, r) = self.cell_of(p);
        let (c0, c1) = (c.saturating_sub(1), (c + 1).min(self.cols - 1));
        let row = |rr: usize| {
            let first = self.starts[rr * self.cols + c0] as usize;
            let end = self.starts[rr * self.cols + c1 + 1] as usize;
            &self.packed[first..end]
        };
        let below = if r > 0 { row(r - 1) } else { &[] };
        let above = if r + 1 < self.rows { row(r + 1) } else { &[] };
        [below, row(r), above]
    }

    /// Agent indices in the 3 × 3 cells around `p`.
    fn neighbours(&self, p: DVec2) -> impl Iterator<Item = u32> + '_ {
        self.rows_around(p)
            .into_iter()
            .flatten()
            .map(|slot| slot.index)
    }

    fn walls_near(&self, p: DVec2) -> &[u32] {
        let (c, r) = self.cell_of(p);
        &self.walls[r * self.cols + c]
    }
}

/// Below this fraction of its desired speed a walker is held up and looks for a way past.
const HELD_UP: f64 = 0.9;
/// A walker is held up by someone slower only while that one moves (m/s): people standing
/// still are walked round by the scenario's detours, not by stepping aside.
const MOVING: f64 = 0.1;
/// The gain in progress a way past must bring over the way held up.
const GAIN: f64 = 0.1;

/// A crowd moving among walls with the CFSM.
#[derive(Clone, Debug)]
pub struct Crowd {
    pub params: CfsmParams,
    agents: Vec<Agent>,
    walls: Vec<Wall>,
    grid: Grid,
    time: f64,
    steps: u64,
    next_id: u32,
}

impl Crowd {
    /// A crowd among `walls`, inside the box `min..max` (agents outside it are still simulated,
    /// at the cost of grid efficiency). `max_speed` bounds desired speeds; it sets the grid cell.
    pub fn new(
        params: CfsmParams,
        walls: Vec<Wall>,
        min: DVec2,
        max: DVec2,
        max_speed: f64,
    ) -> Self {
        // Beyond this distance neither repulsion (e^-16) nor the speed rule matter. Larger
        // cells are still correct: areas kilometres wide get them, to keep at most a million.
        let size = (max - min).abs();
        let cell = (0.6 + params.time_gap * max_speed)
            .max(16.0 * params.neighbour_range + 0.6)
            .max((size.x * size.y / 1.0e6).sqrt());
        let grid = Grid::new(min, max, cell, &walls);
        Self {
            params,
            agents: Vec::new(),
            walls,
            grid,
            time: 0.0,
            steps: 0,
            next_id: 0,
        }
    }

    pub fn agents(&self) -> &[Agent] {
        &self.agents
    }

    /// Mutable agents, for behaviours that change routes, speeds or facing. Positions may be
    /// changed too (the neighbour grid is rebuilt at every step).
    pub fn agents_mut(&mut self) -> &mut [Agent] {
        &mut self.agents
    }

    pub fn walls(&self) -> &[Wall] {
        &self.walls
    }

    /// Simulated time, seconds.
    pub fn time(&self) -> f64 {
        self.time
    }

    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Adds an agent standing still at `position`, heading along `route`.
    pub fn add_agent(
        &mut self,
        position: DVec2,
        desired_speed: f64,
        radius: f64,
        route: Vec<DVec2>,
    ) -> AgentId {
        let id = AgentId(self.next_id);
        self.next_id += 1;
        let direction = route
            .first()
            .map(|t| (*t - position).normalize_or_zero())
            .unwrap_or(DVec2::X);
        self.agents.push(Agent {
            id,
            position,
            direction,
            speed: 0.0,
            walked: 0.0,
            desired_speed,
            radius,
            route,
        });
        id
    }

    /// Lets the caller update each agent's route (the path planner decides when a waypoint
    /// is passed; the model only walks towards the first one).
    pub fn update_routes(&mut self, mut f: impl FnMut(DVec2, &mut Vec<DVec2>)) {
        for a in &mut self.agents {
            f(a.position, &mut a.route);
        }
    }

    /// Removes the agents for which `leave` is true (e.g. those inside an exit), in order.
    pub fn remove_where(&mut self, mut leave: impl FnMut(&Agent) -> bool) -> Vec<AgentId> {
        let mut gone = Vec::new();
        self.agents.retain(|a| {
            let l = leave(a);
            if l {
                gone.push(a.id);
            }
            !l
        });
        if !gone.is_empty() {
            // Keep neighbour queries between steps pointing at the right agents.
            self.grid.rebuild(&self.agents);
        }
        gone
    }

    /// The agents within `distance` (centre to centre) of agent `index`, through the grid.
    pub fn neighbours_within(
        &self,
        index: usize,
        distance: f64,
    ) -> impl Iterator<Item = usize> + '_ {
        let p = self.agents[index].position;
        self.grid
            .neighbours(p)
            .map(|j| j as usize)
            .filter(move |&j| {
                j != index
                    && j < self.agents.len()
                    && self.agents[j].position.distance(p) <= distance
            })
    }

    /// The closest agent ahead of agent `index` (in front, within the width of its body plus
    /// the other's, within the neighbour search range), found through the neighbour grid.
    pub fn nearest_ahead(&self, index: usize) -> Option<usize> {
        let a = &self.agents[index];
        let mut best: Option<(f64, usize)> = None;
        for j in self.grid.neighbours(a.position) {
            let j = j as usize;
            if j == index || j >= self.agents.len() {
                continue;
            }
            let b = &self.agents[j];
            let d = b.position - a.position;
            let ahead = a.direction.dot(d);
            if ahead > 0.0
                && a.direction.perp_dot(d).abs() < a.radius + b.radius
                && best.is_none_or(|(s, _)| ahead < s)
            {
                best = Some((ahead, j));
            }
        }
        best.map(|(_, j)| j)
    }

    /// Advances the crowd by one time step.
    pub fn step(&mut self) {
        self.grid.rebuild(&self.agents);
        let p = &self.params;
        let mut next: Vec<(DVec2, DVec2, f64)> = Vec::with_capacity(self.agents.len());
        for (i, a) in self.agents.iter().enumerate() {
            let desired = match a.target() {
                Some(t) => (t - a.position).normalize_or_zero(),
                None => DVec2::ZERO,
            };
            // 1. Direction. Beyond l + 16 D the repulsion is below e^-16 of its strength:
            // skip the square root and the exponential there.
            let mut push = DVec2::ZERO;
            let reach = 16.0 * p.neighbour_range;
            let around = self.grid.rows_around(a.position);
            for b in around.iter().copied().flatten() {
                if b.index as usize == i {
                    continue;
                }
                let d = a.position - b.position;
                let l = a.radius + b.radius;
                let s2 = d.length_squared();
                if s2 > (l + reach) * (l + reach) || s2 <= 1e-18 {
                    continue;
                }
                let s = s2.sqrt();
                push += d / s * (p.neighbour_strength * ((l - s) / p.neighbour_range).exp());
            }
            for &w in self.grid.walls_near(a.position) {
                let wall = &self.walls[w as usize];
                let q = wall.closest_point(a.position);
                let d = a.position - q;
                let s = d.length();
                if s <= 1e-9 {
                    continue;
                }
                push += d / s * (p.wall_strength * ((a.radius - s) / p.wall_range).exp());
            }
            let raw = desired + push;
            // Someone standing (no target) keeps facing the way they face.
            let dir = if desired == DVec2::ZERO {
                a.direction
            } else if raw.length_squared() > 1e-18 {
                raw.normalize()
            } else {
                a.direction
            };
            // 2. Speed from the closest neighbour ahead. (This loop repeats the neighbour walk
            // of step 1 on purpose: an iterator helper for both cost a third of the step time.)
            let mut spacing = f64::INFINITY;
            let mut contact = f64::INFINITY;
            let mut ahead_speed = 0.0;
            for b in around.iter().copied().flatten() {
                if b.index as usize == i {
                    continue;
                }
                let d = b.position - a.position;
                let l = a.radius + b.radius;
                let ahead = dir.dot(d);
                if ahead > 0.0 && ahead < spacing && dir.perp_dot(d).abs() < l {
                    let s = d.length();
                    if s < spacing {
                        spacing = s;
                        contact = l;
                        ahead_speed = self.agents[b.index as usize].speed;
                    }
                }
            }
            let speed = if desired == DVec2::ZERO {
                0.0
            } else if spacing.is_finite() {
                a.desired_speed
                    .min(((spacing - contact) / p.time_gap).max(0.0))
            } else {
                a.desired_speed
            };
            let (dir, speed) = if desired != DVec2::ZERO
                && p.look_aside_deg > 0.0
                && speed < HELD_UP * a.desired_speed
                && ahead_speed > MOVING
            {
                self.step_aside(i, desired, push, (dir, speed), &around)
            } else {
                (dir, speed)
            };
            next.push((a.position + dir * speed * p.dt, dir, speed));
        }
        // 3. Move everyone at once.
        for (a, (pos, dir, speed)) in self.agents.iter_mut().zip(next) {
            a.position = pos;
            a.direction = dir;
            a.speed = speed;
            a.walked += speed * p.dt;
        }
        self.steps += 1;
        self.time = self.steps as f64 * p.dt;
    }

    /// For a walker held up (agent `i`, heading `dir` at `speed` towards `desired`, pushed by
    /// `push`): the CFSM's direction rule aiming aside, `desired` turned by up to
    /// `look_aside_deg` either side in steps of a third of it, keeping the direction that
    /// makes the most progress towards the target (speed along it times its cosine to
    /// `desired`), each direction's speed given by the same time-gap rule against the
    /// neighbours and walls ahead along it. It is taken only when it gains at least a tenth
    /// over the way held up; else the walker keeps `dir` and `speed`.
    fn step_aside(
        &self,
        i: usize,
        desired: DVec2,
        push: DVec2,
        (dir, speed): (DVec2, f64),
        around: &[&[Slot]; 3],
    ) -> (DVec2, f64) {
        let p = &self.params;
        let a = &self.agents[i];
        let mut best = (dir, speed, speed * dir.dot(desired) * (1.0 + GAIN));
        let step = p.look_aside_deg.to_radians() / 3.0;
        for k in [1.0, -1.0, 2.0, -2.0, 3.0, -3.0] {
            // The CFSM's direction rule, aiming aside: the repulsions still apply.
            let raw = DVec2::from_angle(k * step).rotate(desired) + push;
            if raw.length_squared() <= 1e-18 {
                continue;
            }
            let e = raw.normalize();
            let mut free = f64::INFINITY;
            for b in around.iter().copied().flatten() {
                if b.index as usize == i {
                    continue;
                }
                let d = b.position - a.position;
                let l = a.radius + b.radius;
                let ahead = e.dot(d);
                if ahead > 0.0 && e.perp_dot(d).abs() < l {
                    free = free.min(d.length() - l);
                }
            }
            for &w in self.grid.walls_near(a.position) {
                let q = self.walls[w as usize].closest_point(a.position);
                let d = a.position - q;
                let s = d.length();
                if s <= 1e-9 {
                    continue;
                }
                // Closing on the wall at `-e·n` per metre walked: the body touches it after
                // (s - r) / closing metres.
                let closing = -e.dot(d / s);
                if closing > 0.0 {
                    free = free.min((s - a.radius) / closing);
                }
            }
            let v = a.desired_speed.min((free / p.time_gap).max(0.0));
            let progress = v * e.dot(desired);
            if progress > best.2 {
                best = (e, v, progress);
            }
        }
        (best.0, best.1)
    }

    /// A 64-bit FNV-1a hash of every agent's id, position and speed bits: equal hashes mean
    /// bit-identical states.
    pub fn state_hash(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |v: u64| {
            for byte in v.to_le_bytes() {
                h ^= byte as u64;
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        };
        for a in &self.agents {
            eat(a.id.0 as u64);
            eat(a.position.x.to_bits());
            eat(a.position.y.to_bits());
            eat(a.speed.to_bits());
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use twincity_model::area::ring_walls;

    /// A corridor `length` × `width` along +x, walls on its long sides and ends.
    fn corridor(length: f64, width: f64) -> Crowd {
        let ring = [
            DVec2::new(0.0, 0.0),
            DVec2::new(length, 0.0),
            DVec2::new(length, width),
            DVec2::new(0.0, width),
        ];
        Crowd::new(
            CfsmParams::default(),
            ring_walls(&ring),
            DVec2::ZERO,
            DVec2::new(length, width),
            2.0,
        )
    }

    /// RiMEA test 1 (straight line): one person at 1.33 m/s walks 40 m along a 2 m wide
    /// corridor; the guideline accepts 26 s to 34 s. Free walking must also give the desired
    /// speed itself: 40 / 1.33 = 30.08 s, within one time step per metre of wall effects.
    #[test]
    fn rimea_1_free_walking_in_a_corridor() {
        let mut crowd = corridor(42.0, 2.0);
        crowd.add_agent(DVec2::new(1.0, 1.0), 1.33, 0.2, vec![DVec2::new(41.5, 1.0)]);
        let mut crossed = None;
        while crowd.time() < 60.0 {
            crowd.step();
            if crowd.agents()[0].position.x >= 41.0 {
                crossed = Some(crowd.time());
                break;
            }
        }
        let t = crossed.expect("the agent never covered 40 m");
        assert!((26.0..=34.0).contains(&t), "RiMEA 1: {t} s");
        assert!((t - 40.0 / 1.33).abs() < 0.1, "free speed not kept: {t} s");
    }

    #[test]
    fn the_follower_keeps_the_time_gap_and_never_overlaps() {
        // A slow leader (0.5 m/s) and a fast follower (1.5 m/s) 3 m behind, same line, in
        // the plain CFSM (no stepping aside): the follower stays behind.
        let mut crowd = corridor(60.0, 2.0);
        crowd.params = CfsmParams::plain();
        let goal = vec![DVec2::new(59.0, 1.0)];
        crowd.add_agent(DVec2::new(4.0, 1.0), 0.5, 0.2, goal.clone());
        crowd.add_agent(DVec2::new(1.0, 1.0), 1.5, 0.2, goal);
        let mut min_gap = f64::INFINITY;
        for _ in 0..4000 {
            crowd.step();
            let [a, b] = [&crowd.agents()[0], &crowd.agents()[1]];
            min_gap = min_gap.min(a.position.distance(b.position) - 0.4);
        }
        assert!(min_gap > 0.0, "agents overlapped by {}", -min_gap);
        // In steady state the follower walks at the leader's speed, s - l = v T behind.
        let [a, b] = [&crowd.agents()[0], &crowd.agents()[1]];
        assert!((b.speed - 0.5).abs() < 0.02, "follower speed {}", b.speed);
        let gap = a.position.distance(b.position) - 0.4;
        let expected = 0.5 * crowd.params.time_gap;
        assert!(
            (gap - expected).abs() < 0.05,
            "gap {gap}, expected {expected}"
        );
    }

    #[test]
    fn a_fast_walker_steps_aside_and_overtakes_a_slow_one() {
        // The same two walkers with stepping aside (the default): the follower passes the
        // leader in the 2 m corridor without touching it or the walls, then walks at its
        // own speed again.
        let mut crowd = corridor(60.0, 2.0);
        let goal = vec![DVec2::new(59.0, 1.0)];
        crowd.add_agent(DVec2::new(4.0, 1.0), 0.5, 0.2, goal.clone());
        crowd.add_agent(DVec2::new(1.0, 1.0), 1.5, 0.2, goal);
        let mut min_gap = f64::INFINITY;
        let mut passed = None;
        for _ in 0..2500 {
            crowd.step();
            let [a, b] = [&crowd.agents()[0], &crowd.agents()[1]];
            min_gap = min_gap.min(a.position.distance(b.position) - 0.4);
            for q in [a.position, b.position] {
                assert!((0.2..=1.8).contains(&q.y), "through a wall at {q}");
            }
            if passed.is_none() && b.position.x > a.position.x + 1.0 {
                passed = Some(crowd.time());
            }
        }
        assert!(min_gap > 0.0, "agents overlapped by {}", -min_gap);
        let t = passed.expect("the fast walker never passed the slow one");
        // Held up behind for a while at most: at 0.5 m/s the leader would keep it back for
        // the whole 25 s.
        assert!(t < 12.0, "passed only after {t} s");
        let b = &crowd.agents()[1];
        assert!((b.speed - 1.5).abs() < 0.02, "follower speed {}", b.speed);
    }

    #[test]
    fn walls_keep_agents_inside_and_people_apart_in_a_counterflow() {
        let mut crowd = corridor(30.0, 3.0);
        for k in 0..20 {
            let y = 0.4 + (k % 5) as f64 * 0.55;
            let x = 1.0 + (k / 5) as f64 * 0.8;
            crowd.add_agent(DVec2::new(x, y), 1.3, 0.2, vec![DVec2::new(29.0, y)]);
            crowd.add_agent(
                DVec2::new(29.0 - x + 1.0, y + 0.1),
                1.3,
                0.2,
                vec![DVec2::new(1.0, y)],
            );
        }
        let mut worst_overlap: f64 = 0.0;
        for _ in 0..3000 {
            crowd.step();
            for a in crowd.agents() {
                assert!(
                    a.position.y > 0.0
                        && a.position.y < 3.0
                        && a.position.x > 0.0
                        && a.position.x < 30.0,
                    "agent {:?} left the corridor at {}",
                    a.id,
                    a.position
                );
            }
            let ags = crowd.agents();
            for i in 0..ags.len() {
                for j in i + 1..ags.len() {
                    let o = 0.4 - ags[i].position.distance(ags[j].position);
                    worst_overlap = worst_overlap.max(o);
                }
            }
        }
        // The speed rule stops agents before contact; sideways pushes may close a few cm.
        assert!(worst_overlap < 0.05, "overlap of {worst_overlap} m");
    }

    #[test]
    fn same_input_gives_bit_identical_trajectories() {
        let run = || {
            let mut crowd = corridor(20.0, 4.0);
            for k in 0..60u32 {
                let x = 0.5 + (k % 10) as f64 * 0.5;
                let y = 0.5 + (k / 10) as f64 * 0.55;
                let v = 1.0 + (k % 7) as f64 * 0.08;
                crowd.add_agent(DVec2::new(x, y), v, 0.2, vec![DVec2::new(19.0, 2.0)]);
            }
            let mut hashes = Vec::new();
            for s in 0..1500 {
                crowd.step();
                if s % 100 == 0 {
                    hashes.push(crowd.state_hash());
                }
            }
            hashes
        };
        let a = run();
        assert_eq!(a, run());
        assert_eq!(a.len(), 15);
        // The state does change over time (the hash is not constant).
        assert_ne!(a[0], a[14]);
    }

    #[test]
    fn bad_parameters_are_named() {
        let mut p = CfsmParams::default();
        assert!(p.check().is_ok());
        p.time_gap = f64::NAN;
        assert_eq!(p.check().unwrap_err().0, "time_gap");
        p.time_gap = 1.0;
        p.dt = 0.5;
        assert_eq!(p.check().unwrap_err().0, "dt");
    }
}
