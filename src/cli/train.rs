//! `twincity train`: fine-tunes a detector on rendered datasets and writes a model card the
//! editor and `twincity eval` use as they use the bundled ones; with `--task classify`,
//! trains an image classifier from scratch on a dataset's crops (`twincity dataset crops`)
//! and writes a `Classification` card for it.
//!
//! The training itself is the Python package in `python/twincity_train` (PyTorch, installed
//! into the project's `.venv` by `scripts/setup.sh`); this command reads the base card, runs
//! that package, and turns its result into a card beside the new ONNX file, with the licence
//! and provenance carried over. See docs/training.md.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use serde::Deserialize;
use twincity_infer::card::{
    Colour, Decoder, Element, InputSize, InputSpec, Layout, Licence, Resize,
};
use twincity_infer::{ModelCard, Task};

#[derive(Args, Debug, Clone)]
pub struct TrainArgs {
    /// What to train: a detector fine-tuned from --base on datasets, or an image classifier
    /// trained from scratch on crops (`twincity dataset crops`)
    #[arg(long, value_enum, default_value_t = TrainTask::Detect)]
    pub task: TrainTask,
    /// Dataset folder written by `twincity render` (repeatable); with --task classify, a
    /// crops folder (DIR/crops, holding crops.csv) or the dataset holding it
    #[arg(long = "dataset", value_name = "DIR", required = true)]
    pub datasets: Vec<PathBuf>,
    /// Card of the model to start from (a YOLOX card, such as assets/models/yolox_nano.ron);
    /// detection only
    #[arg(long, value_name = "CARD")]
    pub base: Option<PathBuf>,
    /// Folder for the trained model, its card, the report and the checkpoints
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Name of the new model (default: the base model's name and the output folder's)
    #[arg(long)]
    pub name: Option<String>,
    /// Dataset categories to learn, comma-separated (default: every category annotated)
    #[arg(long, value_name = "NAME,...")]
    pub classes: Option<String>,
    /// Hold out these cameras (folder names such as cam2-carrefour-est-mat, or numbers)
    #[arg(long, value_name = "CAMERA,...", conflicts_with = "val_fraction")]
    pub val_camera: Option<String>,
    /// Hold out this share of the frames (all cameras of a frame together), seeded
    #[arg(long, value_name = "SHARE", value_parser = crate::cli::eval::parse_share)]
    pub val_fraction: Option<f64>,
    /// Real labelled frames (COCO instances file, images beside it) mixed into training
    /// (domain adaptation; repeatable)
    #[arg(long, value_name = "COCO.json")]
    pub real_train: Vec<PathBuf>,
    /// How many times each real training frame is used per epoch
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub real_weight: u32,
    /// Real labelled frames (COCO instances file) scored before and after training
    /// (repeatable)
    #[arg(long, value_name = "COCO.json")]
    pub real_eval: Vec<PathBuf>,
    /// Passes over the training images (0 or absent: 5 for detection, 30 for classification)
    #[arg(long, default_value_t = 0, hide_default_value = true, value_parser = clap::value_parser!(u32).range(0..=1000))]
    pub epochs: u32,
    /// Images per step (default: 8 for detection, 32 crops for classification)
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub batch: Option<u32>,
    /// Peak learning rate (AdamW, cosine schedule after a warm-up; default: 1e-4 for
    /// detection, 2e-3 for classification)
    #[arg(long)]
    pub lr: Option<f64>,
    /// Classification: side of the square input the crops are letterboxed into (pixels)
    #[arg(long, value_name = "PX", default_value_t = 96, value_parser = clap::value_parser!(u32).range(16..=512))]
    pub input_size: u32,
    /// Classification: the network, trained from scratch (no pretrained weights)
    #[arg(long, value_enum, default_value_t = ClassifierArch::Cnn)]
    pub arch: ClassifierArch,
    /// Longest side of the images fed to the network (larger ones are scaled down)
    #[arg(long, value_name = "PX", default_value_t = 640, value_parser = clap::value_parser!(u32).range(64..=1920))]
    pub max_side: u32,
    /// Stop after this many steps (for a quick check; 0: no limit)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub max_steps: u32,
    /// Augmentation strength (flip, scale, colour, motion blur, noise, JPEG); 0 turns it off
    #[arg(long, default_value_t = 1.0)]
    pub augment: f64,
    /// Share of the convolutions, from the input on, kept as the base model has them (0–1):
    /// keeps what was learnt from real photos (docs/training.md, "Domain adaptation")
    #[arg(long, value_name = "SHARE", default_value_t = 0.0, value_parser = crate::cli::eval::parse_share)]
    pub freeze: f64,
    /// After training, blend this share of the starting weights back in (weight-space
    /// ensembling, WiSE-FT; 0–1): the exported model keeps more of the base model's skill on
    /// real photos (docs/training.md, "Domain adaptation")
    #[arg(long, value_name = "SHARE", default_value_t = 0.0, value_parser = crate::cli::eval::parse_share)]
    pub blend_base: f64,
    /// People lower than this (pixels) are ignore regions, neither taught nor penalised
    #[arg(long, value_name = "PX", default_value_t = 8.0)]
    pub min_height: f64,
    /// Objects less visible than this share are ignore regions
    #[arg(long, value_name = "SHARE", default_value_t = 0.3, value_parser = crate::cli::eval::parse_share)]
    pub min_visibility: f64,
    /// Random seed (split, order, augmentation)
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Where to train: cpu, or cuda when PyTorch sees a GPU
    #[arg(long, value_enum, default_value_t = TrainDevice::Cpu)]
    pub device: TrainDevice,
    /// Continue from the checkpoint in --out
    #[arg(long)]
    pub resume: bool,
    /// Do not score the base model first (faster; the report has no "before")
    #[arg(long)]
    pub skip_before: bool,
    /// Progress on stderr as a bar, one JSON object per line on stdout, or nothing
    #[arg(long, value_enum, default_value_t = TrainProgress::Bar)]
    pub progress: TrainProgress,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TrainTask {
    /// Fine-tune a YOLOX detector (--base) on rendered datasets
    Detect,
    /// Train an image classifier on crops (crops.csv); writes a Classification card
    Classify,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ClassifierArch {
    /// A compact four-stage CNN (about 1.2 M weights)
    Cnn,
    /// torchvision's MobileNetV3-small, untrained
    #[value(name = "mobilenet_v3_small")]
    MobilenetV3Small,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TrainDevice {
    Cpu,
    Cuda,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TrainProgress {
    Bar,
    Json,
    None,
}

/// What the training package leaves in `result.json`.
#[derive(Debug, Deserialize)]
struct TrainResult {
    onnx: PathBuf,
    classes: Vec<String>,
    report: PathBuf,
    #[serde(default)]
    report_json: Option<PathBuf>,
    /// Classification: the side of the square input.
    #[serde(default)]
    input_size: Option<u32>,
}

/// The detection base card (its path, the card, its ONNX file), checked to be YOLOX.
fn detection_base(args: &TrainArgs) -> anyhow::Result<(PathBuf, ModelCard, PathBuf)> {
    let Some(path) = args.base.clone() else {
        bail!(
            "--base CARD is needed to fine-tune a detector (e.g. --base \
             assets/models/yolox_nano.ron); to train a classifier on crops, add --task classify"
        );
    };
    let (base, base_onnx) = ModelCard::read(&path).map_err(|e| anyhow::anyhow!("{e}"))?;
    if !matches!(base.decoder, Decoder::Yolox { .. }) {
        bail!(
            "{}: `twincity train` fine-tunes YOLOX models; this card's decoder is {}. Start \
             from assets/models/yolox_nano.ron",
            path.display(),
            base.decoder.name()
        );
    }
    Ok((path, base, base_onnx))
}

/// Options that mean nothing to a classifier are refused rather than ignored.
fn check_classify_args(args: &TrainArgs) -> anyhow::Result<()> {
    let stray = [
        (args.base.is_some(), "--base"),
        (!args.real_train.is_empty(), "--real-train"),
        (!args.real_eval.is_empty(), "--real-eval"),
        (args.freeze > 0.0, "--freeze"),
        (args.blend_base > 0.0, "--blend-base"),
        (args.skip_before, "--skip-before"),
    ];
    if let Some((_, name)) = stray.iter().find(|(given, _)| *given) {
        bail!(
            "{name} is for detection; a classifier is trained from scratch on crops (--task \
             classify takes --dataset, --out, --val-camera or --val-fraction, --epochs, \
             --batch, --lr, --input-size, --arch, --augment, --seed)"
        );
    }
    Ok(())
}

/// Runs the training and writes the card. Exit code 2 for input the training refused.
pub fn run(args: &TrainArgs) -> anyhow::Result<ExitCode> {
    let (py_args, base) = match args.task {
        TrainTask::Detect => {
            let (path, base, base_onnx) = detection_base(args)?;
            check_out(args)?;
            (
                python_args(args, &path, &base, &base_onnx)?,
                Some((path, base)),
            )
        }
        TrainTask::Classify => {
            check_classify_args(args)?;
            check_out(args)?;
            (classify_args(args), None)
        }
    };
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let python = python()?;
    let mut cmd = Command::new(&python.interpreter);
    cmd.env("PYTHONPATH", &python.package_root)
        .arg("-m")
        .arg("twincity_train")
        .args(py_args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = cmd.spawn().with_context(|| {
        format!(
            "cannot start {} (the training's Python)",
            python.interpreter.display()
        )
    })?;
    // The package's own `done` line is replaced by ours, which names the card.
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines() {
            let line = line.context("reading the training's progress")?;
            if args.progress == TrainProgress::Json && !line.starts_with("{\"done\"") {
                println!("{line}");
            }
        }
    }
    let status = child.wait().context("waiting for the training")?;
    if !status.success() {
        return Ok(match status.code() {
            Some(2) => ExitCode::from(2),
            _ => {
                eprintln!("error: the training stopped ({status}); see the lines above");
                ExitCode::FAILURE
            }
        });
    }
    let result_path = args.out.join("result.json");
    let result: TrainResult = serde_json::from_slice(
        &std::fs::read(&result_path)
            .with_context(|| format!("reading {}", result_path.display()))?,
    )
    .with_context(|| format!("{} is not the training's result", result_path.display()))?;
    let card_path = match &base {
        Some((path, base)) => write_card(args, path, base, &result)?,
        None => write_classifier_card(args, &result)?,
    };
    if let Err(e) = twincity_infer::register_trained(&card_path) {
        eprintln!(
            "warning: the editor will not list the new model by itself ({e}); open {} \
                   with Add model...",
            card_path.display()
        );
    }
    let card_abs = card_path.canonicalize().unwrap_or(card_path);
    match args.progress {
        TrainProgress::Json => println!(
            "{}",
            serde_json::json!({"done": true, "card": card_abs, "report": result.report})
        ),
        _ if base.is_none() => eprintln!(
            "card: {}\nreport: {}{}",
            card_abs.display(),
            result.report.display(),
            held_out_accuracy(&result).map_or(String::new(), |a| format!(
                "\nheld-out accuracy: {:.1} %",
                a * 100.0
            ))
        ),
        _ => eprintln!(
            "card: {}\nreport: {}\nnext: twincity eval --model {} --dataset DIR --report OUT",
            card_abs.display(),
            result.report.display(),
            card_abs.display()
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// Refuses to overwrite a finished training unless resuming.
fn check_out(args: &TrainArgs) -> anyhow::Result<()> {
    if args.out.is_file() {
        bail!("--out {}: is a file; give a folder", args.out.display());
    }
    if !args.resume && args.out.join("checkpoint.pt").exists() {
        bail!(
            "--out {}: already holds a training (checkpoint.pt); add --resume to continue it, or \
             choose another folder (nothing was changed)",
            args.out.display()
        );
    }
    for d in &args.datasets {
        if args.task == TrainTask::Classify {
            if !d.join("crops.csv").is_file() && !d.join("crops/crops.csv").is_file() {
                bail!(
                    "--dataset {}: no crops.csv there nor in its crops/ folder; cut the crops \
                     first: `twincity dataset crops DATASET --class vehicle` (or render with \
                     --crops vehicles)",
                    d.display()
                );
            }
            continue;
        }
        if !d.join("coco.json").is_file() {
            bail!(
                "--dataset {}: no coco.json there; give a finished `twincity render` dataset \
                 (or `twincity dataset merge` its shards)",
                d.display()
            );
        }
    }
    Ok(())
}

struct Python {
    interpreter: PathBuf,
    package_root: PathBuf,
}

/// The Python that has the training's packages: `TWINCITY_PYTHON`, else the `.venv` of the
/// source tree the program runs from (or the working folder's), else `python3`; and the
/// folder holding the `twincity_train` package.
fn python() -> anyhow::Result<Python> {
    let mut roots: Vec<PathBuf> = Vec::new();
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe.parent()
    {
        roots.extend(dir.ancestors().map(Path::to_path_buf));
    }
    if let Ok(cwd) = std::env::current_dir() {
        roots.push(cwd);
    }
    let Some(package_root) = roots
        .iter()
        .map(|r| r.join("python"))
        .find(|p| p.join("twincity_train/__init__.py").is_file())
    else {
        bail!(
            "the training package (python/twincity_train) is not beside this program; run it \
             from a TwinCity Studio checkout or installation"
        );
    };
    let interpreter = if let Some(p) = std::env::var_os("TWINCITY_PYTHON") {
        PathBuf::from(p)
    } else {
        let venv = |r: &Path| {
            [
                r.join(".venv/bin/python"),
                r.join(".venv/Scripts/python.exe"),
            ]
            .into_iter()
            .find(|p| p.is_file())
        };
        roots
            .iter()
            .find_map(|r| venv(r))
            .unwrap_or_else(|| PathBuf::from("python3"))
    };
    let probe = Command::new(&interpreter)
        .args([
            "-c",
            "import torch, onnx2torch, pycocotools, onnxruntime, tqdm",
        ])
        .output();
    match probe {
        Ok(o) if o.status.success() => Ok(Python {
            interpreter,
            package_root,
        }),
        Ok(o) => bail!(
            "{} lacks the training's packages ({}); run scripts/setup.sh (it installs \
             PyTorch into .venv), or point TWINCITY_PYTHON at a Python that has them",
            interpreter.display(),
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .last()
                .unwrap_or("import failed")
        ),
        Err(e) => bail!(
            "cannot run {} ({e}); run scripts/setup.sh, or set TWINCITY_PYTHON",
            interpreter.display()
        ),
    }
}

/// The held-out accuracy in the classifier's report.json, when one was measured.
fn held_out_accuracy(result: &TrainResult) -> Option<f64> {
    let text = std::fs::read(result.report_json.as_ref()?).ok()?;
    let report: serde_json::Value = serde_json::from_slice(&text).ok()?;
    report["held_out"]["accuracy"].as_f64()
}

/// The arguments that fit every task.
fn common_args(args: &TrainArgs, v: &mut Vec<String>) {
    let mut push = |k: &str, val: String| {
        v.push(k.to_string());
        v.push(val);
    };
    for d in &args.datasets {
        push("--dataset", d.display().to_string());
    }
    push("--out", args.out.display().to_string());
    if let Some(c) = &args.classes {
        push("--classes", c.clone());
    }
    if let Some(c) = &args.val_camera {
        push("--val-camera", c.clone());
    }
    push(
        "--val-fraction",
        args.val_fraction.unwrap_or(0.2).to_string(),
    );
    push("--max-steps", args.max_steps.to_string());
    push("--augment", args.augment.to_string());
    push("--seed", args.seed.to_string());
    push(
        "--device",
        match args.device {
            TrainDevice::Cpu => "cpu".into(),
            TrainDevice::Cuda => "cuda".into(),
        },
    );
    push(
        "--progress",
        match args.progress {
            TrainProgress::Bar => "bar".into(),
            TrainProgress::Json => "json".into(),
            TrainProgress::None => "none".into(),
        },
    );
    let command: Vec<String> = std::env::args().collect();
    push("--command", command.join(" "));
    if args.resume {
        v.push("--resume".into());
    }
}

/// `--task classify` for the package, then the classifier's options.
fn classify_args(args: &TrainArgs) -> Vec<String> {
    let mut v: Vec<String> = vec!["--task".into(), "classify".into()];
    common_args(args, &mut v);
    let epochs = if args.epochs == 0 { 30 } else { args.epochs };
    for (k, val) in [
        ("--epochs", epochs.to_string()),
        ("--batch", args.batch.unwrap_or(32).to_string()),
        ("--lr", args.lr.unwrap_or(2e-3).to_string()),
        ("--input-size", args.input_size.to_string()),
        (
            "--arch",
            match args.arch {
                ClassifierArch::Cnn => "cnn".into(),
                ClassifierArch::MobilenetV3Small => "mobilenet_v3_small".into(),
            },
        ),
    ] {
        v.push(k.into());
        v.push(val);
    }
    v
}

fn python_args(
    args: &TrainArgs,
    base_path: &Path,
    base: &ModelCard,
    base_onnx: &Path,
) -> anyhow::Result<Vec<String>> {
    let mut v: Vec<String> = Vec::new();
    common_args(args, &mut v);
    let mut push = |k: &str, val: String| {
        v.push(k.to_string());
        v.push(val);
    };
    push("--base-onnx", base_onnx.display().to_string());
    push("--base-classes", serde_json::to_string(&base.classes)?);
    push(
        "--base-name",
        format!("{} ({})", base.name, base_path.display()),
    );
    for f in &args.real_train {
        push("--real-train", f.display().to_string());
    }
    push("--real-weight", args.real_weight.to_string());
    for f in &args.real_eval {
        push("--real-eval", f.display().to_string());
    }
    let epochs = if args.epochs == 0 { 5 } else { args.epochs };
    push("--epochs", epochs.to_string());
    push("--batch", args.batch.unwrap_or(8).to_string());
    push("--lr", args.lr.unwrap_or(1e-4).to_string());
    push("--max-side", args.max_side.to_string());
    push("--freeze", args.freeze.to_string());
    push("--blend-base", args.blend_base.to_string());
    push("--min-height", args.min_height.to_string());
    push("--min-visibility", args.min_visibility.to_string());
    if args.skip_before {
        v.push("--skip-before".into());
    }
    Ok(v)
}

/// The new card: the base card's input and decoder, the trained classes (each compared with
/// the dataset category of the same name), the base licence and where the weights came from.
fn write_card(
    args: &TrainArgs,
    base_path: &Path,
    base: &ModelCard,
    result: &TrainResult,
) -> anyhow::Result<PathBuf> {
    let folder_name = folder_name(args);
    let datasets = datasets(args);
    let licence_file = base.licence.file.as_ref().and_then(|f| {
        let src = base_path.parent().unwrap_or(Path::new(".")).join(f);
        let name = f.file_name()?;
        std::fs::copy(&src, args.out.join(name)).ok()?;
        Some(PathBuf::from(name))
    });
    let model = result
        .onnx
        .file_name()
        .map(PathBuf::from)
        .context("the training named no model file")?;
    let card = ModelCard {
        name: args
            .name
            .clone()
            .unwrap_or_else(|| format!("{} fine-tuned ({folder_name})", base.name)),
        description: format!(
            "{} fine-tuned by `twincity train` on {} (seed {}){}; classes {}. Report: {}",
            base.name,
            datasets.join(", "),
            args.seed,
            if args.blend_base > 0.0 {
                format!(
                    ", then blended with {:.0} % of its starting weights",
                    args.blend_base * 100.0
                )
            } else {
                String::new()
            },
            result.classes.join(", "),
            result
                .report
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ),
        task: base.task,
        model,
        input: base.input.clone(),
        decoder: base.decoder.clone(),
        classes: result.classes.clone(),
        categories: result.classes.iter().map(|c| Some(c.clone())).collect(),
        score_threshold: base.score_threshold,
        nms_iou: base.nms_iou,
        tiling: base.tiling,
        licence: Licence {
            name: base.licence.name.clone(),
            source: format!(
                "fine-tuned from {} ({}), whose weights come from: {}; training data: TwinCity \
                 Studio datasets {}{}",
                base.name,
                base_path.display(),
                base.licence.source,
                datasets.join(", "),
                if args.real_train.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; real frames: {}",
                        args.real_train
                            .iter()
                            .map(|p| p.display().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            ),
            file: licence_file,
        },
    };
    save_card(args, &folder_name, &card)
}

/// The output folder's name (the card's file name and the default model name).
fn folder_name(args: &TrainArgs) -> String {
    let folder = args.out.canonicalize().unwrap_or_else(|_| args.out.clone());
    folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "trained".into())
}

fn datasets(args: &TrainArgs) -> Vec<String> {
    args.datasets
        .iter()
        .map(|d| d.display().to_string())
        .collect()
}

/// Writes `<folder>.ron` atomically in --out and reads it back through the card checks.
fn save_card(args: &TrainArgs, folder_name: &str, card: &ModelCard) -> anyhow::Result<PathBuf> {
    let text = ron::ser::to_string_pretty(card, ron::ser::PrettyConfig::default())
        .context("writing the card")?;
    let path = args.out.join(format!("{folder_name}.ron"));
    let tmp = args.out.join(format!(".{folder_name}.ron.part"));
    std::fs::write(
        &tmp,
        format!("// Model card written by `twincity train`; see docs/models.md.\n{text}\n"),
    )
    .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("writing {}", path.display()))?;
    ModelCard::read(&path)
        .map_err(|e| anyhow::anyhow!("the written card does not validate: {e}"))?;
    Ok(path)
}

/// The card of a classifier trained on crops: the crop letterboxed into a square of
/// `input_size` pixels, RGB 0..255 (the network normalises by itself), class logits through
/// a softmax; the labels as classes, compared with no dataset category.
fn write_classifier_card(args: &TrainArgs, result: &TrainResult) -> anyhow::Result<PathBuf> {
    let folder_name = folder_name(args);
    let datasets = datasets(args);
    let side = result.input_size.unwrap_or(args.input_size);
    let model = result
        .onnx
        .file_name()
        .map(PathBuf::from)
        .context("the training named no model file")?;
    let card = ModelCard {
        name: args
            .name
            .clone()
            .unwrap_or_else(|| format!("Crop classifier ({folder_name})")),
        description: format!(
            "Image classifier trained from scratch by `twincity train --task classify` on the \
             crops of {} (seed {}); labels {}. Report: {}",
            datasets.join(", "),
            args.seed,
            result.classes.join(", "),
            result
                .report
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ),
        task: Task::Classification,
        model,
        input: InputSpec {
            name: Some("images".into()),
            layout: Layout::Nchw,
            size: InputSize::Fixed(side, side),
            element: Element::F32,
            colour: Colour::Rgb,
            resize: Resize::Letterbox,
            scale: 1.0,
            mean: [0.0; 3],
            std: [1.0; 3],
        },
        decoder: Decoder::Classification {
            output: "logits".into(),
            softmax: true,
        },
        classes: result.classes.clone(),
        categories: vec![None; result.classes.len()],
        score_threshold: 0.5,
        nms_iou: 0.5,
        tiling: None,
        licence: Licence {
            name: "MIT OR Apache-2.0".into(),
            source: format!(
                "trained from scratch (no pretrained weights) by TwinCity Studio's `twincity \
                 train --task classify`; training data: crops of TwinCity Studio datasets {}",
                datasets.join(", ")
            ),
            file: None,
        },
    };
    save_card(args, &folder_name, &card)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> TrainArgs {
        use clap::Parser;
        let cli = crate::cli::Cli::try_parse_from(
            ["twincity", "train"]
                .iter()
                .chain(args)
                .map(|s| s.to_string()),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let Some(crate::cli::Command::Train(t)) = cli.command else {
            panic!("not `train`");
        };
        t
    }

    /// Why `twincity train --task classify` with `extra` options is refused.
    fn classify_refusal(extra: &[&str]) -> String {
        let mut args = vec!["--task", "classify", "--dataset", "d", "--out", "m"];
        args.extend_from_slice(extra);
        check_classify_args(&parse(&args)).unwrap_err().to_string()
    }

    #[test]
    fn classify_takes_its_own_defaults_and_refuses_detection_options() {
        let t = parse(&[
            "--task",
            "classify",
            "--dataset",
            "d/crops",
            "--out",
            "m",
            "--val-camera",
            "2",
        ]);
        let a = classify_args(&t);
        assert_eq!(a[..2], ["--task", "classify"]);
        let value = |k: &str| a[a.iter().position(|x| x == k).unwrap() + 1].clone();
        assert_eq!(value("--epochs"), "30");
        assert_eq!(value("--batch"), "32");
        assert_eq!(value("--input-size"), "96");
        assert_eq!(value("--arch"), "cnn");
        assert_eq!(value("--val-camera"), "2");
        assert!(check_classify_args(&t).is_ok());
        let e = classify_refusal(&["--base", "assets/models/yolox_nano.ron"]);
        assert!(e.contains("--base"), "{e}");
        // Detection keeps its defaults, and needs --base.
        let t = parse(&["--dataset", "d", "--out", "m"]);
        assert_eq!(t.task, TrainTask::Detect);
        let e = detection_base(&t).unwrap_err().to_string();
        assert!(
            e.contains("--base CARD") && e.contains("--task classify"),
            "{e}"
        );
    }

    #[test]
    fn blend_base_reaches_the_training_and_only_detection_takes_it() {
        use clap::Parser;
        let t = parse(&["--dataset", "d", "--out", "m", "--blend-base", "0.3"]);
        let base = Path::new("assets/models/yolox_nano.ron");
        let (card, _) = ModelCard::read(base).unwrap();
        let a = python_args(&t, base, &card, Path::new("x.onnx")).unwrap();
        let at = a.iter().position(|x| x == "--blend-base").unwrap();
        assert_eq!(a[at + 1], "0.3");
        let plain = parse(&["--dataset", "d", "--out", "m"]);
        let a = python_args(&plain, base, &card, Path::new("x.onnx")).unwrap();
        assert_eq!(
            a[a.iter().position(|x| x == "--blend-base").unwrap() + 1],
            "0"
        );
        let e = classify_refusal(&["--blend-base", "0.3"]);
        assert!(e.contains("--blend-base"), "{e}");
        let e = crate::cli::Cli::try_parse_from([
            "twincity",
            "train",
            "--dataset",
            "d",
            "--out",
            "m",
            "--blend-base",
            "1.5",
        ])
        .unwrap_err()
        .to_string();
        assert!(e.contains("between 0 and 1"), "{e}");
    }

    #[test]
    fn the_classifier_card_validates() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("vehicles");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("model.onnx"), b"not read by the card checks").unwrap();
        let out_arg = out.display().to_string();
        let t = parse(&["--task", "classify", "--dataset", "d", "--out", &out_arg]);
        let result = TrainResult {
            onnx: out.join("model.onnx"),
            classes: vec!["Renault Clio".into(), "delivery_van".into()],
            report: out.join("report.html"),
            report_json: None,
            input_size: Some(64),
        };
        let path = write_classifier_card(&t, &result).unwrap();
        assert_eq!(path, out.join("vehicles.ron"));
        let (card, model) = ModelCard::read(&path).unwrap();
        assert_eq!(card.task, Task::Classification);
        assert_eq!(card.input.size, InputSize::Fixed(64, 64));
        assert_eq!(card.input.resize, Resize::Letterbox);
        assert_eq!(card.classes, result.classes);
        assert_eq!(card.category(0), None);
        assert!(matches!(
            card.decoder,
            Decoder::Classification { softmax: true, .. }
        ));
        assert_eq!(model, out.join("model.onnx"));
    }
}
