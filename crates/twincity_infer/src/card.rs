//! Model cards: a RON file beside each `.onnx` that says what the model does and how to feed
//! it and read it: task, input layout, size, colour order and normalisation, the decoder of
//! its outputs, class names (and the dataset categories they are compared with), thresholds,
//! tiling, and the licence. The format is described in `docs/models.md`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use twincity_model::ronfile::{self, DocError, FieldProblem};

/// What a model is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Task {
    /// Boxes with classes and scores (people, vehicles, objects).
    Detection,
    /// Face boxes: used to blur faces in real images brought into the editor.
    FaceDetection,
    /// A density map whose sum is the crowd count.
    DensityMap,
    /// One label for the whole image (e.g. an event model: `normal`, `person_down`).
    Classification,
}

/// Order of the input tensor's axes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Layout {
    /// `[batch, channels, height, width]`
    Nchw,
    /// `[batch, height, width, channels]`
    Nhwc,
}

/// Element type of the input tensor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Element {
    U8,
    F32,
}

/// Channel order of the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Colour {
    Rgb,
    Bgr,
}

/// How an image is brought to the input size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Resize {
    /// Scale each axis on its own (the aspect changes).
    Stretch,
    /// Keep the aspect, centre the image, pad the rest with grey (114).
    Letterbox,
    /// Keep the aspect, put the image in the top-left corner, pad right and below with grey
    /// (114), as YOLOX's pre-processing does. With a `Multiple` size the image keeps its own
    /// size and only the rounding up is padded.
    LetterboxTopLeft,
}

/// The input size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InputSize {
    /// Width and height the model was exported with.
    Fixed(u32, u32),
    /// Any size whose sides are multiples of `of`: the image's own size (rounded up), its
    /// longer side at most `max_side`.
    Multiple { of: u32, max_side: u32 },
}

/// How to build the input tensor from an RGB image with values 0–255:
/// `value = (pixel × scale − mean[c]) / std[c]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InputSpec {
    /// The input's name; `None` when the model has a single input.
    #[serde(default)]
    pub name: Option<String>,
    pub layout: Layout,
    pub size: InputSize,
    pub element: Element,
    #[serde(default = "rgb")]
    pub colour: Colour,
    #[serde(default = "stretch")]
    pub resize: Resize,
    #[serde(default = "one")]
    pub scale: f32,
    #[serde(default)]
    pub mean: [f32; 3],
    #[serde(default = "ones")]
    pub std: [f32; 3],
}

fn rgb() -> Colour {
    Colour::Rgb
}
fn stretch() -> Resize {
    Resize::Stretch
}
fn one() -> f32 {
    1.0
}
fn ones() -> [f32; 3] {
    [1.0; 3]
}

/// How the outputs become detections, a count or a label.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Decoder {
    /// TensorFlow Object Detection API style: `boxes` `[1, N, 4]` normalised
    /// `(ymin, xmin, ymax, xmax)`, `scores` `[1, N]`, optional `classes` `[1, N]` (class
    /// numbers starting at `first_class`; without it every box is class 0).
    Ssd {
        boxes: String,
        scores: String,
        #[serde(default)]
        classes: Option<String>,
        #[serde(default = "first_class")]
        first_class: u32,
    },
    /// Anchor-based face boxes (BlazeFace): per feature map, `scores` `[1, A, 1]` (logits) and
    /// `boxes` `[1, A, ≥4]` (centre offset and size in input pixels), with `anchors` per cell
    /// on a grid of input size / `strides`.
    Anchors {
        scores: Vec<String>,
        boxes: Vec<String>,
        strides: Vec<u32>,
        anchors: Vec<u32>,
    },
    /// CenterFace: `heatmap` `[1, 1, H/4, W/4]`, `scale` and `offset` `[1, 2, H/4, W/4]`.
    CenterFace {
        heatmap: String,
        scale: String,
        offset: String,
    },
    /// YOLO style `[1, N, 4 + C]` (or `[1, 4 + C, N]` when `channels_first`): box centre
    /// and size in input pixels, then one score per class.
    Yolo {
        output: String,
        #[serde(default)]
        channels_first: bool,
    },
    /// YOLOX raw head `[1, N, 5 + C]`: per cell of each stride's grid (grids row-major, one
    /// stride after another, `N = Σ (H/s)(W/s)`), centre offset and log size in cells, the
    /// objectness, then one probability per class; the score is objectness × class.
    Yolox {
        output: String,
        #[serde(default = "yolox_strides")]
        strides: Vec<u32>,
    },
    /// A density map `[1, 1, h, w]` (or `[1, h, w]`): the count is its sum × `scale`.
    DensityMap {
        output: String,
        #[serde(default = "one")]
        scale: f32,
    },
    /// Class scores `[1, C]`; `softmax` when they are logits.
    Classification {
        output: String,
        #[serde(default)]
        softmax: bool,
    },
}

