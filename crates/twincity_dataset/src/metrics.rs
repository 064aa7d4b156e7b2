//! Detection and counting metrics: COCO's box evaluation (AP over IoU 0.50:0.95, AP50, AP75,
//! following pycocotools' `COCOeval` step by step — greedy matching by score, 101 recall
//! points, the precision envelope — so the numbers agree with it; a test checks that), the
//! pedestrian benchmarks' log-average miss rate (MR⁻², Dollár et al.), precision and recall at
//! an operating score, the per-box match flags at IoU 0.5 for breakdowns, and counting errors.

/// A ground-truth box (`[x, y, w, h]` in pixels). An `ignore` box is an ignore region, as
/// COCO's `iscrowd` boxes: it does not count as ground truth, and predictions that overlap it
/// (by intersection over the prediction's area) are neither matches nor false positives —
/// how pedestrian benchmarks leave out people too small or too hidden to be required.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gt {
    pub image: u64,
    pub category: u32,
    pub bbox: [f64; 4],
    pub ignore: bool,
}

/// A predicted box with its score.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dt {
    pub image: u64,
    pub category: u32,
    pub bbox: [f64; 4],
    pub score: f64,
}

/// One category's results.
#[derive(Clone, Debug, PartialEq)]
pub struct CategoryResult {
    pub category: u32,
    /// Ground-truth boxes and predictions (within the per-image limit).
    pub gt: usize,
    pub dt: usize,
    /// AP averaged over IoU 0.50:0.95; AP at 0.50 and 0.75. `None` without ground truth.
    pub ap: Option<f64>,
    pub ap50: Option<f64>,
    pub ap75: Option<f64>,
    /// At IoU 0.5, among the predictions scoring at least the operating score
    /// ([`Params::operating_score`]): matches, false positives, and predictions on ignore
    /// regions (neither matches nor false positives).
    pub tp50: usize,
    pub fp50: usize,
    pub ignored50: usize,
    /// Precision and recall at IoU 0.5 at the operating score.
    pub precision50: Option<f64>,
    pub recall50: Option<f64>,
    /// Recall at IoU 0.5 over every kept prediction, whatever its score (COCO's `recall`).
    pub max_recall50: Option<f64>,
    /// Interpolated precision at recall 0, 0.01, ..., 1 (IoU 0.5), as COCO stores it.
    pub pr_curve50: Vec<f64>,
}

/// The evaluation of a set of predictions.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub categories: Vec<CategoryResult>,
    /// Means over categories with ground truth (COCO's summary numbers); `None` when none.
    pub ap: Option<f64>,
    pub ap50: Option<f64>,
    pub ap75: Option<f64>,
    /// Per ground-truth box (input order): matched at IoU 0.5 by a prediction scoring at least
    /// the operating score.
    pub gt_matched50: Vec<bool>,
    /// Per prediction (input order): matched at IoU 0.5; `None` when beyond the per-image
    /// limit of predictions.
    pub dt_matched50: Vec<Option<bool>>,
}

/// How predictions are scored, beyond the boxes themselves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Params {
    /// Predictions kept per image and category, best first (COCO: 100).
    pub max_dets: usize,
    /// The operating point: precision, recall and the ground truth's match flags at IoU 0.5
    /// count only predictions scoring at least this (0: all). AP and MR⁻² use every kept
    /// prediction whatever this is.
    pub operating_score: f64,
}

impl Params {
    /// COCO's: `max_dets` predictions per image and category, every one at the operating point.
    pub fn coco(max_dets: usize) -> Params {
        Params {
            max_dets,
            operating_score: 0.0,
        }
    }
}

/// IoU thresholds 0.50, 0.55, ..., 0.95, computed as NumPy's `linspace` does.
pub fn iou_thresholds() -> Vec<f64> {
    let step = (0.95 - 0.5) / 9.0;
    let mut v: Vec<f64> = (0..10).map(|i| i as f64 * step + 0.5).collect();
    v[9] = 0.95;
    v
}

