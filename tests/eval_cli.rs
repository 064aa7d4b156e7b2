//! `twincity eval` end to end on a rendered dataset: the report's AP, AP50, per-class
//! precision and recall, and MR⁻² agree with pycocotools (and MR⁻² computed from its matches)
//! on the same predictions (perturbed ground truth, and the bundled person detector's own,
//! decoded down to 0.001), on CityPersons' subsets; counts are on the subset; the HTML page
//! has its plots; bad input and a missing runtime give clear errors and write nothing.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

/// The subset YOLOX-nano's own boxes are scored on: small renders (480 × 270) hold few people
/// 50 px tall, so CityPersons' "all" (≥ 20 px, ≥ 20 % seen).
const YOLOX_SUBSET: &str = "all";
use common::{COLLAPSE_IN_CROWD, ok, python, render_collapse_frames, root, twincity};

/// `twincity eval --quiet ARGS --dataset DATASET --report REPORT`, ready to run.
fn eval(args: &[&OsStr], dataset: &Path, report: &Path) -> Command {
    let mut c = twincity();
    c.args(["eval", "--quiet"])
        .args(args)
        .arg("--dataset")
        .arg(dataset)
        .arg("--report")
        .arg(report);
    c
}

fn check(args: &[&Path]) -> serde_json::Value {
    let out = Command::new(python())
        .arg(root().join("tests/python/check_eval.py"))
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(text.trim())
        .unwrap_or_else(|_| panic!("{text}\n{}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(v["ok"], true, "{v}");
    v
}

/// One dataset rendered once (it is the slow part) and every check run on it.
#[test]
fn reports_agree_with_pycocotools_and_errors_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dataset = tmp.path().join("ds");
    render_collapse_frames(COLLAPSE_IN_CROWD, &dataset, 480, 270);
    let preds = tmp.path().join("perturbed.json");
    let report = perturbed_predictions_agree(tmp.path(), &dataset, &preds);
    subsets_leave_people_out(tmp.path(), &dataset, &preds, &report);
    report_breaks_scores_down(&report);
    bundled_detectors_agree(tmp.path(), &dataset);
    bad_input_writes_nothing(tmp.path(), &dataset, &preds);
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Perturbed ground truth (misses, shifted boxes, duplicates, false positives) written to
/// `preds`, scored on every box (`--subset unfiltered`) at the operating score 0.5: the report
/// agrees with pycocotools. Returns the report's folder.
fn perturbed_predictions_agree(tmp: &Path, dataset: &Path, preds: &Path) -> PathBuf {
    let perturb = check(&[Path::new("perturb"), dataset, preds, Path::new("11")]);
    assert!(perturb["predictions"].as_u64().unwrap() > 100, "{perturb}");
    let report = tmp.join("report-perturbed");
    ok(
        &eval(
            &[
                "--predictions".as_ref(),
                preds.as_ref(),
                "--subset".as_ref(),
                "unfiltered".as_ref(),
                "--score-threshold".as_ref(),
                "0.5".as_ref(),
            ],
            dataset,
            &report,
        )
        .output()
        .unwrap(),
        "eval --predictions",
    );
    let v = check(&[Path::new("compare"), dataset, &report]);
    let ap50 = v["ap50"].as_f64().unwrap();
    assert!(
        ap50 > 0.2 && ap50 < 0.95,
        "a perturbed AP50 should be neither 0 nor 1: {v}"
    );
    assert!(
        v["classes"].as_u64().unwrap() >= 2,
        "person and person_down: {v}"
    );
    let mr2 = v["mr2"].as_f64().unwrap();
    assert!(mr2 > 0.05 && mr2 < 0.95, "{v}");
    assert!(v["below_operating"].as_u64().unwrap() > 10, "{v}");
    report
}

/// Summed over the person classes of a report: (ground truth, predictions).
fn people(r: &serde_json::Value) -> u64 {
    r["overall"]["per_class"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["category"].as_str().unwrap().starts_with("person"))
        .map(|c| c["ground_truth"].as_u64().unwrap())
        .sum()
}

/// The default subset is CityPersons' "reasonable" (full-body height ≥ 50 px, ≥ 65 % seen),
/// others are chosen by name or by threshold; each agrees with pycocotools with the left-out
/// people as crowd boxes, the report names its subset and has every subset's numbers, and the
/// counts are on the subset.
fn subsets_leave_people_out(tmp: &Path, dataset: &Path, preds: &Path, unfiltered: &Path) {
    let all = read_json(&unfiltered.join("report.json"));
    let mut seen = Vec::new();
    for (name, args) in [
        ("reasonable", vec![]),
        ("all", vec!["--subset", "all"]),
        (
            "reasonable, min height 20 px, min visibility 0.5",
            vec!["--min-height", "20", "--min-visibility", "0.5"],
        ),
    ] {
        let report = tmp.join(format!("report-{}", seen.len()));
        let mut a: Vec<&OsStr> = vec!["--predictions".as_ref(), preds.as_ref()];
        a.extend(args.iter().map(|s| OsStr::new(*s)));
        ok(&eval(&a, dataset, &report).output().unwrap(), name);
        check(&[Path::new("compare"), dataset, &report]);
        let r = read_json(&report.join("report.json"));
        assert_eq!(r["settings"]["subset"]["name"], name);
        assert!(
            people(&r) < people(&all),
            "{name}: small and hidden people are left out: {} of {}",
            people(&r),
            people(&all)
        );
        // The counts are on the same people as AP: every person box of the subset (at the
        // operating score 0 every prediction counts, less those on ignore regions).
        assert_eq!(
            r["counting"]["true_total"].as_f64().unwrap() as u64,
            people(&r),
            "{name}"
        );
        assert!(
            r["counting"]["truth"]
                .as_str()
                .unwrap()
                .contains("of the subset")
        );
        // The table of every subset: the chosen one's numbers are its row's.
        let subsets = r["subsets"].as_array().unwrap();
        let names: Vec<&str> = subsets
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["reasonable", "small", "heavy", "all", "unfiltered"]);
        if let Some(row) = subsets.iter().find(|s| s["name"] == name) {
            assert_eq!(row["ap"], r["overall"]["ap"], "{name}");
            assert_eq!(row["mr2"], r["overall"]["mr2"], "{name}");
            assert_eq!(row["ground_truth"].as_u64(), Some(people(&r)), "{name}");
        }
        let html = std::fs::read_to_string(report.join("report.html")).unwrap();
        assert!(html.contains(&format!("Subset <b>{name}</b>")), "{name}");
        seen.push(people(&r));
    }
    // "all" (≥ 20 px, ≥ 20 % seen) holds more people than "reasonable".
    assert!(seen[1] > seen[0], "{seen:?}");
    assert_eq!(
        all["subsets"][4]["ground_truth"].as_u64(),
        Some(people(&all)),
        "unfiltered: every box"
    );
}

/// The report's breakdowns (camera, lighting, weather, DORI class, distance, occlusion) add
/// up, and its HTML page has its plots.
fn report_breaks_scores_down(report: &Path) {
    let r: serde_json::Value =
        serde_json::from_slice(&std::fs::read(report.join("report.json")).unwrap()).unwrap();
    for key in [
        "by_camera",
        "by_lighting",
        "by_weather",
        "by_dori_class",
        "by_distance",
        "by_occlusion",
    ] {
        assert!(
            r[key].as_array().is_some_and(|a| !a.is_empty()),
            "{key}: {r}"
        );
    }
    // Every ground-truth person is in exactly one DORI class, distance band and occlusion
    // group.
    let people = r["overall"]["per_class"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["ground_truth"].as_u64().unwrap())
        .sum::<u64>();
    for key in ["by_dori_class", "by_distance", "by_occlusion"] {
        let n: u64 = r[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["ground_truth"].as_u64().unwrap())
            .sum();
        assert_eq!(n, people, "{key}");
    }
    let cams: u64 = r["by_camera"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["images"].as_u64().unwrap())
        .sum();
    assert_eq!(cams, r["dataset"]["images"].as_u64().unwrap());
    let html = std::fs::read_to_string(report.join("report.html")).unwrap();
    assert_eq!(html.matches("<svg").count(), 5, "five plots");
    assert!(html.contains("Precision–recall") && html.contains("By DORI class"));
    assert!(html.contains("Miss rate against FPPI") && html.contains("MR⁻²"));
    assert!(html.contains("Subset <b>unfiltered</b>") && html.contains("Every subset"));
}

/// The bundled person detectors' own predictions: SSDLite tiled, and YOLOX-nano, which finds
/// the twin's people: its boxes are decoded down to 0.001 (many under the card's 0.3, some
/// above), the report's AP, precision, recall and MR⁻² agree with pycocotools on exactly those
/// boxes, and AP50 is above 0 (a model that predicted nothing, or nothing that matched, would
/// fail here).
fn bundled_detectors_agree(tmp: &Path, dataset: &Path) {
    let report = tmp.join("report-ssd");
    let text = ok(
        &eval(
            &[
                "--model".as_ref(),
                "assets/models/ssdlite_person.ron".as_ref(),
                "--tiles".as_ref(),
                "2x2".as_ref(),
            ],
            dataset,
            &report,
        )
        .output()
        .unwrap(),
        "eval --model",
    );
    assert!(text.contains("SSDLite") && text.contains("AP50"), "{text}");
    let r = read_json(&report.join("report.json"));
    assert_eq!(r["settings"]["tiling"], "2x2");
    assert!(r["latency_ms_per_image"]["run"].as_f64().unwrap() > 0.0);

    let report = tmp.join("report-yolox");
    ok(
        &eval(
            &[
                "--model".as_ref(),
                "assets/models/yolox_nano.ron".as_ref(),
                "--subset".as_ref(),
                YOLOX_SUBSET.as_ref(),
            ],
            dataset,
            &report,
        )
        .output()
        .unwrap(),
        "eval --model yolox_nano",
    );
    let r = read_json(&report.join("report.json"));
    assert_eq!(r["settings"]["decode_threshold"], 0.001);
    assert_eq!(
        r["settings"]["operating_score"], 0.3,
        "the card's threshold"
    );
    let yolox: Vec<serde_json::Value> = read_json(&report.join("predictions.json"))
        .as_array()
        .unwrap()
        .clone();
    let score = |p: &serde_json::Value| p["score"].as_f64().unwrap();
    let above = yolox.iter().filter(|p| score(p) >= 0.3).count();
    let below = yolox.iter().filter(|p| score(p) < 0.3).count();
    assert!(
        above >= 5,
        "YOLOX-nano found {above} people at its threshold"
    );
    assert!(
        below > above,
        "decoded down to 0.001: {below} boxes under 0.3"
    );
    assert!(yolox.iter().all(|p| score(p) >= 0.001));
    let v = check(&[Path::new("compare"), dataset, &report]);
    assert_eq!(v["predictions"].as_u64(), Some(yolox.len() as u64), "{v}");
    let ap50 = v["ap50"].as_f64().expect("people to find in the subset");
    assert!(
        ap50 > 0.05,
        "YOLOX-nano finds some of the twin's people: {v}"
    );
    assert!(v["mr2"].as_f64().unwrap() < 1.0, "{v}");
    // The count uses the boxes at the card's threshold only.
    assert!(
        r["counting"]["predicted_total"].as_f64().unwrap() <= above as f64,
        "{}",
        r["counting"]
    );
}

/// Bad predictions (named file, index and fix), a missing runtime (where to get it) and a
/// folder that is not a dataset: clear errors, and no report written.
fn bad_input_writes_nothing(tmp: &Path, dataset: &Path, preds: &Path) {
    let bad = tmp.join("bad.json");
    std::fs::write(
        &bad,
        r#"[{"image_id": 1, "category_id": 1, "bbox": [0,0,5,5], "score": 0.5},
        {"image_id": 999, "category_id": 1, "bbox": [0,0,5,5], "score": 0.5}]"#,
    )
    .unwrap();
    let out_dir = tmp.join("report-bad");
    let out = eval(&["--predictions".as_ref(), bad.as_ref()], dataset, &out_dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("bad.json") && err.contains("prediction 1") && err.contains("image_id 999"),
        "{err}"
    );
    assert!(!out_dir.exists(), "nothing is written for bad input");

    // No runtime: the error says where to get it; nothing is written.
    let model: [&OsStr; 2] = [
        "--model".as_ref(),
        "assets/models/ssdlite_person.ron".as_ref(),
    ];
    let out = eval(&model, dataset, &out_dir)
        .env("ORT_DYLIB_PATH", tmp.join("no-such-libonnxruntime.so"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("ORT_DYLIB_PATH") && err.contains("no-such-libonnxruntime.so"),
        "{err}"
    );
    assert!(!out_dir.exists());

    // Not a dataset.
    let out = eval(&["--predictions".as_ref(), preds.as_ref()], tmp, &out_dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("manifest.json") && err.contains("twincity render"),
        "{err}"
    );
}
