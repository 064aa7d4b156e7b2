//! `twincity eval`: runs a model over a dataset made by `twincity render` and writes a report
//! — COCO box AP/AP50/AP75, precision and recall per class, counting errors, and breakdowns by
//! camera, lighting, weather, DORI class, estimated distance and occlusion — as JSON and as an
//! HTML page with plots, beside the predictions in COCO's results format (so any COCO tool can
//! re-score them).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use serde::Serialize;
use serde_json::json;
use twincity_dataset::metrics::{self, Dt, Evaluation, Gt};
use twincity_dataset::{ImageRecord, ObjectRecord, category_id, store};
use twincity_infer::{Frame, Model, Tiling};

#[derive(Args, Debug, Clone)]
pub struct EvalArgs {
    /// Model card (`*.ron` beside the `.onnx`; see assets/models/)
    #[arg(long, value_name = "CARD", required_unless_present = "predictions")]
    pub model: Option<PathBuf>,
    /// Score predictions made elsewhere instead of running a model: a JSON list in COCO's
    /// results format (`image_id` as in the dataset's coco.json, `category_id`, `bbox`,
    /// `score`); the crowd count of an image is its number of person boxes
    #[arg(long, value_name = "FILE", conflicts_with_all = ["model", "tiles"])]
    pub predictions: Option<PathBuf>,
    /// Dataset folder written by `twincity render` (or `dataset merge`), or real labelled
    /// frames: a COCO instances file (`*.json`) with the images beside it
    #[arg(long, value_name = "DIR|COCO.json")]
    pub dataset: PathBuf,
    /// Real labelled frames (a COCO instances file, images beside it) scored with the same
    /// model; the report puts their numbers beside the dataset's (repeatable)
    #[arg(long, value_name = "COCO.json", requires = "model")]
    pub real: Vec<PathBuf>,
    /// Report folder: report.json, report.html, predictions.json
    #[arg(long, value_name = "OUT")]
    pub report: PathBuf,
    /// Run the model on COLSxROWS overlapping tiles (plus the whole image), for small,
    /// distant people; default: the card's tiling, if any
    #[arg(long, value_name = "COLSxROWS", value_parser = parse_tiles)]
    pub tiles: Option<(u32, u32)>,
    /// Predictions kept per image and class (COCO's limit is 100)
    #[arg(long, default_value_t = 100)]
    pub max_dets: usize,
    /// Only people (and objects) at least this many pixels tall count as ground truth; smaller
    /// ones become ignore regions (predictions on them are neither hits nor false positives),
    /// as pedestrian benchmarks' "reasonable" subset (e.g. 40 or 50)
    #[arg(long, value_name = "PX", default_value_t = 0.0)]
    pub min_height: f64,
    /// Only objects at least this share visible (0–1) count as ground truth; more hidden ones
    /// become ignore regions (e.g. 0.5 or 0.65)
    #[arg(long, value_name = "SHARE", default_value_t = 0.0, value_parser = parse_share)]
    pub min_visibility: f64,
    /// No progress bar
    #[arg(long)]
    pub quiet: bool,
}

pub(crate) fn parse_share(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "`{s}` is not a share between 0 and 1 (such as 0.5)"
        )),
    }
}

/// Which ground truth counts: boxes at least `min_height` pixels tall and `min_visibility`
/// visible; the others are ignore regions.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Subset {
    pub min_height: f64,
    pub min_visibility: f64,
}

impl Subset {
    pub fn ignores(&self, o: &ObjectRecord) -> bool {
        (o.bbox[3] as f64) < self.min_height || o.visibility < self.min_visibility
    }
}

fn parse_tiles(s: &str) -> Result<(u32, u32), String> {
    crate::cli::args::parse_pair(s, "COLSxROWS such as 3x2", "a tile count", 1..=8)
}

/// Nominal standing height used to turn a person's box into a pixel density and a distance.
pub const NOMINAL_HEIGHT_M: f64 = 1.75;

/// The part of a report for a set of images.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Slice {
    pub name: String,
    pub images: usize,
    pub ground_truth: usize,
    pub predictions: usize,
    pub ap: Option<f64>,
    pub ap50: Option<f64>,
    pub precision50: Option<f64>,
    pub recall50: Option<f64>,
    pub count_mae: Option<f64>,
    pub count_rmse: Option<f64>,
}

/// Recall of the ground-truth boxes in one group (DORI class, distance band, occlusion).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Group {
    pub name: String,
    pub ground_truth: usize,
    pub matched50: usize,
    pub recall50: Option<f64>,
}

