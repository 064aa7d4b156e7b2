use std::process::ExitCode;

use anyhow::Context;
use bevy::app::AppExit;
use clap::Parser;
use twincity::cli::present::PresentArgs;
use twincity::cli::{Cli, Command, EditArgs, ValidateArgs};
use twincity::editor::app::{EditorOptions, Present, build_editor};
use twincity::render::document::{Document, adopt_import};
use twincity_crowd::CrowdScenario;
use twincity_model::project::{CityImport, PROJECT_SUFFIX, Project};
use twincity_scenario::{SCENARIO_SUFFIX, Scenario};

fn main() -> ExitCode {
    // Output piped into a command that stops reading (`| head`) ends the program quietly, as
    // with other command-line tools, instead of a panic on the next write.
    #[cfg(unix)]
    // SAFETY: called first thing, before any thread starts; SIG_DFL is a valid action.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Edit(EditArgs {
        project: None,
        import: Vec::new(),
        screenshot: None,
        measure_frames: 0,
        window: (1600, 900),
        crowd: None,
        crowd_at: 0.0,
        crowd_heatmap: false,
        coverage: false,
        scenario: None,
        scenario_at: 0.0,
        infer: None,
        footage: None,
        plate_check: None,
        plate_camera: None,
        lang: Default::default(),
    }));
    let result = match command {
        Command::Edit(args) => edit(args),
        Command::Present(args) => present(&args),
        Command::Validate(args) => validate(&args),
        Command::Sim(args) => twincity::cli::sim::run(&args),
        Command::Scenario(args) => twincity::cli::scenario::run(&args),
        Command::Inspect(args) => inspect(&args),
        Command::Coverage(args) => twincity::cli::coverage::run(&args),
        Command::Bench(args) => match args.what {
            twincity::cli::BenchWhat::Sim(b) => twincity::cli::sim::bench(&b),
            twincity::cli::BenchWhat::FundamentalDiagram(b) => {
                twincity::cli::sim::fundamental_diagram(&b)
            }
            twincity::cli::BenchWhat::Coverage(b) => twincity::cli::coverage::bench(&b),
            twincity::cli::BenchWhat::Import(b) => twincity::cli::import_bench::bench(&b),
            twincity::cli::BenchWhat::Render(b) => twincity::cli::render::bench(&b),
            twincity::cli::BenchWhat::Infer(b) => twincity::cli::infer_bench::bench(&b),
            twincity::cli::BenchWhat::Walkable(b) => twincity::cli::sim::bench_walkable(&b),
        },
        Command::Render(args) => twincity::cli::render::run(&args),
        Command::Dataset(args) => twincity::cli::render::dataset(&args),
        Command::Eval(args) => twincity::cli::eval::run(&args),
        Command::Train(args) => twincity::cli::train::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `twincity inspect`: the report on stdout; exit 1 when the file cannot be loaded.
fn inspect(args: &twincity::cli::InspectArgs) -> anyhow::Result<ExitCode> {
    let report = twincity_gltf::inspect::inspect(&args.file)?;
    if args.json {
        let mut value = serde_json::to_value(&report)?;
        value["loadable"] = report.loadable().into();
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        print!("{report}");
        if !report.loadable() {
            println!("  result      cannot be loaded: fix the errors above");
        }
    }
    Ok(if report.loadable() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `twincity present TOUR`: the editor opened on the tour's project, scenario or crowd,
/// presenting from the chosen step.
fn present(args: &PresentArgs) -> anyhow::Result<ExitCode> {
    args.lang.apply();
    let checked = twincity::cli::present::check_tour(&args.tour)?;
    let steps = checked.tour.steps.len();
    if args.step == 0 || args.step > steps {
        anyhow::bail!(
            "--step {}: {} has steps 1 to {steps}",
            args.step,
            args.tour.display()
        );
    }
    if let Some(dir) = &args.screenshots {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("--screenshots {}: cannot make the folder", dir.display()))?;
    }
    let tour = checked.tour;
    let scenario = tour.scenario.clone().map(|p| (p, 0.0));
    let crowd = match &scenario {
        Some(_) => None,
        None => tour.crowd.clone().map(|p| (p, 0.0)),
    };
    let mut app = build_editor(EditorOptions {
        document: Document::new(checked.project, checked.project_path),
        screenshot: None,
        measure_frames: 0,
        window_size: args.window,
        frame_imports: false,
        crowd,
        crowd_heatmap: false,
        coverage: false,
        scenario,
        infer: None,
        footage: None,
        plate_check: None,
        present: Some(Present {
            tour,
            path: args.tour.clone(),
            windowed: args.windowed,
            screenshots: args.screenshots.clone(),
            first_step: args.step - 1,
        }),
    });
    Ok(match app.run() {
        AppExit::Success => ExitCode::SUCCESS,
        AppExit::Error(code) => ExitCode::from(code.get()),
    })
}

fn edit(args: EditArgs) -> anyhow::Result<ExitCode> {
    args.lang.apply();
    // A scenario names the project of its city: it opens when no other is given.
    let scenario_project = match &args.scenario {
        Some(file) => Scenario::load(file)?.project,
        None => None,
    };
    let (mut project, path) = match args.project.as_ref().or(scenario_project.as_ref()) {
        Some(p) => (Project::load(p)?, Some(p.clone())),
        None => (
            Project::demo().context("the bundled demo project is broken")?,
            None,
        ),
    };
    let frame_imports = !args.import.is_empty();
    if let Some(c) = &args.crowd {
        // Refuse a broken scenario before a window opens.
        twincity_crowd::CrowdScenario::load(c)?;
        if !(args.crowd_at.is_finite() && (0.0..=86_400.0).contains(&args.crowd_at)) {
            anyhow::bail!(
                "--crowd-at must be between 0 and 86400 seconds, got {}",
                args.crowd_at
            );
        }
    }
    let crowd = args.crowd.clone().map(|p| (p, args.crowd_at));
    if let Some(file) = &args.scenario {
        // Refuse a broken scenario before a window opens.
        let s = Scenario::load(file)?;
        s.compile(None)?;
        if !(args.scenario_at.is_finite() && (0.0..=s.duration_s).contains(&args.scenario_at)) {
            anyhow::bail!(
                "--scenario-at must be between 0 and the scenario's {} s, got {}",
                s.duration_s,
                args.scenario_at
            );
        }
    }
    let scenario = args.scenario.clone().map(|p| (p, args.scenario_at));
    for file in args.import {
        let path = std::path::absolute(&file).unwrap_or(file);
        if !project.imports.iter().any(|i| i.path == path) {
            let note = adopt_import(&mut project, CityImport { path, z_up: false })
                .map_err(anyhow::Error::msg)?;
            if !note.is_empty() {
                eprintln!("{}", note.trim_start_matches("; "));
            }
        }
    }
    if let Some(card) = &args.plate_check {
        let (read, _) = twincity_infer::ModelCard::read(card).map_err(anyhow::Error::msg)?;
        if read.task != twincity_infer::Task::Classification {
            anyhow::bail!(
                "--plate-check {}: a {:?} card; the Plate check needs a make/model classifier \
                 (a Classification card, e.g. assets/models/vehicle_bodies.ron)",
                card.display(),
                read.task
            );
        }
    }
    if let Some(name) = &args.plate_camera
        && !project.cameras.iter().any(|c| c.name == *name)
    {
        let names: Vec<_> = project
            .cameras
            .iter()
            .map(|c| format!("{:?}", c.name))
            .collect();
        anyhow::bail!(
            "--plate-camera {name:?}: the project has no such camera; its cameras are {}",
            names.join(", ")
        );
    }
    let mut app = build_editor(EditorOptions {
        document: Document::new(project, path),
        screenshot: args.screenshot,
        measure_frames: args.measure_frames,
        window_size: args.window,
        frame_imports,
        crowd,
        crowd_heatmap: args.crowd_heatmap,
        coverage: args.coverage,
        scenario,
        infer: args.infer,
        footage: args.footage,
        plate_check: args.plate_check.map(|card| (card, args.plate_camera)),
        present: None,
    });
    Ok(match app.run() {
        AppExit::Success => ExitCode::SUCCESS,
        AppExit::Error(code) => ExitCode::from(code.get()),
    })
}

fn validate(args: &ValidateArgs) -> anyhow::Result<ExitCode> {
    let mut all_ok = true;
    for file in &args.files {
        // Project files end in `.twin.ron`; other `.ron` files are crowd scenarios.
        let name = file.to_string_lossy();
        let result: Result<String, String> = if args.card {
            twincity_infer::ModelCard::read(file)
                .map(|(card, model)| {
                    format!(
                        "model card \"{}\", {:?}, {} classes, model {}",
                        card.name,
                        card.task,
                        card.classes.len(),
                        model.display()
                    )
                })
                .map_err(|e| e.to_string())
        } else if name.ends_with(twincity_model::tour::TOUR_SUFFIX) {
            // The tour, then the project, scenario, crowd and model cards it names.
            twincity::cli::present::check_tour(file)
                .map(|t| twincity::cli::present::describe(&t))
                .map_err(|e| format!("{e:#}"))
        } else if name.ends_with(PROJECT_SUFFIX) {
            Project::load(file)
                .map(|p| format!("project \"{}\", {} cameras", p.name, p.cameras.len()))
                .map_err(|e| e.to_string())
        } else if name.ends_with(SCENARIO_SUFFIX) {
            // Compiling also places the incidents' people in the crowd's walkable area.
            Scenario::load(file)
                .and_then(|s| s.compile(None).map(|c| (s, c)))
                .map(|(s, c)| {
                    format!(
                        "scenario \"{}\", {} events, {:.0} s, crowd: {}",
                        s.name,
                        c.events.len(),
                        s.duration_s,
                        s.crowd
                            .as_ref()
                            .map_or("none".to_string(), |p| p.display().to_string())
                    )
                })
                .map_err(|e| e.to_string())
        } else {
            CrowdScenario::load(file).map(|s| {
                let agents = s.agent_count();
                format!(
                    "crowd scenario \"{}\", {} spawns, {} named people, {agents} agents, {} waypoints, {} exits, {} events",
                    s.name,
                    s.spawns.len(),
                    s.people.len(),
                    s.waypoints.len(),
                    s.exits.len(),
                    s.events.len()
                )
            })
            .map_err(|e| e.to_string())
        };
        all_ok &= result.is_ok();
        if args.quiet {
            continue;
        }
        let (ok, message) = match &result {
            Ok(what) => (true, format!("valid {what}")),
            Err(e) => (false, e.to_string()),
        };
        if args.json {
            let line = serde_json::json!({
                "file": file.display().to_string(),
                "valid": ok,
                "message": message,
            });
            println!("{line}");
        } else if ok {
            println!("{}: ok ({message})", file.display());
        } else {
            println!("{message}");
        }
    }
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
