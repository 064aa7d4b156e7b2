use std::process::ExitCode;

use anyhow::Context;
use bevy::app::AppExit;
use clap::Parser;
use twincity::cli::{Cli, Command, EditArgs, ValidateArgs};
use twincity::document::{Document, check_import_path};
use twincity::editor::{EditorOptions, build_editor};
use twincity_core::project::{CityImport, Project};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Edit(EditArgs {
        project: None,
        import: Vec::new(),
        screenshot: None,
        window: (1600, 900),
    }));
    if let Some((name, what)) = command.planned() {
        eprintln!(
            "twincity {name}: not available yet: {what} is on the roadmap (see README.md, \
             \"Roadmap\"). Nothing was done."
        );
        return ExitCode::from(2);
    }
    let result = match command {
        Command::Edit(args) => edit(args),
        Command::Validate(args) => validate(&args),
        _ => unreachable!("planned commands returned above"),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn edit(args: EditArgs) -> anyhow::Result<ExitCode> {
    let (mut project, path) = match &args.project {
        Some(p) => (Project::load(p)?, Some(p.clone())),
        None => (
            Project::demo().context("the bundled demo project is broken")?,
            None,
        ),
    };
    let frame_imports = !args.import.is_empty();
    for file in args.import {
        check_import_path(&file).map_err(anyhow::Error::msg)?;
        let path = std::path::absolute(&file).unwrap_or(file);
        if !project.imports.iter().any(|i| i.path == path) {
            project.imports.push(CityImport { path, z_up: false });
        }
    }
    let mut app = build_editor(EditorOptions {
        document: Document::new(project, path),
        screenshot: args.screenshot,
        window_size: args.window,
        frame_imports,
    });
    Ok(match app.run() {
        AppExit::Success => ExitCode::SUCCESS,
        AppExit::Error(code) => ExitCode::from(code.get()),
    })
}

fn validate(args: &ValidateArgs) -> anyhow::Result<ExitCode> {
    let mut all_ok = true;
    for file in &args.files {
        let result = Project::load(file);
        all_ok &= result.is_ok();
        if args.quiet {
            continue;
        }
        if args.json {
            let (ok, message) = match &result {
                Ok(p) => (
                    true,
                    format!("valid project \"{}\" ({} cameras)", p.name, p.cameras.len()),
                ),
                Err(e) => (false, e.to_string()),
            };
            let line = serde_json::json!({
                "file": file.display().to_string(),
                "valid": ok,
                "message": message,
            });
            println!("{line}");
        } else {
            match &result {
                Ok(p) => println!(
                    "{}: ok (project \"{}\", {} cameras)",
                    file.display(),
                    p.name,
                    p.cameras.len()
                ),
                Err(e) => println!("{e}"),
            }
        }
    }
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