/// One image's prediction in COCO's results format.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq)]
pub struct Prediction {
    pub image_id: u64,
    pub category_id: u32,
    pub bbox: [f64; 4],
    pub score: f64,
}

fn round(v: f64, step: f64) -> f64 {
    (v / step).round() * step
}

/// Which categories the model's boxes are compared with, in category id order.
fn evaluated_categories(model: &Model) -> Vec<(u32, String)> {
    let mut v: Vec<(u32, String)> = (0..model.card.classes.len())
        .filter_map(|c| model.card.category(c))
        .filter_map(|name| category_id(name).map(|id| (id, name.to_string())))
        .collect();
    v.sort();
    v.dedup();
    v
}

fn lighting(r: &ImageRecord) -> &'static str {
    match &r.environment {
        None => "day",
        Some(e) if e.sun_elevation_deg > 6.0 => "day",
        Some(e) if e.sun_elevation_deg > -6.0 => "twilight",
        Some(e) if e.street_lights_on => "night, street lights on",
        Some(_) => "night, no street lights",
    }
}

fn weather(r: &ImageRecord) -> &'static str {
    match &r.environment {
        Some(e) if e.fog_visibility_m.is_some() => "fog",
        Some(e) if e.rain > 0.0 => "rain",
        _ => "clear",
    }
}

/// Pixels per metre of a person (box height over the nominal height; the box's width for
/// someone lying down), and the distance that implies for this image's focal length.
fn density_and_distance(r: &ImageRecord, o: &ObjectRecord) -> (f64, f64) {
    let lying = o
        .attributes
        .get("pose")
        .and_then(|p| p.as_str())
        .is_some_and(|p| p != "standing" && p != "walking")
        || o.category == "person_down";
    let [_, _, w, h] = o.amodal_bbox;
    let px = if lying { w } else { h } as f64;
    let density = px / NOMINAL_HEIGHT_M;
    let distance = r.intrinsics.fy * NOMINAL_HEIGHT_M / px.max(1.0);
    (density, distance)
}

fn distance_band(d: f64) -> &'static str {
    if d < 10.0 {
        "0–10 m"
    } else if d < 20.0 {
        "10–20 m"
    } else if d < 40.0 {
        "20–40 m"
    } else {
        "40 m and more"
    }
}

fn occlusion(visibility: f64) -> &'static str {
    if visibility >= 0.9 {
        "unoccluded (≥ 90 % seen)"
    } else if visibility >= 0.5 {
        "partly occluded (50–90 %)"
    } else if visibility >= 0.1 {
        "heavily occluded (10–50 %)"
    } else {
        "almost hidden (< 10 %)"
    }
}

/// Everything the report says, built from the records, the predictions and the counts.
pub struct Scored {
    pub overall: Evaluation,
    pub slices: BTreeMap<&'static str, Vec<Slice>>,
    pub groups: BTreeMap<&'static str, Vec<Group>>,
    pub counting: Option<(f64, f64)>,
}

/// Scores predictions (image ids are positions in `records` + 1, as in `coco.json`).
pub fn score(
    records: &[ImageRecord],
    categories: &[u32],
    predictions: &[Prediction],
    counts: &[f64],
    max_dets: usize,
    subset: Subset,
) -> Scored {
    let (gts, gt_objects) = ground_truth(records, categories, subset);
    let dts: Vec<Dt> = predictions
        .iter()
        .map(|p| Dt {
            image: p.image_id,
            category: p.category_id,
            bbox: p.bbox,
            score: p.score,
        })
        .collect();
    let all_images: Vec<u64> = (1..=records.len() as u64).collect();
    let overall = metrics::evaluate_boxes(&all_images, categories, &gts, &dts, max_dets);
    let scoring = Scoring {
        records,
        categories,
        counts,
        max_dets,
        gts: &gts,
        dts: &dts,
    };
    let slices = scoring.slices();
    let groups = groups(records, &gt_objects, &overall);
    let counting = metrics::count_errors(&scoring.pairs(&(0..records.len()).collect::<Vec<_>>()));
    Scored {
        overall,
        slices,
        groups,
        counting,
    }
}

