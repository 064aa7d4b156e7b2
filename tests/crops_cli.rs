//! Vehicle crops end to end: `twincity render --crops vehicles` on the speed-camera scenario
//! writes one crop per visible vehicle whose label, make, model and plate are those of a
//! vehicle of the scenario (as the image's record says), whose pixels are the exported
//! image's region; `twincity dataset crops` writes the same again; and, where the training's
//! Python is installed, `twincity train --task classify` gives a card that validates.

use std::collections::BTreeMap;
use std::path::Path;

mod common;
use common::{ok, python, root, twincity};

use twincity_scenario::{Incident, Scenario};

const SCENARIO: &str = "scenarios/speed_camera_cloned_plate.scenario.ron";

/// One CSV line's fields (double-quoted fields may hold commas and doubled quotes).
fn fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                out.last_mut().unwrap().push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(String::new()),
            _ => out.last_mut().unwrap().push(c),
        }
    }
    out
}

fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = fields(lines.next().unwrap());
    lines
        .map(|l| header.iter().cloned().zip(fields(l)).collect())
        .collect()
}

/// The scenario's vehicles: plate → (make, model).
fn scenario_vehicles() -> BTreeMap<String, (String, String)> {
    let s = Scenario::load(&root().join(SCENARIO)).unwrap();
    s.events
        .iter()
        .filter_map(|e| match &e.incident {
            Incident::Vehicle { vehicle, .. } => Some((
                vehicle.plate.clone(),
                (vehicle.make.clone(), vehicle.model.clone()),
            )),
            _ => None,
        })
        .collect()
}

fn render(out: &Path) {
    // 10 s: the cloned Clio near the radar; 26 s: the honest Clio there (its start and speed
    // are drawn, so it is somewhere between 20 m west and 90 m east of the radar, in view of
    // the street's cameras), the delivery van parked; 42 s: the Kangoo van going west.
    let o = twincity()
        .args([
            "render",
            SCENARIO,
            "--frames",
            "3",
            "--start",
            "10",
            "--fps",
            "0.0625",
            "--width",
            "960",
            "--height",
            "540",
            "--progress",
            "none",
            "--crops",
            "vehicles",
            "--crop-min-px",
            "12",
            "--out",
        ])
        .arg(out)
        .output()
        .unwrap();
    ok(&o, "render --crops vehicles");
}

#[test]
fn crops_are_labelled_as_the_scenarios_vehicles() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = tmp.path().join("ds");
    render(&ds);
    let rows = read_csv(&ds.join("crops/crops.csv"));
    assert!(rows.len() >= 3, "{rows:?}");
    let vehicles = scenario_vehicles();
    let mut plates = std::collections::BTreeSet::new();
    for row in &rows {
        // The crop's vehicle is one of the scenario's, with its make and model.
        let (make, model) = vehicles
            .get(&row["plate"])
            .unwrap_or_else(|| panic!("plate of {row:?} is not in the scenario"));
        assert_eq!((&row["make"], &row["model"]), (make, model), "{row:?}");
        let expected = if row["body"].is_empty() {
            format!("{make} {model}")
        } else {
            row["body"].clone()
        };
        assert_eq!(row["label"], expected, "{row:?}");
        assert_eq!(row["cloned_plate"] == "true", row["plate"] == "AB-123-CD");
        assert!(row["h"].parse::<u32>().unwrap() >= 12, "{row:?}");
        plates.insert(row["plate"].clone());
        crop_matches_its_record_and_image(&ds, row);
    }
    assert!(
        plates.contains("AB-123-CD"),
        "the cloned Clio is cropped: {plates:?}"
    );
    assert!(
        plates.contains("EF-456-GH"),
        "the honest Clio is cropped: {plates:?}"
    );

    // Cut again from the dataset: the same list; a higher minimum keeps fewer.
    let before = std::fs::read(ds.join("crops/crops.csv")).unwrap();
    ok(
        &twincity()
            .args([
                "dataset",
                "crops",
                "--class",
                "vehicle",
                "--crop-min-px",
                "12",
            ])
            .arg(&ds)
            .output()
            .unwrap(),
        "dataset crops",
    );
    assert_eq!(std::fs::read(ds.join("crops/crops.csv")).unwrap(), before);
    ok(
        &twincity()
            .args(["dataset", "crops", "--crop-min-px", "1000"])
            .arg(&ds)
            .output()
            .unwrap(),
        "dataset crops (none)",
    );
    assert_eq!(read_csv(&ds.join("crops/crops.csv")).len(), 0);
    ok(
        &twincity()
            .args(["dataset", "crops", "--crop-min-px", "12"])
            .arg(&ds)
            .output()
            .unwrap(),
        "dataset crops (again)",
    );
    if root().join(".venv/bin/python").is_file() {
        classifier_trains_on_the_crops(tmp.path(), &ds);
    }
}

