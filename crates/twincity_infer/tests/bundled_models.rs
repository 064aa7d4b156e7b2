//! The bundled models on a real photograph (NASA's portrait of Eileen Collins, public domain:
//! tests/data/README.md), against boxes marked by hand on the image (YOLOX-nano at the
//! photograph's own size, whole and cropped to sides that are not multiples of 32); and the
//! errors a card that does not fit its model gives. Needs ONNX Runtime (`scripts/setup.sh` installs it).

use std::path::{Path, PathBuf};

use twincity_infer::card::ModelCard;
use twincity_infer::{Frame, InferError, Model, iou};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn card(name: &str) -> PathBuf {
    root().join("assets/models").join(name)
}

fn astronaut() -> (u32, u32, Vec<u8>) {
    let img = image::open(root().join("tests/data/astronaut.jpg"))
        .expect("tests/data/astronaut.jpg")
        .to_rgba8();
    (img.width(), img.height(), img.into_raw())
}

/// Marked by hand on the 512 × 512 photograph: the face (brow to chin, ear to ear) and the
/// whole person as far as she is in the frame.
const FACE: [f32; 4] = [172.0, 62.0, 108.0, 122.0];
const PERSON: [f32; 4] = [18.0, 14.0, 350.0, 498.0];

#[test]
fn every_bundled_card_opens_its_model() {
    let mut n = 0;
    for entry in std::fs::read_dir(root().join("assets/models")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ron") {
            let model = Model::load(&path).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                model.card.licence.file.is_some(),
                "{}: licence file",
                path.display()
            );
            let licence = path
                .parent()
                .unwrap()
                .join(model.card.licence.file.as_ref().unwrap());
            assert!(licence.is_file(), "{}", licence.display());
            n += 1;
        }
    }
    assert!(n >= 4, "{n} cards");
}

#[test]
fn face_detectors_find_the_one_face() {
    let (w, h, rgba) = astronaut();
    let frame = Frame::rgba(w, h, &rgba);
    for name in ["centerface.ron", "blazeface_back.ron"] {
        let mut model = Model::load(&card(name)).unwrap();
        let out = model.infer(&frame, None).unwrap();
        assert_eq!(out.detections.len(), 1, "{name}: {:?}", out.detections);
        let d = out.detections[0];
        assert!(iou(d.bbox, FACE) > 0.5, "{name}: {:?} vs {FACE:?}", d.bbox);
        assert_eq!(out.count, 1.0, "{name}");
        assert!(
            out.timing.run > out.timing.decode,
            "{name}: {:?}",
            out.timing
        );
    }
}

#[test]
fn the_person_detector_finds_the_person_whole_and_in_tiles() {
    let (w, h, rgba) = astronaut();
    let frame = Frame::rgba(w, h, &rgba);
    let mut model = Model::load(&card("ssdlite_person.ron")).unwrap();
    let out = model.infer(&frame, None).unwrap();
    let best = out.detections.first().expect("a person");
    assert!(
        iou(best.bbox, PERSON) > 0.7,
        "{:?} vs {PERSON:?}",
        best.bbox
    );
    assert_eq!(out.runs, 1);
    // Tiled (2 × 2 and the whole image): the whole-image box survives the merge.
    let tiling = twincity_infer::Tiling {
        columns: 2,
        rows: 2,
        overlap: 0.2,
        whole_image: true,
    };
    let tiled = model.infer(&frame, Some(tiling)).unwrap();
    assert_eq!(tiled.runs, 5);
    assert!(
        tiled.detections.iter().any(|d| iou(d.bbox, PERSON) > 0.7),
        "{:?}",
        tiled.detections
    );
}

#[test]
fn yolox_finds_the_person_at_the_frames_own_size() {
    let (w, h, rgba) = astronaut();
    let mut model = Model::load(&card("yolox_nano.ron")).unwrap();
    let out = model.infer(&Frame::rgba(w, h, &rgba), None).unwrap();
    let best = out.detections.first().expect("a person");
    assert_eq!(model.card.class_name(best.class), "person");
    assert!(best.score > 0.5, "{best:?}");
    assert!(
        iou(best.bbox, PERSON) > 0.7,
        "{:?} vs {PERSON:?}",
        best.bbox
    );
    // Her overlapping boxes merge into one person.
    assert_eq!(out.count, 1.0, "{:?}", out.detections);

    // The top-left 500 × 490 of the photograph (read in place, rows 512 pixels apart) runs
    // as 512 × 512, padded right and below, and the box still lands on her.
    let crop = Frame {
        width: 500,
        height: 490,
        stride: w,
        bgra: false,
        pixels: &rgba,
    };
    let prepared = model.prepare(&crop, [0, 0, 500, 490]).unwrap();
    assert_eq!(prepared.shape, [1, 3, 512, 512]);
    assert_eq!(prepared.placement.inner, [0.0, 0.0, 500.0, 490.0]);
    let out = model.infer(&crop, None).unwrap();
    let best = out.detections.first().expect("a person");
    let person = [PERSON[0], PERSON[1], PERSON[2], 490.0 - PERSON[1]];
    assert_eq!(best.class, 0);
    assert!(
        iou(best.bbox, person) > 0.7,
        "{:?} vs {person:?}",
        best.bbox
    );
    assert!(best.bbox[1] + best.bbox[3] <= 490.0, "{best:?}");
}

