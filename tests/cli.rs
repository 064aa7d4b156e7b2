//! The `twincity` binary as scripts and users call it.

use std::process::Command;

fn twincity() -> Command {
    Command::new(env!("CARGO_BIN_EXE_twincity"))
}

#[test]
fn help_lists_every_subcommand() {
    let out = twincity().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for cmd in [
        "edit", "sim", "scenario", "render", "eval", "inspect", "coverage", "validate", "bench",
    ] {
        assert!(
            text.lines().any(|l| l.trim_start().starts_with(cmd)),
            "`{cmd}` missing from --help:\n{text}"
        );
    }
}

#[test]
fn validate_accepts_the_demo_and_locates_errors() {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/projects/demo.twin.ron");
    let out = twincity().args(["validate", demo]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.twin.ron");
    std::fs::write(
        &bad,
        "(\n  version: 1,\n  name: \"x\",\n  cameras: [ (id: oops) ],\n)\n",
    )
    .unwrap();
    let out = twincity()
        .args(["validate", "--json"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["valid"], false);
    let msg = line["message"].as_str().unwrap();
    assert!(msg.contains("bad.twin.ron:4:"), "{msg}");
}

/// Every scenario shipped in `scenarios/` validates (scenarios and crowd files alike), and a
/// broken scenario is refused with its line and the offending field.
#[test]
fn validate_checks_every_shipped_scenario_and_locates_scenario_errors() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    files.sort();
    let scenarios = files
        .iter()
        .filter(|p| p.to_string_lossy().ends_with(".scenario.ron"))
        .count();
    assert!(scenarios >= 5, "{files:?}");
    let out = twincity().arg("validate").args(&files).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert_eq!(text.matches("valid scenario").count(), scenarios, "{text}");

    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.scenario.ron");
    std::fs::write(
        &bad,
        "(\n  version: 1,\n  name: \"x\",\n  duration_s: 60.0,\n  events: [\n    (id: \"car\", start: After(event: \"truck\"), incident: Vehicle(vehicle: (kind: Car, make: \"M\", model: \"X\", plate: \"P\"), route: [(0.0, 0.0), (9.0, 0.0)], speed_kmh: 30.0)),\n  ],\n)\n",
    )
    .unwrap();
    let out = twincity().arg("validate").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let msg = String::from_utf8_lossy(&out.stdout);
    assert!(msg.contains("bad.scenario.ron:6:"), "{msg}");
    assert!(
        msg.contains("events[0] (car).start.event") && msg.contains("`truck`"),
        "{msg}"
    );
}

/// `twincity scenario SCENARIO ARGS --json` for a shipped scenario: its JSON document.
fn scenario_json(name: &str, args: &[&str]) -> serde_json::Value {
    let file = format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"));
    let out = twincity()
        .args(["scenario", &file])
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `twincity scenario`: the timeline, the speed checks and the labels at chosen times.
#[test]
fn scenario_reports_the_timeline_checks_and_labels() {
    let doc = scenario_json(
        "speed_camera_cloned_plate.scenario.ron",
        &["--at", "10.8", "--labels"],
    );
    assert_eq!(doc["events"].as_array().unwrap().len(), 7);
    let checks = doc["speed_checks"].as_array().unwrap();
    let cloned = checks.iter().find(|c| c["plate"] == "AB-123-CD").unwrap();
    assert_eq!(cloned["cloned_plate"], true);
    assert_eq!(cloned["speeding"], true);
    let labels = doc["frames"][0]["labels"].as_array().unwrap();
    assert_eq!(labels.len(), 1);
    assert_eq!(labels[0]["class"], "car");
    assert_eq!(labels[0]["attributes"]["registered_make"], "Peugeot");
    // Times outside the scenario are refused.
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/speed_camera_cloned_plate.scenario.ron"
    );
    let out = twincity()
        .args(["scenario", file, "--at", "500"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("within the scenario's 0 to 90 s"));
}

/// `twincity scenario --cameras`: what each camera of the project sees, from the instance-id
/// pass; the fallen person is seen (as `person_down`) by a camera over the square.
#[test]
fn scenario_reports_what_each_camera_sees() {
    let doc = scenario_json(
        "collapse_in_crowd.scenario.ron",
        &["--at", "110", "--cameras"],
    );
    let cameras = doc["frames"][0]["cameras"].as_array().unwrap();
    assert_eq!(cameras.len(), 3, "the demo project's cameras");
    let down: Vec<&serde_json::Value> = cameras
        .iter()
        .flat_map(|c| c["seen"].as_array().unwrap())
        .filter(|o| o["class"] == "person_down")
        .collect();
    assert!(!down.is_empty(), "nobody sees the fallen person");
    for o in cameras.iter().flat_map(|c| c["seen"].as_array().unwrap()) {
        let v = o["visibility"].as_f64().unwrap();
        assert!(v > 0.0 && v <= 1.0, "{o}");
        let (vb, ab) = (&o["visible_box"], &o["amodal_box"]);
        // The visible part lies inside the full box.
        assert!(
            vb[0].as_u64() >= ab[0].as_u64() && vb[1].as_u64() >= ab[1].as_u64(),
            "{o}"
        );
        assert!(
            vb[0].as_u64().unwrap() + vb[2].as_u64().unwrap()
                <= ab[0].as_u64().unwrap() + ab[2].as_u64().unwrap(),
            "{o}"
        );
    }
}

/// Output piped into a reader that stops early (`| head`) ends the program quietly (SIGPIPE),
/// not with a panic.
#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_output_quietly() {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    // About 130 kB of labels: more than a pipe holds, so writing goes on after the close.
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/collapse_in_crowd.scenario.ron"
    );
    let mut child = twincity()
        .args([
            "scenario", file, "--at", "110", "--at", "120", "--at", "130", "--labels",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        status.success() || status.signal() == Some(13),
        "{status:?}: {err}"
    );
}

#[test]
fn edit_refuses_a_broken_project_before_opening_a_window() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.twin.ron");
    std::fs::write(&bad, "(version: 1, name: \"x\", cameras: [").unwrap();
    let out = twincity().arg("edit").arg(&bad).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.twin.ron:1:"), "{err}");
    // The file is left as it was.
    assert_eq!(
        std::fs::read_to_string(&bad).unwrap(),
        "(version: 1, name: \"x\", cameras: ["
    );
}

