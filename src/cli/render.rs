//! `twincity render`: every camera of a scenario rendered offscreen into an annotated,
//! privacy-safe dataset (see docs/dataset-format.md). The formats, files and shards are
//! `twincity_dataset`'s; this module drives the renderer and the annotation pass.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use twincity_dataset::annotate::IdImage;
use twincity_dataset::crops::{CropClass, CropOptions};
use twincity_dataset::store::{CameraEntry, Manifest, Store};
use twincity_dataset::{
    EnvironmentRecord, Extras, Extrinsics, ImageFormat, ImageRecord, Intrinsics, Privacy,
    ScenarioInfo, Settings, camera_folder, effects, formats, image_objects, shard_frames,
};
use twincity_model::{Project, VirtualCamera};
use twincity_scenario::Scenario;
use twincity_scenario::world::WorldState;

use crate::render::city::{CitySpec, ImportState};
use crate::render::headless::{OffscreenOptions, OffscreenRenderer, RenderedView};
use crate::render::scenario::{ScenarioCommand, ScenarioPlayer};

#[derive(Args, Debug, Clone)]
pub struct RenderArgs {
    /// Scenario (`*.scenario.ron`), or a project (`*.twin.ron`: its city seen by its cameras,
    /// with nobody in it)
    pub input: PathBuf,
    /// Dataset folder (new or empty; with --resume, the one to continue). `{shard}` in it is
    /// replaced by the shard index
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Number of frames (default: the whole scenario at --fps)
    #[arg(long, value_name = "N", conflicts_with = "duration")]
    pub frames: Option<u32>,
    /// Seconds of scenario to render (default: to its end)
    #[arg(long, value_name = "S")]
    pub duration: Option<f64>,
    /// Frames per second of scenario time
    #[arg(long, value_name = "F", default_value_t = 1.0)]
    pub fps: f64,
    /// Scenario time of the first frame, seconds
    #[arg(long, value_name = "S", default_value_t = 0.0)]
    pub start: f64,
    /// Cameras to render, by name or id (default: every camera of the project)
    #[arg(long, value_name = "NAME|ID,...", value_delimiter = ',')]
    pub cameras: Vec<String>,
    /// Image width for every camera (with --height; default: each camera's resolution)
    #[arg(long, value_name = "PX", requires = "height")]
    pub width: Option<u32>,
    #[arg(long, value_name = "PX", requires = "width")]
    pub height: Option<u32>,
    /// Random seed (default: the scenario's)
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Render only shard I of N (0-based): a contiguous share of the frames
    #[arg(long, value_name = "I/N", value_parser = twincity_dataset::parse_shard)]
    pub shard: Option<(u32, u32)>,
    /// Number of shards, the index coming from the batch system (`JOB_COMPLETION_INDEX` of a
    /// Kubernetes Indexed Job, `SLURM_ARRAY_TASK_ID` of a Slurm job array)
    #[arg(long, value_name = "N", conflicts_with = "shard")]
    pub shards: Option<u32>,
    /// Continue an interrupted run in the same folder: images already complete are kept
    #[arg(long)]
    pub resume: bool,
    /// Image file format
    #[arg(long, value_enum, default_value_t = FileFormat::Png)]
    pub format: FileFormat,
    /// JPEG quality (with --format jpeg)
    #[arg(long, value_name = "1-100", default_value_t = 90, value_parser = clap::value_parser!(u8).range(1..=100))]
    pub quality: u8,
    /// Also write instance and semantic masks (PNG)
    #[arg(long)]
    pub masks: bool,
    /// Also write depth maps (.npy, float32 metres)
    #[arg(long)]
    pub depth: bool,
    /// Also write crowd density maps (.npy, float32)
    #[arg(long)]
    pub density_maps: bool,
    /// Do not blur faces and plates, for the stated reason (recorded in the manifest)
    #[arg(long, value_name = "REASON")]
    pub no_privacy_blur: Option<String>,
    /// Directional shadows (slower on a software renderer)
    #[arg(long)]
    pub shadows: bool,
    /// Draw every person with the full meshes, however far (default: simplified meshes for
    /// distant people, chosen per camera; see docs/people.md)
    #[arg(long)]
    pub full_meshes: bool,
    /// After the images, cut one crop per visible object of this class into DIR/crops (PNG
    /// by label, and crops.csv), from the exported images
    #[arg(long, value_enum, value_name = "CLASS")]
    pub crops: Option<CropKind>,
    /// Crops: objects whose visible box is lower than this (pixels) are skipped
    #[arg(long, value_name = "PX", default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub crop_min_px: u32,
    /// How progress is shown
    #[arg(long, value_enum, default_value_t = ProgressStyle::Bar)]
    pub progress: ProgressStyle,
}

/// What `--crops` / `dataset crops --class` cuts out.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CropKind {
    /// Vehicles (cars, vans, trucks), labelled by body, else make and model
    #[value(name = "vehicle", alias = "vehicles")]
    Vehicle,
}

impl CropKind {
    fn options(self, min_px: u32) -> CropOptions {
        CropOptions {
            class: match self {
                CropKind::Vehicle => CropClass::Vehicle,
            },
            min_height_px: min_px,
            ..CropOptions::default()
        }
    }
}

