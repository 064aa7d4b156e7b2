//! Output decoders: from a model's output tensors to boxes in frame pixels, a count, or class
//! scores; and class-wise non-maximum suppression. Shape mismatches are errors naming the
//! output and the shape found, never panics.

use crate::card::Decoder;
use crate::preprocess::Placement;

/// One detected object, in frame pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Detection {
    pub class: usize,
    pub score: f32,
    /// Left, top, width, height.
    pub bbox: [f32; 4],
}

/// An output tensor as decoders read it.
#[derive(Clone, Copy, Debug)]
pub struct Output<'a> {
    pub name: &'a str,
    pub shape: &'a [usize],
    pub data: &'a [f32],
}

/// A density map in the model's output resolution.
#[derive(Clone, Debug, PartialEq)]
pub struct DensityMap {
    pub width: usize,
    pub height: usize,
    pub values: Vec<f32>,
}

/// What one run decodes to.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Decoded {
    pub detections: Vec<Detection>,
    pub density: Option<DensityMap>,
    pub class_scores: Vec<f32>,
}

fn find<'a>(outputs: &'a [Output<'a>], name: &str) -> Result<&'a Output<'a>, String> {
    outputs
        .iter()
        .find(|o| o.name == name)
        .ok_or_else(|| format!("the model gave no output `{name}`"))
}

/// The shape with leading 1s removed (`[1, 100, 4]` → `[100, 4]`), at least one axis kept.
fn squeeze(shape: &[usize]) -> Vec<usize> {
    let first = shape
        .iter()
        .position(|d| *d != 1)
        .unwrap_or(shape.len().saturating_sub(1));
    shape[first..].to_vec()
}

fn wrong(o: &Output, expected: &str) -> String {
    format!(
        "output `{}` has shape {:?}; the card's decoder expects {expected}",
        o.name, o.shape
    )
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x.clamp(-100.0, 100.0)).exp())
}

/// A box from input-pixel corners to frame pixels, clipped to the placement's region.
fn to_frame(p: &Placement, x0: f32, y0: f32, x1: f32, y1: f32) -> [f32; 4] {
    let [rx, ry, rw, rh] = p.region;
    let (a, b) = p.to_frame(x0, y0);
    let (c, d) = p.to_frame(x1, y1);
    let (l, t) = (a.max(rx as f32), b.max(ry as f32));
    let (r, bo) = (c.min((rx + rw) as f32), d.min((ry + rh) as f32));
    [l, t, (r - l).max(0.0), (bo - t).max(0.0)]
}

/// [`to_frame`] for a box given by its centre and size in input pixels.
fn centred_to_frame(p: &Placement, cx: f32, cy: f32, w: f32, h: f32) -> [f32; 4] {
    to_frame(p, cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0)
}

/// Decodes one run's outputs; detections at or above `threshold` only.
pub fn decode(
    decoder: &Decoder,
    outputs: &[Output],
    placement: &Placement,
    threshold: f32,
) -> Result<Decoded, String> {
    let mut out = Decoded::default();
    match decoder {
        Decoder::Ssd {
            boxes,
            scores,
            classes,
            first_class,
        } => {
            out.detections = ssd(
                outputs,
                boxes,
                scores,
                classes.as_deref(),
                *first_class,
                placement,
                threshold,
            )?;
        }
        Decoder::Anchors {
            scores,
            boxes,
            strides,
            anchors,
        } => {
            out.detections = anchor_boxes(
                outputs, scores, boxes, strides, anchors, placement, threshold,
            )?;
        }
        Decoder::CenterFace {
            heatmap,
            scale,
            offset,
        } => {
            out.detections = centerface(
                find(outputs, heatmap)?,
                find(outputs, scale)?,
                find(outputs, offset)?,
                placement,
                threshold,
            )?;
        }
        Decoder::Yolo {
            output,
            channels_first,
        } => {
            out.detections = yolo(
                find(outputs, output)?,
                *channels_first,
                placement,
                threshold,
            )?;
        }
        Decoder::Yolox { output, strides } => {
            out.detections = yolox(find(outputs, output)?, strides, placement, threshold)?;
        }
        Decoder::DensityMap { output, .. } => {
            out.density = Some(density_map(find(outputs, output)?)?);
        }
        Decoder::Classification { output, softmax } => {
            out.class_scores = class_scores(find(outputs, output)?, *softmax)?;
        }
    }
    out.detections
        .retain(|d| d.bbox[2] > 0.0 && d.bbox[3] > 0.0);
    Ok(out)
}

