//! `twincity bench infer`: the editor's per-frame inference path — the preview's read-back as
//! the GPU gives it (BGRA, rows padded), pre-processing straight from it, ONNX Runtime,
//! decoding, overlay shapes — against ONNX Runtime's bare `session.run` on the same input
//! tensor, alternated frame by frame in one run.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use bevy_egui::egui;
use clap::Args;
use twincity_infer::{Frame, Model};

use crate::editor::inference::{Shown, overlay_shapes};

#[derive(Args, Debug, Clone)]
pub struct BenchInferArgs {
    /// Model cards, comma-separated
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "assets/models/yolox_nano.ron,assets/models/ssdlite_person.ron,assets/models/centerface.ron,assets/models/blazeface_back.ron"
    )]
    pub models: Vec<PathBuf>,
    /// Scenario whose first camera gives the frame
    #[arg(long, default_value = "scenarios/collapse_in_crowd.scenario.ron")]
    pub scenario: PathBuf,
    /// Scenario time of the frame (seconds)
    #[arg(long, default_value_t = 100.0)]
    pub at: f64,
    /// Frame size (the editor's enlarged preview is 960 wide)
    #[arg(long, default_value = "960x540", value_parser = crate::cli::args::parse_size)]
    pub size: (u32, u32),
    /// Frames timed per model, each both ways
    #[arg(long, default_value_t = 40)]
    pub frames: u32,
    /// One JSON object per model instead of a line
    #[arg(long)]
    pub json: bool,
}

fn median(v: &mut [Duration]) -> f64 {
    v.sort();
    let n = v.len();
    let m = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    };
    m.as_secs_f64() * 1000.0
}

fn mean_ms(v: &[Duration]) -> f64 {
    v.iter().sum::<Duration>().as_secs_f64() * 1000.0 / v.len().max(1) as f64
}

pub fn bench(args: &BenchInferArgs) -> anyhow::Result<ExitCode> {
    if cfg!(debug_assertions) && !args.json {
        eprintln!("note: this is a debug build; use `cargo run --release -- bench infer`");
    }
    let (w, h) = args.size;
    let sample = crate::cli::render::sample_frame(&args.scenario, args.at, (w, h))?;
    // The read-back as the GPU gives it: BGRA, rows padded to 256 bytes.
    let row = w as usize * 4;
    let padded = row.div_ceil(256) * 256;
    let mut readback = vec![0u8; padded * h as usize];
    for (y, src) in sample.image.as_raw().chunks(row).enumerate() {
        for (x, p) in src.chunks_exact(4).enumerate() {
            let o = y * padded + x * 4;
            readback[o..o + 4].copy_from_slice(&[p[2], p[1], p[0], p[3]]);
        }
    }
    let frames = args.frames.max(1);
    for card in &args.models {
        let mut model = Model::load(card).map_err(anyhow::Error::msg)?;
        let frame = Frame::rgba(w, h, sample.image.as_raw());
        let prepared = model
            .prepare(&frame, [0, 0, w, h])
            .map_err(anyhow::Error::msg)?;
        // Warm-up both ways.
        model.run_only(&prepared).map_err(anyhow::Error::msg)?;
        model.infer(&frame, None).map_err(anyhow::Error::msg)?;
        let rect = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(w as f32, h as f32));
        let classes = model.card.classes.clone();
        let (mut bare, mut total) = (Vec::new(), Vec::new());
        let (mut conv, mut pre, mut run, mut dec, mut over) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut detections = 0;
        for k in 0..frames * 2 {
            if (k + k / 2) % 2 == 0 {
                let t = Instant::now();
                model.run_only(&prepared).map_err(anyhow::Error::msg)?;
                bare.push(t.elapsed());
            } else {
                let t0 = Instant::now();
                let f = Frame::bgra_readback(w, h, &readback).context("read-back size")?;
                let t1 = Instant::now();
                let inference = model.infer(&f, None).map_err(anyhow::Error::msg)?;
                let t2 = Instant::now();
                let shown = Shown {
                    width: w,
                    height: h,
                    matched: vec![None; inference.detections.len()],
                    inference,
                    truth: None,
                    true_count: None,
                };
                let (shapes, labels) = overlay_shapes(rect, &shown, &classes);
                std::hint::black_box((&shapes, &labels));
                let t3 = Instant::now();
                detections += shown.inference.detections.len();
                total.push(t3 - t0);
                conv.push(t1 - t0);
                pre.push(shown.inference.timing.preprocess);
                run.push(shown.inference.timing.run);
                dec.push(shown.inference.timing.decode);
                over.push(t3 - t2);
            }
        }
        let (b, e) = (median(&mut bare), median(&mut total));
        let overhead = e / b - 1.0;
        let mean_overhead = mean_ms(&total) / mean_ms(&bare) - 1.0;
        if args.json {
            println!(
                "{}",
                serde_json::json!({
                    "model": model.card.name, "width": w, "height": h, "frames": frames,
                    "bare_run_ms": b, "end_to_end_ms": e,
                    "readback_ms": median(&mut conv), "preprocess_ms": median(&mut pre),
                    "run_ms": median(&mut run), "decode_ms": median(&mut dec),
                    "overlay_ms": median(&mut over),
                    "overhead": overhead, "overhead_of_means": mean_overhead,
                    "detections_per_frame": detections as f64 / frames as f64,
                })
            );
        } else {
            println!(
                "{} at {w}x{h}: bare session.run {b:.2} ms, end to end {e:.2} ms (read-back {:.2}, \
                 pre-processing {:.2}, run {:.2}, decoding {:.3}, overlay {:.3}), overhead {:+.1} % \
                 of medians, {:+.1} % of means (goal ≤ 15 %)",
                model.card.name,
                median(&mut conv),
                median(&mut pre),
                median(&mut run),
                median(&mut dec),
                median(&mut over),
                overhead * 100.0,
                mean_overhead * 100.0,
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