/// Writes DIR/crops from the dataset's records and exported images; says what it wrote.
pub fn write_crops(
    dir: &Path,
    kind: CropKind,
    min_px: u32,
    quiet: bool,
) -> anyhow::Result<twincity_dataset::crops::CropSummary> {
    let (_, records) = twincity_dataset::store::load_dataset(dir)?;
    let summary = twincity_dataset::crops::write_crops(dir, &records, &kind.options(min_px))?;
    if !quiet {
        let labels: Vec<String> = summary
            .by_label
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        eprintln!(
            "twincity crops: {} {} crops from {} images in {} ({} under {min_px} px skipped){}{}",
            summary.crops,
            kind.options(min_px).class.name(),
            summary.images,
            dir.join(twincity_dataset::crops::CROPS_DIR).display(),
            summary.too_small,
            if labels.is_empty() { "" } else { ": " },
            labels.join(", ")
        );
    }
    Ok(summary)
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    Png,
    Jpeg,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgressStyle {
    /// A progress bar on stderr
    Bar,
    /// One JSON object per image on stdout (for programs driving the render)
    Json,
    /// Nothing but errors
    None,
}

/// Which shard to render: explicit, or from the batch system's environment.
pub fn resolve_shard(
    shard: Option<(u32, u32)>,
    shards: Option<u32>,
    env: impl Fn(&str) -> Option<String>,
) -> anyhow::Result<Option<(u32, u32)>> {
    if let Some(s) = shard {
        return Ok(Some(s));
    }
    let num = |name: &str| -> anyhow::Result<Option<u32>> {
        match env(name) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse()
                .map(Some)
                .with_context(|| format!("{name}={v}: not a whole number")),
        }
    };
    let index = match (num("JOB_COMPLETION_INDEX")?, num("SLURM_ARRAY_TASK_ID")?) {
        (Some(i), _) => Some(i),
        (None, Some(i)) => Some(i - num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0).min(i)),
        (None, None) => None,
    };
    let count = match shards {
        Some(n) => Some(n),
        None => num("SLURM_ARRAY_TASK_COUNT")?,
    };
    match (index, count) {
        (None, None) => Ok(None),
        (None, Some(_)) if shards.is_some() => bail!(
            "--shards needs the shard index from JOB_COMPLETION_INDEX (Kubernetes Indexed Job) \
             or SLURM_ARRAY_TASK_ID (Slurm job array); outside a batch system use --shard I/N"
        ),
        (None, Some(_)) => Ok(None),
        (Some(i), None) => bail!(
            "the batch system gives shard index {i} but no shard count: add --shards N (the \
             Job's completions, or the array's size)"
        ),
        (Some(i), Some(n)) => {
            if n == 0 || i >= n {
                bail!("shard index {i} is not below the shard count {n}");
            }
            Ok(Some((i, n)))
        }
    }
}

