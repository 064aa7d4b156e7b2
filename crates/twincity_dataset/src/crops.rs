//! Crops of annotated objects, cut from a dataset's exported (privacy-blurred) images: one
//! small picture per visible vehicle, filed by its label, and `crops.csv` listing them, for
//! training image classifiers (`twincity train --task classify`). See
//! docs/dataset-format.md, "Crops".
//!
//! The label of a vehicle crop is its `body` attribute (the vehicle's 3D model in the twin's
//! catalogue: `saloon`, `van`...) when the record has one, else `"<make> <model>"`, else the
//! object's category.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use image::RgbImage;
use serde_json::Value;

use crate::annotate::PixelBox;
use crate::records::{ImageRecord, ObjectRecord, supercategory};
use crate::store::{Bounds, StoreError, io, write_atomic};

/// The crops' folder inside a dataset.
pub const CROPS_DIR: &str = "crops";
/// The list of crops inside that folder.
pub const CROPS_CSV: &str = "crops.csv";

/// Which objects are cropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CropClass {
    /// Cars, vans, trucks, bicycles: every category of the `vehicle` supercategory.
    Vehicle,
}

impl CropClass {
    pub fn name(self) -> &'static str {
        match self {
            CropClass::Vehicle => "vehicle",
        }
    }

    /// Whether an object of the record is of this class.
    pub fn wants(self, o: &ObjectRecord) -> bool {
        match self {
            CropClass::Vehicle => supercategory(&o.category) == "vehicle",
        }
    }
}

/// What is cropped and how.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CropOptions {
    pub class: CropClass,
    /// Objects whose visible box is lower than this (pixels) are skipped.
    pub min_height_px: u32,
    /// Margin added on each side, as a share of the box's width (left, right) and height
    /// (top, bottom); the crop is then clamped to the image.
    pub margin: f64,
}

impl Default for CropOptions {
    fn default() -> Self {
        Self {
            class: CropClass::Vehicle,
            min_height_px: 24,
            margin: 0.1,
        }
    }
}

/// One crop: where it is, what it shows, and where it comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct CropEntry {
    /// The crop's PNG, relative to the crops folder: `<label folder>/<camera>_<frame>_<id>.png`.
    pub file: String,
    pub label: String,
    pub category: String,
    /// The image's camera folder (`cam2-carrefour-est-mat`), name and id.
    pub camera: String,
    pub camera_name: String,
    pub camera_id: u32,
    pub frame: u32,
    /// Scenario time of the image, seconds.
    pub time_s: f64,
    /// The object's id in its image (valid in that image only).
    pub instance: u32,
    /// Attributes of the object, empty when absent.
    pub plate: String,
    pub make: String,
    pub model: String,
    pub body: String,
    pub cloned_plate: Option<bool>,
    /// The object's visible box in the image `[x, y, w, h]`.
    pub bbox: PixelBox,
    /// The part of the image cut out (the box with its margin, clamped to the image).
    pub region: PixelBox,
}

/// How many crops were written, per label, and how many objects were too small.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CropSummary {
    pub crops: usize,
    pub by_label: BTreeMap<String, usize>,
    pub too_small: usize,
    pub images: usize,
}

fn attr(o: &ObjectRecord, key: &str) -> String {
    match o.attributes.get(key) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.trim().to_string(),
        Some(other) => other.to_string(),
    }
}

/// The label of an object's crop: `body`, else `"<make> <model>"`, else the category.
pub fn crop_label(o: &ObjectRecord) -> String {
    let body = attr(o, "body");
    if !body.is_empty() {
        return body;
    }
    let make_model = format!("{} {}", attr(o, "make"), attr(o, "model"))
        .trim()
        .to_string();
    if make_model.is_empty() {
        o.category.clone()
    } else {
        make_model
    }
}