/// The ground-truth boxes of the evaluated categories (those `subset` leaves out are ignore
/// regions), and for each its image, object and whether it is ignored.
fn ground_truth<'a>(
    records: &'a [ImageRecord],
    categories: &[u32],
    subset: Subset,
) -> (Vec<Gt>, Vec<(usize, &'a ObjectRecord, bool)>) {
    let mut gts = Vec::new();
    let mut gt_objects = Vec::new();
    for (i, r) in records.iter().enumerate() {
        for o in &r.objects {
            if categories.contains(&o.category_id) {
                let [x, y, w, h] = o.bbox;
                let ignore = subset.ignores(o);
                gts.push(Gt {
                    image: i as u64 + 1,
                    category: o.category_id,
                    bbox: [x as f64, y as f64, w as f64, h as f64],
                    ignore,
                });
                gt_objects.push((i, o, ignore));
            }
        }
    }
    (gts, gt_objects)
}

/// What the slices are scored from: the records, the evaluated categories, the predicted
/// counts, and the boxes.
struct Scoring<'a> {
    records: &'a [ImageRecord],
    categories: &'a [u32],
    counts: &'a [f64],
    max_dets: usize,
    gts: &'a [Gt],
    dts: &'a [Dt],
}

impl Scoring<'_> {
    /// The (predicted, true) counts of `images`.
    fn pairs(&self, images: &[usize]) -> Vec<(f64, f64)> {
        images
            .iter()
            .map(|&i| (self.counts[i], self.records[i].count() as f64))
            .collect()
    }

    /// The boxes of `images` evaluated on their own, and their counting errors.
    fn slice(&self, name: String, images: Vec<usize>) -> Slice {
        let ids: Vec<u64> = images.iter().map(|i| *i as u64 + 1).collect();
        let g: Vec<Gt> = self
            .gts
            .iter()
            .filter(|g| ids.contains(&g.image))
            .copied()
            .collect();
        let d: Vec<Dt> = self
            .dts
            .iter()
            .filter(|d| ids.contains(&d.image))
            .copied()
            .collect();
        let e = metrics::evaluate_boxes(&ids, self.categories, &g, &d, self.max_dets);
        let tp: usize = e.categories.iter().map(|c| c.tp50).sum();
        let ignored: usize = e.categories.iter().map(|c| c.ignored50).sum();
        let (ng, nd) = (
            e.categories.iter().map(|c| c.gt).sum::<usize>(),
            e.categories.iter().map(|c| c.dt).sum::<usize>(),
        );
        let errors = metrics::count_errors(&self.pairs(&images));
        Slice {
            name,
            images: images.len(),
            ground_truth: ng,
            predictions: nd,
            ap: e.ap,
            ap50: e.ap50,
            precision50: (nd > ignored).then(|| tp as f64 / (nd - ignored) as f64),
            recall50: (ng > 0).then(|| tp as f64 / ng as f64),
            count_mae: errors.map(|e| e.0),
            count_rmse: errors.map(|e| e.1),
        }
    }

    /// The images sliced by camera, by lighting and by weather.
    fn slices(&self) -> BTreeMap<&'static str, Vec<Slice>> {
        let mut slices = BTreeMap::new();
        for (key, of) in [
            (
                "camera",
                (|r: &ImageRecord| r.camera.clone()) as fn(&ImageRecord) -> String,
            ),
            ("lighting", |r| lighting(r).to_string()),
            ("weather", |r| weather(r).to_string()),
        ] {
            let mut by: BTreeMap<String, Vec<usize>> = BTreeMap::new();
            for (i, r) in self.records.iter().enumerate() {
                by.entry(of(r)).or_default().push(i);
            }
            slices.insert(
                key,
                by.into_iter()
                    .map(|(name, images)| self.slice(name, images))
                    .collect(),
            );
        }
        slices
    }
}

