//! `twincity train` end to end: the training package's own tests (a few steps lower the loss,
//! the exported ONNX gives PyTorch's outputs, data reading and splitting), then a short
//! fine-tune on a rendered dataset whose card validates, is listed for the editor, and runs in
//! `twincity eval` on twin and real frames; bad input is refused and loses nothing.

use std::path::Path;

mod common;
use common::{COLLAPSE_IN_CROWD, ok, python, render_collapse_frames, root, twincity};

#[test]
fn training_package_tests_pass() {
    let out = std::process::Command::new(python())
        .current_dir(root().join("python"))
        .env("PYTHONPATH", root().join("python"))
        .args([
            "-W",
            "ignore",
            "-m",
            "unittest",
            "discover",
            "-s",
            "tests",
            "-p",
            "test_*.py",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("Ran 18 tests") && err.contains("OK"), "{err}");
}

/// One dataset rendered once (the slow part), then every check on it.
#[test]
fn a_short_fine_tune_gives_a_card_that_eval_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let dataset = tmp.path().join("ds");
    render_collapse_frames(COLLAPSE_IN_CROWD, &dataset, 320, 180);
    let home = tmp.path().join("home");
    let out_dir = tmp.path().join("model");
    let train = |extra: &[&str]| {
        twincity()
            .env("TWINCITY_HOME", &home)
            .env("TWINCITY_PYTHON", python())
            .args([
                "train",
                "--base",
                "assets/models/yolox_nano.ron",
                "--dataset",
            ])
            .arg(&dataset)
            .arg("--out")
            .arg(&out_dir)
            .args(["--val-camera", "2", "--batch", "2"])
            .arg("--real-eval")
            .arg(root().join("tests/data/astronaut_instances.json"))
            .args(extra)
            .output()
            .unwrap()
    };
    let stdout = ok(&train(&["--progress", "json", "--max-steps", "2"]), "train");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["phase"] == "train" && l["step"] == 2 && l["loss"].is_number()),
        "{stdout}"
    );
    let done = lines.last().unwrap();
    assert_eq!(done["done"], true, "{stdout}");
    let card = Path::new(done["card"].as_str().unwrap()).to_path_buf();
    report_is_complete(&out_dir);
    card_is_valid_and_listed(&card, &home);
    eval_runs(tmp.path(), &card, &dataset);

    // A second run into the same folder is refused and changes nothing.
    let before = std::fs::read(out_dir.join("model.onnx")).unwrap();
    let again = train(&["--progress", "none", "--max-steps", "2"]);
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(!again.status.success() && err.contains("--resume"), "{err}");
    assert_eq!(std::fs::read(out_dir.join("model.onnx")).unwrap(), before);
    // --resume goes on from the checkpoint: one more step, the first two kept.
    let first: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("report.json")).unwrap()).unwrap();
    ok(
        &train(&["--progress", "none", "--resume", "--max-steps", "3"]),
        "resume",
    );
    let resumed: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("report.json")).unwrap()).unwrap();
    let curve = resumed["loss_curve"].as_array().unwrap();
    assert_eq!(curve.len(), 3);
    assert_eq!(curve[..2], first["loss_curve"].as_array().unwrap()[..]);
    bad_input_is_refused(tmp.path(), &dataset);
}

fn report_is_complete(out_dir: &Path) {
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("report.json")).unwrap()).unwrap();
    // The frames at 100 s have the collapsed person: both people categories are learnt.
    assert_eq!(
        report["classes"],
        serde_json::json!(["person", "person_down"])
    );
    assert_eq!(
        report["class_map"]["person_down"], "person",
        "warm start from COCO's person"
    );
    assert_eq!(report["loss_curve"].as_array().unwrap().len(), 2);
    let diff = report["export"]["max_abs_diff"].as_f64().unwrap();
    assert!(
        diff <= report["export"]["tolerance"].as_f64().unwrap(),
        "{diff}"
    );
    let twin = &report["evaluations"]["twin"][0];
    assert!(twin["before"]["per_class"]["person"].is_number(), "{twin}");
    assert!(twin["after"]["per_class"]["person"].is_number(), "{twin}");
    assert!(report["training"]["val_images"].as_u64().unwrap() > 0);
    let real = &report["evaluations"]["real"][0];
    assert_eq!(real["images"], 1);
    // The bundled model finds the astronaut (one real person, 498 px tall).
    assert!(
        real["before"]["per_class"]["person"].as_f64().unwrap() > 0.5,
        "{real}"
    );
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    assert!(
        html.contains("<svg") && html.contains("Real footage"),
        "{html}"
    );
}