/// A label as a folder name: letters, digits, `-` and `_` kept, anything else (spaces,
/// dots, slashes) becomes `_`.
pub fn label_folder(label: &str) -> String {
    let s: String = label
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() { "_".into() } else { s }
}

/// The box grown by `margin` of its size on each side, clamped to a `w × h` image.
pub fn crop_region(bbox: PixelBox, margin: f64, (w, h): (u32, u32)) -> PixelBox {
    let [x, y, bw, bh] = bbox.map(f64::from);
    let (mx, my) = ((bw * margin).round(), (bh * margin).round());
    let x0 = (x - mx).max(0.0) as u32;
    let y0 = (y - my).max(0.0) as u32;
    let x1 = ((x + bw + mx).min(w as f64) as u32).max(x0);
    let y1 = ((y + bh + my).min(h as f64) as u32).max(y0);
    [x0, y0, x1 - x0, y1 - y0]
}

/// The camera folder and file stem of a record's image (`images/cam2-x/000007.png` →
/// `("cam2-x", "000007")`).
fn image_names(record: &ImageRecord) -> (String, String) {
    let p = Path::new(&record.file);
    let name = |o: Option<&std::ffi::OsStr>| o.map(|s| s.to_string_lossy().into_owned());
    let folder = name(p.parent().and_then(Path::file_name))
        .unwrap_or_else(|| format!("cam{}", record.camera_id));
    let stem = name(p.file_stem()).unwrap_or_else(|| format!("{:06}", record.frame));
    (folder, stem)
}

/// The crops of one image's record (without reading the image): the objects of the class
/// whose visible box is at least `min_height_px` tall; and how many were too small.
pub fn plan_crops(record: &ImageRecord, opts: &CropOptions) -> (Vec<CropEntry>, usize) {
    let (folder, stem) = image_names(record);
    let mut too_small = 0;
    let mut out = Vec::new();
    for o in record.objects.iter().filter(|o| opts.class.wants(o)) {
        if o.bbox[3] < opts.min_height_px.max(1) || o.bbox[2] == 0 {
            too_small += 1;
            continue;
        }
        let region = crop_region(o.bbox, opts.margin, (record.width, record.height));
        if region[2] == 0 || region[3] == 0 {
            too_small += 1;
            continue;
        }
        let label = crop_label(o);
        out.push(CropEntry {
            file: format!("{}/{folder}_{stem}_{}.png", label_folder(&label), o.id),
            label,
            category: o.category.clone(),
            camera: folder.clone(),
            camera_name: record.camera.clone(),
            camera_id: record.camera_id,
            frame: record.frame,
            time_s: record.time_s,
            instance: o.id,
            plate: attr(o, "plate"),
            make: attr(o, "make"),
            model: attr(o, "model"),
            body: attr(o, "body"),
            cloned_plate: o.attributes.get("cloned_plate").and_then(Value::as_bool),
            bbox: o.bbox,
            region,
        });
    }
    (out, too_small)
}

/// The pixels of `region` of `image` (clamped to the image).
pub fn cut(image: &RgbImage, region: PixelBox) -> RgbImage {
    let [x, y, w, h] = region;
    let x = x.min(image.width());
    let y = y.min(image.height());
    let w = w.min(image.width() - x);
    let h = h.min(image.height() - y);
    image::imageops::crop_imm(image, x, y, w, h).to_image()
}

/// The crops of one image: its record's planned crops, cut from the image's encoded bytes
/// (PNG or JPEG, as exported). An image whose size is not the record's is an error.
pub fn image_crops(
    record: &ImageRecord,
    image_bytes: &[u8],
    opts: &CropOptions,
) -> Result<(Vec<(CropEntry, RgbImage)>, usize), String> {
    let (plan, too_small) = plan_crops(record, opts);
    if plan.is_empty() {
        return Ok((Vec::new(), too_small));
    }
    let img = image::load_from_memory(image_bytes)
        .map_err(|e| format!("cannot be read as an image ({e})"))?
        .to_rgb8();
    if img.dimensions() != (record.width, record.height) {
        return Err(format!(
            "is {}×{}, but its record says {}×{}",
            img.width(),
            img.height(),
            record.width,
            record.height
        ));
    }
    let crops = plan
        .into_iter()
        .map(|c| {
            let pixels = cut(&img, c.region);
            (c, pixels)
        })
        .collect();
    Ok((crops, too_small))
}

