//! Cross-check with PedPy (JuPedSim's analysis library) on the same trajectories: a 1 m
//! bottleneck run is written in PedPy's text format with its walkable area as WKT, and
//! `tests/pedpy_check.py`, run with the workspace's Python environment (`.venv`, set up by
//! `scripts/setup.sh`), measures flow and density on them. The test fails (it is never skipped)
//! when that environment or PedPy is missing.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use glam::DVec2;
use twincity_crowd::density::DensityGrid;
use twincity_crowd::run::{write_trajectory_frame, write_trajectory_header};
use twincity_crowd::validation::{bottleneck_scenario, measure_bottleneck};

/// The measurement area: 3 m x 4 m of the room in front of the passage.
const AREA: (DVec2, DVec2) = (DVec2::new(7.0, 3.0), DVec2::new(10.0, 7.0));
/// Frames (10 per second) over which densities are averaged: 10 s to 50 s, while the room
/// is still jammed.
const FRAMES: (u64, u64) = (100, 500);

fn python() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = root.join(".venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/setup.sh to create the project's Python environment (with \
         PedPy)",
        python.display()
    );
    let check = Command::new(&python)
        .args(["-c", "import pedpy"])
        .output()
        .expect("the project's Python runs");
    assert!(
        check.status.success(),
        "PedPy is missing from {}: run scripts/setup.sh (pedpy==1.5.1)\n{}",
        python.display(),
        String::from_utf8_lossy(&check.stderr)
    );
    python
}

fn number(json: &str, key: &str) -> f64 {
    let v: serde_json::Value = serde_json::from_str(json).expect("pedpy_check.py prints JSON");
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("no {key} in {json}"))
}

#[test]
fn pedpy_measures_the_same_flow_and_density_on_twincity_trajectories() {
    let python = python();
    let dir = tempfile::tempdir().unwrap();
    let (traj, wkt) = (dir.path().join("bn.txt"), dir.path().join("bn.wkt"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&traj).unwrap());
    let scenario = bottleneck_scenario(1.0, 100, 7);
    write_trajectory_header(&mut out, scenario.output_fps, &scenario.name).unwrap();
    let area_m2 = (AREA.1 - AREA.0).x * (AREA.1 - AREA.0).y;
    let (mut classic, mut kernel, mut frames) = (0.0, 0.0, 0u32);
    let mut walkable = None;
    let b = measure_bottleneck(scenario, 1.0, 300.0, |frame, run| {
        write_trajectory_frame(&mut out, frame, run.crowd().agents()).unwrap();
        if walkable.is_none() {
            walkable = Some(run.area().to_wkt());
        }
        if (FRAMES.0..=FRAMES.1).contains(&frame) {
            let agents = run.crowd().agents();
            let inside = agents
                .iter()
                .filter(|a| {
                    let p = a.position;
                    p.x > AREA.0.x && p.y > AREA.0.y && p.x < AREA.1.x && p.y < AREA.1.y
                })
                .count();
            classic += inside as f64 / area_m2;
            let (lo, hi) = run.area().bounds();
            let grid = DensityGrid::from_agents_in(agents, run.area(), lo, hi, 0.5);
            kernel += grid.mean_over(AREA.0, AREA.1);
            frames += 1;
        }
    });
    out.flush().unwrap();
    drop(out);
    std::fs::write(&wkt, walkable.unwrap()).unwrap();
    let (classic, kernel) = (classic / frames as f64, kernel / frames as f64);

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pedpy_check.py");
    let mut args: Vec<String> = vec![
        script.display().to_string(),
        traj.display().to_string(),
        wkt.display().to_string(),
    ];
    args.extend(
        [12.0, 4.0, 12.0, 6.0, AREA.0.x, AREA.0.y, AREA.1.x, AREA.1.y]
            .iter()
            .map(|v| v.to_string()),
    );
    args.extend([FRAMES.0.to_string(), FRAMES.1.to_string()]);
    let run = Command::new(&python).args(&args).output().unwrap();
    assert!(
        run.status.success(),
        "pedpy_check.py failed:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let json = String::from_utf8_lossy(&run.stdout).to_string();
    eprintln!(
        "TwinCity: {} through, flow {:.3} persons/s, classic density {classic:.3}, kernel \
         density {kernel:.3} persons/m2\nPedPy: {json}",
        b.crossings.len(),
        b.flow
    );
    assert_eq!(number(&json, "crossings") as usize, b.crossings.len());
    let flow = number(&json, "flow_20_80");
    assert!(
        (flow / b.flow - 1.0).abs() <= 0.03,
        "flow: PedPy {flow:.3}, TwinCity {:.3} persons/s",
        b.flow
    );
    let pedpy_classic = number(&json, "classic_density");
    assert!(
        (pedpy_classic / classic - 1.0).abs() <= 0.01,
        "classic density: PedPy {pedpy_classic:.3}, TwinCity {classic:.3}"
    );
    let voronoi = number(&json, "voronoi_density");
    assert!(
        (kernel / voronoi - 1.0).abs() <= 0.15,
        "kernel density {kernel:.3} against PedPy's Voronoi density {voronoi:.3}"
    );
}
