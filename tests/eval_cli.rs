//! `twincity eval` end to end on a rendered dataset: the report's AP, AP50, per-class
//! precision and recall agree with pycocotools on the same predictions (perturbed ground
//! truth, and the bundled person detector's own); the HTML page has its plots; bad input and
//! a missing runtime give clear errors and write nothing.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{ok, python, render_collapse_frames, root, twincity};

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
    render_collapse_frames(&dataset, 480, 270);
    let preds = tmp.path().join("perturbed.json");
    let report = perturbed_predictions_agree(tmp.path(), &dataset, &preds);
    reasonable_subset_leaves_people_out(tmp.path(), &dataset, &preds, &report);
    report_breaks_scores_down(&report);
    bundled_detectors_agree(tmp.path(), &dataset);
    bad_input_writes_nothing(tmp.path(), &dataset, &preds);
}

/// Perturbed ground truth (misses, shifted boxes, duplicates, false positives) written to
/// `preds`: the report agrees with pycocotools. Returns the report's folder.
fn perturbed_predictions_agree(tmp: &Path, dataset: &Path, preds: &Path) -> PathBuf {
    let perturb = check(&[Path::new("perturb"), dataset, preds, Path::new("11")]);
    assert!(perturb["predictions"].as_u64().unwrap() > 100, "{perturb}");
    let report = tmp.join("report-perturbed");
    ok(
        &eval(
            &["--predictions".as_ref(), preds.as_ref()],
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
    report
}

/// The "reasonable" subset: people under 20 px tall or under half visible become ignore
/// regions, scored as pycocotools scores crowd boxes.
fn reasonable_subset_leaves_people_out(tmp: &Path, dataset: &Path, preds: &Path, report: &Path) {
    let subset = tmp.join("report-subset");
    ok(
        &eval(
            &[
                "--predictions".as_ref(),
                preds.as_ref(),
                "--min-height".as_ref(),
                "20".as_ref(),
                "--min-visibility".as_ref(),
                "0.5".as_ref(),
            ],
            dataset,
            &subset,
        )
        .output()
        .unwrap(),
        "eval --min-height --min-visibility",
    );
    check(&[Path::new("compare"), dataset, &subset]);
    let all: serde_json::Value =
        serde_json::from_slice(&std::fs::read(report.join("report.json")).unwrap()).unwrap();
    let part: serde_json::Value =
        serde_json::from_slice(&std::fs::read(subset.join("report.json")).unwrap()).unwrap();
    let people = |r: &serde_json::Value| r["overall"]["per_class"][0]["ground_truth"].as_u64();
    assert!(
        people(&part) < people(&all),
        "small and hidden people are left out: {:?} of {:?}",
        people(&part),
        people(&all)
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
    assert_eq!(html.matches("<svg").count(), 4, "four plots");
    assert!(html.contains("Precision–recall") && html.contains("By DORI class"));
}

/// The bundled person detectors' own predictions: SSDLite tiled, and YOLOX-nano, which finds
/// the twin's people and whose scores agree with pycocotools on its own output (a model that
/// predicted nothing would fail here).
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
    let r: serde_json::Value =
        serde_json::from_slice(&std::fs::read(report.join("report.json")).unwrap()).unwrap();
    assert_eq!(r["settings"]["tiling"], "2x2");
    assert!(r["latency_ms_per_image"]["run"].as_f64().unwrap() > 0.0);

    let report = tmp.join("report-yolox");
    ok(
        &eval(
            &["--model".as_ref(), "assets/models/yolox_nano.ron".as_ref()],
            dataset,
            &report,
        )
        .output()
        .unwrap(),
        "eval --model yolox_nano",
    );
    let yolox: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(report.join("predictions.json")).unwrap()).unwrap();
    assert!(
        yolox.len() >= 5,
        "YOLOX-nano predicted {} boxes",
        yolox.len()
    );
    check(&[Path::new("compare"), dataset, &report]);
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