fn first_class() -> u32 {
    1
}
fn yolox_strides() -> Vec<u32> {
    vec![8, 16, 32]
}

impl Decoder {
    /// The outputs this decoder reads.
    pub fn outputs(&self) -> Vec<&str> {
        match self {
            Decoder::Ssd {
                boxes,
                scores,
                classes,
                ..
            } => {
                let mut v = vec![boxes.as_str(), scores.as_str()];
                v.extend(classes.as_deref());
                v
            }
            Decoder::Anchors { scores, boxes, .. } => scores
                .iter()
                .chain(boxes.iter())
                .map(String::as_str)
                .collect(),
            Decoder::CenterFace {
                heatmap,
                scale,
                offset,
            } => vec![heatmap, scale, offset],
            Decoder::Yolo { output, .. }
            | Decoder::Yolox { output, .. }
            | Decoder::DensityMap { output, .. }
            | Decoder::Classification { output, .. } => vec![output],
        }
    }

    /// The decoder's name as cards write it (`Yolox`, `Ssd`...).
    pub fn name(&self) -> &'static str {
        match self {
            Decoder::Ssd { .. } => "Ssd",
            Decoder::Anchors { .. } => "Anchors",
            Decoder::CenterFace { .. } => "CenterFace",
            Decoder::Yolo { .. } => "Yolo",
            Decoder::Yolox { .. } => "Yolox",
            Decoder::DensityMap { .. } => "DensityMap",
            Decoder::Classification { .. } => "Classification",
        }
    }
}

/// Cutting the image into overlapping tiles, each run through the model at its input size, so
/// that small, distant people are seen at a useful scale; boxes are merged across tiles.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tiling {
    pub columns: u32,
    pub rows: u32,
    /// Overlap between neighbouring tiles, as a fraction of a tile (0 to 0.5).
    #[serde(default = "overlap")]
    pub overlap: f32,
    /// Also run the whole image (for people too large for one tile).
    #[serde(default = "yes")]
    pub whole_image: bool,
}

fn overlap() -> f32 {
    0.2
}
fn yes() -> bool {
    true
}

impl Tiling {
    fn check(&self, field: &str, problems: &mut Vec<FieldProblem>) {
        if !(1..=8).contains(&self.columns) || !(1..=8).contains(&self.rows) {
            problems
                .push(FieldProblem::new(field, "columns and rows must be 1 to 8").at("columns"));
        }
        if !(0.0..0.5).contains(&self.overlap) {
            problems.push(FieldProblem::new(field, "overlap must be in [0, 0.5)").at("overlap"));
        }
    }
}

/// Where the model comes from and under what terms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Licence {
    /// SPDX name (`MIT`, `Apache-2.0`...).
    pub name: String,
    /// Where the weights were taken from.
    pub source: String,
    /// The licence text beside the card, if any.
    #[serde(default)]
    pub file: Option<PathBuf>,
}

/// A model card.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelCard {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub task: Task,
    /// The `.onnx` file, relative to the card.
    pub model: PathBuf,
    pub input: InputSpec,
    pub decoder: Decoder,
    /// Class names, in the model's class order.
    #[serde(default)]
    pub classes: Vec<String>,
    /// For each class, the dataset category its boxes are compared with (`person`, `car`...),
    /// or `None`; empty means "the class name itself".
    #[serde(default)]
    pub categories: Vec<Option<String>>,
    /// Detections below this score are dropped.
    #[serde(default = "half")]
    pub score_threshold: f32,
    /// Boxes of one class overlapping more than this (IoU) are merged by non-maximum
    /// suppression.
    #[serde(default = "half")]
    pub nms_iou: f32,
    #[serde(default)]
    pub tiling: Option<Tiling>,
    pub licence: Licence,
}

fn half() -> f32 {
    0.5
}

/// The largest ONNX model opened, bytes: ONNX files are protocol buffers, which cannot hold
/// more than 2 GiB (larger models keep their weights in separate files, which TwinCity does
/// not load). The model is read into memory once, when it is opened.
pub const MAX_MODEL_BYTES: u64 = 2 << 30;