/// Recall of the ground truth (ignore regions apart) grouped by DORI class, distance band and
/// occlusion, each group in its fixed order.
fn groups(
    records: &[ImageRecord],
    gt_objects: &[(usize, &ObjectRecord, bool)],
    overall: &Evaluation,
) -> BTreeMap<&'static str, Vec<Group>> {
    let mut groups = BTreeMap::new();
    type Key = fn(&ImageRecord, &ObjectRecord) -> String;
    let keys: [(&'static str, Key, &[&str]); 3] = [
        (
            "dori",
            |r, o| metrics::dori_class(density_and_distance(r, o).0).to_string(),
            &[
                "identification",
                "recognition",
                "observation",
                "detection",
                "below detection",
            ],
        ),
        (
            "distance",
            |r, o| distance_band(density_and_distance(r, o).1).to_string(),
            &["0–10 m", "10–20 m", "20–40 m", "40 m and more"],
        ),
        (
            "occlusion",
            |_, o| occlusion(o.visibility).to_string(),
            &[
                "unoccluded (≥ 90 % seen)",
                "partly occluded (50–90 %)",
                "heavily occluded (10–50 %)",
                "almost hidden (< 10 %)",
            ],
        ),
    ];
    for (key, of, order) in keys {
        let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for (k, (i, o, ignore)) in gt_objects.iter().enumerate() {
            if *ignore {
                continue;
            }
            let c = counts.entry(of(&records[*i], o)).or_default();
            c.0 += 1;
            c.1 += overall.gt_matched50[k] as usize;
        }
        groups.insert(
            key,
            order
                .iter()
                .map(|name| {
                    let (n, m) = counts.get(*name).copied().unwrap_or((0, 0));
                    Group {
                        name: name.to_string(),
                        ground_truth: n,
                        matched50: m,
                        recall50: (n > 0).then(|| m as f64 / n as f64),
                    }
                })
                .collect(),
        );
    }
    groups
}

/// What produced the predictions.
struct Source {
    name: String,
    card: Option<PathBuf>,
    task: String,
    score_threshold: Option<f32>,
    licence: Option<String>,
    tiling: Option<String>,
}

/// Predictions for every image, where they came from, and the categories they are scored on.
struct Predicted {
    source: Source,
    categories: Vec<(u32, String)>,
    predictions: Vec<Prediction>,
    counts: Vec<f64>,
    timing: twincity_infer::Timing,
}

/// Runs the model over every image: predictions, counts, and the time spent.
fn predict(
    args: &EvalArgs,
    card: &std::path::Path,
    root: &std::path::Path,
    records: &[ImageRecord],
) -> anyhow::Result<Predicted> {
    let mut model = Model::load(card).map_err(anyhow::Error::msg)?;
    let categories = evaluated_categories(&model);
    if categories.is_empty() && model.card.task == twincity_infer::Task::Detection {
        anyhow::bail!(
            "{}: none of the model's classes maps to a dataset category ({}); set the card's \
             `categories`",
            card.display(),
            twincity_dataset::CATEGORIES.join(", ")
        );
    }
    let tiling = args.tiles.map(|(columns, rows)| Tiling {
        columns,
        rows,
        overlap: 0.2,
        whole_image: true,
    });
    let bar = if args.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(records.len() as u64)
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} images, {eta} left")
            .expect("template"),
    );
    let mut predictions = Vec::new();
    let mut counts = Vec::new();
    let mut timing = twincity_infer::Timing::default();
    for (i, r) in records.iter().enumerate() {
        let path = root.join(&r.file);
        let img = image::open(&path)
            .with_context(|| format!("{}: cannot read the image", path.display()))?
            .to_rgba8();
        let frame = Frame::rgba(img.width(), img.height(), img.as_raw());
        let out = model.infer(&frame, tiling).map_err(anyhow::Error::msg)?;
        timing.preprocess += out.timing.preprocess;
        timing.run += out.timing.run;
        timing.decode += out.timing.decode;
        for d in &out.detections {
            let Some(cat) = model.card.category(d.class).and_then(category_id) else {
                continue;
            };
            let [x, y, w, h] = d.bbox.map(|v| round(v as f64, 0.01));
            predictions.push(Prediction {
                image_id: i as u64 + 1,
                category_id: cat,
                bbox: [x, y, w, h],
                score: round(d.score as f64, 1e-5),
            });
        }
        counts.push(out.count as f64);
        bar.inc(1);
    }
    bar.finish_and_clear();
    let source = Source {
        name: model.card.name.clone(),
        card: Some(card.to_path_buf()),
        task: format!("{:?}", model.card.task),
        score_threshold: Some(model.card.score_threshold),
        licence: Some(model.card.licence.name.clone()),
        tiling: tiling
            .or(model.card.tiling)
            .map(|t| format!("{}x{}", t.columns, t.rows)),
    };
    Ok(Predicted {
        source,
        categories,
        predictions,
        counts,
        timing,
    })
}