/// SHA-256 of the files that decide the dataset's content.
fn sha256_of(files: &[&Path]) -> anyhow::Result<String> {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for f in files {
        let bytes = std::fs::read(f).with_context(|| format!("{}: cannot read", f.display()))?;
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Everything a render needs, resolved from the command line and the files.
struct Job {
    scenario: Option<(PathBuf, Scenario)>,
    project: Project,
    cameras: Vec<VirtualCamera>,
    settings: Settings,
    range: std::ops::Range<u32>,
    out: PathBuf,
    ground: f32,
    shard: Option<(u32, u32)>,
}

fn prepare(args: &RenderArgs) -> anyhow::Result<Job> {
    let input = load_input(args)?;
    if !(args.fps.is_finite() && args.fps > 0.0 && args.fps <= 1000.0) {
        bail!("--fps {}: must be more than 0 and at most 1000", args.fps);
    }
    let compiled = match &input.scenario {
        Some(s) => {
            s.check().map_err(|p| {
                anyhow::anyhow!("{}: `{}`: {}", args.input.display(), p.field, p.message)
            })?;
            Some(s.compile(twincity_scenario::project_latitude(&input.project))?)
        }
        None => None,
    };
    let duration = compiled.as_ref().map_or(0.0, |c| c.duration_s);
    let frames = frame_count(args, duration)?;
    let cameras = chosen_cameras(args, &input.project)?;
    let settings = dataset_settings(args, &input, frames, &cameras)?;
    let shard = resolve_shard(args.shard, args.shards, |k| std::env::var(k).ok())?;
    let range = match shard {
        Some((i, n)) => shard_frames(frames, i, n),
        None => 0..frames,
    };
    let out = match shard {
        Some((i, _)) => PathBuf::from(
            args.out
                .to_string_lossy()
                .replace("{shard}", &i.to_string()),
        ),
        None => PathBuf::from(args.out.to_string_lossy().replace("{shard}", "0")),
    };
    let ground = compiled
        .as_ref()
        .map_or(twincity_scene::demo_city::KERB_HEIGHT, |c| {
            c.pavement_height()
        });
    Ok(Job {
        scenario: input.scenario.map(|s| (args.input.clone(), s)),
        project: input.project,
        cameras,
        settings,
        range,
        out,
        ground,
        shard,
    })
}

/// What the input file gives: the scenario (with the seed asked for) and its project, or a
/// project alone; and the project's file, if any.
struct Input {
    scenario: Option<Scenario>,
    project: Project,
    project_path: Option<PathBuf>,
}

/// Loads the scenario or project named on the command line.
fn load_input(args: &RenderArgs) -> anyhow::Result<Input> {
    let name = args.input.to_string_lossy().to_string();
    if name.ends_with(twincity_scenario::SCENARIO_SUFFIX) {
        let mut s = Scenario::load(&args.input)?;
        if let Some(seed) = args.seed {
            s.seed = seed;
        }
        let (project, project_path) = match &s.project {
            Some(p) => (Project::load(p)?, Some(p.clone())),
            None => (Project::demo()?, None),
        };
        Ok(Input {
            scenario: Some(s),
            project,
            project_path,
        })
    } else if name.ends_with(".twin.ron") {
        Ok(Input {
            scenario: None,
            project: Project::load(&args.input)?,
            project_path: Some(args.input.clone()),
        })
    } else {
        bail!("{name}: give a scenario (`*.scenario.ron`) or a project (`*.twin.ron`) to render");
    }
}

/// How many frames to render (from `--frames`, `--duration` or to the scenario's end),
/// checked against `--start` and the scenario's `duration`.
fn frame_count(args: &RenderArgs, duration: f64) -> anyhow::Result<u32> {
    if !(args.start.is_finite() && args.start >= 0.0 && args.start <= duration) {
        bail!(
            "--start {}: must lie within the scenario's 0 to {duration} s",
            args.start
        );
    }
    let frames = match (args.frames, args.duration) {
        (Some(n), _) => n,
        (None, Some(d)) => {
            if !(d.is_finite() && d > 0.0) {
                bail!("--duration {d}: must be more than 0 s");
            }
            ((d * args.fps) - 1e-9).ceil().max(1.0) as u32
        }
        (None, None) => (((duration - args.start) * args.fps) + 1e-9).floor() as u32 + 1,
    };
    if frames == 0 {
        bail!("--frames 0: nothing to render");
    }
    let last = args.start + (frames - 1) as f64 / args.fps;
    if last > duration + 1e-9 {
        bail!(
            "frame {} would be at {last:.2} s, past the scenario's end ({duration} s): ask for \
             fewer frames, a lower --fps or an earlier --start",
            frames - 1
        );
    }
    Ok(frames)
}

/// The cameras to render (all, or those named; by id), at the size asked for.
fn chosen_cameras(args: &RenderArgs, project: &Project) -> anyhow::Result<Vec<VirtualCamera>> {
    let mut cameras: Vec<VirtualCamera> = if args.cameras.is_empty() {
        project.cameras.clone()
    } else {
        let mut chosen = Vec::new();
        for want in &args.cameras {
            let found = project
                .cameras
                .iter()
                .find(|c| c.name == *want || want.parse::<u32>().ok() == Some(c.id.0));
            match found {
                Some(c) if !chosen.iter().any(|o: &VirtualCamera| o.id == c.id) => {
                    chosen.push(c.clone())
                }
                Some(_) => {}
                None => bail!(
                    "--cameras: no camera `{want}` in the project; its cameras are: {}",
                    project
                        .cameras
                        .iter()
                        .map(|c| format!("{} (id {})", c.name, c.id.0))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        }
        chosen
    };
    if cameras.is_empty() {
        bail!("the project has no camera to render: place cameras in the editor first");
    }
    cameras.sort_by_key(|c| c.id.0);
    if let (Some(w), Some(h)) = (args.width, args.height) {
        if !(16..=8192).contains(&w) || !(16..=8192).contains(&h) {
            bail!("--width/--height {w}x{h}: each must be 16 to 8192 pixels");
        }
        for c in &mut cameras {
            c.resolution = (w, h);
        }
    }
    Ok(cameras)
}

/// The dataset's settings as recorded in its manifest: the input and its hash, seed, frames,
/// cameras, format, privacy, extras and randomisation.
fn dataset_settings(
    args: &RenderArgs,
    input: &Input,
    frames: u32,
    cameras: &[VirtualCamera],
) -> anyhow::Result<Settings> {
    let privacy = match &args.no_privacy_blur {
        None => Privacy::blurred(),
        Some(reason) if reason.trim().len() >= 8 => Privacy::opted_out(reason.trim()),
        Some(_) => bail!(
            "--no-privacy-blur needs the reason in words (at least 8 characters), e.g. \
             --no-privacy-blur \"face detector training on synthetic faces only\"; it is \
             recorded in the manifest"
        ),
    };
    let scenario = input.scenario.as_ref();
    let mut hashed: Vec<&Path> = Vec::new();
    if scenario.is_some() {
        hashed.push(&args.input);
    }
    let crowd_path = scenario.and_then(|s| s.crowd.clone());
    if let Some(c) = &crowd_path {
        hashed.push(c);
    }
    if let Some(p) = &input.project_path {
        hashed.push(p);
    }
    let sha256 = sha256_of(&hashed)?;
    let seed = scenario.map_or(args.seed.unwrap_or(0), |s| s.seed);
    let randomisation = scenario
        .map(|s| s.randomisation.clone())
        .unwrap_or_default();
    Ok(Settings {
        scenario: ScenarioInfo {
            name: scenario.map_or_else(|| input.project.name.clone(), |s| s.name.clone()),
            file: args
                .input
                .file_name()
                .map(|f| f.to_string_lossy().to_string())
                .unwrap_or_default(),
            sha256,
            seed,
        },
        frames,
        fps: args.fps,
        start_s: args.start,
        cameras: cameras.iter().map(|c| c.id.0).collect(),
        size: args.width.zip(args.height),
        format: match args.format {
            FileFormat::Png => ImageFormat::Png,
            FileFormat::Jpeg => ImageFormat::Jpeg(args.quality),
        },
        privacy,
        extras: Extras {
            masks: args.masks,
            depth: args.depth,
            density: args.density_maps,
        },
        randomisation,
    })
}

/// One image rendered, annotated, blurred and encoded, with its extra files.
pub struct RenderedImage {
    pub record: ImageRecord,
    pub bytes: Vec<u8>,
    pub extras: Vec<(String, Vec<u8>)>,
}

/// Renders and annotates `camera` at frame `frame` of `state`. `annotate` false skips the
/// annotation pass, privacy and extras (the benchmark's baseline).
pub fn render_image(
    renderer: &mut OffscreenRenderer,
    state: &WorldState,
    ground: f32,
    camera: &VirtualCamera,
    settings: &Settings,
    frame: twincity_dataset::Frame,
    annotate: bool,
) -> anyhow::Result<RenderedImage> {
    let mut images = render_images(
        renderer,
        state,
        ground,
        std::slice::from_ref(camera),
        settings,
        frame,
        annotate,
    )?;
    Ok(images.remove(0))
}

/// Renders every camera of `cameras` at frame `frame` of `state` in one app frame
/// ([`OffscreenRenderer::render_many`]), then annotates each as [`render_image`] does; the
/// images are those it gives camera by camera.
pub fn render_images(
    renderer: &mut OffscreenRenderer,
    state: &WorldState,
    ground: f32,
    cameras: &[VirtualCamera],
    settings: &Settings,
    frame: twincity_dataset::Frame,
    annotate: bool,
) -> anyhow::Result<Vec<RenderedImage>> {
    let drawn = draw_views(renderer, cameras, settings, frame, annotate)?;
    Ok(drawn
        .label(state, ground, settings)?
        .into_iter()
        .map(|(_, img)| img)
        .collect())
}

/// The views of one frame's cameras as the renderer gave them, before labelling.
struct DrawnViews {
    frame: twincity_dataset::Frame,
    /// The project's cameras.
    cameras: Vec<VirtualCamera>,
    /// Each camera as drawn (its resolution scaled by the frame's sensor draw) and that draw.
    drawn: Vec<(VirtualCamera, twincity_dataset::SensorDraw)>,
    views: Vec<RenderedView>,
}

/// Draws every camera of `cameras` at frame `frame` in one app frame (with their id passes
/// when `annotate`).
fn draw_views(
    renderer: &mut OffscreenRenderer,
    cameras: &[VirtualCamera],
    settings: &Settings,
    frame: twincity_dataset::Frame,
    annotate: bool,
) -> anyhow::Result<DrawnViews> {
    let drawn: Vec<_> = cameras
        .iter()
        .map(|c| drawn_camera(c, settings, frame))
        .collect();
    let cams: Vec<VirtualCamera> = drawn.iter().map(|(c, _)| c.clone()).collect();
    let views = renderer.render_many(&cams, annotate)?;
    // A city file that failed to load would be missing from every image (and its occlusion
    // from the labels): stop before anything is written, naming the file and the reason.
    if let Some((path, ImportState::Failed(e))) = renderer
        .city_status()
        .imports
        .into_iter()
        .find(|(_, s)| matches!(s, ImportState::Failed(_)))
    {
        bail!(
            "{}: the city file could not be loaded, so it would be missing from every image: {e}",
            path.display()
        );
    }
    Ok(DrawnViews {
        frame,
        cameras: cameras.to_vec(),
        drawn,
        views,
    })
}

impl DrawnViews {
    /// Labels, blurs, applies the sensor's effects to and encodes every view
    /// ([`annotate_image`]), the views in parallel, each with its project camera. Needs no
    /// renderer: it runs beside the drawing of the next frame.
    fn label(
        self,
        state: &WorldState,
        ground: f32,
        settings: &Settings,
    ) -> anyhow::Result<Vec<(VirtualCamera, RenderedImage)>> {
        use rayon::prelude::*;
        let frame = self.frame;
        // The posed figures are the frame's, the same for every view: made once.
        let figures = if self.views.iter().any(|(_, ids)| ids.is_some()) {
            let cast = twincity_scenario::people::Cast::bundled().map_err(anyhow::Error::msg)?;
            twincity_scenario::figures::figures(state, ground, cast)
        } else {
            Vec::new()
        };
        self.views
            .into_par_iter()
            .zip(self.cameras.into_par_iter().zip(self.drawn))
            .map(|((img, ids), (camera, (cam, draw)))| {
                let shot = Shot {
                    camera: &camera,
                    cam: &cam,
                    draw,
                    frame,
                };
                let image =
                    annotate_image(state, settings, shot, img, ids.map(|i| (i, &figures[..])))?;
                Ok((camera, image))
            })
            .collect()
    }
}

/// One camera's view of a frame: the project's camera, the camera drawn (its resolution
/// scaled by the frame's sensor draw) and that draw.
struct Shot<'a> {
    camera: &'a VirtualCamera,
    cam: &'a VirtualCamera,
    draw: twincity_dataset::SensorDraw,
    frame: twincity_dataset::Frame,
}

/// Labels, blurs, applies the sensor's effects to and encodes one rendered view (with its id
/// pass and the frame's posed figures when annotated), with its extra files.
fn annotate_image(
    state: &WorldState,
    settings: &Settings,
    shot: Shot,
    mut img: image::RgbaImage,
    labels: Option<(IdImage, &[twincity_scenario::figures::Figure])>,
) -> anyhow::Result<RenderedImage> {
    let Shot {
        camera,
        cam,
        draw,
        frame,
    } = shot;
    let folder = camera_folder(camera);
    let (w, h) = cam.resolution;
    let mut extras = Vec::new();
    let (objects, heads) = if let Some((ids, figures)) = labels {
        let annotations = twincity_dataset::annotate::annotate_rendered(cam, figures, &ids);
        let (objects, heads, blur) = image_objects(state, &annotations, (w, h), &settings.privacy);
        twincity_dataset::privacy::blur_boxes(&mut img, &blur);
        let stem = ImageRecord::stem(&folder, frame.index);
        if settings.extras.masks {
            let mut instance = image::ImageBuffer::<image::Luma<u16>, Vec<u16>>::new(w, h);
            let mut semantic = image::GrayImage::new(w, h);
            for o in &objects {
                for (x, y) in twincity_dataset::rle_decode(&o.rle, w, h)? {
                    instance.put_pixel(x, y, image::Luma([o.id as u16]));
                    semantic.put_pixel(x, y, image::Luma([o.category_id as u8]));
                }
            }
            extras.push((format!("masks/instance/{stem}.png"), png(&instance)?));
            extras.push((format!("masks/semantic/{stem}.png"), png(&semantic)?));
        }
        if settings.extras.depth {
            extras.push((
                format!("depth/{stem}.npy"),
                formats::npy_f32(w, h, &ids.depth),
            ));
        }
        if settings.extras.density {
            // The heads counted in the points, each spread over about its own size.
            let kernels: Vec<(f32, f32, f32)> = annotations
                .iter()
                .filter_map(|a| {
                    let head = a.head.filter(|h| h.visible)?;
                    let size = a.private_box.map_or(4, |b| b[2].max(b[3]));
                    Some((head.x, head.y, (size as f32 / 4.0).max(1.0)))
                })
                .collect();
            let map = formats::density_map(w, h, &kernels);
            extras.push((format!("density/{stem}.npy"), formats::npy_f32(w, h, &map)));
        }
        (objects, heads)
    } else {
        (Vec::new(), Vec::new())
    };
    effects::apply(
        &mut img,
        &draw,
        settings.scenario.seed,
        frame.index,
        camera.id.0,
    );
    let bytes = encode(&img, settings.format)?;
    let env = &state.environment;
    let environment = (settings
        .scenario
        .file
        .ends_with(twincity_scenario::SCENARIO_SUFFIX))
    .then(|| EnvironmentRecord {
        time_of_day_h: env.time_of_day_h,
        sun_elevation_deg: (env.sun_elevation_deg * 100.0).round() / 100.0,
        street_lights_on: env.street_lights_on,
        rain: env.rain,
        fog_visibility_m: env.fog_visibility_m,
    });
    let record = ImageRecord {
        file: format!(
            "images/{folder}/{:06}.{}",
            frame.index,
            settings.format.extension()
        ),
        frame: frame.index,
        time_s: frame.time_s,
        camera: camera.name.clone(),
        camera_id: camera.id.0,
        width: w,
        height: h,
        intrinsics: Intrinsics::of(cam),
        extrinsics: Extrinsics::of(cam),
        environment,
        sensor: draw,
        objects,
        heads,
    };
    Ok(RenderedImage {
        record,
        bytes,
        extras,
    })
}

fn png<P, C>(img: &image::ImageBuffer<P, C>) -> anyhow::Result<Vec<u8>>
where
    P: image::PixelWithColorType,
    [P::Subpixel]: image::EncodableLayout,
    C: std::ops::Deref<Target = [P::Subpixel]>,
{
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .context("PNG encoding")?;
    Ok(out)
}

fn encode(img: &image::RgbaImage, format: ImageFormat) -> anyhow::Result<Vec<u8>> {
    let rgb = image::DynamicImage::ImageRgba8(img.clone()).to_rgb8();
    match format {
        ImageFormat::Png => png(&rgb),
        ImageFormat::Jpeg(q) => {
            let mut out = Vec::new();
            rgb.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
                &mut out, q,
            ))
            .context("JPEG encoding")?;
            Ok(out)
        }
    }
}

/// The world at a frame: the scenario seeked there (with the frame's own environment when
/// the randomisation asks), or an empty street for a project.
pub fn world_at(
    renderer: &mut OffscreenRenderer,
    settings: &Settings,
    scenario: Option<&Scenario>,
    latitude: Option<f64>,
    frame: twincity_dataset::Frame,
) -> WorldState {
    if scenario.is_none() {
        renderer.update();
        return WorldState::default();
    }
    renderer.scenario_command(ScenarioCommand::Seek(frame.time_s));
    if settings.randomisation.environment_per_frame
        && let Some(s) = scenario
    {
        let mut rng = twincity_dataset::image_rng(settings.scenario.seed, frame.index, 0, 3);
        let env = s.environment.draw(&mut rng, latitude);
        renderer
            .world_mut()
            .resource_mut::<ScenarioPlayer>()
            .override_environment(env);
        renderer.update();
    }
    renderer
        .scenario()
        .and_then(|p| p.state.clone())
        .unwrap_or_default()
}

/// How an offscreen renderer draws the scene (`--shadows`, `--full-meshes`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Drawing {
    /// The sun's shadows.
    pub shadows: bool,
    /// People's full meshes however far (no levels of detail).
    pub full_meshes: bool,
}