fn card_is_valid_and_listed(card: &Path, home: &Path) {
    let (parsed, model) = twincity_infer::ModelCard::read(card).unwrap();
    assert_eq!(parsed.classes, ["person", "person_down"]);
    assert_eq!(
        parsed.categories,
        [Some("person".to_string()), Some("person_down".to_string())]
    );
    assert!(
        parsed.licence.source.contains("fine-tuned from"),
        "{:?}",
        parsed.licence
    );
    assert!(card.parent().unwrap().join("yolox_nano.LICENSE").is_file());
    assert!(model.is_file());
    let listed = std::fs::read_to_string(home.join("trained-models.txt")).unwrap();
    assert!(
        listed
            .lines()
            .any(|l| Path::new(l) == card.canonicalize().unwrap()),
        "{listed}"
    );
}

fn eval_runs(tmp: &Path, card: &Path, dataset: &Path) {
    let report = tmp.join("eval");
    let out = twincity()
        .args(["eval", "--quiet", "--model"])
        .arg(card)
        .arg("--dataset")
        .arg(dataset)
        .arg("--real")
        .arg(root().join("tests/data/astronaut_instances.json"))
        .arg("--report")
        .arg(&report)
        // At 320 x 180 nobody is the 50 px the default "reasonable" subset asks for: score
        // the "all" subset (20 px and more, at least 20 % visible).
        .args(["--subset", "all"])
        .output()
        .unwrap();
    ok(&out, "eval");
    let r: serde_json::Value =
        serde_json::from_slice(&std::fs::read(report.join("report.json")).unwrap()).unwrap();
    assert_eq!(r["settings"]["subset"]["name"], "all", "{r}");
    assert!(r["overall"]["ap50"].is_number(), "{r}");
    assert_eq!(r["real"][0]["images"], 1, "{r}");
    assert!(r["real"][0]["ap50"].is_number(), "{r}");
    let html = std::fs::read_to_string(report.join("report.html")).unwrap();
    assert!(html.contains("Twin and real footage"));
}

fn bad_input_is_refused(tmp: &Path, dataset: &Path) {
    // An SSD card cannot be fine-tuned.
    let out = twincity()
        .args([
            "train",
            "--base",
            "assets/models/ssdlite_person.ron",
            "--dataset",
        ])
        .arg(dataset)
        .arg("--out")
        .arg(tmp.join("ssd"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("YOLOX"), "{err}");
    assert!(!tmp.join("ssd").exists());
    // A folder that is not a dataset is named.
    let out = twincity()
        .args([
            "train",
            "--base",
            "assets/models/yolox_nano.ron",
            "--dataset",
        ])
        .arg(tmp)
        .arg("--out")
        .arg(tmp.join("m2"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("coco.json"), "{err}");
    // A broken real file names itself.
    let broken = tmp.join("broken.json");
    std::fs::write(&broken, "{\"images\": [").unwrap();
    let out = twincity()
        .env("TWINCITY_PYTHON", python())
        .args([
            "train",
            "--base",
            "assets/models/yolox_nano.ron",
            "--max-steps",
            "1",
            "--dataset",
        ])
        .arg(dataset)
        .arg("--out")
        .arg(tmp.join("m3"))
        .arg("--real-eval")
        .arg(&broken)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("broken.json") && err.contains("not valid JSON"),
        "{err}"
    );
}
