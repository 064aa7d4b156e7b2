//! `twincity eval`: runs a model over a dataset made by `twincity render` and writes a report
//! — COCO box AP/AP50/AP75 and the pedestrian benchmarks' log-average miss rate MR⁻² on a
//! CityPersons subset of the ground truth (and on every named subset), precision and recall
//! per class at the operating score, counting errors, and breakdowns by camera, lighting,
//! weather, DORI class, estimated distance and occlusion — as JSON and as an HTML page with
//! plots, beside the predictions in COCO's results format (so any COCO tool can re-score them).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use serde::Serialize;
use serde_json::json;
use twincity_dataset::metrics::{self, Dt, Evaluation, Gt, Params};
use twincity_dataset::{ImageRecord, ObjectRecord, category_id, store};
use twincity_infer::{Frame, Model, Tiling};

/// The score down to which a model's boxes are decoded for evaluation (after the same
/// non-maximum suppression), whatever the card's display threshold: AP and MR⁻² need the whole
/// precision–recall curve, which the display threshold would cut short.
pub const DECODE_THRESHOLD: f32 = 0.001;

#[derive(Args, Debug, Clone)]
pub struct EvalArgs {
    /// Model card (`*.ron` beside the `.onnx`; see assets/models/)
    #[arg(long, value_name = "CARD", required_unless_present = "predictions")]
    pub model: Option<PathBuf>,
    /// Score predictions made elsewhere instead of running a model: a JSON list in COCO's
    /// results format (`image_id` as in the dataset's coco.json, `category_id`, `bbox`,
    /// `score`); the crowd count of an image is its number of person boxes at or above
    /// --score-threshold
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
    /// Which ground truth is scored (CityPersons' protocol; the others are ignore regions,
    /// where a prediction is neither a hit nor a false positive): reasonable (full-body height
    /// ≥ 50 px, ≥ 65 % visible), small (50–75 px, ≥ 65 %), heavy (≥ 50 px, 20–65 %), all
    /// (≥ 20 px, ≥ 20 %), unfiltered (every box). The report has every subset's numbers too
    #[arg(long, value_enum, default_value_t = SubsetName::Reasonable)]
    pub subset: SubsetName,
    /// Lowest full-body height (pixels) of the ground truth scored, instead of the subset's
    #[arg(long, value_name = "PX")]
    pub min_height: Option<f64>,
    /// Lowest visible share (0–1) of the ground truth scored, instead of the subset's
    #[arg(long, value_name = "SHARE", value_parser = parse_share)]
    pub min_visibility: Option<f64>,
    /// The operating point: precision, recall, the breakdowns' recall and the counts use the
    /// predictions scoring at least this (AP and MR⁻² use them all); default: the card's score
    /// threshold (what the editor shows), or 0 with --predictions
    #[arg(long, value_name = "SCORE", value_parser = parse_share)]
    pub score_threshold: Option<f64>,
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

/// The named subsets of the ground truth (CityPersons' evaluation setups, and every box).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SubsetName {
    Reasonable,
    Small,
    Heavy,
    All,
    Unfiltered,
}

impl SubsetName {
    pub const EVERY: [SubsetName; 5] = [
        SubsetName::Reasonable,
        SubsetName::Small,
        SubsetName::Heavy,
        SubsetName::All,
        SubsetName::Unfiltered,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SubsetName::Reasonable => "reasonable",
            SubsetName::Small => "small",
            SubsetName::Heavy => "heavy",
            SubsetName::All => "all",
            SubsetName::Unfiltered => "unfiltered",
        }
    }

    /// Its thresholds: CityPersons' (Zhang et al., CVPR 2017), bounds included.
    pub fn subset(self) -> Subset {
        let (height, visibility) = match self {
            SubsetName::Reasonable => ([50.0, f64::INFINITY], [0.65, 1.0]),
            SubsetName::Small => ([50.0, 75.0], [0.65, 1.0]),
            SubsetName::Heavy => ([50.0, f64::INFINITY], [0.2, 0.65]),
            SubsetName::All => ([20.0, f64::INFINITY], [0.2, 1.0]),
            SubsetName::Unfiltered => ([0.0, f64::INFINITY], [0.0, 1.0]),
        };
        Subset {
            name: self.name().to_string(),
            height,
            visibility,
        }
    }
}

