//! Tours and presentation mode: the bundled tours validate, a broken one gets a located
//! error, and a bundled tour presented in a real window (under Xvfb where there is no display)
//! changes the picture at each step as the step says.

mod common;

use std::path::Path;

const CAMERA_TOUR: &str = "assets/tours/ce_que_voit_une_camera.tour.ron";

#[test]
fn bundled_tours_validate_with_everything_they_name() {
    let tours: Vec<String> = std::fs::read_dir(common::root().join("assets/tours"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".tour.ron"))
        .map(|p| p.display().to_string())
        .collect();
    assert_eq!(tours.len(), 3, "{tours:?}");
    let out = common::twincity()
        .arg("validate")
        .args(&tours)
        .output()
        .unwrap();
    let text = common::ok(&out, "validate the bundled tours");
    assert_eq!(text.matches(": ok (valid tour").count(), 3, "{text}");
    assert!(text.contains("\"Ce que voit une caméra\""), "{text}");
}

#[test]
fn a_tour_naming_a_missing_camera_is_refused_with_its_line() {
    let text = std::fs::read_to_string(common::root().join(CAMERA_TOUR)).unwrap();
    let project = common::root().join("assets/projects/demo.twin.ron");
    let broken = text
        .replace("Through(\"Mairie - parvis\")", "Through(\"Nulle part\")")
        .replace(
            "\"../projects/demo.twin.ron\"",
            &format!("{:?}", project.display().to_string()),
        );
    assert!(!broken.contains("../projects"));
    // In a folder of its own (the other tests list the bundled tours' folder).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".broken-test.tour.ron");
    std::fs::write(&path, &broken).unwrap();
    let out = common::twincity()
        .args(["validate", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = broken
        .lines()
        .position(|l| l.contains("Par l'œil de la caméra"))
        .unwrap()
        + 1;
    assert!(
        stdout.contains(&format!(".broken-test.tour.ron:{line}:"))
            && stdout.contains("steps[4].view")
            && stdout.contains("\"Nulle part\"")
            && stdout.contains("\"Mairie - parvis\""),
        "{stdout}"
    );
}

/// Share of sampled pixels of the 3D view (left of the caption's right edge, above it) that
/// differ by more than `tolerance` between two screenshots.
fn changed_share(a: &image::RgbImage, b: &image::RgbImage, top: u32, bottom: u32) -> f64 {
    let (w, _) = a.dimensions();
    let (mut changed, mut total) = (0, 0);
    for y in (top..bottom).step_by(5) {
        for x in (0..w).step_by(5) {
            let (p, q) = (a.get_pixel(x, y).0, b.get_pixel(x, y).0);
            let d: i32 = (0..3).map(|i| (p[i] as i32 - q[i] as i32).abs()).sum();
            total += 1;
            if d > 30 {
                changed += 1;
            }
        }
    }
    changed as f64 / total as f64
}

/// Share of a row's pixels of the colour of its first pixel, and that colour: the caption's
/// dark panel is one flat colour from edge to edge.
fn flat_row(img: &image::RgbImage, y: u32) -> (f64, [u8; 3]) {
    let first = img.get_pixel(0, y).0;
    let same = (0..img.width())
        .filter(|&x| img.get_pixel(x, y).0 == first)
        .count();
    (same as f64 / img.width() as f64, first)
}

#[test]
fn presenting_a_tour_changes_the_picture_as_each_step_says() {
    let dir = tempfile::tempdir().unwrap();
    let shots = dir.path().join("steps");
    let size = (1280, 720);
    let args: Vec<String> = [
        "present",
        CAMERA_TOUR,
        "--lang",
        "fr",
        "--window",
        "1280x720",
        "--screenshots",
        shots.to_str().unwrap(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let out = common::in_window(&args, size);
    assert!(
        out.status.success(),
        "present exited with {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let steps: Vec<image::RgbImage> = (1..=5)
        .map(|i| {
            let p = shots.join(format!("step-{i:02}.png"));
            image::open(&p)
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
                .to_rgb8()
        })
        .collect();
    if let Ok(out) = std::env::var("TWINCITY_TEST_OUT") {
        for (i, s) in steps.iter().enumerate() {
            s.save(Path::new(&out).join(format!("tour-step-{}.png", i + 1)))
                .unwrap();
        }
    }
    for s in &steps {
        assert_eq!(s.dimensions(), size);
        // No editing panel: the view reaches both edges at mid-height (sky or city, not
        // egui's dark panels), and the caption's dark band lies along the bottom.
        for x in [4, 1275] {
            let p = s.get_pixel(x, 200).0;
            assert!(p.iter().any(|&c| c > 70), "a panel at ({x}, 200): {p:?}");
        }
        let (flat, colour) = flat_row(s, 715);
        assert!(
            flat > 0.9 && colour.iter().map(|&c| c as u32).sum::<u32>() < 300,
            "no dark caption along the bottom: {flat:.2} of the row is {colour:?}"
        );
    }
    let view = (40, 480);
    // Step 2 keeps the view and turns the DORI coverage on: the ground changes colour.
    let coverage = changed_share(&steps[0], &steps[1], view.0, view.1);
    assert!(
        coverage > 0.08,
        "coverage on changed {coverage:.3} of the view"
    );
    // Step 3 flies elsewhere, step 4 to the masked windows, step 5 through a camera: each
    // view is a different picture.
    for (a, b) in [(1, 2), (2, 3), (3, 4)] {
        let moved = changed_share(&steps[a], &steps[b], view.0, view.1);
        assert!(
            moved > 0.3,
            "step {} to {}: {moved:.3} of the view changed",
            a + 1,
            b + 1
        );
    }
    // The step indicator and the French caption change with each step: the caption's rows
    // differ between consecutive steps.
    for i in 0..4 {
        let caption = changed_share(&steps[i], &steps[i + 1], 560, 700);
        assert!(
            caption > 0.002,
            "the caption of step {} did not change",
            i + 2
        );
    }
}
