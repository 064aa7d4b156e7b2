//! Real labelled footage in COCO's instances format (as CVAT, Label Studio and most labelling
//! tools export it), read into image records so `twincity eval` scores a model on real frames
//! exactly as on the twin's. Categories are matched by name (`person`, `car`...; a tool's
//! `pedestrian` counts as `person`); others are left out. Real frames have no camera model:
//! their focal length is taken as the image width (a 53° horizontal field of view, typical of
//! street CCTV), which only the distance groups of the report use.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::annotate::HeadPoint;
use crate::records::{Extrinsics, ImageRecord, Intrinsics, ObjectRecord, SensorDraw, category_id};

/// Largest instances file read (a million boxes take about 150 MB).
pub const MAX_FILE_BYTES: u64 = 512 << 20;

#[derive(Deserialize)]
struct File {
    images: Vec<Image>,
    annotations: Vec<Annotation>,
    categories: Vec<Category>,
}

#[derive(Deserialize)]
struct Image {
    id: u64,
    file_name: String,
    width: u32,
    height: u32,
}

#[derive(Deserialize)]
struct Annotation {
    image_id: u64,
    category_id: u64,
    bbox: [f64; 4],
    #[serde(default)]
    iscrowd: u8,
}

#[derive(Deserialize)]
struct Category {
    id: u64,
    name: String,
}

/// The dataset category a labelling tool's category name stands for.
fn our_category(name: &str) -> Option<&'static str> {
    let n = name.trim().to_ascii_lowercase();
    let ours = match n.as_str() {
        "person" | "pedestrian" | "people" | "human" => "person",
        "person_down" | "lying person" | "fallen person" => "person_down",
        other => {
            return crate::records::CATEGORIES
                .iter()
                .copied()
                .find(|c| *c == other);
        }
    };
    Some(ours)
}