#[test]
fn edit_refuses_an_import_that_is_not_gltf() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("city.obj");
    std::fs::write(&f, "v 0 0 0").unwrap();
    let out = twincity()
        .args(["edit", "--import"])
        .arg(&f)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("city.obj") && err.contains(".glb"), "{err}");
}

#[test]
fn sim_writes_trajectories_and_walkable_wkt_and_reports_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let traj = dir.path().join("corner.txt");
    let wkt = dir.path().join("corner.wkt");
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/corner.ron");
    let out = twincity()
        .args(["sim", scenario, "--json", "--trajectories"])
        .arg(&traj)
        .arg("--walkable-wkt")
        .arg(&wkt)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["spawned"], 20);
    assert_eq!(summary["exited"], 20);

    let text = std::fs::read_to_string(&traj).unwrap();
    assert!(text.lines().any(|l| l == "#framerate: 10"));
    // Every data line: id frame x y z, inside the L-shaped corridor (0..12 x 0..12).
    let mut frames = std::collections::BTreeSet::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<f64> = line.split('\t').map(|v| v.parse().unwrap()).collect();
        assert_eq!(f.len(), 5, "{line}");
        assert!(
            (0.0..=12.0).contains(&f[2]) && (0.0..=12.0).contains(&f[3]),
            "{line}"
        );
        frames.insert(f[1] as u64);
    }
    assert_eq!(frames.first(), Some(&0));
    assert_eq!(
        std::fs::read_to_string(&wkt).unwrap().trim(),
        "POLYGON((0 0,12 0,12 12,10 12,10 2,0 2,0 0))"
    );
}

#[test]
fn sim_rejects_a_broken_scenario_with_its_location_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.ron");
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/corner.ron"))
            .unwrap()
            .replace("exit: \"End\"", "exit: \"Elsewhere\"");
    std::fs::write(&bad, &text).unwrap();
    let traj = dir.path().join("t.txt");
    let out = twincity()
        .args(["sim"])
        .arg(&bad)
        .arg("--trajectories")
        .arg(&traj)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let line = text.lines().position(|l| l.contains("\"Start\"")).unwrap() + 1;
    assert!(err.contains(&format!("bad.ron:{line}:")), "{err}");
    assert!(err.contains("Elsewhere") && err.contains("End"), "{err}");
    assert!(!traj.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no stray files"
    );
}

