//! Property-based fuzzing (proptest) of model cards: the bundled cards with their numbers
//! (thresholds, input size, scale, mean and std, tiling) set to hostile values. A card is
//! refused with a located error, or its model refuses it on loading, or it runs on a small
//! frame — no panic, no runaway work. Bounded by `PROPTEST_CASES` (default 64 here). It found
//! that a `Multiple` input size with no upper bound overflowed the size of the first test
//! frame (now `of` ≤ 1024 and `max_side` ≤ 8192).

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::Config;
use twincity_infer::card::{InputSize, ModelCard};

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

fn bundled() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/models")
}

fn hostile_f32() -> impl Strategy<Value = f32> {
    prop::sample::select(vec![
        0.0,
        -0.0,
        -1.0,
        0.5,
        1.0,
        1e-30,
        1e30,
        f32::MAX,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
    ])
}

fn hostile_u32() -> impl Strategy<Value = u32> {
    prop::sample::select(vec![0, 1, 3, 32, 4096, 65_535, 1 << 20, u32::MAX])
}

/// One change to a card.
#[derive(Clone, Debug)]
enum Edit {
    Threshold(f32),
    Nms(f32),
    Scale(f32),
    Mean(usize, f32),
    Std(usize, f32),
    Fixed(u32, u32),
    Multiple(u32, u32),
    Tiling(u32, u32, f32),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        hostile_f32().prop_map(Edit::Threshold),
        hostile_f32().prop_map(Edit::Nms),
        hostile_f32().prop_map(Edit::Scale),
        (0..3usize, hostile_f32()).prop_map(|(c, v)| Edit::Mean(c, v)),
        (0..3usize, hostile_f32()).prop_map(|(c, v)| Edit::Std(c, v)),
        (hostile_u32(), hostile_u32()).prop_map(|(w, h)| Edit::Fixed(w, h)),
        (hostile_u32(), hostile_u32()).prop_map(|(o, m)| Edit::Multiple(o, m)),
        (hostile_u32(), hostile_u32(), hostile_f32()).prop_map(|(c, r, o)| Edit::Tiling(c, r, o)),
    ]
}

fn apply(card: &mut ModelCard, e: &Edit) {
    match *e {
        Edit::Threshold(v) => card.score_threshold = v,
        Edit::Nms(v) => card.nms_iou = v,
        Edit::Scale(v) => card.input.scale = v,
        Edit::Mean(c, v) => card.input.mean[c] = v,
        Edit::Std(c, v) => card.input.std[c] = v,
        Edit::Fixed(w, h) => card.input.size = InputSize::Fixed(w, h),
        Edit::Multiple(of, max_side) => card.input.size = InputSize::Multiple { of, max_side },
        Edit::Tiling(columns, rows, overlap) => {
            if let Some(t) = card.tiling.as_mut() {
                t.columns = columns;
                t.rows = rows;
                t.overlap = overlap;
            }
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn hostile_cards_are_refused_or_run(
        which in 0..4usize,
        edits in prop::collection::vec(edit(), 1..=3),
    ) {
        let name = ["yolox_nano.ron", "ssdlite_person.ron", "centerface.ron", "blazeface_back.ron"][which];
        let (mut card, model) = ModelCard::read(&bundled().join(name)).unwrap();
        card.model = model;
        for e in &edits {
            apply(&mut card, e);
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        let text = twincity_model::ronfile::to_string(&card).unwrap();
        std::fs::write(&path, text).unwrap();
        let outcome = std::panic::catch_unwind(|| {
            // Loading may still refuse it (a size the model does not take): a clear error.
            if let Ok(mut model) = twincity_infer::Model::load(&path) {
                let pixels = vec![128u8; 64 * 48 * 4];
                let frame = twincity_infer::Frame::rgba(64, 48, &pixels);
                let tiling = model.card.tiling;
                let _ = model.infer(&frame, tiling);
            }
        });
        prop_assert!(outcome.is_ok(), "card with {:?} panicked", edits);
    }
}