impl RenderArgs {
    /// How the renderer draws the scene for these arguments.
    pub fn drawing(&self) -> Drawing {
        Drawing {
            shadows: self.shadows,
            full_meshes: self.full_meshes,
        }
    }
}

/// An offscreen renderer showing `project` and, when given, `scenario` (path, contents) at
/// `start` seconds, as `twincity render` uses it.
pub fn scenario_renderer(
    project: &Project,
    scenario: Option<&(PathBuf, Scenario)>,
    start: f64,
    drawing: Drawing,
) -> anyhow::Result<OffscreenRenderer> {
    let spec = CitySpec {
        demo_city: project.demo_city,
        imports: project.imports.clone(),
        origin: project.origin.clone(),
    };
    let options = OffscreenOptions {
        shadows: drawing.shadows,
        full_meshes: drawing.full_meshes,
        timeout: Duration::from_secs(300),
        privacy_masks: project.coverage.privacy_masks.clone(),
        scenario: scenario.map(|(p, _)| (p.clone(), start)),
        project: Some(project.clone()),
        ..Default::default()
    };
    let mut r = OffscreenRenderer::new(spec, options)?;
    if let Some((_, s)) = scenario {
        // The seed given on the command line, and no reloading while rendering.
        r.scenario_command(ScenarioCommand::Replace(Box::new(s.clone())));
        r.world_mut().resource_mut::<ScenarioPlayer>().path = None;
        r.update();
        if let Some(p) = r.scenario()
            && let Some(e) = &p.error
        {
            bail!("{e}");
        }
    }
    Ok(r)
}