#[test]
fn bench_sim_reports_each_size() {
    let out = twincity()
        .args([
            "bench",
            "sim",
            "--agents",
            "50,200,10001",
            "--steps",
            "3",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["agents"], 50);
    assert_eq!(lines[1]["agents"], 200);
    assert!(lines[1]["ms_per_step"].as_f64().unwrap() > 0.0);
    // The whole run with its journey logic, for scenarios of up to 10 000 people.
    assert!(lines[1]["run_ms_per_step"].as_f64().unwrap() > 0.0);
    assert!(lines[2]["run_ms_per_step"].is_null(), "{:?}", lines[2]);
}

#[test]
fn bench_fundamental_diagram_prints_the_measured_point_next_to_weidmann() {
    let out = twincity()
        .args([
            "bench",
            "fundamental-diagram",
            "--densities",
            "1",
            "--warmup",
            "1",
            "--measure",
            "1",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).unwrap();
    let density = line["density"].as_f64().unwrap();
    assert!((density - 1.0).abs() < 0.01, "{line}");
    // Weidmann at 1 person/m²: 1.34 (1 - exp(-1.913 (1 - 1/5.4))) = 1.0584 m/s.
    assert!(
        (line["weidmann"].as_f64().unwrap() - 1.0584).abs() < 0.002,
        "{line}"
    );
    let speed = line["speed"].as_f64().unwrap();
    assert!(speed > 0.0 && speed <= 1.34, "{line}");
    // A density beyond jamming is refused with the reason.
    let out = twincity()
        .args(["bench", "fundamental-diagram", "--densities", "6"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("5.4"));
    // So is an angle to step aside beyond 90°, naming the option.
    let out = twincity()
        .args(["bench", "fundamental-diagram", "--look-aside", "95"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--look-aside:") && err.contains("0 to 90"),
        "{err}"
    );
}

#[test]
fn edit_refuses_a_broken_crowd_scenario_before_opening_a_window() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("crowd.ron");
    std::fs::write(
        &bad,
        "(version: 1, name: \"x\", walkable: Polygon(outer: [(0.0, 0.0)]), spawns: [], exits: [])",
    )
    .unwrap();
    let out = twincity()
        .args(["edit", "--crowd"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("crowd.ron") && err.contains("walkable"),
        "{err}"
    );
}

/// `twincity inspect`: a good file is reported (text and JSON) and exits 0; a file the editor
/// could not load exits 1 with the JSON pointer of the problem; a missing file is an error.
#[test]
fn inspect_reports_contents_and_problems() {
    use twincity_gltf::mesh::fixtures::{cuboid, write_glb};
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("block.glb");
    let (p, i) = cuboid([0.0, 0.0, -10.0], [10.0, 20.0, 0.0]);
    write_glb(&good, &[("Block", [85_000.0, 0.0, -447_000.0], p, i)]);
    let out = twincity().args(["inspect"]).arg(&good).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("12 triangles"), "{text}");
    assert!(text.contains("easting 85005, northing 447005"), "{text}");
    let out = twincity()
        .args(["inspect", "--json"])
        .arg(&good)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["triangles"], 12);
    assert_eq!(v["loadable"], true);
    assert_eq!(v["bounds"][1][1], 20.0);

    // Point the POSITION attribute at an accessor that does not exist.
    let bytes = std::fs::read(&good).unwrap();
    let json_len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let json = std::str::from_utf8(&bytes[20..20 + json_len]).unwrap();
    let broken = json.replace(r#""POSITION":0"#, r#""POSITION":9"#);
    assert_ne!(broken, json);
    let gltf = dir.path().join("broken.gltf");
    std::fs::write(&gltf, broken.trim_end()).unwrap();
    let out = twincity().args(["inspect"]).arg(&gltf).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("/meshes/0/primitives/0/attributes/POSITION"),
        "{text}"
    );
    let out = twincity()
        .args(["inspect"])
        .arg(dir.path().join("none.glb"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}

/// `twincity coverage` on the demo project placed in Lambert-93: the summary, the GeoJSON
/// (cameras where the projection puts them, closed polygon rings, read by GDAL's ogrinfo) and
/// the report agree; a project without cameras is refused.
#[test]
fn coverage_writes_geojson_and_a_report() {
    let demo = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/projects/demo.twin.ron"
    ))
    .unwrap();
    // Lambert-93's false origin: 3° E, 46.5° N; a second mask in front of the town-hall
    // camera (which looks south from 6.2 m up).
    let project = demo
        .replace(
            "origin: None,",
            r#"origin: Some((x: 700000.0, y: 6600000.0, z: 0.0, crs: Some("EPSG:2154"))),"#,
        )
        .replace(
            "privacy_masks: [",
            r#"privacy_masks: [
            (name: "Front", min: (-5.0, 0.2, -20.2), max: (5.0, 3.0, -20.0)),"#,
        );
    assert_ne!(project, demo);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lambert.twin.ron");
    std::fs::write(&file, &project).unwrap();
    let (geo, md) = (dir.path().join("c.geojson"), dir.path().join("c.md"));
    let out = twincity()
        .args(["coverage", "--json", "--geojson"])
        .arg(&geo)
        .arg("--report")
        .arg(&md)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The area of interest is the 56 m × 56 m square.
    assert_eq!(s["aoi_m2"], 3136.0);
    let covered = s["aoi_all"]["detection_m2"].as_f64().unwrap();
    let blind = s["aoi_blind_m2"].as_f64().unwrap();
    assert!((covered + blind - 3136.0).abs() < 1e-6 && covered > 0.0);
    let all = s["all"]["detection_m2"].as_f64().unwrap();
    for c in s["cameras"].as_array().unwrap() {
        assert!(c["areas"]["detection_m2"].as_f64().unwrap() <= all);
    }
    // The town-hall camera sees most of the mask in front of it; nobody sees the other.
    let front = &s["cameras"][0]["privacy"];
    assert_eq!(front[0][0], "Front");
    assert!(front[0][1].as_f64().unwrap() > 0.5, "{front}");
    assert_eq!(front[1][1], 0.0);

    let g: serde_json::Value = serde_json::from_slice(&std::fs::read(&geo).unwrap()).unwrap();
    let features = g["features"].as_array().unwrap();
    let cams: Vec<_> = features
        .iter()
        .filter(|f| f["properties"]["kind"] == "camera")
        .collect();
    assert_eq!(cams.len(), 3);
    // Camera 1 stands 45.6 m north of the origin on the central meridian: 3° E exactly, and
    // 45.6 m / (111 160 m per degree × 0.99905 scale) north of 46.5°.
    let c = &cams[0]["geometry"]["coordinates"];
    assert!((c[0].as_f64().unwrap() - 3.0).abs() < 1e-7, "{c}");
    let lat = 46.5 + 45.6 / (111_160.0 * 0.99905);
    assert!((c[1].as_f64().unwrap() - lat).abs() < 2e-6, "{c}");
    let polys: Vec<_> = features
        .iter()
        .filter(|f| f["properties"]["kind"] == "coverage")
        .collect();
    assert!(polys.iter().any(|p| p["properties"]["camera"] == "all"));
    for p in &polys {
        assert_eq!(p["geometry"]["type"], "MultiPolygon");
        for poly in p["geometry"]["coordinates"].as_array().unwrap() {
            for ring in poly.as_array().unwrap() {
                let ring = ring.as_array().unwrap();
                assert!(ring.len() >= 4 && ring.first() == ring.last());
            }
        }
    }
    let ogr = Command::new("ogrinfo")
        .args(["-ro", "-so", "-al"])
        .arg(&geo)
        .output()
        .expect("ogrinfo (GDAL) is installed by scripts/setup.sh");
    let text = String::from_utf8_lossy(&ogr.stdout);
    assert!(ogr.status.success(), "{text}");
    assert!(
        text.contains(&format!("Feature Count: {}", features.len())),
        "{text}"
    );
    let report = std::fs::read_to_string(&md).unwrap();
    assert!(report.contains("| **All cameras** |") && report.contains("3136 m² of ground"));
    assert!(report.contains("WGS84"), "{report}");

    // No cameras: a clear error, no files.
    let empty = dir.path().join("empty.twin.ron");
    std::fs::write(&empty, "(version: 1, name: \"e\", demo_city: true)").unwrap();
    let gone = dir.path().join("none.geojson");
    let out = twincity()
        .arg("coverage")
        .arg(&empty)
        .arg("--geojson")
        .arg(&gone)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no cameras"));
    assert!(!gone.exists());
}

/// `twincity bench import` loads a file both ways and reports both times and the overhead;
/// a missing file is an error.
#[test]
fn bench_import_reports_both_loads() {
    use twincity_gltf::mesh::fixtures::{cuboid, write_glb};
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("box.glb");
    let (p, i) = cuboid([0.0; 3], [5.0, 10.0, 5.0]);
    write_glb(&file, &[("Box", [0.0; 3], p, i)]);
    let out = twincity()
        .args(["bench", "import", "--rounds", "1", "--json"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let (plain, ours, check) = (
        v["bevy_plain_s"].as_f64().unwrap(),
        v["twincity_import_s"].as_f64().unwrap(),
        v["check_s"].as_f64().unwrap(),
    );
    assert!(plain > 0.0 && ours > check && check > 0.0, "{v}");
    assert!((v["overhead"].as_f64().unwrap() - (ours - plain) / plain).abs() < 1e-9);
    let out = twincity()
        .args(["bench", "import"])
        .arg(dir.path().join("none.glb"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}