/// Reads `path` (a COCO instances file); image files are relative to its folder or to the
/// `images` folder beside it. A crowd
/// annotation (`iscrowd` 1) becomes an ignore region: zero visibility, and the attribute
/// [`ISCROWD`](crate::records::ISCROWD) set, which every evaluation subset ignores.
pub fn load(path: &Path) -> Result<Vec<ImageRecord>, String> {
    let place = path.display();
    let text = twincity_model::ronfile::read_limited(path, MAX_FILE_BYTES, "instances files")
        .map_err(|e| format!("{place}: cannot be read ({e})"))?;
    let file: File = serde_json::from_slice(&text).map_err(|e| {
        format!(
            "{place}: not a COCO instances file ({e}); it needs `images` (id, file_name, width, \
             height), `annotations` (image_id, category_id, bbox) and `categories` (id, name)"
        )
    })?;
    let names: HashMap<u64, &'static str> = file
        .categories
        .iter()
        .filter_map(|c| our_category(&c.name).map(|n| (c.id, n)))
        .collect();
    if names.is_empty() {
        return Err(format!(
            "{place}: none of its categories ({}) is one TwinCity scores (person, car...); \
             rename them in the labelling tool",
            file.categories
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mut by_image: HashMap<u64, Vec<&Annotation>> = HashMap::new();
    for a in &file.annotations {
        by_image.entry(a.image_id).or_default().push(a);
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut records = Vec::with_capacity(file.images.len());
    for (k, im) in file.images.iter().enumerate() {
        if im.width == 0 || im.height == 0 {
            return Err(format!(
                "{place}: image {} ({}) has no size; export `width` and `height`",
                im.id, im.file_name
            ));
        }
        let mut objects = Vec::new();
        for a in by_image.get(&im.id).into_iter().flatten() {
            let Some(name) = names.get(&a.category_id) else {
                continue;
            };
            let Some(bbox) = pixel_box(a.bbox, im.width, im.height) else {
                continue;
            };
            objects.push(object(objects.len() as u32 + 1, name, bbox, a.iscrowd != 0));
        }
        let mut r = record(k as u32, im, objects);
        r.file = image_file(dir, &im.file_name);
        records.push(r);
    }
    Ok(records)
}

/// An image's file relative to the instances file's folder: `file_name` itself, or under
/// `images/` (where COCO and most labelling tools put them).
fn image_file(dir: &Path, file_name: &str) -> String {
    if !dir.join(file_name).exists() && dir.join("images").join(file_name).is_file() {
        format!("images/{file_name}")
    } else {
        file_name.to_string()
    }
}

/// A COCO box clipped to the image, in whole pixels; `None` when nothing of it is inside.
fn pixel_box([x, y, w, h]: [f64; 4], width: u32, height: u32) -> Option<[u32; 4]> {
    if ![x, y, w, h].iter().all(|v| v.is_finite()) || w <= 0.0 || h <= 0.0 {
        return None;
    }
    let x0 = x.round().clamp(0.0, width as f64);
    let y0 = y.round().clamp(0.0, height as f64);
    let x1 = (x + w).round().clamp(0.0, width as f64);
    let y1 = (y + h).round().clamp(0.0, height as f64);
    (x1 > x0 && y1 > y0).then_some([x0 as u32, y0 as u32, (x1 - x0) as u32, (y1 - y0) as u32])
}

fn object(id: u32, name: &str, bbox: [u32; 4], crowd: bool) -> ObjectRecord {
    let area = bbox[2] * bbox[3];
    ObjectRecord {
        id,
        category: name.to_string(),
        category_id: category_id(name).unwrap_or(0),
        event: None,
        bbox,
        amodal_bbox: bbox,
        area,
        amodal_area: area,
        visibility: if crowd { 0.0 } else { 1.0 },
        head: (name == "person").then(|| HeadPoint {
            x: bbox[0] as f32 + bbox[2] as f32 / 2.0,
            y: bbox[1] as f32 + bbox[3] as f32 / 10.0,
            visible: !crowd,
        }),
        private_box: None,
        blurred: false,
        attributes: if crowd {
            [(
                crate::records::ISCROWD.to_string(),
                serde_json::Value::Bool(true),
            )]
            .into()
        } else {
            Default::default()
        },
        rle: Vec::new(),
    }
}

fn record(index: u32, im: &Image, objects: Vec<ObjectRecord>) -> ImageRecord {
    let (w, h) = (im.width as f64, im.height as f64);
    let heads = objects.iter().filter_map(|o| o.head).collect();
    ImageRecord {
        file: im.file_name.clone(),
        frame: index,
        time_s: 0.0,
        camera: "real".into(),
        camera_id: 0,
        width: im.width,
        height: im.height,
        intrinsics: Intrinsics {
            fx: w,
            fy: w,
            cx: w / 2.0,
            cy: h / 2.0,
        },
        extrinsics: Extrinsics {
            r: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
            t: [0.0; 3],
            position: [0.0; 3],
            pan_deg: 0.0,
            tilt_deg: 0.0,
            roll_deg: 0.0,
        },
        environment: None,
        sensor: SensorDraw::NONE,
        objects,
        heads,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> std::path::PathBuf {
        let p = dir.join("instances.json");
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn reads_people_and_leaves_other_categories_out() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            r#"{"images": [{"id": 5, "file_name": "f/a.jpg", "width": 100, "height": 80}],
                "annotations": [
                  {"image_id": 5, "category_id": 1, "bbox": [10.4, 5.6, 20.2, 40.0]},
                  {"image_id": 5, "category_id": 1, "bbox": [90, 70, 30, 30]},
                  {"image_id": 5, "category_id": 2, "bbox": [1, 1, 5, 5]},
                  {"image_id": 5, "category_id": 1, "bbox": [0, 0, 50, 50], "iscrowd": 1}],
                "categories": [{"id": 1, "name": "Pedestrian"}, {"id": 2, "name": "tree"}]}"#,
        );
        let records = load(&p).unwrap();
        assert_eq!(records.len(), 1);
        let r = &records[0];
        assert_eq!(r.file, "f/a.jpg");
        let boxes: Vec<_> = r
            .objects
            .iter()
            .map(|o| (o.category.as_str(), o.bbox))
            .collect();
        assert_eq!(
            boxes,
            [
                ("person", [10, 6, 21, 40]),
                ("person", [90, 70, 10, 10]), // clipped to the image
                ("person", [0, 0, 50, 50]),
            ]
        );
        assert_eq!(r.objects[2].visibility, 0.0, "a crowd region is ignored");
        assert!(r.objects[2].is_crowd() && !r.objects[0].is_crowd());
        assert_eq!(r.count(), 2);
    }

    #[test]
    fn errors_name_the_file_and_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), r#"{"images": []}"#);
        let e = load(&p).unwrap_err();
        assert!(
            e.contains("instances.json") && e.contains("annotations"),
            "{e}"
        );
        let p = write(
            dir.path(),
            r#"{"images": [], "annotations": [], "categories": [{"id": 1, "name": "tree"}]}"#,
        );
        let e = load(&p).unwrap_err();
        assert!(e.contains("tree") && e.contains("rename"), "{e}");
    }
}