pub fn run(args: &RenderArgs) -> anyhow::Result<ExitCode> {
    let cancel = Arc::new(AtomicBool::new(false));
    if args.progress == ProgressStyle::Json {
        // A program driving the render (the editor's export window) stops it by writing
        // `cancel` on its standard input.
        let flag = cancel.clone();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::stdin().lock().lines().map_while(Result::ok) {
                if line.trim() == "cancel" {
                    flag.store(true, Ordering::Relaxed);
                }
            }
        });
    }
    run_cancellable(args, &cancel)
}

/// Renders the job; stops cleanly (dataset finished as partial) when `cancel` is set.
pub fn run_cancellable(args: &RenderArgs, cancel: &Arc<AtomicBool>) -> anyhow::Result<ExitCode> {
    let job = prepare(args)?;
    let manifest = Manifest::new(
        &format!("twincity {}", env!("CARGO_PKG_VERSION")),
        job.settings.clone(),
        job.cameras.iter().map(CameraEntry::of).collect(),
    );
    let mut store = Store::open(&job.out, manifest, job.range.clone(), args.resume)?;
    let plan = Plan::new(&job, &store);
    let bar = start_progress(args, &job, &plan);
    let mut result: anyhow::Result<()> = Ok(());
    if let Some(&(first, _)) = plan.todo.first() {
        let mut renderer = scenario_renderer(
            &job.project,
            job.scenario.as_ref(),
            plan.frames[first].time_s,
            args.drawing(),
        )?;
        result = render_all(
            &mut renderer,
            &job,
            &mut store,
            &plan,
            args.progress,
            bar.as_ref(),
            cancel,
        );
    }
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    finish(args, &job, &mut store, result)
}

/// The images of this shard: its frames, the (frame, camera) pairs not yet in the store, how
/// many images in all and how many already done.
struct Plan {
    frames: Vec<twincity_dataset::Frame>,
    todo: Vec<(usize, usize)>,
    total: usize,
    already: usize,
}

impl Plan {
    fn new(job: &Job, store: &Store) -> Plan {
        let frames: Vec<_> = job
            .settings
            .frames()
            .into_iter()
            .filter(|f| job.range.contains(&f.index))
            .collect();
        let todo: Vec<(usize, usize)> = frames
            .iter()
            .enumerate()
            .flat_map(|(fi, f)| {
                job.cameras
                    .iter()
                    .enumerate()
                    .filter(move |(_, c)| !store.is_done(&camera_folder(c), f.index))
                    .map(move |(ci, _)| (fi, ci))
            })
            .collect();
        let total = frames.len() * job.cameras.len();
        let already = total - todo.len();
        Plan {
            frames,
            todo,
            total,
            already,
        }
    }
}

/// With a progress bar: what is rendered where, and the bar (at the images already done).
fn start_progress(args: &RenderArgs, job: &Job, plan: &Plan) -> Option<indicatif::ProgressBar> {
    if args.progress != ProgressStyle::Bar {
        return None;
    }
    let already = plan.already;
    eprintln!(
        "twincity render: {} → {}{}: {} frames × {} cameras{}",
        args.input.display(),
        job.out.display(),
        job.shard
            .map_or(String::new(), |(i, n)| format!(" (shard {i}/{n})")),
        plan.frames.len(),
        job.cameras.len(),
        if already > 0 {
            format!(", {already} images already done")
        } else {
            String::new()
        }
    );
    let b = indicatif::ProgressBar::new(plan.total as u64);
    b.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} images  {per_sec}  eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    b.set_position(already as u64);
    Some(b)
}

