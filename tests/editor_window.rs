//! The real editor in a real window (under Xvfb where there is no display): opens the demo
//! project, waits for a complete frame and saves a screenshot through the window.

use std::path::Path;

mod common;

/// Runs `twincity edit ARGS --screenshot OUT` in a window (see [`common::in_window`]).
fn run_editor_screenshot(args: &[&str], out: &Path, size: (u32, u32)) {
    let window = format!("{}x{}", size.0, size.1);
    let mut editor_args: Vec<String> = vec!["edit".into()];
    editor_args.extend(args.iter().map(|s| s.to_string()));
    editor_args.extend([
        "--window".into(),
        window,
        "--screenshot".into(),
        out.display().to_string(),
    ]);
    let output = common::in_window(&editor_args, size);
    assert!(
        output.status.success(),
        "editor exited with {:?}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

fn rgb(img: &image::RgbImage, x: u32, y: u32) -> [u8; 3] {
    img.get_pixel(x, y).0
}

#[test]
fn editor_opens_the_demo_and_screenshots_panels_and_city() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("editor.png");
    run_editor_screenshot(&[], &out, (1280, 720));
    let img = image::open(&out).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (1280, 720));
    if let Ok(dir) = std::env::var("TWINCITY_TEST_OUT") {
        img.save(format!("{dir}/editor_window.png")).unwrap();
    }

    // egui's dark panels: the left scene list and the right properties panel are uniformly dark
    // where no text is drawn (bottom of the panels).
    for x in [5, 1275] {
        let p = rgb(&img, x, 600);
        assert!(
            p.iter().all(|&c| c < 60),
            "expected a dark panel at ({x}, 600), got {p:?}"
        );
    }
    // The 3D view in between is lit and colourful: many distinct colours, mostly bright.
    let mut colours = std::collections::HashSet::new();
    let mut bright = 0;
    for y in (100..650).step_by(7) {
        for x in (350..930).step_by(7) {
            let p = rgb(&img, x, y);
            colours.insert(p.map(|c| c / 16));
            if p.iter().map(|&c| c as u32).sum::<u32>() > 240 {
                bright += 1;
            }
        }
    }
    assert!(
        colours.len() > 40,
        "the 3D view looks flat: {} colours",
        colours.len()
    );
    assert!(
        bright > 2000,
        "the 3D view looks dark: {bright} bright samples"
    );
}

/// `--measure-frames N`: the view turns N frames at full quality, then N frames with smooth
/// moves; both frame rates are logged. Where frames are slow (under 20 per second, as on the
/// software renderer), the moving view is drawn lowered (no shadows, no multisampling), and
/// the screenshot after it waits for the still view's full quality.
#[test]
fn measuring_the_frame_rate_turns_the_view_and_lowers_it_only_while_it_moves() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("measured.png");
    let args: Vec<String> = [
        "edit",
        "--measure-frames",
        "6",
        "--window",
        "960x540",
        "--screenshot",
        out.to_str().unwrap(),
    ]
    .map(String::from)
    .to_vec();
    let output = common::in_window(&args, (960, 540));
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{log}");
    let after = |prefix: &str| -> &str {
        let at = log
            .find(prefix)
            .unwrap_or_else(|| panic!("no {prefix:?} in\n{log}"));
        &log[at + prefix.len()..]
    };
    let number = |s: &str| -> f64 {
        let end = s.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap();
        s[..end].parse().unwrap()
    };
    let full = number(after("6 frames with the view turning, full quality: "));
    let smooth = after("6 frames with the view turning, smooth moves on: ");
    let lowered = number(smooth.split_once("; ").unwrap().1) as u32;
    assert!(full > 0.0 && number(smooth) > 0.0, "{log}");
    if full < 20.0 {
        assert!(
            lowered >= 3,
            "slow frames, yet the moving view was not lowered:\n{log}"
        );
    }
    // Logged after the measurement: the screenshot waited for full quality.
    assert!(
        after("smooth moves on: ").contains("Screenshot saved"),
        "{log}"
    );
    assert_eq!(image::open(&out).unwrap().width(), 960);
}

