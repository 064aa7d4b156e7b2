//! The files a dataset holds besides its images, built from the images' records: COCO
//! instances, YOLO labels and data file, crowd-counting points, density maps, masks.

use serde_json::{Value, json};

use crate::records::{CATEGORIES, ImageRecord, supercategory};

/// COCO instances (`coco.json`) for `records`, which must be in dataset order (frame, then
/// camera id): image ids are 1, 2, ... in that order, annotation ids likewise, so a merged
/// dataset's file equals the one a single run writes.
pub fn coco(records: &[ImageRecord], description: &str) -> Value {
    let images: Vec<Value> = records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            json!({
                "id": i + 1,
                "file_name": r.file,
                "width": r.width,
                "height": r.height,
                "frame": r.frame,
                "time_s": r.time_s,
                "camera": r.camera,
                "camera_id": r.camera_id,
            })
        })
        .collect();
    let mut annotations = Vec::new();
    for (i, r) in records.iter().enumerate() {
        for o in &r.objects {
            let mut a = json!({
                "id": annotations.len() + 1,
                "image_id": i + 1,
                "category_id": o.category_id,
                "bbox": o.bbox,
                "area": o.area,
                "iscrowd": 0,
                "segmentation": { "size": [r.height, r.width], "counts": o.rle },
                "amodal_bbox": o.amodal_bbox,
                "amodal_area": o.amodal_area,
                "visibility": o.visibility,
                "event": o.event,
                "attributes": o.attributes,
            });
            if let Some(h) = o.head {
                a["keypoints"] = json!([h.x, h.y, if h.visible { 2 } else { 1 }]);
                a["num_keypoints"] = json!(1);
            }
            annotations.push(a);
        }
    }
    let categories: Vec<Value> = CATEGORIES
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut c = json!({
                "id": i + 1,
                "name": name,
                "supercategory": supercategory(name),
            });
            if supercategory(name) == "person" {
                c["keypoints"] = json!(["head"]);
                c["skeleton"] = json!([]);
            }
            c
        })
        .collect();
    json!({
        "info": {
            "description": description,
            "version": crate::records::FORMAT_VERSION.to_string(),
            "contributor": "TwinCity Studio (synthetic)",
        },
        "licenses": [],
        "images": images,
        "annotations": annotations,
        "categories": categories,
    })
}

/// YOLO label lines of one image: `class cx cy w h`, normalised, visible boxes, class index
/// = category id − 1.
pub fn yolo_labels(record: &ImageRecord) -> String {
    let (w, h) = (record.width as f64, record.height as f64);
    let mut out = String::new();
    for o in &record.objects {
        let [x, y, bw, bh] = o.bbox.map(|v| v as f64);
        out.push_str(&format!(
            "{} {:.6} {:.6} {:.6} {:.6}\n",
            o.category_id - 1,
            (x + bw / 2.0) / w,
            (y + bh / 2.0) / h,
            bw / w,
            bh / h
        ));
    }
    out
}

/// Share of the frames held out for validation in the YOLO split of a one-camera dataset.
pub const VAL_FRAME_SHARE: f64 = 0.2;

/// The YOLO split of a dataset's images (their `file`s, in dataset order): no image is in both
/// lists. With two cameras or more, every image of the last camera (highest id) validates and
/// the other cameras train, so validation is on a view never trained on. With one camera, the
/// last [`VAL_FRAME_SHARE`] of the frames (rounded, at least one) validate and the frames
/// before them train: a block of time at the end, not frames drawn at random, whose
/// neighbours (nearly the same picture) would be in training. A single frame of a single
/// camera trains, and nothing validates.
#[derive(Clone, Debug, PartialEq)]
pub struct YoloSplit<'a> {
    pub train: Vec<&'a str>,
    pub val: Vec<&'a str>,
    /// The rule that made it, in words (written into `data.yaml`).
    pub rule: String,
}

/// Which images validate.
type HeldOut = Box<dyn Fn(&ImageRecord) -> bool>;

