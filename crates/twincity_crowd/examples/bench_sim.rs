//! `cargo run --release -p twincity_crowd --example bench_sim -- 1000,10000,100000 [STEPS]`
//! Prints one JSON line per size: ms per step on one thread and agent-steps per second, for the
//! model alone and (up to 10 000 agents, `run_ms_per_step`) for the whole run with its journey
//! logic.
//! The same numbers come from `twincity bench sim`; this example builds in release mode
//! without the editor.

fn main() {
    let mut args = std::env::args().skip(1);
    let sizes: Vec<usize> = args
        .next()
        .unwrap_or_else(|| "1000,10000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let steps: u32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(100);
    for n in sizes {
        let r = twincity_crowd::bench::run_sim_bench(n, steps, 42);
        let run = twincity_crowd::bench::run_journey_bench(n, steps, 42)
            .map_or("null".to_string(), |j| format!("{:.3}", j.ms_per_step));
        println!(
            "{{\"agents\":{},\"steps\":{},\"ms_per_step\":{:.3},\"agent_steps_per_s\":{:.0},\"run_ms_per_step\":{}}}",
            r.agents, r.steps, r.ms_per_step, r.agent_steps_per_s, run
        );
    }
}