/// Pixels of the green the inference window marks matched predictions with (anti-aliased
/// over the image, so by hue rather than exact value; the city's greens are darker and
/// duller).
fn matched_green(img: &image::RgbImage) -> usize {
    img.pixels()
        .filter(|p| {
            let [r, g, b] = p.0.map(f32::from);
            g > 170.0 && r < 0.45 * g && b < 0.6 * g
        })
        .count()
}

#[test]
fn the_inference_window_shows_a_camera_against_its_ground_truth() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = [
        "--scenario",
        "tests/data/quiet_collapse.scenario.ron",
        "--scenario-at",
        "100",
    ];
    let with = dir.path().join("inference.png");
    let mut args = scenario.to_vec();
    args.extend(["--infer", "assets/models/yolox_nano.ron"]);
    run_editor_screenshot(&args, &with, (1600, 900));
    let without = dir.path().join("plain.png");
    run_editor_screenshot(&scenario, &without, (1600, 900));
    let (a, b) = (
        matched_green(&image::open(&with).unwrap().to_rgb8()),
        matched_green(&image::open(&without).unwrap().to_rgb8()),
    );
    if let Ok(dir) = std::env::var("TWINCITY_TEST_OUT") {
        std::fs::copy(&with, format!("{dir}/editor_inference.png")).unwrap();
    }
    // The photo-trained detector finds the twin's people: its boxes that match a person's
    // ground truth carry green marks (the screenshot waits for every camera's first result).
    assert!(
        a > b + 300,
        "matched (green) marks: {a} pixels with the model, {b} without"
    );
}

/// Faces CenterFace finds in a picture (at its card's own threshold, the one the blur uses).
fn faces_in(img: &image::RgbaImage) -> usize {
    let card =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/models/centerface.ron");
    let mut model = twincity_infer::Model::load(&card).unwrap();
    let frame = twincity_infer::Frame::rgba(img.width(), img.height(), img.as_raw());
    model.infer(&frame, None).unwrap().detections.len()
}

/// Pixels of the saturated orange of the astronaut's suit (tests/data/astronaut.jpg).
fn suit_orange_pixels(img: &image::RgbaImage) -> usize {
    img.pixels()
        .filter(|p| {
            let [r, g, b, _] = p.0.map(i32::from);
            r > 180 && (60..160).contains(&g) && b < 90 && r - g > 70
        })
        .count()
}

/// A real video in a camera's view: the editor shows it only once its first frame is blurred
/// (the screenshot waits for that), and no face can be found anywhere in what it shows — while
/// the same face, unblurred and as large, pasted into the same screenshot is found.
#[test]
fn real_video_in_the_inference_window_shows_no_face() {
    let dir = tempfile::tempdir().unwrap();
    let photo = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/astronaut.jpg");
    let clip = dir.path().join("clip.mp4");
    let made = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-loop", "1", "-framerate", "10", "-i"])
        .arg(&photo)
        .args(["-frames:v", "30", "-c:v", "mpeg4", "-q:v", "2"])
        .arg(&clip)
        .status()
        .expect("ffmpeg is needed: run scripts/setup.sh");
    assert!(made.success());
    let shot = dir.path().join("footage.png");
    run_editor_screenshot(&["--footage", clip.to_str().unwrap()], &shot, (1600, 900));
    let shown = image::open(&shot).unwrap().to_rgba8();
    if let Ok(out) = std::env::var("TWINCITY_TEST_OUT") {
        shown.save(format!("{out}/editor_footage.png")).unwrap();
    }
    // The video is shown (an error message in its place would show no face either): her
    // orange suit, a colour found nowhere in the demo district or the interface, covers
    // 38 743 px of the 512 × 512 photo; the window shows her about 540 px wide, cut at the
    // bottom (the more models the window lists, the lower the picture starts: about 12 500 px
    // with the five bundled cards), so at least a quarter of that must be on screen; an error
    // in its place shows none.
    let suit = suit_orange_pixels(&shown);
    assert!(
        suit > 10_000,
        "the video is not shown: {suit} px of the astronaut's orange suit on screen"
    );
    assert_eq!(faces_in(&shown), 0, "a face is visible in the editor");
    // The control: the raw photo at the size the window shows it (about 540 px wide), pasted
    // over the 3D view of the same screenshot.
    let mut control = shown.clone();
    let raw = image::open(&photo).unwrap().to_rgba8();
    let raw = image::imageops::resize(&raw, 540, 540, image::imageops::FilterType::Triangle);
    image::imageops::overlay(&mut control, &raw, 250, 200);
    assert_eq!(
        faces_in(&control),
        1,
        "the detector misses the face at that size"
    );
}