/// The crop's row agrees with the record of its image (box, attributes) and its pixels are
/// the exported image's, box plus margin.
fn crop_matches_its_record_and_image(ds: &Path, row: &BTreeMap<String, String>) {
    let frame: u32 = row["frame"].parse().unwrap();
    let record_path = ds.join(format!("annotations/{}/{frame:06}.json", row["camera"]));
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&record_path).unwrap()).unwrap();
    let id: u64 = row["instance"].parse().unwrap();
    let object = record["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == id)
        .unwrap_or_else(|| panic!("{row:?}: no object {id} in {}", record_path.display()));
    let n = |k: &str| row[k].parse::<u32>().unwrap();
    assert_eq!(
        object["bbox"],
        serde_json::json!([n("x"), n("y"), n("w"), n("h")])
    );
    assert_eq!(object["attributes"]["plate"], row["plate"].as_str());
    assert_eq!(object["attributes"]["make"], row["make"].as_str());
    let image = image::open(ds.join(record["file"].as_str().unwrap()))
        .unwrap()
        .to_rgb8();
    let crop = image::open(ds.join("crops").join(&row["file"]))
        .unwrap()
        .to_rgb8();
    assert_eq!(crop.dimensions(), (n("crop_w"), n("crop_h")), "{row:?}");
    for (x, y, p) in crop.enumerate_pixels() {
        assert_eq!(p, image.get_pixel(n("crop_x") + x, n("crop_y") + y));
    }
}

/// A few steps of `--task classify` on the crops: a Classification card that validates.
fn classifier_trains_on_the_crops(tmp: &Path, ds: &Path) {
    let out = tmp.join("classifier");
    let o = twincity()
        .env("TWINCITY_HOME", tmp.join("home"))
        .env("TWINCITY_PYTHON", python())
        .args(["train", "--task", "classify", "--dataset"])
        .arg(ds.join("crops"))
        .arg("--out")
        .arg(&out)
        .args([
            "--val-fraction",
            "0.5",
            "--max-steps",
            "2",
            "--input-size",
            "48",
            "--progress",
            "json",
        ])
        .output()
        .unwrap();
    let labels: std::collections::BTreeSet<String> = read_csv(&ds.join("crops/crops.csv"))
        .into_iter()
        .map(|r| r["label"].clone())
        .collect();
    if labels.len() < 2 {
        // One label only (every vehicle the same body): the training refuses it, naming why.
        assert_eq!(o.status.code(), Some(2));
        return;
    }
    let stdout = ok(&o, "train --task classify");
    let done: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    let card = Path::new(done["card"].as_str().unwrap());
    let (parsed, model) = twincity_infer::ModelCard::read(card).unwrap();
    assert_eq!(parsed.task, twincity_infer::Task::Classification);
    assert_eq!(
        parsed.classes,
        labels.into_iter().collect::<Vec<_>>(),
        "labels sorted"
    );
    assert!(model.is_file());
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert!(report["export"]["max_abs_diff"].as_f64().unwrap() <= 1e-3);
    assert!(report["held_out"]["confusion"].is_array(), "{report}");
}