/// One CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180).
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The columns of `crops.csv`.
pub const CSV_COLUMNS: [&str; 22] = [
    "file",
    "label",
    "category",
    "camera",
    "camera_name",
    "camera_id",
    "frame",
    "time_s",
    "instance",
    "plate",
    "make",
    "model",
    "body",
    "cloned_plate",
    "x",
    "y",
    "w",
    "h",
    "crop_x",
    "crop_y",
    "crop_w",
    "crop_h",
];

/// `crops.csv`: a header line, then one line per crop.
pub fn crops_csv(entries: &[CropEntry]) -> String {
    let mut out = CSV_COLUMNS.join(",");
    out.push('\n');
    for c in entries {
        let mut cols = vec![
            field(&c.file),
            field(&c.label),
            field(&c.category),
            field(&c.camera),
            field(&c.camera_name),
            c.camera_id.to_string(),
            c.frame.to_string(),
            c.time_s.to_string(),
            c.instance.to_string(),
            field(&c.plate),
            field(&c.make),
            field(&c.model),
            field(&c.body),
            c.cloned_plate.map_or(String::new(), |b| b.to_string()),
        ];
        cols.extend(c.bbox.iter().chain(&c.region).map(u32::to_string));
        out.push_str(&cols.join(","));
        out.push('\n');
    }
    out
}

/// Writes the crops of every record of the dataset in `root` into `root/crops/` (PNG files
/// by label folder, and `crops.csv`), replacing crops written before. The new folder is
/// built beside it and swapped in at the end, so a failure leaves the old crops whole.
pub fn write_crops(
    root: &Path,
    records: &[ImageRecord],
    opts: &CropOptions,
) -> Result<CropSummary, StoreError> {
    let part = root.join(".crops.part");
    if part.exists() {
        std::fs::remove_dir_all(&part).map_err(io(&part, "remove"))?;
    }
    std::fs::create_dir_all(&part).map_err(io(&part, "create the folder"))?;
    let mut summary = CropSummary::default();
    let mut entries = Vec::new();
    let bounds = Bounds::new(root);
    for r in records {
        let image = bounds.resolve(&r.file).map_err(|e| StoreError::BadFile {
            path: root.to_path_buf(),
            message: format!("a record's `file` is {:?}, which {}", r.file, e.describe()),
        })?;
        let (plan, small) = plan_crops(r, opts);
        if plan.is_empty() {
            summary.too_small += small;
            continue;
        }
        let bytes = twincity_model::ronfile::read_limited(
            &image,
            crate::store::MAX_IMAGE_BYTES,
            "dataset images",
        )
        .map_err(io(&image, "read"))?;
        let (crops, too_small) =
            image_crops(r, &bytes, opts).map_err(|message| StoreError::BadFile {
                path: image.clone(),
                message,
            })?;
        summary.too_small += too_small;
        summary.images += 1;
        for (entry, pixels) in crops {
            let path = part.join(&entry.file);
            let mut png = Vec::new();
            pixels
                .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
                .map_err(|e| StoreError::BadFile {
                    path: path.clone(),
                    message: format!("cannot encode the crop ({e})"),
                })?;
            write_atomic(&path, &png)?;
            *summary.by_label.entry(entry.label.clone()).or_default() += 1;
            entries.push(entry);
        }
    }
    summary.crops = entries.len();
    write_atomic(&part.join(CROPS_CSV), crops_csv(&entries).as_bytes())?;
    swap_in(root, &part)?;
    Ok(summary)
}

