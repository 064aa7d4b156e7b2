//! `twincity sim`: runs a crowd scenario headless.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use twincity_crowd::SimRun;
use twincity_crowd::scenario::CrowdScenario;
use twincity_model::ronfile::write_atomic;

use clap::Args;

/// A file written through a temporary sibling and renamed into place when complete, so an
/// interrupted or failed run never leaves a half-written file under the requested name.
struct AtomicFile {
    tmp: PathBuf,
    path: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    fn create(path: &Path) -> anyhow::Result<Self> {
        let name = path
            .file_name()
            .with_context(|| format!("{} names no file", path.display()))?;
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let tmp = dir.join(format!(
            ".{}.tmp-{}",
            name.to_string_lossy(),
            std::process::id()
        ));
        let file = File::create(&tmp).with_context(|| {
            format!(
                "cannot write {}: cannot create a file in {}",
                path.display(),
                dir.display()
            )
        })?;
        Ok(Self {
            tmp,
            path: path.to_path_buf(),
            writer: Some(BufWriter::new(file)),
        })
    }

    fn commit(mut self) -> anyhow::Result<()> {
        if let Some(w) = self.writer.take() {
            let file = w
                .into_inner()
                .map_err(|e| e.into_error())
                .with_context(|| format!("cannot write {}", self.path.display()))?;
            file.sync_all()
                .with_context(|| format!("cannot write {}", self.path.display()))?;
        }
        std::fs::rename(&self.tmp, &self.path)
            .with_context(|| format!("cannot write {}", self.path.display()))
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.is_some() || self.tmp.exists() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

pub fn run(args: &SimArgs) -> anyhow::Result<ExitCode> {
    let (mut scenario, text) = CrowdScenario::load_with_text(&args.scenario)?;
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    let duration = args.duration.unwrap_or(scenario.duration_s);
    if !(duration.is_finite() && duration > 0.0) {
        anyhow::bail!("--duration must be a positive number of seconds, got {duration}");
    }
    let name = scenario.name.clone();
    if !(args.quiet || args.json)
        && let Ok(Some(note)) = scenario.walkable.resolve().map(|r| r.note)
    {
        eprintln!("walkable area: {note}");
    }
    let mut sim =
        SimRun::new(scenario).map_err(|problem| problem.into_error(&args.scenario, &text))?;
    if let Some(wkt_path) = &args.walkable_wkt {
        let mut wkt = sim.area().to_wkt();
        wkt.push('\n');
        write_atomic(wkt_path, wkt.as_bytes())?;
    }

    let mut out = match &args.trajectories {
        Some(p) => Some(AtomicFile::create(p)?),
        None => None,
    };
    let bar = if args.quiet || args.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new((duration * 10.0).round() as u64)
    };
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} (0.1 s) ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(format!("simulating {name}"));
    let writer: Option<&mut dyn Write> = match out.as_mut().and_then(|f| f.writer.as_mut()) {
        Some(w) => Some(w),
        None => None,
    };
    let summary = sim
        .run(duration, writer, |t| {
            bar.set_position((t * 10.0).round() as u64)
        })
        .with_context(|| "cannot write the trajectories")?;
    bar.finish_and_clear();
    if let Some(f) = out {
        f.commit()?;
    }
    if args.json {
        let line = serde_json::json!({
            "scenario": args.scenario.display().to_string(),
            "simulated_s": summary.simulated_s,
            "spawned": summary.spawned,
            "exited": summary.exited,
            "still_walking": summary.spawned - summary.exited,
            "mean_speed_m_s": summary.mean_speed,
            "max_density_per_m2": summary.max_density,
        });
        println!("{line}");
    } else if !args.quiet {
        println!(
            "{name}: {:.1} s simulated; {} agents spawned, {} exited, {} still walking; mean speed {:.2} m/s; max density {:.2} persons/m2 (2 m cells)",
            summary.simulated_s,
            summary.spawned,
            summary.exited,
            summary.spawned - summary.exited,
            summary.mean_speed,
            summary.max_density
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `twincity bench sim`: times the crowd model on the benchmark set-up
/// (`twincity_crowd::bench`), alone and, up to 10 000 people, with the run's journey logic.
pub fn bench(args: &BenchSimArgs) -> anyhow::Result<ExitCode> {
    if args.steps == 0 || args.agents.iter().any(|&n| n == 0 || n > 2_000_000) {
        anyhow::bail!("--steps must be positive and each --agents size between 1 and 2 000 000");
    }
    if cfg!(debug_assertions) && !args.json {
        eprintln!(
            "note: this is a debug build; for representative numbers run \
             `cargo run --release -- bench sim`"
        );
    }
    if !args.json {
        println!(
            "{:>8} {:>12} {:>20} {:>22}",
            "agents", "ms/step", "agent-steps/s", "with journeys ms/step"
        );
    }
    for &n in &args.agents {
        let r = twincity_crowd::bench::run_sim_bench(n, args.steps, 42);
        // The whole run (journey logic included) exists for scenarios of up to 10 000 people.
        let run = twincity_crowd::bench::run_journey_bench(n, args.steps, 42);
        if args.json {
            let line = serde_json::json!({
                "agents": r.agents,
                "steps": r.steps,
                "ms_per_step": r.ms_per_step,
                "agent_steps_per_s": r.agent_steps_per_s,
                "run_ms_per_step": run.as_ref().map(|j| j.ms_per_step),
            });
            println!("{line}");
        } else {
            println!(
                "{:>8} {:>12.3} {:>20.0} {:>22}",
                r.agents,
                r.ms_per_step,
                r.agent_steps_per_s,
                run.map_or("-".to_string(), |j| format!("{:.3}", j.ms_per_step))
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `twincity bench fundamental-diagram`: RiMEA test 4's measurement (speed against density on
/// a ring corridor, `twincity_crowd::validation`) next to Weidmann's curve.
pub fn fundamental_diagram(args: &BenchFdArgs) -> anyhow::Result<ExitCode> {
    use twincity_crowd::CfsmParams;
    use twincity_crowd::validation::{measure_on_ring, weidmann_speed};
    if args.densities.iter().any(|&d| !(d > 0.0 && d < 5.4)) {
        anyhow::bail!(
            "each --densities value must be between 0 and 5.4 persons/m² (Weidmann's jam density)"
        );
    }
    let mut params = CfsmParams::default();
    if let Some(t) = args.time_gap {
        params.time_gap = t;
    }
    if let Some(a) = args.look_aside {
        params.look_aside_deg = a;
    }
    params.check().map_err(|(field, message)| {
        let flag = field.trim_end_matches("_deg").replace('_', "-");
        anyhow::anyhow!("--{flag}: {message}")
    })?;
    if !(args.speed_sd.is_finite() && (0.0..=1.0).contains(&args.speed_sd)) {
        anyhow::bail!("--speed-sd must be between 0 and 1 m/s");
    }
    if !(args.warmup >= 0.0 && args.measure > 0.0 && args.warmup + args.measure <= 3600.0) {
        anyhow::bail!(
            "--warmup must be zero or more and --measure positive (together at most 3600 s)"
        );
    }
    if !args.json {
        println!(
            "ring corridor, time gap {} s, stepping aside up to {}°, desired speed 1.34 ± {} m/s",
            params.time_gap, params.look_aside_deg, args.speed_sd
        );
        println!(
            "{:>10} {:>7} {:>10} {:>10} {:>10} {:>12}",
            "persons/m²", "agents", "speed m/s", "Weidmann", "difference", "flow p/(m·s)"
        );
    }
    for (k, &d) in args.densities.iter().enumerate() {
        let p = measure_on_ring(
            &params,
            args.speed_sd,
            d,
            args.warmup,
            args.measure,
            1 + k as u64,
        );
        let w = weidmann_speed(p.density);
        if args.json {
            let line = serde_json::json!({
                "density": p.density,
                "agents": p.agents,
                "speed": p.speed,
                "weidmann": w,
                "flow": p.flow,
            });
            println!("{line}");
        } else {
            println!(
                "{:>10.2} {:>7} {:>10.3} {:>10.3} {:>+10.3} {:>12.3}",
                p.density,
                p.agents,
                p.speed,
                w,
                p.speed - w,
                p.flow
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `twincity bench walkable`: seconds to validate a detailed outline, and geo's every-pair
/// validation of the same outline (the baseline) where it is timed.
pub fn bench_walkable(args: &BenchWalkableArgs) -> anyhow::Result<ExitCode> {
    for &n in &args.corners {
        let (fast, geo) =
            twincity_crowd::bench::time_validation(n, args.runs, n <= args.baseline_up_to);
        match geo {
            Some(g) => println!(
                "{n} corners: {:.1} ms, geo alone {:.1} ms ({:.0}× faster)",
                1e3 * fast,
                1e3 * g,
                g / fast
            ),
            None => println!("{n} corners: {:.1} ms (geo alone not timed)", 1e3 * fast),
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub struct SimArgs {
    /// Crowd scenario file (RON; see docs/crowd-scenarios.md)
    pub scenario: PathBuf,
    /// Simulated seconds (default: the scenario's `duration_s`)
    #[arg(long, value_name = "S")]
    pub duration: Option<f64>,
    /// Random seed (default: the scenario's `seed`)
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Write trajectories here: `#framerate:` header, then `id frame x y z` in metres
    #[arg(long, value_name = "OUT.txt")]
    pub trajectories: Option<PathBuf>,
    /// Write the walkable area here as WKT
    #[arg(long, value_name = "OUT.wkt")]
    pub walkable_wkt: Option<PathBuf>,
    /// No progress bar and no summary
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct BenchSimArgs {
    /// Crowd sizes, comma-separated
    #[arg(
        long,
        value_name = "N,N,...",
        default_value = "1000,10000,100000",
        value_delimiter = ','
    )]
    pub agents: Vec<usize>,
    /// Steps timed per size (after one warm-up step)
    #[arg(long, default_value_t = 100)]
    pub steps: u32,
    /// One JSON object per size instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct BenchFdArgs {
    /// Densities to measure, persons/m², comma-separated
    #[arg(
        long,
        value_name = "D,D,...",
        default_value = "0.5,1,1.5,2,3,4",
        value_delimiter = ','
    )]
    pub densities: Vec<f64>,
    /// Time gap T of the model, seconds (default: the model's default)
    #[arg(long)]
    pub time_gap: Option<f64>,
    /// How far walkers held up look aside to pass, degrees (0: the plain CFSM, as JuPedSim;
    /// default: the model's default)
    #[arg(long, value_name = "DEG")]
    pub look_aside: Option<f64>,
    /// Standard deviation of desired speeds around 1.34 m/s (the crowds' own spread by
    /// default; 0 puts every walker at Weidmann's free speed)
    #[arg(long, default_value_t = 0.26)]
    pub speed_sd: f64,
    /// Simulated seconds before measuring, then measured
    #[arg(long, default_value_t = 20.0)]
    pub warmup: f64,
    #[arg(long, default_value_t = 30.0)]
    pub measure: f64,
    /// One JSON object per density instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct BenchWalkableArgs {
    /// Corners of the outlines, comma-separated
    #[arg(
        long,
        value_name = "N,N,...",
        default_value = "2000,20000,200000",
        value_delimiter = ','
    )]
    pub corners: Vec<usize>,
    /// Time geo's validation too up to this many corners (it grows with their square)
    #[arg(long, default_value_t = 20_000)]
    pub baseline_up_to: usize,
    /// Runs per size (the best is kept)
    #[arg(long, default_value_t = 3)]
    pub runs: u32,
}