/// TensorFlow Object Detection API style: normalised `(ymin, xmin, ymax, xmax)` boxes, one
/// score and optionally one class number per box.
fn ssd(
    outputs: &[Output],
    boxes: &str,
    scores: &str,
    classes: Option<&str>,
    first_class: u32,
    placement: &Placement,
    threshold: f32,
) -> Result<Vec<Detection>, String> {
    let (iw, ih) = (placement.input.0 as f32, placement.input.1 as f32);
    let b = find(outputs, boxes)?;
    let s = find(outputs, scores)?;
    let bs = squeeze(b.shape);
    if bs.len() != 2 || bs[1] != 4 {
        return Err(wrong(b, "[1, N, 4]"));
    }
    let n = bs[0];
    if s.data.len() != n {
        return Err(wrong(s, &format!("[1, {n}] (one score per box)")));
    }
    let c = match classes {
        Some(name) => {
            let c = find(outputs, name)?;
            if c.data.len() != n {
                return Err(wrong(c, &format!("[1, {n}] (one class per box)")));
            }
            Some(c)
        }
        None => None,
    };
    let mut out = Vec::new();
    for i in 0..n {
        let score = s.data[i];
        if score < threshold {
            continue;
        }
        let class = c.map_or(0, |c| {
            (c.data[i] as i64 - first_class as i64).max(0) as usize
        });
        let r = &b.data[i * 4..i * 4 + 4];
        let bbox = to_frame(placement, r[1] * iw, r[0] * ih, r[3] * iw, r[2] * ih);
        out.push(Detection { class, score, bbox });
    }
    Ok(out)
}

/// Anchor-based face boxes: per feature map, score logits and centre offsets and sizes for
/// `anchors` boxes per cell of the input's grid at that map's stride.
fn anchor_boxes(
    outputs: &[Output],
    scores: &[String],
    boxes: &[String],
    strides: &[u32],
    anchors: &[u32],
    placement: &Placement,
    threshold: f32,
) -> Result<Vec<Detection>, String> {
    let (iw, ih) = (placement.input.0 as f32, placement.input.1 as f32);
    let mut out = Vec::new();
    for (k, (sname, bname)) in scores.iter().zip(boxes).enumerate() {
        let s = find(outputs, sname)?;
        let b = find(outputs, bname)?;
        let gw = (placement.input.0 / strides[k]).max(1) as usize;
        let gh = (placement.input.1 / strides[k]).max(1) as usize;
        let per = anchors[k] as usize;
        let n = gw * gh * per;
        if s.data.len() != n {
            return Err(wrong(
                s,
                &format!("{n} scores ({gw}×{gh} cells × {per} anchors)"),
            ));
        }
        let bs = squeeze(b.shape);
        if bs.len() != 2 || bs[0] != n || bs[1] < 4 {
            return Err(wrong(b, &format!("[1, {n}, ≥4]")));
        }
        let stride = bs[1];
        for i in 0..n {
            let score = sigmoid(s.data[i]);
            if score < threshold {
                continue;
            }
            let cell = i / per;
            let (ax, ay) = (
                ((cell % gw) as f32 + 0.5) / gw as f32,
                ((cell / gw) as f32 + 0.5) / gh as f32,
            );
            let r = &b.data[i * stride..i * stride + 4];
            let (cx, cy) = (r[0] + ax * iw, r[1] + ay * ih);
            let (w, h) = (r[2], r[3]);
            let bbox = centred_to_frame(placement, cx, cy, w, h);
            out.push(Detection {
                class: 0,
                score,
                bbox,
            });
        }
    }
    Ok(out)
}

