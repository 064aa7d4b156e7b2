//! `twincity coverage` (DORI coverage of a project's cameras, headless: GeoJSON and a
//! Markdown report) and `twincity bench coverage`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use twincity_model::Project;
use twincity_model::ronfile::write_atomic;
use twincity_scene::coverage::{self, Occluders};
use twincity_scene::coverage_export::{Georef, geojson, report_markdown};

#[derive(Args, Debug)]
pub struct CoverageArgs {
    /// Project file (`*.twin.ron`)
    pub project: PathBuf,
    /// Write cameras and coverage classes as GeoJSON (WGS84 when the project's CRS is known)
    #[arg(long, value_name = "OUT.geojson")]
    pub geojson: Option<PathBuf>,
    /// Write the Markdown report
    #[arg(long, value_name = "OUT.md")]
    pub report: Option<PathBuf>,
    /// Grid cell in metres (default: the project's `coverage.cell_m`, 0.5)
    #[arg(long, value_name = "M")]
    pub cell: Option<f64>,
    /// Threads (default: all cores); results do not depend on it
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct BenchCoverageArgs {
    /// Number of cameras
    #[arg(long, default_value_t = 20)]
    pub cameras: usize,
    /// Grid cell in metres
    #[arg(long, default_value_t = 0.5)]
    pub cell: f64,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

fn threads(n: Option<usize>) -> usize {
    n.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1)
}

pub fn run(args: &CoverageArgs) -> anyhow::Result<ExitCode> {
    let project = Project::load(&args.project)?;
    let mut setup = project.coverage.clone();
    if let Some(cell) = args.cell {
        setup.cell_m = cell;
    }
    if let Err((field, message)) = setup.check() {
        anyhow::bail!("--cell / coverage.{field}: {message}");
    }
    if project.cameras.is_empty() {
        anyhow::bail!(
            "{}: the project has no cameras; add some in the editor (Edit > Add camera) first",
            args.project.display()
        );
    }
    let started = Instant::now();
    let (tris, notes) = coverage::scene_triangles(&project)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("{}: reading the city meshes", args.project.display()))?;
    for n in &notes {
        eprintln!("note: {n}");
    }
    let occ = Occluders::new(&tris);
    let grid = coverage::grid_for(&occ, &project.cameras, setup.cell_m);
    if grid.len() > 100_000_000 {
        anyhow::bail!(
            "the scene spans {} × {} cells of {} m: use a larger --cell",
            grid.cols,
            grid.rows,
            setup.cell_m
        );
    }
    let cov = coverage::compute(&occ, &project.cameras, grid, &setup, threads(args.threads));
    let summary = cov.summary(&setup);
    let seconds = started.elapsed().as_secs_f64();
    let georef = Georef::new(project.origin.as_ref());
    if let Some(path) = &args.geojson {
        let text = serde_json::to_string(&geojson(&project, &cov, &georef))?;
        write_atomic(path, text.as_bytes())?;
    }
    if let Some(path) = &args.report {
        let md = report_markdown(&project, &setup, &summary, &georef, seconds);
        write_atomic(path, md.as_bytes())?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        let a = summary.all.as_array();
        println!(
            "{}: {} camera(s), {:.0} m² of ground, {:.2} m cells, {:.2} s. All cameras: \
             Detection {:.0} m², Observation {:.0} m², Recognition {:.0} m², Identification \
             {:.0} m²; overlap {:.0} m².",
            project.name,
            project.cameras.len(),
            summary.ground_m2,
            summary.cell_m,
            seconds,
            a[0],
            a[1],
            a[2],
            a[3],
            summary.overlap_m2
        );
        if let (Some(aoi), Some(blind)) = (summary.aoi_m2, summary.aoi_blind_m2) {
            println!(
                "Area of interest: {aoi:.0} m², blind {blind:.0} m² ({:.1} %).",
                100.0 * blind / aoi.max(1e-9)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Times coverage of the benchmark district and compares the BVH with testing every
/// triangle, on the same shadow rays, in the same run.
pub fn bench(args: &BenchCoverageArgs) -> anyhow::Result<ExitCode> {
    if cfg!(debug_assertions) && !args.json {
        eprintln!("note: this is a debug build; use `cargo run --release -- bench coverage`");
    }
    let (tris, cameras) = coverage::bench_scene(args.cameras);
    let started = Instant::now();
    let occ = Occluders::new(&tris);
    let build = started.elapsed().as_secs_f64();
    let setup = twincity_model::coverage_setup::CoverageSetup {
        cell_m: args.cell,
        ..Default::default()
    };
    let grid = coverage::grid_for(&occ, &cameras, args.cell);
    let cells = grid.len();
    let t = Instant::now();
    let one = coverage::compute(&occ, &cameras, grid.clone(), &setup, 1);
    let one_thread = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let all = coverage::compute(&occ, &cameras, grid, &setup, threads(None));
    let all_threads = t.elapsed().as_secs_f64();
    anyhow::ensure!(one.best == all.best, "thread count changed the result");
    // Shadow rays from each camera to 500 targets in front of it: BVH against every triangle.
    let rays: Vec<_> = cameras
        .iter()
        .flat_map(|c| {
            (0..500).map(move |k| {
                let a = (k as f32 / 500.0 - 0.5) * 1.2;
                let d = 5.0 + (k % 50) as f32 * 2.0;
                let dir = c.forward().with_y(0.0).normalize();
                let side = bevy::math::Vec3::new(-dir.z, 0.0, dir.x);
                (
                    c.position,
                    c.position + dir * d + side * (a * d) - bevy::math::Vec3::Y * 4.4,
                )
            })
        })
        .collect();
    // Both arms answer every ray into a list of the same size (equal work); the answers are
    // then compared ray by ray, not by their counts.
    let t = Instant::now();
    let by_bvh: Vec<bool> = rays.iter().map(|(a, b)| occ.blocked(*a, *b)).collect();
    let bvh_s = t.elapsed().as_secs_f64();
    let brute = Occluders::brute_force(&tris);
    let t = Instant::now();
    let by_brute: Vec<bool> = rays.iter().map(|(a, b)| brute.blocked(*a, *b)).collect();
    let brute_s = t.elapsed().as_secs_f64();
    if let Some(k) = (0..rays.len()).find(|&k| by_bvh[k] != by_brute[k]) {
        anyhow::bail!(
            "BVH and brute force disagree on ray {k} ({:?} → {:?}): blocked {} by the BVH, {} \
             by testing every triangle",
            rays[k].0,
            rays[k].1,
            by_bvh[k],
            by_brute[k]
        );
    }
    let hits_bvh = by_bvh.iter().filter(|b| **b).count();
    let summary = all.summary(&setup);
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "cameras": args.cameras, "cells": cells, "triangles": occ.triangle_count(),
                "bvh_build_s": build, "one_thread_s": one_thread, "all_threads_s": all_threads,
                "threads": threads(None), "shadow_rays": rays.len(),
                "bvh_ray_us": bvh_s * 1e6 / rays.len() as f64,
                "brute_ray_us": brute_s * 1e6 / rays.len() as f64,
                "covered_m2": summary.all.detection_m2,
            })
        );
    } else {
        println!(
            "{} cameras over 500 m × 500 m ({cells} cells of {} m, {} triangles): BVH built in \
             {build:.3} s; coverage {one_thread:.3} s on 1 thread, {all_threads:.3} s on {} \
             (goal ≤ 2 s); {:.0} m² covered at Detection.",
            args.cameras,
            args.cell,
            occ.triangle_count(),
            threads(None),
            summary.all.detection_m2
        );
        println!(
            "Shadow rays: BVH {:.2} µs/ray, every triangle {:.2} µs/ray: {:.0}× faster ({} rays, {} blocked).",
            bvh_s * 1e6 / rays.len() as f64,
            brute_s * 1e6 / rays.len() as f64,
            brute_s / bvh_s.max(1e-12),
            rays.len(),
            hits_bvh
        );
    }
    Ok(ExitCode::SUCCESS)
}