/// Reads predictions made elsewhere, checking them against the dataset.
fn read_predictions(file: &std::path::Path, records: &[ImageRecord]) -> anyhow::Result<Predicted> {
    let text =
        twincity_model::ronfile::read_limited(file, store::MAX_INDEX_BYTES, "predictions files")
            .map_err(|e| anyhow::anyhow!("--predictions {}: cannot read: {e}", file.display()))?;
    let predictions: Vec<Prediction> = serde_json::from_slice(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}:{}:{}: not a list of COCO results ({{\"image_id\", \"category_id\", \"bbox\", \"score\"}}): {e}",
            file.display(),
            e.line(),
            e.column()
        )
    })?;
    let mut categories = Vec::new();
    let mut counts = vec![0.0; records.len()];
    for (k, p) in predictions.iter().enumerate() {
        if p.image_id == 0 || p.image_id > records.len() as u64 {
            anyhow::bail!(
                "{}: prediction {k} names image_id {}, but the dataset's images are 1 to {} (as \
                 in its coco.json)",
                file.display(),
                p.image_id,
                records.len()
            );
        }
        let Some(name) = twincity_dataset::CATEGORIES
            .get(p.category_id as usize - 1)
            .filter(|_| p.category_id > 0)
        else {
            anyhow::bail!(
                "{}: prediction {k} has category_id {}, which the dataset does not have (1 to {})",
                file.display(),
                p.category_id,
                twincity_dataset::CATEGORIES.len()
            );
        };
        if p.bbox.iter().any(|v| !v.is_finite()) || p.bbox[2] < 0.0 || p.bbox[3] < 0.0 {
            anyhow::bail!(
                "{}: prediction {k} has a bad bbox {:?}",
                file.display(),
                p.bbox
            );
        }
        if name.starts_with("person") {
            counts[p.image_id as usize - 1] += 1.0;
        }
        categories.push((p.category_id, name.to_string()));
    }
    categories.sort();
    categories.dedup();
    let source = Source {
        name: format!("predictions from {}", file.display()),
        card: None,
        task: "Detection".into(),
        score_threshold: None,
        licence: None,
        tiling: None,
    };
    Ok(Predicted {
        source,
        categories,
        predictions,
        counts,
        timing: twincity_infer::Timing::default(),
    })
}

