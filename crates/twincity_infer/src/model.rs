//! A model opened from its card: the ONNX Runtime session, checked against the card when it
//! is opened (input name, element type, rank, channels, size; outputs the decoder reads; and
//! one run on a grey frame through the decoder), then run on frames, whole or in tiles.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ort::session::Session;
use ort::value::{TensorElementType, TensorRef, ValueType};

use twincity_model::ronfile::read_limited;

use crate::card::{Decoder, Element, InputSize, Layout, MAX_MODEL_BYTES, ModelCard, Task, Tiling};
use crate::decode::{self, Decoded, DensityMap, Detection, Output};
use crate::preprocess::{Frame, Prepared, Preprocessor, Region, TensorData};
use crate::runtime::{self, RuntimeError};

/// Why a model cannot be opened or run.
#[derive(Debug, thiserror::Error)]
pub enum InferError {
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    #[error(transparent)]
    Card(#[from] twincity_model::ronfile::DocError),
    #[error("{path}: ONNX Runtime cannot open this model: {message}")]
    Open { path: PathBuf, message: String },
    #[error("{card}: `model`: cannot read {}: {message}", model.display())]
    Read {
        card: PathBuf,
        model: PathBuf,
        message: String,
    },
    #[error("{card}: the card does not fit {model}: {message}")]
    Mismatch {
        card: PathBuf,
        model: PathBuf,
        message: String,
    },
    #[error("{model}: {message}")]
    Run { model: PathBuf, message: String },
}

/// Time spent in each step of one inference (all tiles together).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Timing {
    pub preprocess: Duration,
    pub run: Duration,
    pub decode: Duration,
}

impl Timing {
    pub fn total(&self) -> Duration {
        self.preprocess + self.run + self.decode
    }
}

/// What a model says about one frame.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Inference {
    /// Boxes after non-maximum suppression, best first.
    pub detections: Vec<Detection>,
    /// The predicted crowd count: the density map's sum, or the number of person boxes.
    pub count: f32,
    pub density: Option<DensityMap>,
    /// Classification models: one score per class.
    pub class_scores: Vec<f32>,
    /// Model runs (tiles) this frame took.
    pub runs: usize,
    pub timing: Timing,
}

/// A model ready to run.
pub struct Model {
    pub card: ModelCard,
    pub card_path: PathBuf,
    pub model_path: PathBuf,
    session: Session,
    input_name: String,
    pre: Preprocessor,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("card", &self.card_path)
            .field("model", &self.model_path)
            .finish_non_exhaustive()
    }
}

fn dims(shape: &[i64]) -> String {
    let d: Vec<String> = shape
        .iter()
        .map(|d| {
            if *d < 0 {
                "?".to_string()
            } else {
                d.to_string()
            }
        })
        .collect();
    format!("[{}]", d.join(", "))
}

fn describe(t: &ValueType) -> String {
    match t {
        ValueType::Tensor { ty, shape, .. } => format!("{ty} tensor {}", dims(shape)),
        other => format!("{other:?}"),
    }
}

impl Model {
    /// Opens the model a card describes, on one intra-op thread (faster than two on a busy
    /// two-core machine), and checks the card against it.
    pub fn load(card_path: &Path) -> Result<Model, InferError> {
        Self::load_with_threads(card_path, 1)
    }

    pub fn load_with_threads(card_path: &Path, threads: usize) -> Result<Model, InferError> {
        let (card, model_path) = ModelCard::read(card_path)?;
        let rt = runtime::runtime()?;
        // Read here, bounded, and handed to ONNX Runtime as bytes: the runtime never opens a
        // file the card's check did not see (a file swapped for a device after the check).
        let bytes = read_limited(&model_path, MAX_MODEL_BYTES, "ONNX models").map_err(|e| {
            InferError::Read {
                card: card_path.to_path_buf(),
                model: model_path.clone(),
                message: e.to_string(),
            }
        })?;
        let open = |message: String| InferError::Open {
            path: model_path.clone(),
            message,
        };
        let session = Session::builder(&rt.environment)
            .map_err(|e| open(e.to_string()))?
            .with_intra_threads(threads.max(1))
            .map_err(|e| open(e.to_string()))?
            .with_inter_threads(1)
            .map_err(|e| open(e.to_string()))?
            .commit_from_memory(&bytes)
            .map_err(|e| open(e.to_string()))?;
        drop(bytes);
        let mismatch = |message: String| InferError::Mismatch {
            card: card_path.to_path_buf(),
            model: model_path.clone(),
            message,
        };
        let input_name = check_signature(&card, &session).map_err(mismatch)?;
        let mut model = Model {
            card,
            card_path: card_path.to_path_buf(),
            model_path: model_path.clone(),
            session,
            input_name,
            pre: Preprocessor::default(),
        };
        // One run on a grey frame: output shapes the decoder cannot read show up now, as a
        // mismatch, rather than on the first camera frame.
        let (w, h) = model.card.input_size(64, 64);
        let grey = vec![128u8; (w * h * 4) as usize];
        let frame = Frame::rgba(w, h, &grey);
        model.infer(&frame, None).map_err(|e| match e {
            InferError::Run { message, .. } => mismatch(message),
            other => other,
        })?;
        Ok(model)
    }