/// CenterFace: a heatmap at a quarter of the input's resolution, with log sizes and centre
/// offsets (two planes each) per cell.
fn centerface(
    hm: &Output,
    sc: &Output,
    of: &Output,
    placement: &Placement,
    threshold: f32,
) -> Result<Vec<Detection>, String> {
    let (iw, ih) = (placement.input.0 as f32, placement.input.1 as f32);
    let hs = squeeze(hm.shape);
    let (h, w) = match hs.as_slice() {
        [h, w] => (*h, *w),
        _ => return Err(wrong(hm, "[1, 1, H/4, W/4]")),
    };
    let plane = h * w;
    for o in [sc, of] {
        if o.data.len() != 2 * plane {
            return Err(wrong(o, &format!("[1, 2, {h}, {w}]")));
        }
    }
    let mut out = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            let score = hm.data[i];
            if score < threshold {
                continue;
            }
            let bh = sc.data[i].exp() * 4.0;
            let bw = sc.data[plane + i].exp() * 4.0;
            let (oy, ox) = (of.data[i], of.data[plane + i]);
            let x0 = ((x as f32 + ox + 0.5) * 4.0 - bw / 2.0).max(0.0);
            let y0 = ((y as f32 + oy + 0.5) * 4.0 - bh / 2.0).max(0.0);
            let bbox = to_frame(placement, x0, y0, (x0 + bw).min(iw), (y0 + bh).min(ih));
            out.push(Detection {
                class: 0,
                score,
                bbox,
            });
        }
    }
    Ok(out)
}

/// YOLO style `[1, N, 4 + C]` (or `[1, 4 + C, N]` when `channels_first`): box centre and
/// size in input pixels, then one score per class; the best class is the box's.
fn yolo(
    o: &Output,
    channels_first: bool,
    placement: &Placement,
    threshold: f32,
) -> Result<Vec<Detection>, String> {
    let s = squeeze(o.shape);
    if s.len() != 2 {
        return Err(wrong(o, "[1, N, 4 + C] or [1, 4 + C, N]"));
    }
    let (n, k) = if channels_first {
        (s[1], s[0])
    } else {
        (s[0], s[1])
    };
    if k < 5 {
        return Err(wrong(o, "at least 5 values per box (4 + classes)"));
    }
    let at = |i: usize, j: usize| {
        if channels_first {
            o.data[j * n + i]
        } else {
            o.data[i * k + j]
        }
    };
    let mut out = Vec::new();
    for i in 0..n {
        let (mut best, mut class) = (f32::MIN, 0);
        for j in 4..k {
            let v = at(i, j);
            if v > best {
                best = v;
                class = j - 4;
            }
        }
        if best < threshold {
            continue;
        }
        let (cx, cy, w, h) = (at(i, 0), at(i, 1), at(i, 2), at(i, 3));
        let bbox = centred_to_frame(placement, cx, cy, w, h);
        out.push(Detection {
            class,
            score: best,
            bbox,
        });
    }
    Ok(out)
}

/// A density map `[1, 1, h, w]` (or `[1, h, w]`).
fn density_map(o: &Output) -> Result<DensityMap, String> {
    let s = squeeze(o.shape);
    let (h, w) = match s.as_slice() {
        [h, w] => (*h, *w),
        _ => return Err(wrong(o, "[1, 1, h, w] or [1, h, w]")),
    };
    Ok(DensityMap {
        width: w,
        height: h,
        values: o.data.to_vec(),
    })
}

/// Class scores `[1, C]`, through a softmax when they are logits.
fn class_scores(o: &Output, softmax: bool) -> Result<Vec<f32>, String> {
    if squeeze(o.shape).len() != 1 {
        return Err(wrong(o, "[1, C]"));
    }
    let mut v = o.data.to_vec();
    if softmax {
        let m = v.iter().cloned().fold(f32::MIN, f32::max);
        let sum: f32 = v.iter().map(|x| (x - m).exp()).sum();
        v.iter_mut().for_each(|x| *x = (*x - m).exp() / sum);
    }
    Ok(v)
}

/// A classifier's scores as `(class name, score)`, best first (ties in the model's class
/// order); a class the card does not name is `class i`.
pub fn ranked(classes: &[String], scores: &[f32]) -> Vec<(String, f32)> {
    let mut v: Vec<(String, f32)> = scores
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let name = classes
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("class {i}"));
            (name, if s.is_nan() { f32::MIN } else { *s })
        })
        .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1));
    v
}

/// The best class of a row of class scores: `(class, score)`.
fn best_class(scores: &[f32]) -> (usize, f32) {
    scores.iter().enumerate().fold(
        (0, f32::MIN),
        |b, (c, v)| if *v > b.1 { (c, *v) } else { b },
    )
}