/// Recall points 0, 0.01, ..., 1, as NumPy's `linspace` computes them.
pub fn recall_points() -> Vec<f64> {
    let step = 1.0 / 100.0;
    let mut v: Vec<f64> = (0..101).map(|i| i as f64 * step).collect();
    v[100] = 1.0;
    v
}

/// Box IoU exactly as pycocotools' `bbIou` computes it; for a crowd (ignore) box, the
/// intersection over the prediction's area.
pub fn crowd_iou(d: [f64; 4], g: [f64; 4], crowd: bool) -> f64 {
    if !crowd {
        return box_iou(d, g);
    }
    let w = (d[2] + d[0]).min(g[2] + g[0]) - d[0].max(g[0]);
    let h = (d[3] + d[1]).min(g[3] + g[1]) - d[1].max(g[1]);
    if w <= 0.0 || h <= 0.0 {
        return 0.0;
    }
    w * h / (d[2] * d[3])
}

/// Box IoU exactly as pycocotools' `bbIou` (non-crowd) computes it.
pub fn box_iou(d: [f64; 4], g: [f64; 4]) -> f64 {
    let ga = g[2] * g[3];
    let da = d[2] * d[3];
    let w = (d[2] + d[0]).min(g[2] + g[0]) - d[0].max(g[0]);
    if w <= 0.0 {
        return 0.0;
    }
    let h = (d[3] + d[1]).min(g[3] + g[1]) - d[1].max(g[1]);
    if h <= 0.0 {
        return 0.0;
    }
    let i = w * h;
    i / (da + ga - i)
}

/// Index of IoU 0.50 in [`iou_thresholds`].
const T50: usize = 0;
/// Index of IoU 0.75 in [`iou_thresholds`].
const T75: usize = 5;

/// Per image and category: which predictions (sorted, truncated) matched at each threshold.
struct ImageEval {
    /// Indices into the input ground truth, ignore regions last.
    gts: Vec<usize>,
    /// `gt_taken50[j]`: the rank in `dts` of the prediction that took ground-truth box
    /// `gts[j]` at IoU 0.5, if any.
    gt_taken50: Vec<Option<usize>>,
    /// Indices into the input predictions, best score first, at most `max_dets`.
    dts: Vec<usize>,
    /// `matched[t][k]`: prediction `dts[k]` matched a ground-truth box at threshold `t`.
    matched: Vec<Vec<bool>>,
    /// `ignored[t][k]`: prediction `dts[k]` fell on an ignore region at threshold `t`.
    ignored: Vec<Vec<bool>>,
    /// Ground-truth boxes that count (not ignore regions).
    gt_count: usize,
}

/// Greedy matching of one image's predictions (rows of `ious`, best score first) with its
/// ground truth (columns, ignore regions last) at IoU threshold `t`, as pycocotools'
/// `evaluateImg`: each prediction takes the best-overlapping box still free (ignore regions
/// can take many), preferring real boxes; one matched only to an ignore region is ignored.
/// Returns (the prediction that took each ground-truth box, prediction matched a real box,
/// prediction ignored).
type Matches = (Vec<Option<usize>>, Vec<bool>, Vec<bool>);
fn match_image(ious: &[Vec<f64>], ignore: &[bool], t: f64) -> Matches {
    let mut gt_taken = vec![None; ignore.len()];
    let mut dt_match = vec![false; ious.len()];
    let mut dt_ignored = vec![false; ious.len()];
    for (k, row) in ious.iter().enumerate() {
        let mut best = t.min(1.0 - 1e-10);
        let mut m: Option<usize> = None;
        for (gi, &v) in row.iter().enumerate() {
            if gt_taken[gi].is_some() && !ignore[gi] {
                continue;
            }
            if m.is_some_and(|m| !ignore[m]) && ignore[gi] {
                break;
            }
            if v < best {
                continue;
            }
            best = v;
            m = Some(gi);
        }
        if let Some(gi) = m {
            gt_taken[gi] = Some(k);
            if ignore[gi] {
                dt_ignored[k] = true;
            } else {
                dt_match[k] = true;
            }
        }
    }
    (gt_taken, dt_match, dt_ignored)
}

