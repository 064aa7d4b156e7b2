//! The crowd benchmark: N agents at 1 person/m² on a jittered 1 m lattice in an open square,
//! each walking east; the cost of simulation steps on one thread. The same set-up is rebuilt in
//! JuPedSim by `benches/jupedsim_speed.py` to compare the two.

use std::time::Instant;

use glam::DVec2;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use super::model::{CfsmParams, Crowd};
use super::run::SimRun;
use super::scenario::{
    AgentProfile, Area, CROWD_SCENARIO_VERSION, CrowdScenario, Exit, MAX_LIST, Person, WalkableSpec,
};
use twincity_model::area::WalkableArea;
use twincity_model::simple::detailed_outline;

/// Result of one benchmark size.
#[derive(Clone, Debug, PartialEq)]
pub struct SimBench {
    pub agents: usize,
    pub steps: u32,
    pub ms_per_step: f64,
    pub agent_steps_per_s: f64,
}

/// Side of the square holding `agents` at 1 person/m² (whole metres).
pub fn square_side(agents: usize) -> f64 {
    (agents as f64).sqrt().ceil() + 2.0
}

/// Agent start positions and desired speeds: lattice points 1 m apart from (1.5, 1.5), row by
/// row, each jittered by up to ±0.2 m; speeds normal 1.34 ± 0.26 m/s clamped to 0.5–2.0.
pub fn bench_agents(agents: usize, seed: u64) -> Vec<(DVec2, f64)> {
    let per_row = square_side(agents) as usize - 2;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let speeds: Normal<f64> = Normal::new(1.34, 0.26).expect("valid normal");
    (0..agents)
        .map(|k| {
            let base = DVec2::new((k % per_row) as f64 + 1.5, (k / per_row) as f64 + 1.5);
            let jitter = DVec2::new(rng.random_range(-0.2..0.2), rng.random_range(-0.2..0.2));
            (base + jitter, speeds.sample(&mut rng).clamp(0.5, 2.0))
        })
        .collect()
}

/// Builds the benchmark crowd.
pub fn bench_crowd(agents: usize, seed: u64) -> Crowd {
    let l = square_side(agents);
    let area = WalkableArea::rectangle((0.0, 0.0), (l, l));
    let mut crowd = Crowd::new(
        // JuPedSim's model, so both arms do the same work.
        CfsmParams::plain(),
        area.walls(),
        DVec2::ZERO,
        DVec2::splat(l),
        2.0,
    );
    for (p, v) in bench_agents(agents, seed) {
        crowd.add_agent(p, v, 0.2, vec![DVec2::new(l - 0.5, p.y)]);
    }
    crowd
}

/// Times `steps` steps of an `agents`-strong crowd (after one warm-up step).
pub fn run_sim_bench(agents: usize, steps: u32, seed: u64) -> SimBench {
    let mut crowd = bench_crowd(agents, seed);
    time_steps(agents, steps, || crowd.step())
}

/// Times `steps` calls of `step` (after one warm-up call) for a crowd of `agents`.
fn time_steps(agents: usize, steps: u32, mut step: impl FnMut()) -> SimBench {
    step();
    let t0 = Instant::now();
    for _ in 0..steps {
        step();
    }
    let secs = t0.elapsed().as_secs_f64();
    SimBench {
        agents,
        steps,
        ms_per_step: secs * 1e3 / steps as f64,
        agent_steps_per_s: agents as f64 * steps as f64 / secs,
    }
}

/// The benchmark set-up as a crowd scenario, for [`run_journey_bench`]: the same square, the same
/// people at the same places and desired speeds, each with the exit strip along the east wall
/// (the last metre) as the end of its journey, as in JuPedSim's set-up. `None` above
/// [`MAX_LIST`] people (what one scenario may list).
pub fn journey_scenario(agents: usize, seed: u64) -> Option<CrowdScenario> {
    if agents > MAX_LIST {
        return None;
    }
    let l = square_side(agents);
    let people = bench_agents(agents, seed)
        .into_iter()
        .enumerate()
        .map(|(k, (p, v))| Person {
            name: format!("p{k}"),
            at: (p.x, p.y),
            exit: "East".into(),
            start_s: 0.0,
            via: Vec::new(),
            speed: v,
        })
        .collect();
    Some(CrowdScenario {
        version: CROWD_SCENARIO_VERSION,
        name: format!("benchmark square, {agents} people"),
        walkable: WalkableSpec::Polygon {
            outer: vec![(0.0, 0.0), (l, 0.0), (l, l), (0.0, l)],
            holes: Vec::new(),
        },
        spawns: Vec::new(),
        people,
        waypoints: Vec::new(),
        exits: vec![Exit {
            name: "East".into(),
            area: Area {
                min: (l - 1.0, 0.0),
                max: (l, l),
            },
        }],
        events: Vec::new(),
        agents: AgentProfile::default(),
        model: CfsmParams::plain(),
        duration_s: 3600.0,
        seed,
        output_fps: 10,
    })
}