/// Which ground truth counts: boxes whose full-body (amodal) height in pixels and visible
/// share are within the ranges (bounds included); the others, and crowd regions, are ignore
/// regions.
#[derive(Clone, Debug, PartialEq)]
pub struct Subset {
    pub name: String,
    pub height: [f64; 2],
    pub visibility: [f64; 2],
}

impl Subset {
    pub fn ignores(&self, o: &ObjectRecord) -> bool {
        let h = o.amodal_bbox[3] as f64;
        let v = o.visibility;
        o.is_crowd()
            || h < self.height[0]
            || h > self.height[1]
            || v < self.visibility[0]
            || v > self.visibility[1]
    }

    /// The named subset, with its lower bounds replaced by those given (and named so).
    pub fn chosen(name: SubsetName, min_height: Option<f64>, min_visibility: Option<f64>) -> Self {
        let mut s = name.subset();
        let mut changed = Vec::new();
        if let Some(h) = min_height.filter(|h| *h != s.height[0]) {
            s.height[0] = h;
            changed.push(format!("min height {h} px"));
        }
        if let Some(v) = min_visibility.filter(|v| *v != s.visibility[0]) {
            s.visibility[0] = v;
            changed.push(format!("min visibility {v}"));
        }
        if !changed.is_empty() {
            s.name = format!("{}, {}", s.name, changed.join(", "));
        }
        s
    }

    /// The subset in the report: its name and thresholds (`null`: no upper bound).
    pub fn json(&self) -> serde_json::Value {
        let bound = |v: f64| v.is_finite().then_some(v);
        json!({
            "name": self.name,
            "min_height": self.height[0], "max_height": bound(self.height[1]),
            "min_visibility": self.visibility[0], "max_visibility": self.visibility[1],
            "height_of": "full-body (amodal) box, pixels",
            "visibility_of": "visible share of the person (id pass pixels over the full body)",
        })
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
    /// Log-average miss rate (MR⁻²), mean over the categories.
    pub mr2: Option<f64>,
    /// At IoU 0.5 and the operating score.
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
    /// Per evaluated category: its MR⁻², `None` without ground truth.
    pub miss_rates: Vec<(u32, Option<metrics::MissRate>)>,
    pub mr2: Option<f64>,
    pub slices: BTreeMap<&'static str, Vec<Slice>>,
    pub groups: BTreeMap<&'static str, Vec<Group>>,
    /// Per image: (predicted, true) count; `None` when nothing is counted.
    pub count_pairs: Option<Vec<(f64, f64)>>,
    pub counting: Option<(f64, f64)>,
}

/// What is scored, and how.
pub struct Scoring<'a> {
    pub records: &'a [ImageRecord],
    /// The evaluated categories.
    pub categories: &'a [u32],
    /// Image ids are positions in `records` + 1, as in `coco.json`.
    pub predictions: &'a [Prediction],
    pub max_dets: usize,
    pub subset: &'a Subset,
    /// Precision, recall, the breakdowns' recall and the counts use predictions scoring at
    /// least this.
    pub operating_score: f64,
    /// Counts the model gave itself (a density map's sum, faces), compared with the visible
    /// heads; `None`: counts are the person boxes at the operating score, compared with the
    /// people of the subset.
    pub model_counts: Option<&'a [f64]>,
}

