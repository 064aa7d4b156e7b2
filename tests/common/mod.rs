//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses part of these helpers

use bevy::math::Vec3;
use twincity_model::camera::{CameraId, Lens, VirtualCamera};

/// Eye height: 1.7 m above the square, which is raised 0.15 m.
pub const EYE_Y: f32 = 1.85;
/// The camera stands 20 m south of the origin.
pub const EYE_Z: f32 = 20.0;

/// A level camera looking due north from (0, [`EYE_Y`], [`EYE_Z`]) with a 90-degree horizontal
/// field of view, so its focal length in pixels is `width / 2`.
pub fn level_camera(width: u32, height: u32) -> VirtualCamera {
    let mut c = VirtualCamera::new(CameraId(1), "test", Vec3::new(0.0, EYE_Y, EYE_Z), 0.0);
    c.tilt_deg = 0.0;
    c.lens = Lens {
        sensor_width_mm: 5.6,
        sensor_height_mm: 3.15,
        focal_length_mm: 2.8,
    };
    c.resolution = (width, height);
    c
}

/// The sky is clearly blue and bright; nothing in the scenes used is.
pub fn is_sky(p: [u8; 4]) -> bool {
    let [r, _g, b, _] = p;
    b as i32 > r as i32 + 30 && b > 150
}

/// The repository's root (where `scenarios/` and `assets/` are).
pub fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `twincity` binary, run from the repository's root.
pub fn twincity() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_twincity"));
    c.current_dir(root());
    c
}

/// The project's Python with pycocotools and NumPy (made by `scripts/setup.sh`).
pub fn python() -> std::path::PathBuf {
    let p = root().join(".venv/bin/python");
    assert!(
        p.is_file(),
        "{} is missing: run `bash scripts/setup.sh` (it installs pycocotools and numpy there)",
        p.display()
    );
    p
}

/// The settings of a one-frame PNG render of `busy_square` at `start` seconds, camera 1, with
/// `privacy` (no extras, no randomisation).
pub fn busy_square_frame_settings(
    scenario: &twincity_scenario::Scenario,
    start: f64,
    privacy: twincity_dataset::Privacy,
) -> twincity_dataset::Settings {
    use twincity_dataset::{ImageFormat, ScenarioInfo, Settings};
    use twincity_scenario::Randomisation;
    Settings {
        scenario: ScenarioInfo {
            name: scenario.name.clone(),
            file: "busy_square.scenario.ron".into(),
            sha256: String::new(),
            seed: scenario.seed,
        },
        frames: 1,
        fps: 1.0,
        start_s: start,
        cameras: vec![1],
        size: None,
        format: ImageFormat::Png,
        privacy,
        extras: Default::default(),
        randomisation: Randomisation::default(),
    }
}

/// The bundled collapse scenario (a crowd of 400: what the evaluation tests need to get
/// statistics of a crowd).
pub const COLLAPSE_IN_CROWD: &str = "scenarios/collapse_in_crowd.scenario.ron";
/// The collapse over a quiet square (48 passers-by): the same incident for a fifth of the
/// render time on a software renderer.
pub const QUIET_COLLAPSE: &str = "tests/data/quiet_collapse.scenario.ron";

/// Renders two frames (100 s and 102 s) of a collapse `scenario` ([`COLLAPSE_IN_CROWD`] or
/// [`QUIET_COLLAPSE`]) at `width`×`height` into `dataset`, and checks that it worked.
pub fn render_collapse_frames(scenario: &str, dataset: &std::path::Path, width: u32, height: u32) {
    let out = twincity()
        .args([
            "render",
            scenario,
            "--frames",
            "2",
            "--fps",
            "0.5",
            "--start",
            "100",
            "--progress",
            "none",
            "--width",
        ])
        .arg(width.to_string())
        .arg("--height")
        .arg(height.to_string())
        .arg("--out")
        .arg(dataset)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "render failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The standard output of a command that must have succeeded (else both outputs, and `what`).
pub fn ok(out: &std::process::Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `twincity ARGS` in a window, under `xvfb-run` (screen `size`) when no display is set,
/// and returns its output. Fails (rather than skipping) when neither a display nor xvfb-run
/// is available.
pub fn in_window(args: &[String], size: (u32, u32)) -> std::process::Output {
    let exe = env!("CARGO_BIN_EXE_twincity");
    let has_display = std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty());
    let mut cmd = if has_display {
        std::process::Command::new(exe)
    } else {
        let mut c = std::process::Command::new("xvfb-run");
        c.args([
            "-a",
            "-s",
            &format!("-screen 0 {}x{}x24", size.0, size.1),
            exe,
        ]);
        c
    };
    // A home of its own: the models trained on this machine (listed in the user's home) would
    // otherwise join the inference window's list and move what the tests look for.
    let home = tempfile::tempdir().expect("a temporary folder");
    cmd.args(args)
        .current_dir(root())
        .env("WGPU_VALIDATION", "0")
        .env("TWINCITY_HOME", home.path())
        .output()
        .expect("no display and no xvfb-run: run `scripts/setup.sh` first (installs Xvfb)")
}