/// The Plate check in the running editor with the bundled make/model classifier: the
/// speed-camera scenario played to just after the cloned Clio (a hatchback carrying an SUV's
/// plate) passes the radar; the window crops the Clio from the radar camera's picture, the
/// classifier names its body, and the log beside the project records the passage — the
/// registered body from the registry, the body seen with its score, the verdict by the rule —
/// and the alert when one is raised, which a person must then confirm or dismiss.
#[test]
fn the_plate_check_checks_a_passage_with_the_bundled_classifier() {
    let dir = tempfile::tempdir().unwrap();
    // The project copied, so that the log (beside the project) goes to the temporary folder.
    let project = dir.path().join("south_street.twin.ron");
    std::fs::copy("scenarios/south_street.twin.ron", &project).unwrap();
    let shot = dir.path().join("plate-check.png");
    run_editor_screenshot(
        &[
            project.to_str().unwrap(),
            "--scenario",
            "scenarios/speed_camera_cloned_plate.scenario.ron",
            "--scenario-at",
            "11.2",
            "--plate-check",
            "assets/models/vehicle_bodies.ron",
            "--plate-camera",
            "Rue sud - radar, face",
        ],
        &shot,
        (1600, 900),
    );
    if let Ok(out) = std::env::var("TWINCITY_TEST_OUT") {
        std::fs::copy(&shot, format!("{out}/editor_plate_check.png")).unwrap();
    }
    let log = std::fs::read_to_string(dir.path().join("twincity-alerts.jsonl"))
        .expect("the Plate check logs its passages beside the project");
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let said = |event: &str| -> Vec<String> {
        lines
            .iter()
            .filter(|l| l["event"] == event)
            .map(|l| l["what"].as_str().unwrap().to_string())
            .collect()
    };
    let checked = said("checked");
    let clio = checked
        .iter()
        .find(|w| w.starts_with("plate AB-123-CD at "))
        .unwrap_or_else(|| panic!("no check of the cloned Clio in the log:\n{log}"));
    // What the registry says, and what the model saw: one of the card's labels, with a score.
    let (_, seen) = clio
        .split_once(": registered suv (Peugeot 3008), seen ")
        .unwrap_or_else(|| panic!("{clio}"));
    let (label, rest) = seen.split_once(' ').unwrap();
    let (score, verdict) = rest.split_once(": ").unwrap();
    let score: f32 = score.parse().unwrap();
    let card = std::fs::read_to_string("assets/models/vehicle_bodies.ron").unwrap();
    assert!(
        card.contains(&format!("\"{label}\"")),
        "{label} is not a class of the card"
    );
    // The bundled classifier names the body that is there: the Clio is a hatchback.
    assert_eq!(label, "hatchback", "{clio}");
    assert!(score > 0.0 && score <= 1.0, "{clio}");
    // The verdict follows the rule, and an alert is raised exactly for "possibly cloned",
    // for a person to decide (never acted on alone).
    let expected = if label == "suv" {
        "match"
    } else if score >= 0.5 {
        "possibly cloned"
    } else {
        "different body, low score"
    };
    assert_eq!(verdict, expected, "{clio}");
    let raised = said("raised");
    if expected == "possibly cloned" {
        assert_eq!(raised.len(), 1, "{log}");
        assert_eq!(
            raised[0],
            format!(
                "plate AB-123-CD possibly cloned: registered suv (Peugeot 3008), seen {label} {score:.2}"
            ),
        );
    } else {
        assert!(raised.is_empty(), "{log}");
    }
    // The honest Clio has not reached the radar at 11.2 s: no passage of it yet.
    assert!(!log.contains("EF-456-GH"), "{log}");
}
