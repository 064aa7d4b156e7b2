//! `twincity bench import FILE`: the time from asking for a glTF/GLB file to having it loaded,
//! through TwinCity's import (the safety check of `gltf_inspect::check_import`, then Bevy's
//! loader with cameras and lights off) against Bevy's plain glTF load of the same file with
//! the same loader settings (equal work but for the check), in
//! the same process, several rounds alternating which goes first; the first round (cold
//! file cache for whichever arm ran first) is reported apart from the warm medians.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::bail;
use bevy::asset::RecursiveDependencyLoadState;
use bevy::gltf::{GltfAssetLabel, GltfLoaderSettings};
use bevy::prelude::*;
use clap::Args;

#[derive(Args, Debug)]
pub struct BenchImportArgs {
    /// The .glb or .gltf file
    pub file: PathBuf,
    /// Rounds of each (the median is reported)
    #[arg(long, default_value_t = 5)]
    pub rounds: usize,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

/// A windowless app with Bevy's default plugins (renderer included, as in the editor).
fn headless_app() -> anyhow::Result<App> {
    let mut app = App::new();
    app.add_plugins(crate::render::headless::windowless_plugins());
    crate::render::headless::finish_plugins(&mut app, Duration::from_secs(60))?;
    app.update();
    Ok(app)
}

/// Runs frames until `handle` and its dependencies are loaded; the elapsed time since `since`.
fn wait_loaded(app: &mut App, handle: &UntypedHandle, since: Instant) -> anyhow::Result<f64> {
    loop {
        app.update();
        let server = app.world().resource::<AssetServer>();
        match server.get_recursive_dependency_load_state(handle.id()) {
            Some(RecursiveDependencyLoadState::Loaded) => return Ok(since.elapsed().as_secs_f64()),
            Some(RecursiveDependencyLoadState::Failed(e)) => bail!("loading failed: {e}"),
            _ => {}
        }
        if since.elapsed() > Duration::from_secs(120) {
            let server = app.world().resource::<AssetServer>();
            bail!(
                "not loaded after 2 minutes ({:?}, {:?})",
                server.get_load_state(handle.id()),
                server.get_recursive_dependency_load_state(handle.id())
            );
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

pub fn bench(args: &BenchImportArgs) -> anyhow::Result<ExitCode> {
    if cfg!(debug_assertions) && !args.json {
        eprintln!("note: this is a debug build; use `cargo run --release -- bench import FILE`");
    }
    let path = std::path::absolute(&args.file)?;
    if !path.is_file() {
        bail!("{}: no such file", path.display());
    }
    let rounds = args.rounds.max(2);
    // Bevy's plain load: the first scene of the file, with the loader settings TwinCity's
    // import uses (cameras and lights off), so both arms load the same things and differ
    // only by TwinCity's safety check and the way it calls the loader.
    let plain_load = || -> anyhow::Result<f64> {
        let mut app = headless_app()?;
        let since = Instant::now();
        let handle: Handle<WorldAsset> = app
            .world()
            .resource::<AssetServer>()
            .load_builder()
            .with_settings(|s: &mut GltfLoaderSettings| {
                s.load_cameras = false;
                s.load_lights = false;
            })
            .override_unapproved()
            .load(GltfAssetLabel::Scene(0).from_asset(path.clone()));
        wait_loaded(&mut app, &handle.untyped(), since)
    };
    // TwinCity's import: the check, then the loader as the city plugin calls it.
    let our_load = || -> anyhow::Result<(f64, f64)> {
        let mut app = headless_app()?;
        let since = Instant::now();
        twincity_gltf::inspect::check_import_uncached(&path, false).map_err(anyhow::Error::msg)?;
        let check = since.elapsed().as_secs_f64();
        let handle = crate::render::city::load_city_file(
            app.world().resource::<AssetServer>(),
            path.clone(),
        );
        Ok((wait_loaded(&mut app, &handle.untyped(), since)?, check))
    };
    // Each round alternates which arm goes first, so neither always finds the file in the
    // operating system's cache; the first round of each arm is reported apart (cold).
    let (mut plain, mut ours, mut checks) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        if round % 2 == 0 {
            plain.push(plain_load()?);
            let (o, c) = our_load()?;
            ours.push(o);
            checks.push(c);
        } else {
            let (o, c) = our_load()?;
            ours.push(o);
            checks.push(c);
            plain.push(plain_load()?);
        }
    }
    let (cold_plain, cold_ours) = (plain[0], ours[0]);
    let (p, o, c) = (
        median(plain[1..].to_vec()),
        median(ours[1..].to_vec()),
        median(checks[1..].to_vec()),
    );
    let overhead = (o - p) / p;
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "file": path.display().to_string(), "rounds": rounds,
                "bevy_plain_s": p, "twincity_import_s": o, "check_s": c,
                "overhead": overhead,
                "cold_bevy_plain_s": cold_plain, "cold_twincity_import_s": cold_ours,
            })
        );
    } else {
        println!(
            "{}: warm (medians of rounds 2-{rounds}): Bevy's plain glTF load {:.3} s, TwinCity's \
             import {:.3} s (of which the safety check {:.3} s): overhead {:+.1} % (goal <= 20 %); \
             first round (plain first): {:.3} s and {:.3} s.",
            path.display(),
            p,
            o,
            c,
            overhead * 100.0,
            cold_plain,
            cold_ours,
        );
    }
    Ok(ExitCode::SUCCESS)
}
