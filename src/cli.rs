//! The command line: `twincity [COMMAND]`. With no command, the editor opens on the demo.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "twincity",
    version,
    about = "TwinCity Studio: city digital twins, virtual CCTV cameras, synthetic crowds and privacy-safe datasets",
    long_about = "TwinCity Studio: city digital twins, virtual CCTV cameras, synthetic crowds and \
                  privacy-safe datasets.\n\nWith no command, the editor opens on the bundled demo project."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Open the editor (on PROJECT, or on the bundled demo project)
    Edit(EditArgs),
    /// Check project files (`*.twin.ron`), scenarios (`*.scenario.ron`) and crowd scenarios,
    /// naming file, line and column
    Validate(ValidateArgs),
    /// Play a scenario headless: its timeline, speed checks, and the world state and ground
    /// truth labels at chosen times
    Scenario(ScenarioArgs),
    /// Run a crowd scenario headless; write trajectories (PedPy format) and the walkable area
    Sim(SimArgs),
    /// Render every camera of a scenario into an annotated, privacy-safe dataset (images,
    /// COCO, YOLO, head points, manifest; see docs/dataset-format.md)
    Render(crate::render::RenderArgs),
    /// Datasets: `dataset merge` joins shards into one dataset, `dataset check` verifies one
    Dataset(DatasetArgs),
    /// Run a model (card in assets/models/) over a rendered dataset: COCO AP, precision and
    /// recall, counting errors and breakdowns, as report.json and report.html
    Eval(crate::eval::EvalArgs),
    /// Inspect a glTF/GLB file: meshes, triangles, materials, extensions, bounds, origin, CRS
    /// and problems (JSON pointers); exits 1 when the editor could not load the file
    Inspect(InspectArgs),
    /// DORI pixel-density coverage of a project's cameras with occlusion: GeoJSON and a
    /// Markdown report
    Coverage(crate::coverage::CoverageArgs),
    /// Benchmarks: crowd model, fundamental diagram, dataset rendering, coverage, import,
    /// inference
    Bench(BenchArgs),
}

#[derive(Args, Debug)]
pub struct EditArgs {
    /// Project file (`*.twin.ron`); the bundled demo project when omitted
    pub project: Option<PathBuf>,
    /// Add a glTF/GLB city mesh to the project on opening (repeatable)
    #[arg(long, value_name = "FILE")]
    pub import: Vec<PathBuf>,
    /// Wait until the scene is fully drawn, save a window screenshot (PNG) and exit
    #[arg(long, value_name = "OUT.png")]
    pub screenshot: Option<PathBuf>,
    /// Window size in pixels
    #[arg(long, value_name = "WxH", default_value = "1600x900", value_parser = parse_size)]
    pub window: (u32, u32),
    /// Load a crowd scenario into the view (paused)
    #[arg(long, value_name = "SCENARIO.ron")]
    pub crowd: Option<PathBuf>,
    /// Simulate the crowd up to this time (seconds) before showing it
    #[arg(long, value_name = "S", default_value_t = 0.0, requires = "crowd")]
    pub crowd_at: f64,
    /// Show the crowd's density heatmap
    #[arg(long, requires = "crowd")]
    pub crowd_heatmap: bool,
    /// Show the DORI coverage overlay of the project's cameras
    #[arg(long)]
    pub coverage: bool,
    /// Open the Model inference window with every camera running this model (a card in
    /// assets/models/), the first camera shown
    #[arg(long, value_name = "CARD.ron")]
    pub infer: Option<PathBuf>,
    /// Show real footage — a photo (PNG, JPEG) or a video (through FFmpeg) — in the first
    /// camera's view of the Model inference window, every face blurred before it is shown
    #[arg(long, value_name = "IMAGE_OR_VIDEO")]
    pub footage: Option<PathBuf>,
    /// Load a scenario (`*.scenario.ron`) with its timeline panel
    #[arg(long, value_name = "FILE.scenario.ron")]
    pub scenario: Option<PathBuf>,
    /// Play the scenario to this time (seconds) before showing it
    #[arg(long, value_name = "S", default_value_t = 0.0, requires = "scenario")]
    pub scenario_at: f64,
}