pub fn yolo_split(records: &[ImageRecord]) -> YoloSplit<'_> {
    let cameras: std::collections::BTreeSet<u32> = records.iter().map(|r| r.camera_id).collect();
    let frames: std::collections::BTreeSet<u32> = records.iter().map(|r| r.frame).collect();
    let (held, rule): (HeldOut, String) = if cameras.len() >= 2 {
        let last = *cameras.last().unwrap_or(&0);
        let name = records
            .iter()
            .find(|r| r.camera_id == last)
            .map_or(String::new(), |r| r.camera.clone());
        (
            Box::new(move |r: &ImageRecord| r.camera_id == last),
            format!(
                "val holds every image of camera {last} ({name}), the last of the {} cameras; \
                 train the other cameras",
                cameras.len()
            ),
        )
    } else if frames.len() >= 2 {
        let n_val =
            ((frames.len() as f64 * VAL_FRAME_SHARE).round() as usize).clamp(1, frames.len() - 1);
        let first_val = *frames.iter().nth(frames.len() - n_val).unwrap_or(&0);
        (
            Box::new(move |r: &ImageRecord| r.frame >= first_val),
            format!(
                "one camera: val holds the last {n_val} of its {} frames (frame {first_val} on, \
                 {} %), train the frames before",
                frames.len(),
                VAL_FRAME_SHARE * 100.0
            ),
        )
    } else {
        (
            Box::new(|_: &ImageRecord| false),
            "a single image: it trains, and nothing is held out for val".to_string(),
        )
    };
    let (val, train): (Vec<&ImageRecord>, Vec<&ImageRecord>) =
        records.iter().partition(|r| held(r));
    YoloSplit {
        train: train.iter().map(|r| r.file.as_str()).collect(),
        val: val.iter().map(|r| r.file.as_str()).collect(),
        rule,
    }
}

/// An image list of the YOLO split (`train.txt`, `val.txt`): one `./`-relative image path a
/// line (YOLO tools read `./` as the list file's folder).
pub fn yolo_list(files: &[&str]) -> String {
    files.iter().map(|f| format!("./{f}\n")).collect()
}

/// The YOLO data file (`data.yaml`): images under `images/`, labels beside them under
/// `labels/`; `train` and `val` name the lists of the split (`rule` says how it was made).
pub fn yolo_data_yaml(name: &str, rule: &str) -> String {
    let mut s = format!(
        "# YOLO data file of the TwinCity dataset `{name}`.\n\
         # Labels are in labels/ beside images/ (same sub-folders and names, .txt).\n\
         # Split ({TRAIN_LIST}, {VAL_LIST}: no image is in both): {rule}.\n\
         path: .\ntrain: {TRAIN_LIST}\nval: {VAL_LIST}\nnc: {}\nnames:\n",
        CATEGORIES.len()
    );
    for (i, c) in CATEGORIES.iter().enumerate() {
        s.push_str(&format!("  {i}: {c}\n"));
    }
    s
}

/// The image lists `data.yaml` names.
pub const TRAIN_LIST: &str = "train.txt";
pub const VAL_LIST: &str = "val.txt";

/// Crowd-counting points of one image: every head in the image with whether it is seen;
/// `count` is the seen ones.
pub fn points(record: &ImageRecord) -> Value {
    json!({
        "image": record.file,
        "width": record.width,
        "height": record.height,
        "count": record.count(),
        "points": record.heads.iter().map(|h| json!({"x": h.x, "y": h.y, "visible": h.visible})).collect::<Vec<_>>(),
    })
}

/// A density map (row-major, `w × h`): one Gaussian of `sigma` pixels per head `(x, y,
/// sigma)`, each normalised over the image so the map sums to the number of heads.
pub fn density_map(w: u32, h: u32, heads: &[(f32, f32, f32)]) -> Vec<f32> {
    let mut map = vec![0f32; w as usize * h as usize];
    for &(hx, hy, sigma) in heads {
        let sigma = sigma.max(0.5);
        let r = (3.0 * sigma).ceil() as i64;
        let (cx, cy) = (hx.floor() as i64, hy.floor() as i64);
        let mut weights = Vec::new();
        let mut total = 0f64;
        for y in (cy - r).max(0)..=(cy + r).min(h as i64 - 1) {
            for x in (cx - r).max(0)..=(cx + r).min(w as i64 - 1) {
                let dx = x as f32 + 0.5 - hx;
                let dy = y as f32 + 0.5 - hy;
                let v = (-(dx * dx + dy * dy) / (2.0 * sigma * sigma)).exp() as f64;
                total += v;
                weights.push((x, y, v));
            }
        }
        if total <= 0.0 {
            continue;
        }
        for (x, y, v) in weights {
            map[y as usize * w as usize + x as usize] += (v / total) as f32;
        }
    }
    map
}