/// Puts the folder `part` in place of `root/crops`.
fn swap_in(root: &Path, part: &Path) -> Result<(), StoreError> {
    let dest: PathBuf = root.join(CROPS_DIR);
    let old = root.join(".crops.old");
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(io(&old, "remove"))?;
    }
    if dest.exists() {
        std::fs::rename(&dest, &old).map_err(io(&dest, "move aside"))?;
    }
    std::fs::rename(part, &dest).map_err(io(&dest, "create"))?;
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(io(&old, "remove"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::tests::{object, record};
    use serde_json::json;

    /// A 200 × 100 image whose pixel (x, y) is (x, y, x ^ y): every region is unique.
    fn pattern() -> RgbImage {
        RgbImage::from_fn(200, 100, |x, y| {
            image::Rgb([x as u8, y as u8, (x ^ y) as u8])
        })
    }

    fn png(img: &RgbImage) -> Vec<u8> {
        let mut v = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut v), image::ImageFormat::Png)
            .unwrap();
        v
    }

    fn vehicle(id: u32, category: &str, bbox: PixelBox, attrs: &[(&str, Value)]) -> ObjectRecord {
        let mut o = object(id, category, bbox, None);
        for (k, v) in attrs {
            o.attributes.insert(k.to_string(), v.clone());
        }
        o
    }

    fn scene() -> ImageRecord {
        record(vec![
            vehicle(
                1,
                "car",
                [20, 10, 50, 30],
                &[
                    ("make", json!("Renault")),
                    ("model", json!("Clio")),
                    ("plate", json!("AB-123-CD")),
                    ("cloned_plate", json!(true)),
                ],
            ),
            vehicle(
                2,
                "van",
                [150, 40, 40, 60],
                &[
                    ("make", json!("Citroën")),
                    ("model", json!("Berlingo")),
                    ("body", json!("delivery_van")),
                ],
            ),
            // Too small: 20 px tall.
            vehicle(3, "car", [100, 5, 30, 20], &[("make", json!("VW"))]),
            // Not a vehicle.
            object(4, "person", [80, 30, 10, 40], None),
        ])
    }

    #[test]
    fn crop_pixels_are_the_source_region() {
        let img = pattern();
        let r = scene();
        let (crops, too_small) = image_crops(&r, &png(&img), &CropOptions::default()).unwrap();
        assert_eq!(too_small, 1);
        assert_eq!(crops.len(), 2);
        let (c, pixels) = &crops[0];
        // 10 % of 50 × 30 on each side: 5 and 3 px.
        assert_eq!(c.region, [15, 7, 60, 36]);
        assert_eq!(pixels.dimensions(), (60, 36));
        for (x, y, p) in pixels.enumerate_pixels() {
            assert_eq!(p, img.get_pixel(15 + x, 7 + y));
        }
        // The van's margin is clamped at the image's bottom edge.
        let (c, pixels) = &crops[1];
        assert_eq!(c.region, [146, 34, 48, 66]);
        assert_eq!(pixels.get_pixel(0, 0), img.get_pixel(146, 34));
        assert_eq!(pixels.get_pixel(47, 65), img.get_pixel(193, 99));
    }

    #[test]
    fn labels_come_from_the_record() {
        let (plan, _) = plan_crops(&scene(), &CropOptions::default());
        assert_eq!(plan[0].label, "Renault Clio");
        assert_eq!(plan[0].file, "Renault_Clio/cam1-a_000003_1.png");
        assert_eq!(plan[0].plate, "AB-123-CD");
        assert_eq!(plan[0].cloned_plate, Some(true));
        assert_eq!((plan[0].camera.as_str(), plan[0].frame), ("cam1-a", 3));
        // `body` wins over make and model.
        assert_eq!(plan[1].label, "delivery_van");
        assert_eq!(plan[1].make, "Citroën");
        assert_eq!(plan[1].cloned_plate, None);
        let bare = object(1, "car", [0, 0, 30, 30], None);
        assert_eq!(crop_label(&bare), "car");
        assert_eq!(label_folder("Citroën Berlingo"), "Citroën_Berlingo");
        assert_eq!(label_folder("../x"), "___x");
    }

    /// A parked bicycle is a vehicle: cropped, labelled by its body, with no plate.
    #[test]
    fn bicycles_are_cropped_by_body_without_a_plate() {
        let bike = vehicle(
            1,
            "bicycle",
            [40, 20, 30, 40],
            &[
                ("make", json!("Decathlon")),
                ("model", json!("Elops 520")),
                ("body", json!("square_frame_bicycle")),
            ],
        );
        assert!(CropClass::Vehicle.wants(&bike));
        let (plan, too_small) = plan_crops(&record(vec![bike]), &CropOptions::default());
        assert_eq!((plan.len(), too_small), (1, 0));
        assert_eq!(plan[0].label, "square_frame_bicycle");
        assert_eq!(plan[0].category, "bicycle");
        assert_eq!(plan[0].make, "Decathlon");
        assert_eq!(plan[0].plate, "");
        assert_eq!(plan[0].cloned_plate, None);
    }

    #[test]
    fn small_boxes_are_skipped() {
        let opts = CropOptions {
            min_height_px: 31,
            ..Default::default()
        };
        let (plan, too_small) = plan_crops(&scene(), &opts);
        assert_eq!(plan.iter().map(|c| c.instance).collect::<Vec<_>>(), [2]);
        assert_eq!(too_small, 2);
        let opts = CropOptions {
            min_height_px: 20,
            ..Default::default()
        };
        assert_eq!(plan_crops(&scene(), &opts).0.len(), 3);
    }

    #[test]
    fn csv_quotes_what_needs_it() {
        let (mut plan, _) = plan_crops(&scene(), &CropOptions::default());
        plan[0].model = "Clio, \"V\"".into();
        let text = crops_csv(&plan);
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), CSV_COLUMNS.join(","));
        let first = lines.next().unwrap();
        assert!(first.contains(",\"Clio, \"\"V\"\"\","), "{first}");
        assert!(first.ends_with(",true,20,10,50,30,15,7,60,36"), "{first}");
        assert_eq!(lines.count(), 1);
    }

    #[test]
    fn writing_replaces_the_crops_folder() {
        let dir = tempfile::tempdir().unwrap();
        let r = scene();
        let img = pattern();
        std::fs::create_dir_all(dir.path().join("images/cam1-a")).unwrap();
        std::fs::write(dir.path().join(&r.file), png(&img)).unwrap();
        std::fs::create_dir_all(dir.path().join("crops/stale")).unwrap();
        let s = write_crops(
            dir.path(),
            std::slice::from_ref(&r),
            &CropOptions::default(),
        )
        .unwrap();
        assert_eq!(s.crops, 2);
        assert_eq!(s.by_label["delivery_van"], 1);
        assert!(!dir.path().join("crops/stale").exists());
        let back = image::open(dir.path().join("crops/Renault_Clio/cam1-a_000003_1.png"))
            .unwrap()
            .to_rgb8();
        assert_eq!(back, cut(&img, [15, 7, 60, 36]));
        let csv = std::fs::read_to_string(dir.path().join("crops/crops.csv")).unwrap();
        assert_eq!(csv.lines().count(), 3);
        // A record whose image has another size is refused, naming the image.
        let mut wrong = r.clone();
        wrong.width = 100;
        let e = write_crops(dir.path(), &[wrong], &CropOptions::default()).unwrap_err();
        assert!(e.to_string().contains("000003.png"), "{e}");
        assert!(
            dir.path().join("crops/crops.csv").is_file(),
            "old crops kept"
        );
    }
}