#[derive(Args, Debug)]
pub struct ScenarioArgs {
    /// Scenario file (`*.scenario.ron`; see docs/scenarios.md)
    pub scenario: PathBuf,
    /// Report the world at this time, seconds (repeatable)
    #[arg(long = "at", value_name = "S")]
    pub at: Vec<f64>,
    /// Random seed (default: the scenario's `seed`)
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// With --at: list every label (class, incident, position, size, attributes)
    #[arg(long)]
    pub labels: bool,
    /// With --at: what each of the project's cameras sees (instance-id pass: visible and
    /// full boxes in pixels, visibility, head seen or hidden)
    #[arg(long)]
    pub cameras: bool,
    /// Print one JSON document instead of text
    #[arg(long)]
    pub json: bool,
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
pub struct BenchArgs {
    #[command(subcommand)]
    pub what: BenchWhat,
}

#[derive(Subcommand, Debug)]
pub enum BenchWhat {
    /// Crowd model: ms per step on one thread and agent-steps per second
    Sim(BenchSimArgs),
    /// Crowd model: speed against density on a ring corridor, next to Weidmann's curve
    FundamentalDiagram(BenchFdArgs),
    /// Annotated frames per second of the dataset renderer, and the cost of annotating
    Render(crate::render::BenchRenderArgs),
    /// DORI coverage: time for 20 cameras over 500 m × 500 m, BVH against every triangle
    Coverage(crate::coverage::BenchCoverageArgs),
    /// Import time of a glTF/GLB file against Bevy's plain glTF load of it
    Import(crate::import_bench::BenchImportArgs),
    /// Live inference per frame (read-back, pre-processing, model, decoding, overlay) against
    /// ONNX Runtime's bare session.run on the same tensor
    Infer(crate::infer_bench::BenchInferArgs),
    /// Walkable-area validation of detailed outlines against geo's every-pair validation
    Walkable(BenchWalkableArgs),
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
    /// Standard deviation of desired speeds around 1.34 m/s
    #[arg(long, default_value_t = 0.0)]
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
pub struct DatasetArgs {
    #[command(subcommand)]
    pub what: DatasetWhat,
}

#[derive(Subcommand, Debug)]
pub enum DatasetWhat {
    /// Join the folders of a sharded render into one dataset (files copied or hard-linked;
    /// COCO, YOLO data file and manifest rebuilt)
    Merge {
        /// The new dataset folder
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The shard folders
        #[arg(required = true, value_name = "SHARD_DIR")]
        inputs: Vec<PathBuf>,
    },
    /// Check a dataset folder: every record reads, every image is there at its size, COCO and
    /// manifest agree with the records; prints counts
    Check {
        dir: PathBuf,
        /// Print the summary as JSON
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Files to check
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print one JSON object per file instead of text
    #[arg(long)]
    pub json: bool,
    /// Print nothing; the exit status says whether every file is valid
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// The .glb or .gltf file
    pub file: PathBuf,
    /// Print the report as JSON instead of text
    #[arg(long)]
    pub json: bool,
}

/// `AxB` (or `AXB`) with both numbers in `range`; `example` shows the expected form.
pub fn parse_pair(
    s: &str,
    example: &str,
    what: &str,
    range: std::ops::RangeInclusive<u32>,
) -> Result<(u32, u32), String> {
    let (a, b) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("expected {example}, got `{s}`"))?;
    let parse = |v: &str| {
        v.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                format!(
                    "`{v}` is not {what} between {} and {}",
                    range.start(),
                    range.end()
                )
            })
    };
    Ok((parse(a)?, parse(b)?))
}

/// An image or window size, `WIDTHxHEIGHT`, 64 to 8192 pixels a side.
pub fn parse_size(s: &str) -> Result<(u32, u32), String> {
    parse_pair(s, "WIDTHxHEIGHT such as 1600x900", "a size", 64..=8192)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_size_parses_and_rejects_nonsense() {
        assert_eq!(parse_size("1280x720"), Ok((1280, 720)));
        assert!(parse_size("1280").is_err());
        assert!(parse_size("10x10").is_err());
        assert!(parse_size("axb").is_err());
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