/// Decoded down to 0.001 (as `twincity eval` does), YOLOX-nano keeps boxes under the card's
/// threshold too; those at or above it are exactly what `infer` keeps, and the count is the
/// card's.
#[test]
fn decoding_down_to_a_low_score_keeps_the_cards_boxes_and_count() {
    let (w, h, rgba) = astronaut();
    let frame = Frame::rgba(w, h, &rgba);
    let mut model = Model::load(&card("yolox_nano.ron")).unwrap();
    let shown = model.infer(&frame, None).unwrap();
    let low = model.infer_down_to(&frame, None, 0.001).unwrap();
    let t = model.card.score_threshold;
    assert!(
        low.detections.iter().any(|d| d.score < t),
        "some boxes under {t}: {:?}",
        low.detections
    );
    assert!(low.detections.iter().all(|d| d.score >= 0.001));
    let above: Vec<_> = low
        .detections
        .iter()
        .filter(|d| d.score >= t)
        .copied()
        .collect();
    assert_eq!(above, shown.detections);
    assert_eq!((low.count, shown.count), (1.0, 1.0));
}

/// Writes a variant of a bundled card beside its model (in a temporary copy of the folder).
fn variant(name: &str, from: &str, to: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(card(name)).unwrap();
    assert!(text.contains(from), "{from}");
    let (c, model) = ModelCard::read(&card(name)).unwrap();
    std::fs::copy(&model, dir.path().join(&c.model)).unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text.replace(from, to)).unwrap();
    (dir, path)
}

fn load_error(name: &str, from: &str, to: &str) -> String {
    let (_dir, path) = variant(name, from, to);
    match Model::load(&path) {
        Ok(_) => panic!("{name} with `{to}` loaded"),
        Err(e @ InferError::Mismatch { .. }) => e.to_string(),
        Err(e) => panic!("not a mismatch: {e}"),
    }
}

#[test]
fn a_card_that_does_not_fit_its_model_says_what_differs() {
    let e = load_error("blazeface_back.ron", "Fixed(256, 256)", "Fixed(128, 128)");
    assert!(
        e.contains("[1, 256, 256, 3]") && e.contains("Fixed(128, 128)"),
        "{e}"
    );

    let e = load_error("blazeface_back.ron", "element: F32", "element: U8");
    assert!(e.contains("takes f32 values") && e.contains("U8"), "{e}");

    let e = load_error("blazeface_back.ron", "layout: Nhwc", "layout: Nchw");
    assert!(e.contains("256 channels"), "{e}");

    let e = load_error("centerface.ron", "heatmap: \"537\"", "heatmap: \"heat\"");
    assert!(e.contains("output `heat`") && e.contains("`537`"), "{e}");

    let e = load_error(
        "ssdlite_person.ron",
        "name: Some(\"image_tensor:0\")",
        "name: Some(\"images\")",
    );
    assert!(
        e.contains("input `images`") && e.contains("`image_tensor:0`"),
        "{e}"
    );

    // Strides that do not match the model's anchor grids: caught by the trial run.
    let e = load_error(
        "blazeface_back.ron",
        "strides: [16, 32]",
        "strides: [8, 32]",
    );
    assert!(
        e.contains("`Identity:0`") && e.contains("2048 scores"),
        "{e}"
    );

    // A decoder for another kind of output: caught by the trial run too.
    let ssd = r#"decoder: Ssd(
        boxes: "detection_boxes:0",
        scores: "detection_scores:0",
        classes: Some("detection_classes:0"),
        first_class: 1,
    ),"#;
    let e = load_error(
        "ssdlite_person.ron",
        ssd,
        r#"decoder: Yolo(output: "detection_boxes:0"),"#,
    );
    assert!(
        e.contains("`detection_boxes:0`") && e.contains("at least 5 values"),
        "{e}"
    );

    // YOLOX strides that miss a grid: the trial run (64 × 64) finds 84 cells, not 80.
    let e = load_error("yolox_nano.ron", "strides: [8, 16, 32]", "strides: [8, 16]");
    assert!(
        e.contains("`output`") && e.contains("[1, 84, 85]") && e.contains("80 cells"),
        "{e}"
    );
}

#[test]
fn a_padded_bgra_read_back_gives_the_same_boxes_as_rgba() {
    let (w, h, rgba) = astronaut();
    // As a GPU read-back would give it: BGRA, rows 64 pixels longer than the image.
    let stride = w + 64;
    let mut bgra = vec![0u8; (stride * h * 4) as usize];
    for y in 0..h as usize {
        for x in 0..w as usize {
            let s = (y * w as usize + x) * 4;
            let d = (y * stride as usize + x) * 4;
            bgra[d..d + 4].copy_from_slice(&[rgba[s + 2], rgba[s + 1], rgba[s], 255]);
        }
    }
    let padded = Frame {
        width: w,
        height: h,
        stride,
        bgra: true,
        pixels: &bgra,
    };
    for name in ["ssdlite_person.ron", "centerface.ron", "yolox_nano.ron"] {
        let mut model = Model::load(&card(name)).unwrap();
        let a = model
            .infer(&Frame::rgba(w, h, &rgba), None)
            .unwrap()
            .detections;
        let b = model.infer(&padded, None).unwrap().detections;
        assert_eq!(a.len(), b.len(), "{name}: {a:?} vs {b:?}");
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.class, y.class);
            assert!(iou(x.bbox, y.bbox) > 0.98, "{name}: {x:?} vs {y:?}");
        }
    }
}