    /// The regions of a `w × h` frame that are run: the whole frame, or the tiles (and the
    /// whole frame when the tiling asks for it).
    pub fn regions(w: u32, h: u32, tiling: Option<Tiling>) -> Vec<Region> {
        let Some(t) = tiling else {
            return vec![[0, 0, w, h]];
        };
        let axis = |len: u32, n: u32| -> Vec<(u32, u32)> {
            let n = n.max(1) as f32;
            let size = len as f32 / (n - (n - 1.0) * t.overlap);
            let step = size * (1.0 - t.overlap);
            (0..n as u32)
                .map(|i| {
                    let start = (i as f32 * step).round() as u32;
                    let end = ((i as f32 * step + size).round() as u32).min(len);
                    (start.min(len - 1), (end - start.min(len - 1)).max(1))
                })
                .collect()
        };
        let mut regions = Vec::new();
        if t.whole_image && (t.columns > 1 || t.rows > 1) {
            regions.push([0, 0, w, h]);
        }
        for (y, th) in axis(h, t.rows) {
            for (x, tw) in axis(w, t.columns) {
                regions.push([x, y, tw, th]);
            }
        }
        regions
    }

    /// Builds the input tensor for one region (what [`Model::infer`] does before running).
    pub fn prepare(&mut self, frame: &Frame, region: Region) -> Result<Prepared, InferError> {
        let input = self.card.input_size(region[2], region[3]);
        self.pre
            .prepare(&self.card.input, frame, region, input)
            .map_err(|message| InferError::Run {
                model: self.model_path.clone(),
                message,
            })
    }

    /// ONNX Runtime's `session.run` on a prepared tensor and nothing else (the benchmark's
    /// baseline).
    pub fn run_only(&mut self, prepared: &Prepared) -> Result<(), InferError> {
        self.run_decode(prepared, false, self.card.score_threshold)
            .map(|_| ())
    }

    fn run_error(&self, message: String) -> InferError {
        InferError::Run {
            model: self.model_path.clone(),
            message,
        }
    }

    /// Runs one prepared tensor; decodes when `decode`, keeping boxes scoring at least
    /// `threshold` (the decode time is then part of the result's timing, the run's of the
    /// caller's).
    fn run_decode(
        &mut self,
        prepared: &Prepared,
        decode: bool,
        threshold: f32,
    ) -> Result<Option<(Decoded, Duration)>, InferError> {
        let shape: Vec<i64> = prepared.shape.iter().map(|d| *d as i64).collect();
        let value = match &prepared.data {
            TensorData::U8(v) => TensorRef::from_array_view((shape, v.as_slice()))
                .map(|t| t.into_dyn())
                .map_err(|e| e.to_string()),
            TensorData::F32(v) => TensorRef::from_array_view((shape, v.as_slice()))
                .map(|t| t.into_dyn())
                .map_err(|e| e.to_string()),
        }
        .map_err(|m| self.run_error(m))?;
        let names: Vec<String> = self
            .card
            .decoder
            .outputs()
            .into_iter()
            .map(str::to_string)
            .collect();
        let input_name = self.input_name.clone();
        let outputs = self
            .session
            .run(vec![(input_name.as_str(), value)])
            .map_err(|e| InferError::Run {
                model: self.model_path.clone(),
                message: e.to_string(),
            })?;
        if !decode {
            return Ok(None);
        }
        let t = Instant::now();
        let mut tensors = Vec::with_capacity(names.len());
        for name in &names {
            let v = outputs
                .get(name)
                .ok_or_else(|| format!("the model gave no output `{name}`"))
                .and_then(|v| {
                    v.try_extract_tensor::<f32>()
                        .map_err(|e| format!("output `{name}`: {e}"))
                });
            match v {
                Ok((shape, data)) => {
                    let shape: Vec<usize> = shape.iter().map(|d| (*d).max(0) as usize).collect();
                    tensors.push((name.as_str(), shape, data));
                }
                Err(m) => {
                    return Err(InferError::Run {
                        model: self.model_path.clone(),
                        message: m,
                    });
                }
            }
        }
        let outs: Vec<Output> = tensors
            .iter()
            .map(|(name, shape, data)| Output { name, shape, data })
            .collect();
        let decoded = decode::decode(&self.card.decoder, &outs, &prepared.placement, threshold)
            .map_err(|message| InferError::Run {
                model: self.model_path.clone(),
                message,
            })?;
        Ok(Some((decoded, t.elapsed())))
    }