/// Times `steps` steps of the whole simulation run ([`SimRun::step`]) on
/// [`journey_scenario`]: the model plus TwinCity's journey logic (every 0.1 s: line-of-sight
/// advance along each route, re-planning, leaving at the exit). This is the arm to set against
/// JuPedSim's `iterate`, which runs its journey and stage logic too. `None` above
/// [`MAX_LIST`] agents.
pub fn run_journey_bench(agents: usize, steps: u32, seed: u64) -> Option<SimBench> {
    let scenario = journey_scenario(agents, seed)?;
    let mut run = SimRun::new(scenario).expect("the benchmark scenario is valid");
    Some(time_steps(agents, steps, || run.step()))
}

/// Seconds to validate [`detailed_outline`]`(n)` with [`WalkableArea::check`] (the grid
/// check) and, when `with_geo`, with geo's complete validation alone (the baseline, which
/// tests every pair of segments). Best of `runs`.
pub fn time_validation(n: usize, runs: u32, with_geo: bool) -> (f64, Option<f64>) {
    use geo::Validation;
    let area = WalkableArea {
        outer: detailed_outline(n).iter().map(|p| (p.x, p.y)).collect(),
        holes: Vec::new(),
    };
    let best = |f: &dyn Fn() -> bool| {
        (0..runs.max(1))
            .map(|_| {
                let t = Instant::now();
                assert!(f(), "the benchmark outline is valid");
                t.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let fast = best(&|| area.check().is_ok());
    let geo = with_geo.then(|| best(&|| area.polygon().is_valid()));
    (fast, geo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bench_set_up_is_inside_the_square_and_non_overlapping() {
        let a = bench_agents(400, 1);
        let l = square_side(400);
        assert_eq!(l, 22.0);
        for (i, (p, v)) in a.iter().enumerate() {
            assert!(
                p.x > 0.5 && p.y > 0.5 && p.x < l - 0.5 && p.y < l - 0.5,
                "{p}"
            );
            assert!((0.5..=2.0).contains(v));
            for (q, _) in &a[i + 1..] {
                assert!(p.distance(*q) >= 0.6 - 1e-9);
            }
        }
        let r = run_sim_bench(400, 5, 1);
        assert_eq!((r.agents, r.steps), (400, 5));
        assert!(r.ms_per_step > 0.0);
    }

    #[test]
    fn the_journey_arm_runs_the_same_people_to_the_exit() {
        let scenario = journey_scenario(400, 1).unwrap();
        let mut run = SimRun::new(scenario).unwrap();
        // Every person stands where the model-only arm puts them, at that arm's speed.
        let mut placed: Vec<_> = run.crowd().agents().iter().map(|a| a.position).collect();
        placed.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
        let mut wanted: Vec<_> = bench_agents(400, 1).into_iter().map(|(p, _)| p).collect();
        wanted.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
        assert_eq!(placed, wanted);
        // The journey ends: walking east, everyone reaches the strip and leaves.
        let l = square_side(400);
        for _ in 0..(3.0 * l / 0.01) as u32 {
            run.step();
        }
        assert!(
            run.crowd().agents().is_empty(),
            "{} left",
            run.crowd().agents().len()
        );
        // Scenarios list at most MAX_LIST people.
        assert!(journey_scenario(MAX_LIST + 1, 1).is_none());
        let r = run_journey_bench(100, 3, 1).unwrap();
        assert_eq!((r.agents, r.steps), (100, 3));
    }
}