/// The mean of the values there are; `None` when there are none.
fn mean(v: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let v: Vec<f64> = v.flatten().collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Each category's MR⁻² on `images`, and their mean.
fn miss_rates(
    images: &[u64],
    categories: &[u32],
    gts: &[Gt],
    dts: &[Dt],
    max_dets: usize,
    subset: &Subset,
) -> (Vec<(u32, Option<metrics::MissRate>)>, Option<f64>) {
    let per: Vec<(u32, Option<metrics::MissRate>)> = categories
        .iter()
        .map(|&c| {
            let m = metrics::log_average_miss_rate(images, c, gts, dts, max_dets, subset.height);
            (c, m)
        })
        .collect();
    let mean = mean(per.iter().map(|(_, m)| m.as_ref().map(|m| m.mr2)));
    (per, mean)
}

impl Scoring<'_> {
    fn params(&self) -> Params {
        Params {
            max_dets: self.max_dets,
            operating_score: self.operating_score,
        }
    }

    fn dts(&self) -> Vec<Dt> {
        self.predictions
            .iter()
            .map(|p| Dt {
                image: p.image_id,
                category: p.category_id,
                bbox: p.bbox,
                score: p.score,
            })
            .collect()
    }

    /// Scores the predictions on the subset.
    pub fn score(&self) -> Scored {
        let (gts, gt_objects) = ground_truth(self.records, self.categories, self.subset);
        let dts = self.dts();
        let all_images: Vec<u64> = (1..=self.records.len() as u64).collect();
        let overall =
            metrics::evaluate_boxes_with(&all_images, self.categories, &gts, &dts, self.params());
        let (miss_rates, mr2) = miss_rates(
            &all_images,
            self.categories,
            &gts,
            &dts,
            self.max_dets,
            self.subset,
        );
        let count_pairs = self.count_pairs(&gts, &dts);
        let slices = Slicing {
            scoring: self,
            pairs: count_pairs.as_deref(),
            gts: &gts,
            dts: &dts,
        }
        .slices();
        let groups = groups(self.records, &gt_objects, &overall);
        let counting = count_pairs.as_deref().and_then(metrics::count_errors);
        Scored {
            overall,
            miss_rates,
            mr2,
            slices,
            groups,
            count_pairs,
            counting,
        }
    }

    /// Per image, the (predicted, true) count. From boxes: the true count is the people of
    /// the subset (the evaluated person categories' ground truth that is not an ignore
    /// region), the predicted one the person boxes at or above the operating score that do not
    /// fall on an ignore region (at IoU 0.5, as AP matches them). From the model's own counts:
    /// those against the visible heads.
    fn count_pairs(&self, gts: &[Gt], dts: &[Dt]) -> Option<Vec<(f64, f64)>> {
        if let Some(counts) = self.model_counts {
            return Some(
                self.records
                    .iter()
                    .zip(counts)
                    .map(|(r, c)| (*c, r.count() as f64))
                    .collect(),
            );
        }
        let people: Vec<u32> = self
            .categories
            .iter()
            .copied()
            .filter(|&c| {
                twincity_dataset::CATEGORIES
                    .get(c as usize - 1)
                    .is_some_and(|n| n.starts_with("person"))
            })
            .collect();
        if people.is_empty() {
            return None;
        }
        let shown: Vec<Dt> = dts
            .iter()
            .filter(|d| people.contains(&d.category) && d.score >= self.operating_score)
            .copied()
            .collect();
        let images: Vec<u64> = (1..=self.records.len() as u64).collect();
        let e = metrics::evaluate_boxes(&images, &people, gts, &shown, usize::MAX);
        let mut pairs = vec![(0.0, 0.0); self.records.len()];
        for (d, m) in shown.iter().zip(&e.dt_matched50) {
            if m.is_some() {
                pairs[d.image as usize - 1].0 += 1.0;
            }
        }
        for g in gts {
            if !g.ignore && people.contains(&g.category) {
                pairs[g.image as usize - 1].1 += 1.0;
            }
        }
        Some(pairs)
    }
}

/// The ground-truth boxes of the evaluated categories (those `subset` leaves out are ignore
/// regions), and for each its image, object and whether it is ignored.
fn ground_truth<'a>(
    records: &'a [ImageRecord],
    categories: &[u32],
    subset: &Subset,
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