    /// Runs the model on a frame, whole or in tiles (`tiling`, else the card's), keeping the
    /// boxes that score at least the card's threshold.
    pub fn infer(
        &mut self,
        frame: &Frame,
        tiling: Option<Tiling>,
    ) -> Result<Inference, InferError> {
        self.infer_down_to(frame, tiling, self.card.score_threshold)
    }

    /// [`Model::infer`] keeping the boxes that score at least `threshold` (an evaluation's
    /// low one, such as 0.001, for the whole precision–recall curve), through the same
    /// non-maximum suppression. The count is still the card's: the person boxes at or above
    /// the card's threshold — the very boxes [`Model::infer`] keeps, since a box at or above
    /// it is suppressed only by a better-scoring one.
    pub fn infer_down_to(
        &mut self,
        frame: &Frame,
        tiling: Option<Tiling>,
        threshold: f32,
    ) -> Result<Inference, InferError> {
        let tiling = tiling.or(self.card.tiling);
        let regions = Self::regions(frame.width, frame.height, tiling);
        let mut timing = Timing::default();
        let mut all = Vec::new();
        let mut density = None;
        let mut class_scores = Vec::new();
        for region in &regions {
            let t = Instant::now();
            let prepared = self.prepare(frame, *region)?;
            timing.preprocess += t.elapsed();
            let t = Instant::now();
            let (decoded, decode_time) = self
                .run_decode(&prepared, true, threshold)?
                .expect("decode was asked for");
            timing.run += t.elapsed() - decode_time;
            timing.decode += decode_time;
            all.extend(decoded.detections);
            if density.is_none() {
                density = decoded.density;
            }
            if class_scores.is_empty() {
                class_scores = decoded.class_scores;
            }
        }
        let t = Instant::now();
        let detections = decode::nms(all, self.card.nms_iou);
        let count = match (&self.card.decoder, &density) {
            (Decoder::DensityMap { scale, .. }, Some(d)) => d.values.iter().sum::<f32>() * scale,
            _ => detections
                .iter()
                .filter(|d| d.score >= self.card.score_threshold && self.counts_as_person(d.class))
                .count() as f32,
        };
        timing.decode += t.elapsed();
        Ok(Inference {
            detections,
            count,
            density,
            class_scores,
            runs: regions.len(),
            timing,
        })
    }

    /// A classification model on a whole frame (a vehicle's crop, say): every class of the
    /// card with its score, best first. Refused for other tasks.
    pub fn classify_frame(&mut self, frame: &Frame) -> Result<Vec<(String, f32)>, InferError> {
        if self.card.task != Task::Classification {
            return Err(self.run_error(format!(
                "is a {:?} model; classify needs a card with `task: Classification`",
                self.card.task
            )));
        }
        let prepared = self.prepare(frame, [0, 0, frame.width, frame.height])?;
        let (decoded, _) = self
            .run_decode(&prepared, true, self.card.score_threshold)?
            .expect("decode was asked for");
        Ok(decode::ranked(&self.card.classes, &decoded.class_scores))
    }

    /// [`Model::classify_frame`] on an RGB image (e.g. a crop cut by
    /// `twincity_dataset::crops::cut`).
    pub fn classify(&mut self, crop: &image::RgbImage) -> Result<Vec<(String, f32)>, InferError> {
        if crop.width() == 0 || crop.height() == 0 {
            return Err(self.run_error("cannot classify an empty image".into()));
        }
        let rgba: Vec<u8> = crop
            .pixels()
            .flat_map(|p| [p.0[0], p.0[1], p.0[2], 255])
            .collect();
        self.classify_frame(&Frame::rgba(crop.width(), crop.height(), &rgba))
    }

    /// Whether boxes of `class` are counted as people (their category starts with `person`,
    /// or the model is a face detector: one face, one person).
    pub fn counts_as_person(&self, class: usize) -> bool {
        self.card.task == Task::FaceDetection
            || self
                .card
                .category(class)
                .is_some_and(|c| c.starts_with("person"))
    }
}