/// A 2-D float32 array (`h` rows of `w`) in NumPy's `.npy` format, version 1.0.
pub fn npy_f32(w: u32, h: u32, data: &[f32]) -> Vec<u8> {
    let mut header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({h}, {w}), }}");
    // Magic (6) + version (2) + length (2) + header + '\n' padded to a multiple of 64.
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat(unpadded.next_multiple_of(64) - unpadded));
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + data.len() * 4);
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for v in data {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::annotate::HeadPoint;
    use crate::records::{EnvironmentRecord, Extrinsics, Intrinsics, ObjectRecord, SensorDraw};

    pub(crate) fn record(objects: Vec<ObjectRecord>) -> ImageRecord {
        ImageRecord {
            file: "images/cam1-a/000003.png".into(),
            frame: 3,
            time_s: 1.5,
            camera: "a".into(),
            camera_id: 1,
            width: 200,
            height: 100,
            intrinsics: Intrinsics {
                fx: 100.0,
                fy: 100.0,
                cx: 100.0,
                cy: 50.0,
            },
            extrinsics: Extrinsics {
                r: [[1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, -1.0]],
                t: [0.0; 3],
                position: [0.0; 3],
                pan_deg: 0.0,
                tilt_deg: 0.0,
                roll_deg: 0.0,
            },
            environment: Some(EnvironmentRecord {
                time_of_day_h: 12.0,
                sun_elevation_deg: 40.0,
                street_lights_on: false,
                rain: 0.0,
                fog_visibility_m: None,
            }),
            sensor: SensorDraw::NONE,
            heads: objects.iter().filter_map(|o| o.head).collect(),
            objects,
        }
    }

    pub(crate) fn object(
        id: u32,
        category: &str,
        bbox: [u32; 4],
        head: Option<(f32, f32, bool)>,
    ) -> ObjectRecord {
        let pixels: Vec<(u32, u32)> = (bbox[1]..bbox[1] + bbox[3])
            .flat_map(|y| (bbox[0]..bbox[0] + bbox[2]).map(move |x| (x, y)))
            .collect();
        ObjectRecord {
            id,
            category: category.into(),
            category_id: crate::records::category_id(category).unwrap(),
            event: None,
            bbox,
            amodal_bbox: bbox,
            area: pixels.len() as u32,
            amodal_area: pixels.len() as u32,
            visibility: 1.0,
            head: head.map(|(x, y, visible)| HeadPoint { x, y, visible }),
            private_box: None,
            blurred: false,
            attributes: Default::default(),
            rle: crate::records::rle_encode(&pixels, 200, 100),
        }
    }

    #[test]
    fn yolo_lines_are_normalised_centres_and_sizes() {
        let r = record(vec![
            object(1, "person", [10, 20, 20, 40], Some((20.0, 25.0, true))),
            object(2, "van", [100, 50, 50, 50], None),
        ]);
        assert_eq!(
            yolo_labels(&r),
            "0 0.100000 0.400000 0.100000 0.400000\n8 0.625000 0.750000 0.250000 0.500000\n"
        );
        let yaml = yolo_data_yaml("x", "a rule");
        assert!(
            yaml.contains("nc: 11\n")
                && yaml.contains("  9: truck\n")
                && yaml.contains("  10: bicycle\n")
        );
        assert!(yaml.contains("train: train.txt\nval: val.txt\n") && yaml.contains("a rule"));
    }

    /// Records of `frames` frames of `cameras` cameras, in dataset order.
    fn shots(frames: u32, cameras: u32) -> Vec<ImageRecord> {
        let mut v = Vec::new();
        for f in 0..frames {
            for c in 1..=cameras {
                let mut r = record(vec![]);
                r.frame = f;
                r.camera_id = c;
                r.camera = format!("cam {c}");
                r.file = format!("images/cam{c}-x/{f:06}.png");
                v.push(r);
            }
        }
        v
    }

    fn disjoint_and_complete(s: &YoloSplit, records: &[ImageRecord]) {
        let train: std::collections::BTreeSet<&str> = s.train.iter().copied().collect();
        let val: std::collections::BTreeSet<&str> = s.val.iter().copied().collect();
        assert!(train.is_disjoint(&val), "{s:?}");
        assert_eq!(train.len() + val.len(), records.len(), "{s:?}");
    }

    #[test]
    fn yolo_split_holds_out_the_last_camera_or_the_last_frames() {
        // Three cameras: camera 3 validates, on every frame; 1 and 2 train.
        let r = shots(4, 3);
        let s = yolo_split(&r);
        disjoint_and_complete(&s, &r);
        assert_eq!(s.val.len(), 4);
        assert!(s.val.iter().all(|f| f.starts_with("images/cam3-x/")));
        assert!(s.train.iter().all(|f| !f.starts_with("images/cam3-x/")));
        assert!(s.rule.contains("camera 3 (cam 3)"), "{}", s.rule);
        // One camera, ten frames: the last two (20 %) validate.
        let r = shots(10, 1);
        let s = yolo_split(&r);
        disjoint_and_complete(&s, &r);
        assert_eq!(
            s.val,
            ["images/cam1-x/000008.png", "images/cam1-x/000009.png"]
        );
        // One camera, two frames: one each (at least one held out, at least one trained).
        let r = shots(2, 1);
        let s = yolo_split(&r);
        disjoint_and_complete(&s, &r);
        assert_eq!((s.train.len(), s.val.len()), (1, 1));
        // A single image trains.
        let r = shots(1, 1);
        let s = yolo_split(&r);
        assert_eq!((s.train.len(), s.val.len()), (1, 0));
        assert_eq!(
            yolo_list(&s.train),
            "./images/cam1-x/000000.png\n",
            "relative to the list's folder"
        );
    }

    #[test]
    fn coco_numbers_images_and_annotations_in_order() {
        let a = record(vec![object(
            1,
            "person",
            [10, 20, 20, 40],
            Some((20.0, 25.0, false)),
        )]);
        let mut b = record(vec![
            object(1, "car", [0, 0, 5, 5], None),
            object(2, "bag", [50, 50, 2, 3], None),
        ]);
        b.file = "images/cam1-a/000004.png".into();
        let c = coco(&[a, b], "t");
        assert_eq!(c["images"][1]["id"], 2);
        assert_eq!(c["images"][1]["file_name"], "images/cam1-a/000004.png");
        let ids: Vec<u64> = c["annotations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_u64().unwrap())
            .collect();
        assert_eq!(ids, vec![1, 2, 3]);
        assert_eq!(c["annotations"][2]["image_id"], 2);
        assert_eq!(c["annotations"][2]["category_id"], 3);
        assert_eq!(c["annotations"][0]["area"], 800);
        assert_eq!(c["annotations"][0]["keypoints"], json!([20.0, 25.0, 1]));
        assert_eq!(c["categories"].as_array().unwrap().len(), CATEGORIES.len());
    }

    #[test]
    fn density_sums_to_the_head_count_even_at_the_border() {
        let map = density_map(
            50,
            40,
            &[(25.0, 20.0, 3.0), (0.5, 0.5, 4.0), (49.0, 39.0, 2.0)],
        );
        let sum: f64 = map.iter().map(|&v| v as f64).sum();
        assert!((sum - 3.0).abs() < 1e-4, "{sum}");
        // Peak at the head.
        let peak = map
            .iter()
            .enumerate()
            .filter(|(i, _)| (10..30).contains(&(i % 50)) && (10..30).contains(&(i / 50)))
            .max_by(|a, b| a.1.total_cmp(b.1))
            .unwrap()
            .0;
        assert!(peak % 50 == 24 || peak % 50 == 25);
        assert_eq!(density_map(5, 5, &[]), vec![0.0; 25]);
    }

    #[test]
    fn npy_header_is_aligned_and_describes_the_array() {
        let bytes = npy_f32(3, 2, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(&bytes[..8], b"\x93NUMPY\x01\x00");
        let hlen = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
        assert_eq!((10 + hlen) % 64, 0);
        let header = std::str::from_utf8(&bytes[10..10 + hlen]).unwrap();
        assert!(header.contains("'shape': (2, 3)") && header.ends_with('\n'));
        assert_eq!(bytes.len(), 10 + hlen + 24);
        assert_eq!(&bytes[10 + hlen..10 + hlen + 4], &1.0f32.to_le_bytes());
    }
}