pub fn run(args: &EvalArgs) -> anyhow::Result<ExitCode> {
    let EvalData {
        root,
        about,
        records,
    } = EvalData::load(&args.dataset)?;
    if records.is_empty() {
        anyhow::bail!(
            "{}: the dataset holds no images; render some with `twincity render`",
            args.dataset.display()
        );
    }
    let Predicted {
        source,
        categories,
        predictions,
        counts,
        timing,
    } = match (&args.model, &args.predictions) {
        (_, Some(file)) => read_predictions(file, &records)?,
        (Some(card), None) => predict(args, card, &root, &records)?,
        (None, None) => anyhow::bail!("give --model CARD or --predictions FILE"),
    };
    let ids: Vec<u32> = categories.iter().map(|c| c.0).collect();
    let subset = Subset {
        min_height: args.min_height,
        min_visibility: args.min_visibility,
    };
    let scored = score(&records, &ids, &predictions, &counts, args.max_dets, subset);

    let n = records.len() as f64;
    let ms = |d: std::time::Duration| 1000.0 * d.as_secs_f64() / n;
    let per_class = per_class_json(&scored.overall, &categories, true);
    let report = json!({
        "model": {
            "name": source.name, "card": source.card, "task": source.task,
            "score_threshold": source.score_threshold, "licence": source.licence,
        },
        "dataset": about,
        "settings": {
            "max_dets": args.max_dets,
            "min_height": args.min_height,
            "min_visibility": args.min_visibility,
            "tiling": source.tiling,
            "iou_thresholds": "0.50:0.05:0.95, AP50 at 0.50",
            "nominal_person_height_m": NOMINAL_HEIGHT_M,
        },
        "overall": {
            "ap": scored.overall.ap, "ap50": scored.overall.ap50, "ap75": scored.overall.ap75,
            "per_class": per_class,
        },
        "counting": {
            "images": records.len(),
            "mae": scored.counting.map(|c| c.0), "rmse": scored.counting.map(|c| c.1),
            "true_total": records.iter().map(|r| r.count()).sum::<usize>(),
            "predicted_total": counts.iter().sum::<f64>(),
        },
        "by_camera": scored.slices["camera"],
        "by_lighting": scored.slices["lighting"],
        "by_weather": scored.slices["weather"],
        "by_dori_class": scored.groups["dori"],
        "by_distance": scored.groups["distance"],
        "by_occlusion": scored.groups["occlusion"],
        "latency_ms_per_image": {
            "preprocess": ms(timing.preprocess), "run": ms(timing.run), "decode": ms(timing.decode),
        },
    });
    let mut report = report;
    if let Some(card) = &args.model {
        report["real"] = real_sets(args, card, &ids, subset)?.into();
    }
    std::fs::create_dir_all(&args.report)
        .with_context(|| format!("{}: cannot create the report folder", args.report.display()))?;
    let write = |name: &str, bytes: &[u8]| -> anyhow::Result<()> {
        store::write_atomic(&args.report.join(name), bytes).map_err(anyhow::Error::msg)
    };
    write(
        "predictions.json",
        serde_json::to_string(&predictions)?.as_bytes(),
    )?;
    write(
        "report.json",
        serde_json::to_string_pretty(&report)?.as_bytes(),
    )?;
    let html = crate::cli::eval_report::html(&report, &records, &counts);
    write("report.html", html.as_bytes())?;
    println!(
        "{}: AP {} AP50 {}, count MAE {} over {} images; report in {}",
        source.name,
        fmt(scored.overall.ap),
        fmt(scored.overall.ap50),
        fmt(scored.counting.map(|c| c.0)),
        records.len(),
        args.report.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Each class's numbers for the report (with its precision–recall curve at IoU 0.5 when
/// `curve`).
fn per_class_json(
    e: &Evaluation,
    categories: &[(u32, String)],
    curve: bool,
) -> Vec<serde_json::Value> {
    e.categories
        .iter()
        .map(|c| {
            let mut v = json!({
                "category_id": c.category,
                "category": categories.iter().find(|k| k.0 == c.category).map(|k| k.1.clone()),
                "ground_truth": c.gt, "predictions": c.dt, "matched50": c.tp50,
                "precision50": c.precision50, "recall50": c.recall50,
                "ap": c.ap, "ap50": c.ap50, "ap75": c.ap75,
            });
            if curve {
                v["pr_curve50"] = json!(c.pr_curve50);
            }
            v
        })
        .collect()
}

/// The images a run scores: where their files are, what the report says of them, their
/// ground truth.
struct EvalData {
    root: PathBuf,
    about: serde_json::Value,
    records: Vec<ImageRecord>,
}

impl EvalData {
    /// A `twincity render` dataset folder, or a COCO instances file of real frames.
    fn load(path: &std::path::Path) -> anyhow::Result<EvalData> {
        if path.is_file() {
            let records = twincity_dataset::coco_in::load(path).map_err(anyhow::Error::msg)?;
            return Ok(EvalData {
                root: path
                    .parent()
                    .unwrap_or(std::path::Path::new("."))
                    .to_path_buf(),
                about: json!({
                    "path": path, "images": records.len(), "status": "real",
                    "scenario": "real footage (COCO instances file)", "seed": null,
                }),
                records,
            });
        }
        let (manifest, records) = store::load_dataset(path).map_err(anyhow::Error::msg)?;
        Ok(EvalData {
            root: path.to_path_buf(),
            about: json!({
                "path": path, "images": records.len(), "status": manifest.status,
                "scenario": manifest.settings.scenario.name,
                "seed": manifest.settings.scenario.seed,
            }),
            records,
        })
    }
}

/// Each `--real` set scored with the model, on the categories the dataset was scored on.
fn real_sets(
    args: &EvalArgs,
    card: &std::path::Path,
    ids: &[u32],
    subset: Subset,
) -> anyhow::Result<Vec<serde_json::Value>> {
    let mut out = Vec::new();
    for file in &args.real {
        if !file.is_file() {
            anyhow::bail!("--real {}: give a COCO instances file", file.display());
        }
        let data = EvalData::load(file)?;
        let predicted = predict(args, card, &data.root, &data.records)?;
        let scored = score(
            &data.records,
            ids,
            &predicted.predictions,
            &predicted.counts,
            args.max_dets,
            subset,
        );
        let per_class = per_class_json(&scored.overall, &predicted.categories, false);
        println!(
            "real {}: AP {} AP50 {} over {} images",
            file.display(),
            fmt(scored.overall.ap),
            fmt(scored.overall.ap50),
            data.records.len()
        );
        out.push(json!({
            "path": file, "images": data.records.len(),
            "ap": scored.overall.ap, "ap50": scored.overall.ap50, "ap75": scored.overall.ap75,
            "per_class": per_class,
            "counting": {"mae": scored.counting.map(|c| c.0), "rmse": scored.counting.map(|c| c.1)},
        }));
    }
    Ok(out)
}

fn fmt(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{v:.3}"))
}