/// Evaluates predictions against ground truth on `images` for `categories`, keeping at most
/// `max_dets` predictions per image and category (COCO: 100); every prediction counts at the
/// operating point.
pub fn evaluate_boxes(
    images: &[u64],
    categories: &[u32],
    gts: &[Gt],
    dts: &[Dt],
    max_dets: usize,
) -> Evaluation {
    evaluate_boxes_with(images, categories, gts, dts, Params::coco(max_dets))
}

/// [`evaluate_boxes`] with `params`' limit and operating score.
pub fn evaluate_boxes_with(
    images: &[u64],
    categories: &[u32],
    gts: &[Gt],
    dts: &[Dt],
    params: Params,
) -> Evaluation {
    let max_dets = params.max_dets;
    let thresholds = iou_thresholds();
    let recalls = recall_points();
    let mut images: Vec<u64> = images.to_vec();
    images.sort_unstable();
    images.dedup();
    let mut gt_matched50 = vec![false; gts.len()];
    let mut dt_matched50 = vec![None; dts.len()];
    let mut results = Vec::new();
    for &category in categories {
        let evals: Vec<ImageEval> = images
            .iter()
            .filter_map(|&image| evaluate_image(gts, dts, image, category, max_dets, &thresholds))
            .collect();
        for ev in &evals {
            for (&gi, taken) in ev.gts.iter().zip(&ev.gt_taken50) {
                gt_matched50[gi] =
                    taken.is_some_and(|k| dts[ev.dts[k]].score >= params.operating_score);
            }
            for (k, &di) in ev.dts.iter().enumerate() {
                dt_matched50[di] = (!ev.ignored[T50][k]).then_some(ev.matched[T50][k]);
            }
        }
        results.push(category_result(
            category,
            &evals,
            dts,
            thresholds.len(),
            &recalls,
            params.operating_score,
        ));
    }
    let summary = |f: fn(&CategoryResult) -> Option<f64>| -> Option<f64> {
        let v: Vec<f64> = results.iter().filter_map(f).collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    Evaluation {
        ap: summary(|c| c.ap),
        ap50: summary(|c| c.ap50),
        ap75: summary(|c| c.ap75),
        categories: results,
        gt_matched50,
        dt_matched50,
    }
}

/// Matches one image's predictions of one category (best `max_dets` by score) with its
/// ground truth at every threshold; `None` when the image has neither.
fn evaluate_image(
    gts: &[Gt],
    dts: &[Dt],
    image: u64,
    category: u32,
    max_dets: usize,
    thresholds: &[f64],
) -> Option<ImageEval> {
    let mut g: Vec<usize> = (0..gts.len())
        .filter(|&i| gts[i].image == image && gts[i].category == category)
        .collect();
    // Ground truth that counts first, then ignore regions (stable, as pycocotools).
    g.sort_by_key(|&i| gts[i].ignore);
    let mut d: Vec<usize> = (0..dts.len())
        .filter(|&i| dts[i].image == image && dts[i].category == category)
        .collect();
    if g.is_empty() && d.is_empty() {
        return None;
    }
    // Stable sort by descending score (NumPy's mergesort on −score).
    d.sort_by(|&a, &b| dts[b].score.total_cmp(&dts[a].score));
    d.truncate(max_dets);
    let ious: Vec<Vec<f64>> = d
        .iter()
        .map(|&di| {
            g.iter()
                .map(|&gi| crowd_iou(dts[di].bbox, gts[gi].bbox, gts[gi].ignore))
                .collect()
        })
        .collect();
    let ignore: Vec<bool> = g.iter().map(|&gi| gts[gi].ignore).collect();
    let mut gt_taken50 = Vec::new();
    let mut matched = Vec::with_capacity(thresholds.len());
    let mut ignored = Vec::with_capacity(thresholds.len());
    for (ti, &t) in thresholds.iter().enumerate() {
        let (gt_taken, dt_match, dt_ignored) = match_image(&ious, &ignore, t);
        if ti == T50 {
            gt_taken50 = gt_taken;
        }
        matched.push(dt_match);
        ignored.push(dt_ignored);
    }
    Some(ImageEval {
        gts: g,
        gt_taken50,
        dts: d,
        matched,
        ignored,
        gt_count: ignore.iter().filter(|i| !**i).count(),
    })
}

/// One category's numbers from its images' matches: counts, the precision table (a row for
/// each of the `thresholds` IoU thresholds, a column for each recall point), the APs, and
/// precision and recall at IoU 0.5 among the predictions scoring at least `operating_score`.
fn category_result(
    category: u32,
    evals: &[ImageEval],
    dts: &[Dt],
    thresholds: usize,
    recalls: &[f64],
    operating_score: f64,
) -> CategoryResult {
    let npig: usize = evals.iter().map(|e| e.gt_count).sum();
    let nd: usize = evals.iter().map(|e| e.dts.len()).sum();
    let order = by_score(evals, dts);
    let mut precision = vec![vec![0.0; recalls.len()]; thresholds];
    let mut all_tp50 = 0;
    if npig > 0 {
        for (ti, row) in precision.iter_mut().enumerate() {
            let tp = precision_curve(evals, &order, ti, npig, recalls, row);
            if ti == T50 {
                all_tp50 = tp;
            }
        }
    }
    // The operating point: predictions at or above the score, matched at IoU 0.5.
    let (mut tp50, mut fp50, mut ignored50) = (0, 0, 0);
    for &(e, k) in &order {
        if dts[evals[e].dts[k]].score < operating_score {
            continue;
        }
        if evals[e].ignored[T50][k] {
            ignored50 += 1;
        } else if evals[e].matched[T50][k] {
            tp50 += 1;
        } else {
            fp50 += 1;
        }
    }
    let mean = |rows: &[Vec<f64>]| -> Option<f64> {
        (npig > 0).then(|| {
            let n = rows.len() * recalls.len();
            rows.iter().flatten().sum::<f64>() / n as f64
        })
    };
    CategoryResult {
        category,
        gt: npig,
        dt: nd,
        ap: mean(&precision),
        ap50: mean(&precision[T50..=T50]),
        ap75: mean(&precision[T75..=T75]),
        tp50,
        fp50,
        ignored50,
        precision50: (tp50 + fp50 > 0).then(|| tp50 as f64 / (tp50 + fp50) as f64),
        recall50: (npig > 0).then(|| tp50 as f64 / npig as f64),
        max_recall50: (npig > 0).then(|| all_tp50 as f64 / npig as f64),
        pr_curve50: precision[T50].clone(),
    }
}

/// Every kept prediction of the images' evaluations as (evaluation, rank), best score first
/// across images (stable: image order, then rank within the image, as pycocotools).
fn by_score(evals: &[ImageEval], dts: &[Dt]) -> Vec<(usize, usize)> {
    let mut order: Vec<(usize, usize)> = evals
        .iter()
        .enumerate()
        .flat_map(|(e, ev)| (0..ev.dts.len()).map(move |k| (e, k)))
        .collect();
    order.sort_by(|a, b| {
        dts[evals[b.0].dts[b.1]]
            .score
            .total_cmp(&dts[evals[a.0].dts[a.1]].score)
    });
    order
}

/// Fills `row` with the interpolated precision at each recall point at threshold `ti`, the
/// predictions taken in `order` against `npig` ground-truth boxes, as pycocotools'
/// `accumulate`; returns the number of true positives.
fn precision_curve(
    evals: &[ImageEval],
    order: &[(usize, usize)],
    ti: usize,
    npig: usize,
    recalls: &[f64],
    row: &mut [f64],
) -> usize {
    let (mut tp, mut fp) = (0.0f64, 0.0f64);
    let mut rc = Vec::with_capacity(order.len());
    let mut pr = Vec::with_capacity(order.len());
    for &(e, k) in order {
        if evals[e].ignored[ti][k] {
            continue;
        }
        if evals[e].matched[ti][k] {
            tp += 1.0;
        } else {
            fp += 1.0;
        }
        rc.push(tp / npig as f64);
        pr.push(tp / (fp + tp + f64::EPSILON));
    }
    for i in (1..pr.len()).rev() {
        if pr[i] > pr[i - 1] {
            pr[i - 1] = pr[i];
        }
    }
    for (ri, &r) in recalls.iter().enumerate() {
        let pi = rc.partition_point(|&x| x < r);
        if pi >= pr.len() {
            break;
        }
        row[ri] = pr[pi];
    }
    tp as usize
}

/// The false positives per image at which MR⁻² samples the miss rate: nine points evenly
/// spaced in log space from 10⁻² to 10⁰ (Dollár et al.).
pub fn fppi_points() -> [f64; 9] {
    std::array::from_fn(|i| 10f64.powf(-2.0 + 0.25 * i as f64))
}

/// How far beyond a subset's height range predictions still take part in MR⁻², as a factor
/// (Dollár et al.'s "expanded filtering": 1.25).
pub const HEIGHT_EXPANSION: f64 = 1.25;

/// One category's log-average miss rate.
#[derive(Clone, Debug, PartialEq)]
pub struct MissRate {
    /// The miss rate's geometric mean over [`fppi_points`] (each clamped to at least 10⁻¹⁰).
    pub mr2: f64,
    /// The miss rate (1 − recall) at each of [`fppi_points`].
    pub miss_rates: [f64; 9],
}

/// The log-average miss rate MR⁻² of `category` on `images`, as the pedestrian benchmarks
/// compute it (Dollár et al., PAMI 2012; CityPersons): predictions whose box height is outside
/// `height_range` (the ground truth's, `[min, max]` in pixels) widened by
/// [`HEIGHT_EXPANSION`] are dropped first; the best `max_dets` of each image are matched at
/// IoU 0.5 as [`evaluate_boxes`] matches them (a prediction on an ignore region is neither a
/// hit nor a false positive); taken by score across images, each prediction gives a point
/// (false positives per image, recall); at each of [`fppi_points`] the recall is that of the
/// last point at or below it (0 before any); MR⁻² is the geometric mean of the miss rates.
/// `None` without ground truth that counts.
pub fn log_average_miss_rate(
    images: &[u64],
    category: u32,
    gts: &[Gt],
    dts: &[Dt],
    max_dets: usize,
    height_range: [f64; 2],
) -> Option<MissRate> {
    let [lo, hi] = height_range;
    let dts: Vec<Dt> = dts
        .iter()
        .filter(|d| {
            d.category == category
                && d.bbox[3] >= lo / HEIGHT_EXPANSION
                && d.bbox[3] < hi * HEIGHT_EXPANSION
        })
        .copied()
        .collect();
    let mut images: Vec<u64> = images.to_vec();
    images.sort_unstable();
    images.dedup();
    let evals: Vec<ImageEval> = images
        .iter()
        .filter_map(|&image| evaluate_image(gts, &dts, image, category, max_dets, &[0.5]))
        .collect();
    let npig: usize = evals.iter().map(|e| e.gt_count).sum();
    if npig == 0 {
        return None;
    }
    let n_images = images.len() as f64;
    // (false positives per image, recall) after each prediction that counts.
    let mut curve = vec![(0.0, 0.0)];
    let (mut tp, mut fp) = (0usize, 0usize);
    for (e, k) in by_score(&evals, &dts) {
        if evals[e].ignored[0][k] {
            continue;
        }
        if evals[e].matched[0][k] {
            tp += 1;
        } else {
            fp += 1;
        }
        curve.push((fp as f64 / n_images, tp as f64 / npig as f64));
    }
    let miss_rates = fppi_points().map(|r| {
        let recall = curve
            .iter()
            .take_while(|(fppi, _)| *fppi <= r)
            .last()
            .map_or(0.0, |p| p.1);
        1.0 - recall
    });
    let mean_log = miss_rates.iter().map(|m| m.max(1e-10).ln()).sum::<f64>() / 9.0;
    Some(MissRate {
        mr2: mean_log.exp(),
        miss_rates,
    })
}

/// Counting errors over `(predicted, true)` pairs: mean absolute error and root mean square
/// error; `None` for no pairs.
pub fn count_errors(pairs: &[(f64, f64)]) -> Option<(f64, f64)> {
    if pairs.is_empty() {
        return None;
    }
    let n = pairs.len() as f64;
    let mae = pairs.iter().map(|(p, t)| (p - t).abs()).sum::<f64>() / n;
    let rmse = (pairs.iter().map(|(p, t)| (p - t).powi(2)).sum::<f64>() / n).sqrt();
    Some((mae, rmse))
}

/// DORI class of an object from its pixel density (pixels per metre of its height), after
/// EN 62676-4: identification ≥ 250, recognition ≥ 125, observation ≥ 62.5, detection ≥ 25.
pub fn dori_class(pixels_per_metre: f64) -> &'static str {
    if pixels_per_metre >= 250.0 {
        "identification"
    } else if pixels_per_metre >= 125.0 {
        "recognition"
    } else if pixels_per_metre >= 62.5 {
        "observation"
    } else if pixels_per_metre >= 25.0 {
        "detection"
    } else {
        "below detection"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gt(image: u64, x: f64) -> Gt {
        Gt {
            ignore: false,
            image,
            category: 1,
            bbox: [x, 0.0, 10.0, 10.0],
        }
    }
    fn dt(image: u64, x: f64, score: f64) -> Dt {
        Dt {
            image,
            category: 1,
            bbox: [x, 0.0, 10.0, 10.0],
            score,
        }
    }

    #[test]
    fn thresholds_are_numpys() {
        let t = iou_thresholds();
        assert_eq!(t.len(), 10);
        assert_eq!(t[0], 0.5);
        assert_eq!(t[9], 0.95);
        let r = recall_points();
        assert_eq!((r.len(), r[0], r[100]), (101, 0.0, 1.0));
    }

    #[test]
    fn perfect_predictions_score_one_and_misses_cost_recall() {
        let gts = [gt(1, 0.0), gt(1, 50.0), gt(2, 0.0)];
        let dts = [dt(1, 0.0, 0.9), dt(1, 50.0, 0.8), dt(2, 0.0, 0.7)];
        let e = evaluate_boxes(&[1, 2], &[1], &gts, &dts, 100);
        assert_eq!(e.ap, Some(1.0));
        assert_eq!(e.categories[0].recall50, Some(1.0));

        // Worked by hand: 4 ground-truth boxes; by score: hit, miss (false positive), hit.
        // Recall 0.25, 0.25, 0.5; precision 1, 0.5, 0.667 → envelope 1, 0.667, 0.667.
        // Recall points 0..=0.25 (26 of them) take 1, 0.26..=0.5 (25) take 2/3, the other 50
        // take 0: AP50 = (26 + 25 × 2/3) / 101.
        let gts = [gt(1, 0.0), gt(1, 50.0), gt(2, 0.0), gt(2, 50.0)];
        let dts = [dt(1, 0.0, 0.9), dt(1, 100.0, 0.8), dt(2, 0.0, 0.7)];
        let e = evaluate_boxes(&[1, 2], &[1], &gts, &dts, 100);
        let c = &e.categories[0];
        let expected = (26.0 + 25.0 * (2.0 / 3.0)) / 101.0;
        assert!((c.ap50.unwrap() - expected).abs() < 1e-9, "{:?}", c.ap50);
        assert_eq!((c.tp50, c.gt, c.dt), (2, 4, 3));
        assert_eq!(c.precision50, Some(2.0 / 3.0));
        assert_eq!(c.recall50, Some(0.5));
        assert_eq!(e.gt_matched50, vec![true, false, true, false]);
        assert_eq!(e.dt_matched50, vec![Some(true), Some(false), Some(true)]);
    }

    #[test]
    fn ignore_regions_neither_count_nor_punish() {
        // One real person, one too small to require (ignore). A prediction on each, and a
        // false positive elsewhere: worked by hand, the ignored hit drops out, leaving a hit
        // then a false positive: AP50 = 1 (recall 1 reached at precision 1), precision 1/2.
        let mut small = gt(1, 50.0);
        small.ignore = true;
        let gts = [gt(1, 0.0), small];
        let dts = [dt(1, 0.0, 0.9), dt(1, 51.0, 0.8), dt(1, 200.0, 0.7)];
        let e = evaluate_boxes(&[1], &[1], &gts, &dts, 100);
        let c = &e.categories[0];
        assert_eq!((c.gt, c.dt, c.tp50, c.ignored50), (1, 3, 1, 1));
        assert!((c.ap50.unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(c.precision50, Some(0.5));
        assert_eq!(e.dt_matched50, vec![Some(true), None, Some(false)]);
        // Without the ignore flag the same prediction is a match, and the small box counts.
        let e = evaluate_boxes(&[1], &[1], &[gt(1, 0.0), gt(1, 50.0)], &dts, 100);
        assert_eq!((e.categories[0].gt, e.categories[0].tp50), (2, 2));
        // An ignore region overlapped by a prediction's whole area takes it even at a low
        // IoU (intersection over the prediction's area, as COCO's crowd boxes), and can take
        // several predictions.
        let mut crowd = gt(1, 0.0);
        crowd.ignore = true;
        crowd.bbox = [0.0, 0.0, 100.0, 100.0];
        let e = evaluate_boxes(
            &[1],
            &[1],
            &[crowd],
            &[dt(1, 10.0, 0.9), dt(1, 30.0, 0.8)],
            100,
        );
        assert_eq!(e.categories[0].ignored50, 2);
        assert_eq!(e.categories[0].ap50, None, "no ground truth that counts");
    }

    #[test]
    fn a_shifted_box_matches_only_below_its_iou() {
        // Shifted by 2 px: IoU = 80 / 120 = 0.667, a match at 0.50..0.65 only (4 of 10).
        let e = evaluate_boxes(&[1], &[1], &[gt(1, 0.0)], &[dt(1, 2.0, 0.9)], 100);
        assert!(
            (box_iou([2.0, 0.0, 10.0, 10.0], [0.0, 0.0, 10.0, 10.0]) - 80.0 / 120.0).abs() < 1e-12
        );
        // (Precision is tp / (tp + fp + ε), as in COCOeval: 1 − 2⁻⁵² for one hit.)
        assert!((e.ap50.unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(e.ap75, Some(0.0));
        assert!((e.ap.unwrap() - 0.4).abs() < 1e-12);
    }

    #[test]
    fn the_per_image_limit_drops_the_lowest_scores_and_empty_categories_are_skipped() {
        let e = evaluate_boxes(
            &[1],
            &[1, 2],
            &[gt(1, 0.0)],
            &[dt(1, 50.0, 0.9), dt(1, 0.0, 0.1)],
            1,
        );
        assert_eq!(e.dt_matched50, vec![Some(false), None]);
        assert_eq!(e.categories[0].recall50, Some(0.0));
        assert_eq!(e.categories[1].ap, None);
        assert_eq!(e.ap, Some(0.0));
    }

    #[test]
    fn the_operating_score_sets_precision_recall_and_matches_but_not_ap() {
        // As in `perfect_predictions_score_one_and_misses_cost_recall`: by score hit (0.9),
        // miss (0.8), hit (0.7), 4 ground-truth boxes. At 0.75 only the first two count: one
        // hit, one false positive: precision 1/2, recall 1/4; over all, recall 2/4.
        let gts = [gt(1, 0.0), gt(1, 50.0), gt(2, 0.0), gt(2, 50.0)];
        let dts = [dt(1, 0.0, 0.9), dt(1, 100.0, 0.8), dt(2, 0.0, 0.7)];
        let params = Params {
            max_dets: 100,
            operating_score: 0.75,
        };
        let e = evaluate_boxes_with(&[1, 2], &[1], &gts, &dts, params);
        let c = &e.categories[0];
        assert_eq!((c.tp50, c.fp50, c.ignored50, c.dt), (1, 1, 0, 3));
        assert_eq!(c.precision50, Some(0.5));
        assert_eq!(c.recall50, Some(0.25));
        assert_eq!(c.max_recall50, Some(0.5));
        assert_eq!(e.gt_matched50, vec![true, false, false, false]);
        let all = evaluate_boxes(&[1, 2], &[1], &gts, &dts, 100);
        assert_eq!(e.ap50, all.ap50, "AP uses every prediction");
    }

    #[test]
    fn log_average_miss_rate_by_hand() {
        // Two images, two people in each (10 px boxes), and an ignore region in image 1.
        let mut region = gt(1, 100.0);
        region.ignore = true;
        let gts = [gt(1, 0.0), gt(1, 50.0), gt(2, 0.0), gt(2, 50.0), region];
        let mut short = dt(1, 400.0, 0.95);
        short.bbox[3] = 5.0; // 5 px tall: below 10 / 1.25 = 8 px, dropped
        let dts = [
            short,
            dt(1, 0.0, 0.9),    // hit:            recall 1/4, FPPI 0
            dt(1, 100.0, 0.85), // ignore region:  neither
            dt(2, 0.0, 0.8),    // hit:            recall 2/4, FPPI 0
            dt(1, 200.0, 0.7),  // false positive: FPPI 1/2
            dt(1, 50.0, 0.6),   // hit:            recall 3/4, FPPI 1/2
            dt(2, 200.0, 0.5),  // false positive: FPPI 2/2
            dt(2, 300.0, 0.4),  // false positive: FPPI 3/2, past 10⁰
            dt(2, 50.0, 0.3),   // hit:            recall 4/4, at FPPI 3/2
        ];
        // FPPI points 10^(-2 + k/4), k = 0..8: the seven up to 10^-0.5 = 0.316 are below 1/2
        // and see recall 2/4 (miss rate 1/2); 10^-0.25 = 0.562 sees recall 3/4 (miss rate
        // 1/4), and so does 10⁰ = 1 (the hit at 3/2 comes too late).
        // MR⁻² = exp((7 ln 1/2 + 2 ln 1/4) / 9) = 2^(−11/9) ≈ 0.4276.
        let m = log_average_miss_rate(&[1, 2], 1, &gts, &dts, 100, [10.0, f64::INFINITY]).unwrap();
        let expected = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25];
        for (got, want) in m.miss_rates.iter().zip(expected) {
            assert!((got - want).abs() < 1e-12, "{:?}", m.miss_rates);
        }
        assert!((m.mr2 - 2f64.powf(-11.0 / 9.0)).abs() < 1e-12, "{}", m.mr2);
        // With no height filter the short box stays: a false positive first, so every false
        // positive comes one earlier. The seven low points see only the start (recall 0, miss
        // rate 1, ln 1 = 0); 0.562 sees FPPI 1/2 with two hits (miss rate 1/2); 1 sees FPPI
        // 2/2 with three (miss rate 1/4): MR⁻² = exp((ln 1/2 + ln 1/4) / 9) = 2^(−1/3).
        let m = log_average_miss_rate(&[1, 2], 1, &gts, &dts, 100, [0.0, f64::INFINITY]).unwrap();
        assert!((m.mr2 - 2f64.powf(-1.0 / 3.0)).abs() < 1e-12, "{}", m.mr2);
        // No predictions: every miss rate is 1. No ground truth that counts: no MR⁻².
        let m = log_average_miss_rate(&[1, 2], 1, &gts, &[], 100, [0.0, f64::INFINITY]).unwrap();
        assert_eq!(m.mr2, 1.0);
        assert_eq!(
            log_average_miss_rate(&[1], 1, &[region], &dts, 100, [0.0, f64::INFINITY]),
            None
        );
        let p = fppi_points();
        assert!((p[0] - 0.01).abs() < 1e-15 && (p[8] - 1.0).abs() < 1e-15);
    }

    #[test]
    fn counting_errors_and_dori_classes() {
        let (mae, rmse) = count_errors(&[(3.0, 1.0), (1.0, 1.0)]).unwrap();
        assert_eq!((mae, rmse), (1.0, 2f64.sqrt()));
        assert_eq!(count_errors(&[]), None);
        assert_eq!(dori_class(300.0), "identification");
        assert_eq!(dori_class(62.5), "observation");
        assert_eq!(dori_class(10.0), "below detection");
    }
}
