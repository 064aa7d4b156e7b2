//! The command line: `twincity [COMMAND]`. With no command, the editor opens on the demo.

pub mod args;
pub mod coverage;
pub mod eval;
pub mod eval_report;
pub mod import_bench;
pub mod infer_bench;
pub mod present;
pub mod render;
pub mod scenario;
pub mod sim;
pub mod train;

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
    /// Present a tour (`*.tour.ron`) full screen: each step's view, overlays and text, in
    /// French or English (→ / Space next, ← back, P pause, Esc leave)
    Present(crate::cli::present::PresentArgs),
    /// Check project files (`*.twin.ron`), scenarios (`*.scenario.ron`), tours
    /// (`*.tour.ron`), crowd scenarios and (with `--card`) model cards, naming file, line and
    /// column
    Validate(ValidateArgs),
    /// Play a scenario headless: its timeline, speed checks, and the world state and ground
    /// truth labels at chosen times
    Scenario(crate::cli::scenario::ScenarioArgs),
    /// Run a crowd scenario headless; write trajectories (PedPy format) and the walkable area
    Sim(crate::cli::sim::SimArgs),
    /// Render every camera of a scenario into an annotated, privacy-safe dataset (images,
    /// COCO, YOLO, head points, manifest; see docs/dataset-format.md)
    Render(crate::cli::render::RenderArgs),
    /// Datasets: `dataset merge` joins shards into one dataset, `dataset check` verifies one,
    /// `dataset crops` cuts object crops for classifiers
    Dataset(crate::cli::render::DatasetArgs),
    /// Run a model (card in assets/models/) over a rendered dataset: COCO AP, precision and
    /// recall, counting errors and breakdowns, as report.json and report.html
    Eval(crate::cli::eval::EvalArgs),
    /// Fine-tune a detector (from a YOLOX card) on rendered datasets: ONNX model, model card
    /// and training report, with AP before and after on held-out and real images
    Train(crate::cli::train::TrainArgs),
    /// Inspect a glTF/GLB file: meshes, triangles, materials, extensions, bounds, origin, CRS
    /// and problems (JSON pointers); exits 1 when the editor could not load the file
    Inspect(InspectArgs),
    /// DORI pixel-density coverage of a project's cameras with occlusion: GeoJSON and a
    /// Markdown report
    Coverage(crate::cli::coverage::CoverageArgs),
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
    /// With --screenshot: first turn the view N frames (one degree each, as a drag does) at
    /// full quality, then N frames with smooth moves on, and log both frame rates
    #[arg(long, value_name = "N", default_value_t = 0, requires = "screenshot")]
    pub measure_frames: u32,
    /// Window size in pixels
    #[arg(long, value_name = "WxH", default_value = "1600x900", value_parser = crate::cli::args::parse_size)]
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
    /// Open the Plate check window with this make/model classifier (a `Classification` card,
    /// e.g. assets/models/vehicle_bodies.ron) checking the scenario's speed cameras
    #[arg(long, value_name = "CARD.ron", requires = "scenario")]
    pub plate_check: Option<PathBuf>,
    /// The camera watching the speed camera, by name, for --plate-check (default: the
    /// project's first camera)
    #[arg(long, value_name = "NAME", requires = "plate_check")]
    pub plate_camera: Option<String>,
    #[command(flatten)]
    pub lang: crate::cli::present::LangArg,
}

#[derive(Args, Debug)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub what: BenchWhat,
}

#[derive(Subcommand, Debug)]
pub enum BenchWhat {
    /// Crowd model: ms per step on one thread and agent-steps per second
    Sim(crate::cli::sim::BenchSimArgs),
    /// Crowd model: speed against density on a ring corridor, next to Weidmann's curve
    FundamentalDiagram(crate::cli::sim::BenchFdArgs),
    /// Annotated frames per second of the dataset renderer, and the cost of annotating
    Render(crate::cli::render::BenchRenderArgs),
    /// DORI coverage: time for 20 cameras over 500 m × 500 m, BVH against every triangle
    Coverage(crate::cli::coverage::BenchCoverageArgs),
    /// Import time of a glTF/GLB file against Bevy's plain glTF load of it
    Import(crate::cli::import_bench::BenchImportArgs),
    /// Live inference per frame (read-back, pre-processing, model, decoding, overlay) against
    /// ONNX Runtime's bare session.run on the same tensor
    Infer(crate::cli::infer_bench::BenchInferArgs),
    /// Walkable-area validation of detailed outlines against geo's every-pair validation
    Walkable(crate::cli::sim::BenchWalkableArgs),
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
    /// The files are model cards (`*.ron` beside an `.onnx`, as in assets/models/): check
    /// every field and that the model file exists, without loading it
    #[arg(long)]
    pub card: bool,
}

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// The .glb or .gltf file
    pub file: PathBuf,
    /// Print the report as JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
