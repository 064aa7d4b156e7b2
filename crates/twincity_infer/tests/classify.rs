//! `Model::classify` on a crop, through ONNX Runtime: a tiny colour classifier
//! (tests/data/tiny_classifier.ron) names the colour of a crop, best first; a detector is
//! refused. Needs ONNX Runtime (`scripts/setup.sh` installs it).

use std::path::{Path, PathBuf};

use twincity_infer::Model;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

#[test]
fn a_crop_is_classified_best_first() {
    let mut model = Model::load(&data("tiny_classifier.ron")).unwrap_or_else(|e| panic!("{e}"));
    // A 40 × 24 crop, mostly blue, with a red stripe: letterboxed into 16 × 16.
    let crop = image::RgbImage::from_fn(40, 24, |x, _| {
        if x < 8 {
            image::Rgb([200, 0, 0])
        } else {
            image::Rgb([0, 30, 220])
        }
    });
    let ranked = model.classify(&crop).unwrap();
    let names: Vec<&str> = ranked.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["blue", "red", "green"], "{ranked:?}");
    let total: f32 = ranked.iter().map(|(_, s)| s).sum();
    assert!(
        (total - 1.0).abs() < 1e-5,
        "softmax scores sum to 1: {ranked:?}"
    );
    assert!(ranked[0].1 > 0.5, "{ranked:?}");
    let red = image::RgbImage::from_pixel(9, 31, image::Rgb([250, 10, 10]));
    assert_eq!(model.classify(&red).unwrap()[0].0, "red");
    assert!(model.classify(&image::RgbImage::new(0, 0)).is_err());
}

#[test]
fn a_detector_is_not_a_classifier() {
    let card = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/models/yolox_nano.ron");
    let mut model = Model::load(&card).unwrap_or_else(|e| panic!("{e}"));
    let e = model
        .classify(&image::RgbImage::new(32, 32))
        .unwrap_err()
        .to_string();
    assert!(e.contains("Classification"), "{e}");
}