/// The most cameras drawn in one app frame (their targets, multisampled, held at once).
const VIEWS_IN_FLIGHT: usize = 8;

/// How many app frames' views may wait, drawn, for the labelling thread: with one waiting
/// and one being labelled, the renderer draws a third.
const FRAMES_QUEUED: usize = 1;

/// Renders and stores the images still to do, frame by frame (the world seeked once per
/// frame, the frame's cameras drawn together), showing progress; stops at the first error or
/// when `cancel` is set.
fn render_all(
    renderer: &mut OffscreenRenderer,
    job: &Job,
    store: &mut Store,
    plan: &Plan,
    style: ProgressStyle,
    bar: Option<&indicatif::ProgressBar>,
    cancel: &AtomicBool,
) -> anyhow::Result<()> {
    let mut done = plan.already;
    // `move`: the labelling thread holds the store (and the count) while the images come.
    pipelined(renderer, job, plan, cancel, move |camera, frame, img| {
        store.write_image(&img.record, &camera_folder(camera), &img.bytes, &img.extras)?;
        done += 1;
        match (bar, style) {
            (Some(b), _) => b.inc(1),
            (None, ProgressStyle::Json) => println!(
                "{}",
                serde_json::json!({
                    "done": done,
                    "total": plan.total,
                    "frame": frame.index,
                    "camera": camera.name,
                    "objects": img.record.objects.len(),
                    "file": img.record.file,
                })
            ),
            _ => {}
        }
        Ok(())
    })
    .map(|_| ())
}

/// Where the time of a [`pipelined`] render went, besides the drawing.
#[derive(Clone, Copy, Debug, Default)]
struct PipelineTimes {
    /// Labelling, blurring, encoding and handing over (on the labelling thread).
    labelling: Duration,
    /// The drawing thread's waits for the labelling thread (the queue full).
    waiting: Duration,
}

/// The images of `plan`, drawn on this thread and labelled, blurred and encoded on another
/// (in the order drawn), each handed to `sink` there: the renderer draws the next frame
/// while the last one is labelled. Stops at the first error of either side (the images
/// already handed over stay) or when `cancel` is set.
fn pipelined(
    renderer: &mut OffscreenRenderer,
    job: &Job,
    plan: &Plan,
    cancel: &AtomicBool,
    mut sink: impl FnMut(&VirtualCamera, twincity_dataset::Frame, RenderedImage) -> anyhow::Result<()>
    + Send,
) -> anyhow::Result<PipelineTimes> {
    let (settings, ground) = (&job.settings, job.ground);
    std::thread::scope(|scope| {
        let (to_label, drawn) =
            std::sync::mpsc::sync_channel::<(Arc<WorldState>, DrawnViews)>(FRAMES_QUEUED);
        let labeller = scope.spawn(move || -> anyhow::Result<Duration> {
            let mut busy = Duration::ZERO;
            for (state, views) in drawn {
                let t = std::time::Instant::now();
                let frame = views.frame;
                for (camera, img) in views.label(&state, ground, settings)? {
                    sink(&camera, frame, img)?;
                }
                busy += t.elapsed();
            }
            Ok(busy)
        });
        let waiting = draw_frames(renderer, job, plan, cancel, &to_label);
        drop(to_label);
        let labelling = labeller
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        // When the labeller failed, the drawing stopped because of it: its error comes first.
        Ok(PipelineTimes {
            labelling: labelling?,
            waiting: waiting?,
        })
    })
}

/// The drawing side of [`pipelined`]: seeks the world once per frame and draws the frame's
/// cameras together, handing each app frame's views to the labeller; how long it waited for
/// the labeller.
fn draw_frames(
    renderer: &mut OffscreenRenderer,
    job: &Job,
    plan: &Plan,
    cancel: &AtomicBool,
    to_label: &std::sync::mpsc::SyncSender<(Arc<WorldState>, DrawnViews)>,
) -> anyhow::Result<Duration> {
    let mut waiting = Duration::ZERO;
    let latitude = twincity_scenario::project_latitude(&job.project);
    let mut seeked: Option<(usize, Arc<WorldState>)> = None;
    for todo in plan
        .todo
        .chunk_by(|a, b| a.0 == b.0)
        .flat_map(|f| f.chunks(VIEWS_IN_FLIGHT))
    {
        if cancel.load(Ordering::Relaxed) {
            bail!("cancelled");
        }
        let fi = todo[0].0;
        let frame = plan.frames[fi];
        let state = match &seeked {
            Some((f, state)) if *f == fi => state.clone(),
            _ => {
                let state = Arc::new(world_at(
                    renderer,
                    &job.settings,
                    job.scenario.as_ref().map(|(_, s)| s),
                    latitude,
                    frame,
                ));
                seeked = Some((fi, state.clone()));
                state
            }
        };
        let cameras: Vec<VirtualCamera> = todo
            .iter()
            .map(|&(_, ci)| job.cameras[ci].clone())
            .collect();
        let views = draw_views(renderer, &cameras, &job.settings, frame, true)?;
        let t = std::time::Instant::now();
        if to_label.send((state, views)).is_err() {
            // The labeller stopped at an error, which it reports.
            break;
        }
        waiting += t.elapsed();
    }
    Ok(waiting)
}