/// Checks the session's inputs and outputs against the card; returns the input's name.
fn check_signature(card: &ModelCard, session: &Session) -> Result<String, String> {
    let inputs = session.inputs();
    let list = |outlets: &[ort::value::Outlet]| {
        outlets
            .iter()
            .map(|o| format!("`{}` ({})", o.name(), describe(o.dtype())))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let input = match &card.input.name {
        Some(name) => inputs.iter().find(|i| i.name() == name).ok_or_else(|| {
            format!(
                "the card names input `{name}`; the model's inputs are {}",
                list(inputs)
            )
        })?,
        None if inputs.len() == 1 => &inputs[0],
        None => {
            return Err(format!(
                "the model has several inputs ({}); name one in the card's `input.name`",
                list(inputs)
            ));
        }
    };
    let ValueType::Tensor { ty, shape, .. } = input.dtype() else {
        return Err(format!("input `{}` is not a tensor", input.name()));
    };
    let wanted = match card.input.element {
        Element::U8 => TensorElementType::Uint8,
        Element::F32 => TensorElementType::Float32,
    };
    if *ty != wanted {
        return Err(format!(
            "input `{}` takes {ty} values but the card says {:?}",
            input.name(),
            card.input.element
        ));
    }
    if shape.len() != 4 {
        return Err(format!(
            "input `{}` has shape {} (rank {}); the card describes an image input of rank 4",
            input.name(),
            dims(shape),
            shape.len()
        ));
    }
    let (c, h, w) = match card.input.layout {
        Layout::Nchw => (shape[1], shape[2], shape[3]),
        Layout::Nhwc => (shape[3], shape[1], shape[2]),
    };
    if c >= 0 && c != 3 {
        return Err(format!(
            "input `{}` is {} with {c} channels where the card's {:?} layout puts the \
             channels; check `input.layout`",
            input.name(),
            dims(shape),
            card.input.layout
        ));
    }
    match card.input.size {
        InputSize::Fixed(cw, ch) => {
            if (w >= 0 && w != cw as i64) || (h >= 0 && h != ch as i64) {
                return Err(format!(
                    "input `{}` is {} ({:?}: {}×{}), but the card's size is Fixed({cw}, {ch})",
                    input.name(),
                    dims(shape),
                    card.input.layout,
                    if w < 0 { "?".into() } else { w.to_string() },
                    if h < 0 { "?".into() } else { h.to_string() },
                ));
            }
        }
        InputSize::Multiple { .. } => {
            if w >= 0 || h >= 0 {
                return Err(format!(
                    "input `{}` has a fixed size {}; write `size: Fixed(width, height)` in the card",
                    input.name(),
                    dims(shape)
                ));
            }
        }
    }
    let outputs = session.outputs();
    for name in card.decoder.outputs() {
        let o = outputs.iter().find(|o| o.name() == name).ok_or_else(|| {
            format!(
                "the decoder reads output `{name}`; the model's outputs are {}",
                list(outputs)
            )
        })?;
        match o.dtype() {
            ValueType::Tensor {
                ty: TensorElementType::Float32,
                ..
            } => {}
            other => {
                return Err(format!(
                    "output `{name}` is a {}; the decoder reads float32 tensors",
                    describe(other)
                ));
            }
        }
    }
    Ok(input.name().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_cover_the_frame_with_the_asked_overlap() {
        let t = Tiling {
            columns: 3,
            rows: 2,
            overlap: 0.2,
            whole_image: true,
        };
        let r = Model::regions(1280, 720, Some(t));
        assert_eq!(r.len(), 7);
        assert_eq!(r[0], [0, 0, 1280, 720]);
        let tiles = &r[1..];
        // Every pixel is in some tile; neighbours overlap by about 20 % of a tile.
        for y in (0..720).step_by(7) {
            for x in (0..1280).step_by(7) {
                assert!(
                    tiles
                        .iter()
                        .any(|[l, t, w, h]| x >= *l && x < l + w && y >= *t && y < t + h)
                );
            }
        }
        let (a, b) = (tiles[0], tiles[1]);
        let overlap = (a[0] + a[2] - b[0]) as f32 / a[2] as f32;
        assert!((overlap - 0.2).abs() < 0.01, "{overlap}");
        assert_eq!(tiles[2][0] + tiles[2][2], 1280);
        assert_eq!(tiles[5][1] + tiles[5][3], 720);
        assert_eq!(Model::regions(640, 360, None), vec![[0, 0, 640, 360]]);
    }
}