impl ModelCard {
    /// Reads and checks a card (the model it names must be a regular file of at most
    /// [`MAX_MODEL_BYTES`]); the model path it returns is resolved against the card's
    /// folder.
    pub fn read(path: &Path) -> Result<(ModelCard, PathBuf), DocError> {
        let (card, text): (ModelCard, String) = ronfile::read(path)?;
        if let Some(problem) = card.problems().into_iter().next() {
            return Err(problem.into_error(path, &text));
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        let model = dir.join(&card.model);
        // Checked, not read: the model is read when it is opened (`Model::load`).
        if let Err(e) = ronfile::limited_size(&model, MAX_MODEL_BYTES, "ONNX models") {
            let message = if e.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "{} does not exist; put the .onnx file beside the card or fix the path",
                    model.display()
                )
            } else {
                format!("{}: {e}; name the model's .onnx file", model.display())
            };
            return Err(FieldProblem::new("model", message)
                .at("model")
                .into_error(path, &text));
        }
        Ok((card, model))
    }

    /// What is wrong with the card on its own (before the model is opened).
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut p = Vec::new();
        if self.name.trim().is_empty() {
            p.push(FieldProblem::new("name", "give the model a name").at("name"));
        }
        let decoder_fits = matches!(
            (self.task, &self.decoder),
            (
                Task::Detection | Task::FaceDetection,
                Decoder::Ssd { .. }
                    | Decoder::Anchors { .. }
                    | Decoder::CenterFace { .. }
                    | Decoder::Yolo { .. }
                    | Decoder::Yolox { .. }
            ) | (Task::DensityMap, Decoder::DensityMap { .. })
                | (Task::Classification, Decoder::Classification { .. })
        );
        if !decoder_fits {
            p.push(
                FieldProblem::new(
                    "decoder",
                    format!(
                        "a {} decoder does not fit the task {:?}",
                        self.decoder.name(),
                        self.task
                    ),
                )
                .at("decoder"),
            );
        }
        if matches!(self.task, Task::Detection | Task::Classification) && self.classes.is_empty() {
            p.push(FieldProblem::new("classes", "list the class names").at("task"));
        }
        if !self.categories.is_empty() && self.categories.len() != self.classes.len() {
            p.push(
                FieldProblem::new(
                    "categories",
                    format!(
                        "{} categories for {} classes: give one per class (None for a class \
                         not compared)",
                        self.categories.len(),
                        self.classes.len()
                    ),
                )
                .at("categories"),
            );
        }
        for (field, v) in [
            ("score_threshold", self.score_threshold),
            ("nms_iou", self.nms_iou),
        ] {
            if !(v > 0.0 && v <= 1.0) {
                p.push(FieldProblem::new(field, "must be in (0, 1]").at(field));
            }
        }
        if self.input.std.iter().any(|s| *s == 0.0 || !s.is_finite()) {
            p.push(FieldProblem::new("input.std", "must not be 0").at("std"));
        }
        match self.input.size {
            InputSize::Fixed(w, h) if w == 0 || h == 0 || w > 8192 || h > 8192 => {
                p.push(FieldProblem::new("input.size", "sides must be 1 to 8192").at("size"));
            }
            InputSize::Multiple { of, max_side }
                if !(1..=1024).contains(&of) || max_side < of || max_side > 8192 =>
            {
                p.push(
                    FieldProblem::new(
                        "input.size",
                        "`of` must be 1 to 1024, and `max_side` from `of` to 8192",
                    )
                    .at("size"),
                );
            }
            _ => {}
        }
        self.check_strides(&mut p);
        if let Decoder::Anchors {
            scores,
            boxes,
            strides,
            anchors,
        } = &self.decoder
        {
            let n = scores.len();
            if n == 0 || boxes.len() != n || strides.len() != n || anchors.len() != n {
                p.push(
                    FieldProblem::new(
                        "decoder",
                        "Anchors needs as many `boxes`, `strides` and `anchors` as `scores` \
                         (one per feature map)",
                    )
                    .at("Anchors"),
                );
            }
            if strides.contains(&0) || anchors.contains(&0) {
                p.push(
                    FieldProblem::new("decoder", "strides and anchors must be ≥ 1").at("strides"),
                );
            }
        }
        if let Some(t) = &self.tiling {
            t.check("tiling", &mut p);
        }
        p
    }

    /// YOLOX strides: at least one, each ≥ 1, and the input's sides multiples of each (the
    /// grids must tile the input exactly).
    fn check_strides(&self, p: &mut Vec<FieldProblem>) {
        let Decoder::Yolox { strides, .. } = &self.decoder else {
            return;
        };
        if strides.is_empty() || strides.contains(&0) {
            p.push(
                FieldProblem::new(
                    "decoder",
                    "Yolox needs strides, each ≥ 1 (e.g. [8, 16, 32])",
                )
                .at("strides"),
            );
            return;
        }
        let sides: Vec<u32> = match self.input.size {
            InputSize::Fixed(w, h) => vec![w, h],
            InputSize::Multiple { of, .. } => vec![of],
        };
        if let Some(s) = strides.iter().find(|s| sides.iter().any(|v| *v % **s != 0)) {
            p.push(
                FieldProblem::new(
                    "input.size",
                    format!(
                        "{:?} is not a multiple of the Yolox stride {s}: each grid must tile \
                         the input exactly",
                        self.input.size
                    ),
                )
                .at("size:"),
            );
        }
    }

    /// The dataset category class `i` is compared with.
    pub fn category(&self, class: usize) -> Option<&str> {
        if self.categories.is_empty() {
            self.classes.get(class).map(String::as_str)
        } else {
            self.categories.get(class).and_then(|c| c.as_deref())
        }
    }

    /// Name of class `i` (`class i` when the card lists fewer).
    pub fn class_name(&self, class: usize) -> String {
        self.classes
            .get(class)
            .cloned()
            .unwrap_or_else(|| format!("class {class}"))
    }

    /// The input size for an image (or tile) of `w` × `h` pixels.
    pub fn input_size(&self, w: u32, h: u32) -> (u32, u32) {
        match self.input.size {
            InputSize::Fixed(iw, ih) => (iw, ih),
            InputSize::Multiple { of, max_side } => {
                let longest = w.max(h).max(1) as f32;
                let k = (max_side as f32 / longest).min(1.0);
                let round = |v: u32| (((v as f32 * k) / of as f32).ceil() as u32).max(1) * of;
                (round(w), round(h))
            }
        }
    }
}