/// The numbers of a set of images (a slice, or a whole set under another subset).
fn slice_of(
    name: String,
    images: &[u64],
    categories: &[u32],
    gts: &[Gt],
    dts: &[Dt],
    params: Params,
    subset: &Subset,
) -> Slice {
    let g: Vec<Gt> = gts
        .iter()
        .filter(|g| images.contains(&g.image))
        .copied()
        .collect();
    let d: Vec<Dt> = dts
        .iter()
        .filter(|d| images.contains(&d.image))
        .copied()
        .collect();
    let e = metrics::evaluate_boxes_with(images, categories, &g, &d, params);
    let (_, mr2) = miss_rates(images, categories, &g, &d, params.max_dets, subset);
    let sum = |f: fn(&metrics::CategoryResult) -> usize| e.categories.iter().map(f).sum::<usize>();
    let (tp, fp, ng, nd) = (
        sum(|c| c.tp50),
        sum(|c| c.fp50),
        sum(|c| c.gt),
        sum(|c| c.dt),
    );
    Slice {
        name,
        images: images.len(),
        ground_truth: ng,
        predictions: nd,
        ap: e.ap,
        ap50: e.ap50,
        mr2,
        precision50: (tp + fp > 0).then(|| tp as f64 / (tp + fp) as f64),
        recall50: (ng > 0).then(|| tp as f64 / ng as f64),
        count_mae: None,
        count_rmse: None,
    }
}

/// The slices' inputs: the scoring, the count pairs, and the boxes.
struct Slicing<'a> {
    scoring: &'a Scoring<'a>,
    pairs: Option<&'a [(f64, f64)]>,
    gts: &'a [Gt],
    dts: &'a [Dt],
}