/// Whatever happened, what is on disk becomes a valid (maybe partial) dataset; says how it
/// ended.
fn finish(
    args: &RenderArgs,
    job: &Job,
    store: &mut Store,
    result: anyhow::Result<()>,
) -> anyhow::Result<ExitCode> {
    let finished = store.finish();
    let images = match (&result, finished) {
        (_, Ok(n)) => n,
        (Ok(()), Err(e)) => return Err(e.into()),
        (Err(_), Err(e)) => {
            eprintln!("twincity render: could not finish the dataset's index files: {e}");
            0
        }
    };
    match result {
        Ok(()) => {
            if let Some(kind) = args.crops {
                write_crops(
                    &job.out,
                    kind,
                    args.crop_min_px,
                    args.progress == ProgressStyle::Json,
                )
                .context("the images are complete, but the crops could not be written (`twincity dataset crops` retries them)")?;
            }
            if args.progress != ProgressStyle::Json {
                eprintln!(
                    "twincity render: {images} images in {} ({:?})",
                    job.out.display(),
                    store.manifest.status
                );
            } else {
                println!(
                    "{}",
                    serde_json::json!({"finished": true, "images": images, "status": store.manifest.status})
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Err(e.context(format!(
            "{}: stopped after {images} complete images; the dataset there is valid and \
             partial: run the same command with --resume to finish it",
            job.out.display()
        ))),
    }
}

#[derive(Args, Debug)]
pub struct DatasetArgs {
    #[command(subcommand)]
    pub what: DatasetWhat,
}

#[derive(Subcommand, Debug)]
pub enum DatasetWhat {
    /// Join the folders of a sharded render into one dataset (files copied or hard-linked;
    /// COCO, YOLO data file and manifest rebuilt)
    Merge {
        /// The new dataset folder
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The shard folders
        #[arg(required = true, value_name = "SHARD_DIR")]
        inputs: Vec<PathBuf>,
    },
    /// Check a dataset folder: every record reads, every image is there at its size, COCO and
    /// manifest agree with the records; prints counts
    Check {
        dir: PathBuf,
        /// Print the summary as JSON
        #[arg(long)]
        json: bool,
    },
    /// Cut one crop per visible object of a class from a dataset's images into DIR/crops
    /// (PNG by label, and crops.csv; crops written before are replaced)
    Crops {
        dir: PathBuf,
        /// Which objects
        #[arg(long, value_enum, default_value_t = CropKind::Vehicle)]
        class: CropKind,
        /// Objects whose visible box is lower than this (pixels) are skipped
        #[arg(long, value_name = "PX", default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        crop_min_px: u32,
    },
}

/// `twincity dataset merge|check|crops`.
pub fn dataset(args: &DatasetArgs) -> anyhow::Result<ExitCode> {
    match &args.what {
        DatasetWhat::Crops {
            dir,
            class,
            crop_min_px,
        } => {
            write_crops(dir, *class, *crop_min_px, false)?;
            Ok(ExitCode::SUCCESS)
        }
        DatasetWhat::Merge { out, inputs } => {
            let summary = twincity_dataset::store::merge(out, inputs)?;
            eprintln!(
                "twincity dataset merge: {} images from {} folders in {} ({:?})",
                summary.images,
                inputs.len(),
                out.display(),
                summary.status
            );
            Ok(ExitCode::SUCCESS)
        }
        DatasetWhat::Check { dir, json } => {
            let report = check(dir)?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!(
                    "{}: {} images, {} objects, {} visible heads, status {}",
                    dir.display(),
                    report["images"],
                    report["objects"],
                    report["visible_heads"],
                    report["status"]
                );
                if let Some(by) = report["by_category"].as_object() {
                    for (k, v) in by {
                        println!("  {k:<12} {v}");
                    }
                }
                if let Some(p) = report["problems"].as_array() {
                    for p in p {
                        println!("  problem: {}", p.as_str().unwrap_or("?"));
                    }
                }
            }
            let ok = report["problems"].as_array().is_none_or(|p| p.is_empty());
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

/// Verifies a dataset folder; the report lists every problem found.
pub fn check(dir: &Path) -> anyhow::Result<serde_json::Value> {
    Ok(serde_json::to_value(twincity_dataset::check::check(dir)?)?)
}

#[derive(Args, Debug)]
pub struct BenchRenderArgs {
    /// Scenario whose first camera is rendered
    #[arg(long, default_value = "scenarios/collapse_in_crowd.scenario.ron")]
    pub scenario: PathBuf,
    /// Image sizes
    #[arg(long, value_delimiter = ',', default_value = "640x360,1280x720", value_parser = crate::cli::args::parse_size)]
    pub sizes: Vec<(u32, u32)>,
    /// Frames timed per size (each rendered twice plain and twice annotated, in the order
    /// plain, annotated, annotated, plain)
    #[arg(long, default_value_t = 8)]
    pub frames: u32,
    /// Scenario time of the first frame (one frame per second after it)
    #[arg(long, default_value_t = 100.0)]
    pub at: f64,
    /// One JSON object per size instead of a table
    #[arg(long)]
    pub json: bool,
    /// People drawn with their full meshes, however far (as `render --full-meshes`)
    #[arg(long)]
    pub full_meshes: bool,
}

/// The render settings the benchmarks use: `frames` frames one second apart from `at`, PNG,
/// no extras, no progress, no shadows.
fn bench_args(scenario: &Path, frames: u32, at: f64, full_meshes: bool) -> RenderArgs {
    RenderArgs {
        input: scenario.to_path_buf(),
        out: std::env::temp_dir(),
        frames: Some(frames),
        duration: None,
        fps: 1.0,
        start: at,
        cameras: Vec::new(),
        width: None,
        height: None,
        seed: None,
        shard: None,
        shards: None,
        resume: false,
        format: FileFormat::Png,
        quality: 90,
        masks: false,
        depth: false,
        density_maps: false,
        no_privacy_blur: None,
        shadows: false,
        full_meshes,
        crops: None,
        crop_min_px: 24,
        progress: ProgressStyle::None,
    }
}

/// The camera as `frame` renders it: at the resolution the randomisation's scale draws for
/// it (the same draw `render_image` uses), with that draw.
fn drawn_camera(
    camera: &VirtualCamera,
    settings: &Settings,
    frame: twincity_dataset::Frame,
) -> (VirtualCamera, twincity_dataset::SensorDraw) {
    let draw = twincity_dataset::sensor_draw(
        &settings.randomisation,
        settings.scenario.seed,
        frame.index,
        camera.id.0,
    );
    let mut cam = camera.clone();
    if draw.scale < 1.0 {
        cam.resolution = (
            ((cam.resolution.0 as f64 * draw.scale).round() as u32).max(16),
            ((cam.resolution.1 as f64 * draw.scale).round() as u32).max(16),
        );
    }
    (cam, draw)
}

/// One rendered frame of a scenario's first camera at `at` seconds and `size`, with what
/// produced it (for the inference benchmark).
pub struct SampleFrame {
    pub image: image::RgbaImage,
    pub camera: VirtualCamera,
    pub state: WorldState,
    pub project: Project,
    pub ground: f32,
}

pub fn sample_frame(scenario: &Path, at: f64, size: (u32, u32)) -> anyhow::Result<SampleFrame> {
    let job = prepare(&bench_args(scenario, 1, at, false))?;
    let latitude = twincity_scenario::project_latitude(&job.project);
    let mut renderer =
        scenario_renderer(&job.project, job.scenario.as_ref(), at, Drawing::default())?;
    let mut camera = job
        .cameras
        .first()
        .context("the project has no camera")?
        .clone();
    camera.resolution = size;
    let frame = job.settings.frames()[0];
    let state = world_at(
        &mut renderer,
        &job.settings,
        job.scenario.as_ref().map(|(_, s)| s),
        latitude,
        frame,
    );
    let image = renderer.render(&camera)?;
    Ok(SampleFrame {
        image,
        camera,
        state,
        project: job.project,
        ground: job.ground,
    })
}

/// `twincity bench render`: per size, frames per second rendering only, and annotated and
/// written as `twincity render` does (labelling beside the drawing of the next frame); the
/// annotation overhead is their ratio, in one run.
pub fn bench(args: &BenchRenderArgs) -> anyhow::Result<ExitCode> {
    if cfg!(debug_assertions) && !args.json {
        eprintln!("note: this is a debug build; use `cargo run --release -- bench render`");
    }
    let render_args = bench_args(
        &args.scenario,
        args.frames.max(1),
        args.at,
        args.full_meshes,
    );
    let mut job = prepare(&render_args)?;
    let drawing = render_args.drawing();
    let mut renderer = scenario_renderer(&job.project, job.scenario.as_ref(), args.at, drawing)?;
    let first = job
        .cameras
        .first()
        .context("the project has no camera")?
        .clone();
    for &(w, h) in &args.sizes {
        let mut camera = first.clone();
        camera.resolution = (w, h);
        job.cameras = vec![camera.clone()];
        job.settings.size = Some((w, h));
        // Warm-up at this size (pipelines, targets), with and without the id pass.
        renderer.render_many(std::slice::from_ref(&camera), true)?;
        renderer.render(&camera)?;
        // Each way twice, in the order A B B A, so drift affects both alike.
        let mut run = BenchRun {
            size: (w, h),
            images: 0,
            plain: 0.0,
            annotated: 0.0,
            objects: 0,
            times: PipelineTimes::default(),
        };
        for annotate in [false, true, true, false] {
            if annotate {
                bench_annotated(&mut renderer, &job, &mut run)?;
            } else {
                run.plain += bench_plain(&mut renderer, &job)?;
            }
        }
        run.print(args.json);
    }
    Ok(ExitCode::SUCCESS)
}

/// One size's measurements of `twincity bench render`: both ways over the same frames.
struct BenchRun {
    size: (u32, u32),
    /// Images rendered each way.
    images: usize,
    /// Seconds rendering only.
    plain: f64,
    /// Seconds rendering, labelling and writing a dataset.
    annotated: f64,
    objects: usize,
    times: PipelineTimes,
}

/// Seconds to seek and draw every frame of `job`'s one camera, colour only.
fn bench_plain(renderer: &mut OffscreenRenderer, job: &Job) -> anyhow::Result<f64> {
    let latitude = twincity_scenario::project_latitude(&job.project);
    let t = std::time::Instant::now();
    for frame in job.settings.frames() {
        world_at(
            renderer,
            &job.settings,
            job.scenario.as_ref().map(|(_, s)| s),
            latitude,
            frame,
        );
        // The same size the annotated pass renders (randomisation may scale it).
        renderer.render(&drawn_camera(&job.cameras[0], &job.settings, frame).0)?;
    }
    Ok(t.elapsed().as_secs_f64())
}

/// Renders `job` as `twincity render` does, into a new dataset folder, adding the time and
/// what was labelled to `run`.
fn bench_annotated(
    renderer: &mut OffscreenRenderer,
    job: &Job,
    run: &mut BenchRun,
) -> anyhow::Result<()> {
    let out = tempfile::tempdir()?;
    let cameras = job.cameras.iter().map(CameraEntry::of).collect();
    let manifest = Manifest::new("bench", job.settings.clone(), cameras);
    let mut store = Store::open(out.path(), manifest, 0..job.settings.frames, false)?;
    let plan = Plan::new(job, &store);
    let (mut objects, mut images) = (0, 0);
    let (written, counted, made) = (&mut store, &mut objects, &mut images);
    let t = std::time::Instant::now();
    let never = AtomicBool::new(false);
    let times = pipelined(renderer, job, &plan, &never, move |camera, _, img| {
        written.write_image(&img.record, &camera_folder(camera), &img.bytes, &img.extras)?;
        *counted += img.record.objects.len();
        *made += 1;
        Ok(())
    })?;
    run.annotated += t.elapsed().as_secs_f64();
    run.objects += objects;
    run.images = images;
    run.times.labelling += times.labelling;
    run.times.waiting += times.waiting;
    Ok(())
}

impl BenchRun {
    fn print(&self, json: bool) {
        let (w, h) = self.size;
        let n = 2.0 * self.images.max(1) as f64;
        let (render_fps, annotated_fps) = (n / self.plain, n / self.annotated);
        let overhead = render_fps / annotated_fps - 1.0;
        let objects = self.objects as f64 / n;
        // Per image: the labelling thread's work, and the drawing's waits for it.
        let labelling_ms = 1000.0 * self.times.labelling.as_secs_f64() / n;
        let waiting_ms = 1000.0 * self.times.waiting.as_secs_f64() / n;
        if json {
            println!(
                "{}",
                serde_json::json!({
                    "width": w, "height": h, "frames": self.images,
                    "render_fps": render_fps,
                    "annotated_fps": annotated_fps,
                    "render_ms": 1000.0 / render_fps,
                    "annotated_ms": 1000.0 / annotated_fps,
                    "overhead": overhead,
                    "objects_per_frame": objects,
                    "labelling_ms": labelling_ms,
                    "waiting_for_labelling_ms": waiting_ms,
                })
            );
        } else {
            println!(
                "{w}x{h}: render only {render_fps:.2} fps ({:.0} ms), annotated and written \
                 {annotated_fps:.2} fps ({:.0} ms), annotation overhead {:+.1} % (goal ≤ 15 %), \
                 {objects:.1} objects/frame; labelling {labelling_ms:.0} ms per image beside the \
                 drawing, which waited {waiting_ms:.0} ms for it",
                1000.0 / render_fps,
                1000.0 / annotated_fps,
                100.0 * overhead,
            );
        }
    }
}