/// YOLOX's raw head `[1, N, 5 + C]`: for each stride `s`, the `(W/s) × (H/s)` grid's cells
/// row by row, the grids one after another.
fn yolox(
    o: &Output,
    strides: &[u32],
    placement: &Placement,
    threshold: f32,
) -> Result<Vec<Detection>, String> {
    let (grids, k) = yolox_grids(o, strides, placement.input)?;
    let mut rows = o.data.chunks_exact(k);
    let mut out = Vec::new();
    for ((gw, gh), s) in grids.into_iter().zip(strides) {
        for (i, r) in rows.by_ref().take(gw * gh).enumerate() {
            let cell = ((i % gw) as f32, (i / gw) as f32);
            out.extend(yolox_cell(r, cell, *s as f32, placement, threshold));
        }
    }
    Ok(out)
}

/// Each stride's grid `(columns, rows)` and the values per cell, checked against the output.
fn yolox_grids(
    o: &Output,
    strides: &[u32],
    (iw, ih): (u32, u32),
) -> Result<(Vec<(usize, usize)>, usize), String> {
    if strides.is_empty() || strides.contains(&0) {
        return Err(format!(
            "Yolox strides {strides:?}: give at least one, each ≥ 1"
        ));
    }
    let grids: Vec<(usize, usize)> = strides
        .iter()
        .map(|s| ((iw / s) as usize, (ih / s) as usize))
        .collect();
    let n: usize = grids.iter().map(|(w, h)| w * h).sum();
    let k = o.shape.last().copied().unwrap_or(0);
    if k < 6 || o.data.len() != n * k {
        return Err(wrong(
            o,
            &format!(
                "[1, {n}, 5 + classes] ({n} cells on the {strides:?} grids of a {iw}×{ih} input)"
            ),
        ));
    }
    Ok((grids, k))
}

/// One cell `(dx, dy, log w, log h, objectness, class probabilities...)` of stride `s`:
/// centre `((dx, dy) + cell) × s`, size `exp(log w, log h) × s` in input pixels, score
/// objectness × the best class's probability.
fn yolox_cell(
    r: &[f32],
    (x, y): (f32, f32),
    s: f32,
    placement: &Placement,
    threshold: f32,
) -> Option<Detection> {
    // Class probabilities are at most 1: below the threshold in objectness, below it in score.
    if r[4] < threshold {
        return None;
    }
    let (class, p) = best_class(&r[5..]);
    let score = r[4] * p;
    if score < threshold {
        return None;
    }
    let (cx, cy) = ((r[0] + x) * s, (r[1] + y) * s);
    let (w, h) = (r[2].exp() * s, r[3].exp() * s);
    let (x0, y0) = (cx - w / 2.0, cy - h / 2.0);
    let bbox = to_frame(placement, x0, y0, x0 + w, y0 + h);
    Some(Detection { class, score, bbox })
}

/// Intersection over union of two `[x, y, w, h]` boxes.
pub fn iou(a: [f32; 4], b: [f32; 4]) -> f32 {
    let w = (a[0] + a[2]).min(b[0] + b[2]) - a[0].max(b[0]);
    let h = (a[1] + a[3]).min(b[1] + b[3]) - a[1].max(b[1]);
    if w <= 0.0 || h <= 0.0 {
        return 0.0;
    }
    let inter = w * h;
    inter / (a[2] * a[3] + b[2] * b[3] - inter)
}