/// The folder of the models shipped with TwinCity Studio (`assets/models`): beside the
/// executable, in a folder above it (a build inside the source tree), or under the working
/// folder.
pub fn bundled_dir() -> Option<PathBuf> {
    twincity_model::assets::bundled_assets("models")
}

/// The cards in a folder (`*.ron`), sorted by file name.
pub fn cards_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    v.sort();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    const SSD: &str = r#"(
        name: "Person detector",
        task: Detection,
        model: "m.onnx",
        input: (name: Some("image_tensor:0"), layout: Nhwc, size: Fixed(300, 300), element: U8),
        decoder: Ssd(boxes: "b", scores: "s", classes: Some("c")),
        classes: ["person"],
        licence: (name: "MIT", source: "PyPI"),
    )"#;

    fn write(dir: &Path, text: &str) -> PathBuf {
        std::fs::write(dir.join("m.onnx"), b"not really").unwrap();
        let p = dir.join("m.ron");
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn a_card_reads_with_defaults_and_resolves_its_model() {
        let dir = tempfile::tempdir().unwrap();
        let (card, model) = ModelCard::read(&write(dir.path(), SSD)).unwrap();
        assert_eq!(model, dir.path().join("m.onnx"));
        assert_eq!(card.input.colour, Colour::Rgb);
        assert_eq!(card.input.std, [1.0; 3]);
        assert_eq!(card.score_threshold, 0.5);
        assert_eq!(card.category(0), Some("person"));
        assert_eq!(card.decoder.outputs(), vec!["b", "s", "c"]);
    }

    #[test]
    fn card_errors_name_the_file_the_place_and_the_field() {
        let dir = tempfile::tempdir().unwrap();
        let bad = SSD.replace("task: Detection", "task: DensityMap");
        let e = ModelCard::read(&write(dir.path(), &bad))
            .unwrap_err()
            .to_string();
        assert!(e.contains("m.ron:") && e.contains("`decoder`"), "{e}");
        assert!(e.contains("does not fit the task DensityMap"), "{e}");

        let bad = SSD.replace(
            "classes: [\"person\"],",
            "classes: [\"person\"], categories: [None, None],",
        );
        let e = ModelCard::read(&write(dir.path(), &bad))
            .unwrap_err()
            .to_string();
        assert!(e.contains("2 categories for 1 classes"), "{e}");

        let bad = SSD.replace("layout: Nhwc", "layout: NHWC");
        let e = ModelCard::read(&write(dir.path(), &bad))
            .unwrap_err()
            .to_string();
        assert!(e.contains("m.ron:5:"), "{e}");

        let bad = SSD.replace("\"m.onnx\"", "\"missing.onnx\"");
        let e = ModelCard::read(&write(dir.path(), &bad))
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing.onnx does not exist"), "{e}");
    }

    #[test]
    fn a_model_that_is_no_regular_file_or_too_large_is_refused_at_the_field() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("folder.onnx")).unwrap();
        let bad = SSD.replace("\"m.onnx\"", "\"folder.onnx\"");
        let e = ModelCard::read(&write(dir.path(), &bad))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("m.ron:4:") && e.contains("`model`") && e.contains("not a regular file"),
            "{e}"
        );
        // A sparse file just past the cap: refused from its size, without reading it.
        let big = std::fs::File::create(dir.path().join("big.onnx")).unwrap();
        big.set_len(MAX_MODEL_BYTES + 1).unwrap();
        let bad = SSD.replace("\"m.onnx\"", "\"big.onnx\"");
        let e = ModelCard::read(&write(dir.path(), &bad))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`model`") && e.contains("ONNX models are limited to 2048 MiB"),
            "{e}"
        );
        #[cfg(unix)]
        {
            let bad = SSD.replace("\"m.onnx\"", "\"/dev/zero\"");
            let e = ModelCard::read(&write(dir.path(), &bad))
                .unwrap_err()
                .to_string();
            assert!(e.contains("not a regular file"), "{e}");
        }
    }

    const YOLOX: &str = r#"(
        name: "YOLOX",
        task: Detection,
        model: "m.onnx",
        input: (
            layout: Nchw,
            size: Multiple(of: 32, max_side: 1920),
            element: F32,
            colour: Bgr,
            resize: LetterboxTopLeft,
        ),
        decoder: Yolox(output: "output"),
        classes: ["person", "bicycle"],
        categories: [Some("person"), None],
        licence: (name: "Apache-2.0", source: "GitHub"),
    )"#;

    #[test]
    fn a_yolox_card_reads_with_default_strides_and_maps_only_its_person_class() {
        let dir = tempfile::tempdir().unwrap();
        let (card, _) = ModelCard::read(&write(dir.path(), YOLOX)).unwrap();
        assert_eq!(
            card.decoder,
            Decoder::Yolox {
                output: "output".into(),
                strides: vec![8, 16, 32]
            }
        );
        assert_eq!(card.input.resize, Resize::LetterboxTopLeft);
        assert_eq!(card.decoder.outputs(), vec!["output"]);
        assert_eq!((card.category(0), card.category(1)), (Some("person"), None));
        // Native size, rounded up to the grids' 32: 1600 × 900 runs as 1600 × 928.
        assert_eq!(card.input_size(1600, 900), (1600, 928));
    }

    #[test]
    fn yolox_strides_must_tile_the_input_and_the_error_says_where() {
        let dir = tempfile::tempdir().unwrap();
        let bad = YOLOX.replace(
            "Yolox(output: \"output\")",
            "Yolox(output: \"output\", strides: [])",
        );
        let e = ModelCard::read(&write(dir.path(), &bad))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("m.ron:12:") && e.contains("Yolox needs strides"),
            "{e}"
        );

        let bad = YOLOX.replace("of: 32", "of: 16");
        let e = ModelCard::read(&write(dir.path(), &bad))
            .unwrap_err()
            .to_string();
        assert!(e.contains("m.ron:7:") && e.contains("`input.size`"), "{e}");
        assert!(e.contains("not a multiple of the Yolox stride 32"), "{e}");

        let bad = YOLOX.replace("Multiple(of: 32, max_side: 1920)", "Fixed(416, 408)");
        let e = ModelCard::read(&write(dir.path(), &bad))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("Fixed(416, 408) is not a multiple of the Yolox stride 16"),
            "{e}"
        );
        let good = YOLOX.replace("Multiple(of: 32, max_side: 1920)", "Fixed(416, 416)");
        assert!(ModelCard::read(&write(dir.path(), &good)).is_ok());
    }

    #[test]
    fn dynamic_input_sizes_round_up_and_cap_the_longer_side() {
        let dir = tempfile::tempdir().unwrap();
        let text = SSD.replace("Fixed(300, 300)", "Multiple(of: 32, max_side: 640)");
        let (card, _) = ModelCard::read(&write(dir.path(), &text)).unwrap();
        assert_eq!(card.input_size(640, 360), (640, 384));
        assert_eq!(card.input_size(1280, 720), (640, 384));
        assert_eq!(card.input_size(100, 50), (128, 64));
    }
}