impl Slicing<'_> {
    /// The boxes of `images` evaluated on their own, and their counting errors.
    fn slice(&self, name: String, images: Vec<usize>) -> Slice {
        let ids: Vec<u64> = images.iter().map(|i| *i as u64 + 1).collect();
        let s = self.scoring;
        let mut slice = slice_of(
            name,
            &ids,
            s.categories,
            self.gts,
            self.dts,
            s.params(),
            s.subset,
        );
        let errors = self
            .pairs
            .and_then(|p| metrics::count_errors(&images.iter().map(|&i| p[i]).collect::<Vec<_>>()));
        slice.count_mae = errors.map(|e| e.0);
        slice.count_rmse = errors.map(|e| e.1);
        slice
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
            for (i, r) in self.scoring.records.iter().enumerate() {
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

/// Every named subset's numbers on the whole set (the report's table of subsets).
pub fn every_subset(s: &Scoring) -> Vec<serde_json::Value> {
    let images: Vec<u64> = (1..=s.records.len() as u64).collect();
    let dts = s.dts();
    SubsetName::EVERY
        .iter()
        .map(|name| {
            let subset = name.subset();
            let (gts, _) = ground_truth(s.records, s.categories, &subset);
            let slice = slice_of(
                subset.name.clone(),
                &images,
                s.categories,
                &gts,
                &dts,
                s.params(),
                &subset,
            );
            let mut v = subset.json();
            for (k, x) in [
                ("ground_truth", json!(slice.ground_truth)),
                ("ap", json!(slice.ap)),
                ("ap50", json!(slice.ap50)),
                ("mr2", json!(slice.mr2)),
                ("precision50", json!(slice.precision50)),
                ("recall50", json!(slice.recall50)),
            ] {
                v[k] = x;
            }
            v
        })
        .collect()
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
    /// The score down to which the model's boxes were decoded (`None`: predictions read).
    decode_threshold: Option<f32>,
    licence: Option<String>,
    tiling: Option<String>,
}

/// Predictions for every image, where they came from, and the categories they are scored on.
struct Predicted {
    source: Source,
    categories: Vec<(u32, String)>,
    predictions: Vec<Prediction>,
    /// The counts the model gave itself, when they are not its person boxes (a density map,
    /// faces).
    model_counts: Option<Vec<f64>>,
    timing: twincity_infer::Timing,
}

/// Runs the model over every image, its boxes decoded down to [`DECODE_THRESHOLD`]:
/// predictions, counts, and the time spent.
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
        let out = model
            .infer_down_to(&frame, tiling, DECODE_THRESHOLD)
            .map_err(anyhow::Error::msg)?;
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
        decode_threshold: Some(DECODE_THRESHOLD),
        licence: Some(model.card.licence.name.clone()),
        tiling: tiling
            .or(model.card.tiling)
            .map(|t| format!("{}x{}", t.columns, t.rows)),
    };
    let model_counts = (model.card.task != twincity_infer::Task::Detection).then_some(counts);
    Ok(Predicted {
        source,
        categories,
        predictions,
        model_counts,
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
        categories.push((p.category_id, name.to_string()));
    }
    categories.sort();
    categories.dedup();
    let source = Source {
        name: format!("predictions from {}", file.display()),
        card: None,
        task: "Detection".into(),
        score_threshold: None,
        decode_threshold: None,
        licence: None,
        tiling: None,
    };
    Ok(Predicted {
        source,
        categories,
        predictions,
        model_counts: None,
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
        model_counts,
        timing,
    } = match (&args.model, &args.predictions) {
        (_, Some(file)) => read_predictions(file, &records)?,
        (Some(card), None) => predict(args, card, &root, &records)?,
        (None, None) => anyhow::bail!("give --model CARD or --predictions FILE"),
    };
    let ids: Vec<u32> = categories.iter().map(|c| c.0).collect();
    let subset = Subset::chosen(args.subset, args.min_height, args.min_visibility);
    let operating_score = args
        .score_threshold
        .or(source.score_threshold.map(decimal))
        .unwrap_or(0.0);
    let scoring = Scoring {
        records: &records,
        categories: &ids,
        predictions: &predictions,
        max_dets: args.max_dets,
        subset: &subset,
        operating_score,
        model_counts: model_counts.as_deref(),
    };
    let scored = scoring.score();
    let subsets = every_subset(&scoring);

    let n = records.len() as f64;
    let ms = |d: std::time::Duration| 1000.0 * d.as_secs_f64() / n;
    let per_class = per_class_json(&scored, &categories, true);
    let pairs = scored.count_pairs.clone().unwrap_or_default();
    let report = json!({
        "model": {
            "name": source.name, "card": source.card, "task": source.task,
            "score_threshold": source.score_threshold.map(decimal), "licence": source.licence,
        },
        "dataset": about,
        "settings": {
            "max_dets": args.max_dets,
            "subset": subset.json(),
            "min_height": subset.height[0],
            "min_visibility": subset.visibility[0],
            "decode_threshold": source.decode_threshold.map(decimal),
            "operating_score": operating_score,
            "tiling": source.tiling,
            "iou_thresholds": "0.50:0.05:0.95, AP50 and MR-2 at 0.50",
            "mr2": MR2_METHOD,
            "nominal_person_height_m": NOMINAL_HEIGHT_M,
        },
        "overall": {
            "ap": scored.overall.ap, "ap50": scored.overall.ap50, "ap75": scored.overall.ap75,
            "mr2": scored.mr2,
            "per_class": per_class,
        },
        "subsets": subsets,
        "counting": {
            "images": records.len(),
            "mae": scored.counting.map(|c| c.0), "rmse": scored.counting.map(|c| c.1),
            "true_total": pairs.iter().map(|p| p.1).sum::<f64>(),
            "predicted_total": pairs.iter().map(|p| p.0).sum::<f64>(),
            "truth": if model_counts.is_some() {
                "visible heads (the model's own count: the subset does not apply)"
            } else {
                "people of the subset (person boxes that are not ignore regions)"
            },
            "predicted": if model_counts.is_some() {
                "the model's own count (density map sum, or faces at the card's threshold)"
            } else {
                "person boxes at or above the operating score, less those on ignore regions"
            },
            "per_image": pairs.iter().map(|p| [p.0, p.1]).collect::<Vec<_>>(),
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
        report["real"] = real_sets(args, card, &ids, &subset)?.into();
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
    let html = crate::cli::eval_report::html(&report, &pairs);
    write("report.html", html.as_bytes())?;
    println!(
        "{}: subset {}: AP {} AP50 {} MR-2 {}, count MAE {} over {} images; report in {}",
        source.name,
        subset.name,
        fmt(scored.overall.ap),
        fmt(scored.overall.ap50),
        fmt(scored.mr2),
        fmt(scored.counting.map(|c| c.0)),
        records.len(),
        args.report.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// How MR⁻² is computed, for the report.
pub const MR2_METHOD: &str = "log-average miss rate (Dollár et al.): the miss rate at 9 FPPI \
    points evenly spaced in log space from 1e-2 to 1e0, averaged in log space; IoU 0.5, ignore \
    regions neither hits nor false positives, predictions outside the subset's height range \
    widened by 1.25 left out";

/// Each class's numbers for the report (with its precision–recall curve at IoU 0.5 when
/// `curve`).
fn per_class_json(
    scored: &Scored,
    categories: &[(u32, String)],
    curve: bool,
) -> Vec<serde_json::Value> {
    scored
        .overall
        .categories
        .iter()
        .map(|c| {
            let m = scored
                .miss_rates
                .iter()
                .find(|m| m.0 == c.category)
                .and_then(|m| m.1.as_ref());
            let mut v = json!({
                "category_id": c.category,
                "category": categories.iter().find(|k| k.0 == c.category).map(|k| k.1.clone()),
                "ground_truth": c.gt, "predictions": c.dt,
                "matched50": c.tp50, "false_positives50": c.fp50,
                "precision50": c.precision50, "recall50": c.recall50,
                "max_recall50": c.max_recall50,
                "ap": c.ap, "ap50": c.ap50, "ap75": c.ap75,
                "mr2": m.map(|m| m.mr2),
            });
            if curve {
                v["pr_curve50"] = json!(c.pr_curve50);
                v["miss_rate_at_fppi"] = json!(m.map(|m| {
                    metrics::fppi_points()
                        .iter()
                        .zip(m.miss_rates)
                        .map(|(f, r)| [*f, r])
                        .collect::<Vec<_>>()
                }));
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
    subset: &Subset,
) -> anyhow::Result<Vec<serde_json::Value>> {
    let mut out = Vec::new();
    for file in &args.real {
        if !file.is_file() {
            anyhow::bail!("--real {}: give a COCO instances file", file.display());
        }
        let data = EvalData::load(file)?;
        let predicted = predict(args, card, &data.root, &data.records)?;
        let operating_score = args
            .score_threshold
            .or(predicted.source.score_threshold.map(decimal))
            .unwrap_or(0.0);
        let scored = Scoring {
            records: &data.records,
            categories: ids,
            predictions: &predicted.predictions,
            max_dets: args.max_dets,
            subset,
            operating_score,
            model_counts: predicted.model_counts.as_deref(),
        }
        .score();
        let per_class = per_class_json(&scored, &predicted.categories, false);
        println!(
            "real {}: AP {} AP50 {} MR-2 {} over {} images",
            file.display(),
            fmt(scored.overall.ap),
            fmt(scored.overall.ap50),
            fmt(scored.mr2),
            data.records.len()
        );
        out.push(json!({
            "path": file, "images": data.records.len(),
            "ap": scored.overall.ap, "ap50": scored.overall.ap50, "ap75": scored.overall.ap75,
            "mr2": scored.mr2,
            "per_class": per_class,
            "counting": {"mae": scored.counting.map(|c| c.0), "rmse": scored.counting.map(|c| c.1)},
        }));
    }
    Ok(out)
}

/// A card's `f32` threshold as the decimal it was written as (0.3, not 0.30000001192...).
fn decimal(t: f32) -> f64 {
    t.to_string().parse().unwrap_or(t as f64)
}

fn fmt(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{v:.3}"))
}