/// Class-wise greedy non-maximum suppression: highest score first, dropping boxes of the same
/// class that overlap a kept one by more than `threshold`. Returns the kept boxes, best first.
pub fn nms(mut dets: Vec<Detection>, threshold: f32) -> Vec<Detection> {
    dets.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Detection> = Vec::with_capacity(dets.len());
    for d in dets {
        if kept
            .iter()
            .all(|k| k.class != d.class || iou(k.bbox, d.bbox) <= threshold)
        {
            kept.push(d);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placement(iw: u32, ih: u32, region: [u32; 4]) -> Placement {
        Placement {
            region,
            input: (iw, ih),
            inner: [0.0, 0.0, iw as f32, ih as f32],
        }
    }

    #[test]
    fn ssd_boxes_are_yx_normalised_and_mapped_to_the_region() {
        let boxes = [0.1, 0.2, 0.5, 0.6, 0.0, 0.0, 1.0, 1.0];
        let scores = [0.9, 0.2];
        let classes = [1.0, 1.0];
        let outs = [
            Output {
                name: "b",
                shape: &[1, 2, 4],
                data: &boxes,
            },
            Output {
                name: "s",
                shape: &[1, 2],
                data: &scores,
            },
            Output {
                name: "c",
                shape: &[1, 2],
                data: &classes,
            },
        ];
        let dec = Decoder::Ssd {
            boxes: "b".into(),
            scores: "s".into(),
            classes: Some("c".into()),
            first_class: 1,
        };
        // A 300×300 input fed from the right half (320..640) of a 640×360 frame.
        let p = placement(300, 300, [320, 0, 320, 360]);
        let d = decode(&dec, &outs, &p, 0.5).unwrap().detections;
        assert_eq!(d.len(), 1);
        let [x, y, w, h] = d[0].bbox;
        let close = |a: f32, b: f32| (a - b).abs() < 1e-3;
        assert!(
            close(x, 320.0 + 0.2 * 320.0) && close(y, 0.1 * 360.0),
            "{:?}",
            d[0]
        );
        assert!(close(w, 0.4 * 320.0) && close(h, 0.4 * 360.0), "{:?}", d[0]);
        assert_eq!(d[0].class, 0);
    }

    #[test]
    fn anchor_boxes_sit_on_their_cell() {
        // One 2×2 map (stride 128 on a 256 input), one anchor per cell; cell (1, 0) fires
        // with a 20×10 box centred 3 px right of the cell centre.
        let scores = [-10.0, 5.0, -10.0, -10.0];
        let mut boxes = [0.0f32; 16];
        boxes[4..8].copy_from_slice(&[3.0, 0.0, 20.0, 10.0]);
        let outs = [
            Output {
                name: "s",
                shape: &[1, 4, 1],
                data: &scores,
            },
            Output {
                name: "b",
                shape: &[1, 4, 4],
                data: &boxes,
            },
        ];
        let dec = Decoder::Anchors {
            scores: vec!["s".into()],
            boxes: vec!["b".into()],
            strides: vec![128],
            anchors: vec![1],
        };
        let d = decode(&dec, &outs, &placement(256, 256, [0, 0, 256, 256]), 0.5)
            .unwrap()
            .detections;
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].bbox, [192.0 + 3.0 - 10.0, 64.0 - 5.0, 20.0, 10.0]);
    }

    #[test]
    fn centerface_cells_decode_scale_and_offset() {
        // 2×2 heatmap (an 8×8 input); cell (x 1, y 0) fires; box 8 px high (e^ln2 × 4) and
        // 4 px wide (e^0 × 4), offset half a cell right.
        let heat = [0.1, 0.9, 0.1, 0.1];
        let scale = [0.0, 2f32.ln(), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let offset = [0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0];
        let outs = [
            Output {
                name: "h",
                shape: &[1, 1, 2, 2],
                data: &heat,
            },
            Output {
                name: "s",
                shape: &[1, 2, 2, 2],
                data: &scale,
            },
            Output {
                name: "o",
                shape: &[1, 2, 2, 2],
                data: &offset,
            },
        ];
        let dec = Decoder::CenterFace {
            heatmap: "h".into(),
            scale: "s".into(),
            offset: "o".into(),
        };
        let d = decode(&dec, &outs, &placement(8, 8, [0, 0, 8, 8]), 0.5)
            .unwrap()
            .detections;
        assert_eq!(d.len(), 1);
        // centre x = (1 + 0.5 + 0.5) × 4 = 8 → left 6, right 10 clipped to 8; centre y =
        // 0.5 × 4 = 2 → top −2 clipped to 0, and (as CenterFace's reference decoder does) the
        // height is added to the clipped top: bottom 8.
        assert_eq!(d[0].bbox, [6.0, 0.0, 2.0, 8.0]);
    }

    #[test]
    fn yolo_rows_and_columns_agree() {
        // Two boxes, two classes: (cx, cy, w, h, p0, p1).
        let rows = [
            50.0, 40.0, 20.0, 10.0, 0.1, 0.8, 10.0, 10.0, 4.0, 4.0, 0.2, 0.1,
        ];
        let mut cols = [0.0f32; 12];
        for i in 0..2 {
            for j in 0..6 {
                cols[j * 2 + i] = rows[i * 6 + j];
            }
        }
        let p = placement(100, 100, [0, 0, 100, 100]);
        let a = decode(
            &Decoder::Yolo {
                output: "o".into(),
                channels_first: false,
            },
            &[Output {
                name: "o",
                shape: &[1, 2, 6],
                data: &rows,
            }],
            &p,
            0.5,
        )
        .unwrap();
        let b = decode(
            &Decoder::Yolo {
                output: "o".into(),
                channels_first: true,
            },
            &[Output {
                name: "o",
                shape: &[1, 6, 2],
                data: &cols,
            }],
            &p,
            0.5,
        )
        .unwrap();
        assert_eq!(a, b);
        assert_eq!(
            a.detections,
            vec![Detection {
                class: 1,
                score: 0.8,
                bbox: [40.0, 35.0, 20.0, 10.0]
            }]
        );
    }

    /// A YOLOX head for a 64 × 32 input (grids 8 × 4, 4 × 2, 2 × 1: 42 cells) and two
    /// classes, every cell empty.
    fn yolox_head() -> Vec<f32> {
        vec![0.0f32; 42 * 7]
    }

    fn yolox_decoder() -> Decoder {
        Decoder::Yolox {
            output: "output".into(),
            strides: vec![8, 16, 32],
        }
    }

    #[test]
    fn a_yolox_cell_decodes_to_its_box_in_frame_pixels() {
        let mut head = yolox_head();
        // Stride 16, cell (x 1, y 0): after the 32 cells of stride 8, row 33. Centre offset
        // (0.5, 1.0) cells, size e^ln1.25 × 16 = 20 by e^ln1.5 × 16 = 24 input pixels;
        // objectness 0.9, classes (0.2, 0.8): class 1, score 0.72.
        head[33 * 7..34 * 7].copy_from_slice(&[0.5, 1.0, 1.25f32.ln(), 1.5f32.ln(), 0.9, 0.2, 0.8]);
        // Stride 8, cell 5: objectness and class each above the threshold, their product
        // (0.6 × 0.7 = 0.42) below it.
        head[5 * 7..6 * 7].copy_from_slice(&[0.0, 0.0, 0.0, 0.0, 0.6, 0.7, 0.1]);
        // Stride 32, cell 1: objectness 0.4, below the threshold.
        head[41 * 7..42 * 7].copy_from_slice(&[0.0, 0.0, 0.0, 0.0, 0.4, 1.0, 0.0]);
        // The 120 × 60 region at (100, 50) of the frame, halved into the top left of the
        // 64 × 32 input (60 × 30, padded right and below).
        let p = Placement {
            region: [100, 50, 120, 60],
            input: (64, 32),
            inner: [0.0, 0.0, 60.0, 30.0],
        };
        let outs = [Output {
            name: "output",
            shape: &[1, 42, 7],
            data: &head,
        }];
        let d = decode(&yolox_decoder(), &outs, &p, 0.5).unwrap().detections;
        assert_eq!(d.len(), 1, "{d:?}");
        // By hand: centre ((0.5 + 1) × 16, (1.0 + 0) × 16) = (24, 16), so the input box is
        // x 14..34, y 4..28; in the frame ×2 from (100, 50): left 128, top 58, 40 × 48.
        let close = |a: f32, b: f32| (a - b).abs() < 1e-3;
        let [x, y, w, h] = d[0].bbox;
        assert!(
            close(x, 128.0) && close(y, 58.0) && close(w, 40.0) && close(h, 48.0),
            "{d:?}"
        );
        assert_eq!(d[0].class, 1);
        assert!(close(d[0].score, 0.72), "{d:?}");
    }

    #[test]
    fn a_yolox_head_of_the_wrong_size_names_the_cells_expected() {
        let head = yolox_head();
        let e = decode(
            &yolox_decoder(),
            &[Output {
                name: "output",
                shape: &[1, 41, 7],
                data: &head[..41 * 7],
            }],
            &placement(64, 32, [0, 0, 64, 32]),
            0.5,
        )
        .unwrap_err();
        assert!(e.contains("`output`") && e.contains("[1, 41, 7]"), "{e}");
        assert!(
            e.contains("42 cells on the [8, 16, 32] grids of a 64×32 input"),
            "{e}"
        );
    }

    #[test]
    fn density_maps_and_class_scores_come_through() {
        let p = placement(8, 8, [0, 0, 8, 8]);
        let map = [0.5, 0.25, 0.0, 1.25];
        let d = decode(
            &Decoder::DensityMap {
                output: "d".into(),
                scale: 1.0,
            },
            &[Output {
                name: "d",
                shape: &[1, 1, 2, 2],
                data: &map,
            }],
            &p,
            0.5,
        )
        .unwrap();
        let m = d.density.unwrap();
        assert_eq!(
            (m.width, m.height, m.values.iter().sum::<f32>()),
            (2, 2, 2.0)
        );
        let logits = [0.0, 2f32.ln()];
        let c = decode(
            &Decoder::Classification {
                output: "c".into(),
                softmax: true,
            },
            &[Output {
                name: "c",
                shape: &[1, 2],
                data: &logits,
            }],
            &p,
            0.5,
        )
        .unwrap();
        // e^0 : e^ln2 = 1 : 2.
        assert!(
            (c.class_scores[0] - 1.0 / 3.0).abs() < 1e-6
                && (c.class_scores[1] - 2.0 / 3.0).abs() < 1e-6
        );
    }

    #[test]
    fn classification_scores_are_ranked_with_their_names() {
        let p = Placement {
            input: (4, 4),
            region: [0, 0, 4, 4],
            inner: [0.0, 0.0, 4.0, 4.0],
        };
        let logits = [1.0f32, 3.0, 2.0];
        let c = decode(
            &Decoder::Classification {
                output: "logits".into(),
                softmax: true,
            },
            &[Output {
                name: "logits",
                shape: &[1, 3],
                data: &logits,
            }],
            &p,
            0.5,
        )
        .unwrap();
        let names = ["saloon".to_string(), "van".into()];
        let r = ranked(&names, &c.class_scores);
        let order: Vec<&str> = r.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(order, ["van", "class 2", "saloon"]);
        assert!((r.iter().map(|(_, s)| s).sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(r[0].1 > r[1].1 && r[1].1 > r[2].1);
        // A [1, C, 1] output (C logits) is refused with its shape named... unless squeezable.
        let e = decode(
            &Decoder::Classification {
                output: "logits".into(),
                softmax: false,
            },
            &[Output {
                name: "logits",
                shape: &[1, 3, 2],
                data: &[0.0; 6],
            }],
            &p,
            0.5,
        )
        .unwrap_err();
        assert!(e.contains("[1, 3, 2]"), "{e}");
    }

    #[test]
    fn shape_mismatches_name_the_output() {
        let data = [0.0f32; 10];
        let e = decode(
            &Decoder::Yolo {
                output: "out".into(),
                channels_first: false,
            },
            &[Output {
                name: "out",
                shape: &[1, 10],
                data: &data,
            }],
            &placement(10, 10, [0, 0, 10, 10]),
            0.5,
        )
        .unwrap_err();
        assert!(e.contains("`out`") && e.contains("[1, 10]"), "{e}");
        let e = decode(
            &Decoder::DensityMap {
                output: "d".into(),
                scale: 1.0,
            },
            &[Output {
                name: "x",
                shape: &[1, 10],
                data: &data,
            }],
            &placement(10, 10, [0, 0, 10, 10]),
            0.5,
        )
        .unwrap_err();
        assert!(e.contains("no output `d`"), "{e}");
    }

    #[test]
    fn nms_keeps_the_best_of_overlapping_boxes_per_class() {
        let d = |class, score, x| Detection {
            class,
            score,
            bbox: [x, 0.0, 10.0, 10.0],
        };
        let kept = nms(
            vec![
                d(0, 0.6, 1.0),
                d(0, 0.9, 0.0),
                d(1, 0.5, 0.0),
                d(0, 0.7, 50.0),
            ],
            0.5,
        );
        assert_eq!(kept, vec![d(0, 0.9, 0.0), d(0, 0.7, 50.0), d(1, 0.5, 0.0)]);
        assert!((iou([0.0, 0.0, 10.0, 10.0], [5.0, 0.0, 10.0, 10.0]) - 1.0 / 3.0).abs() < 1e-6);
    }
}
