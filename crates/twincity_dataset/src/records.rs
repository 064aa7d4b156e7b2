//! Datasets rendered from a scenario: what every image's ground truth holds, where each file
//! goes, which frames a shard renders, and the draws of the domain randomisation. Rendering
//! itself is the app's (`twincity render`); everything it writes is built here, so the
//! formats are tested without a renderer. See `docs/dataset-format.md`.

use std::collections::BTreeMap;

use glam::{Mat3, Vec3};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use twincity_model::VirtualCamera;
use twincity_scenario::Randomisation;

use crate::annotate::{HeadPoint, PixelBox};

/// Version of the layout and of the files' fields; bumped when either changes. 2: the
/// visible boxes, masks, visibility, head visibility and depth come from the renderer's id
/// pass (1: ray casting against box figures and the city's buildings).
pub const FORMAT_VERSION: u32 = 2;

/// Object categories, in the order of their ids (1-based in COCO, 0-based in YOLO).
pub const CATEGORIES: [&str; 11] = [
    "person",
    "person_down",
    "bag",
    "box",
    "mattress",
    "appliance",
    "tyre",
    "car",
    "van",
    "truck",
    "bicycle",
];

/// COCO supercategory of a category.
pub fn supercategory(name: &str) -> &'static str {
    match name {
        "person" | "person_down" => "person",
        "car" | "van" | "truck" | "bicycle" => "vehicle",
        _ => "dumped_object",
    }
}

/// The 1-based id of a category, `None` for an unknown name.
pub fn category_id(name: &str) -> Option<u32> {
    CATEGORIES
        .iter()
        .position(|c| *c == name)
        .map(|i| i as u32 + 1)
}

/// Image encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageFormat {
    Png,
    /// JPEG at this quality (1–100).
    Jpeg(u8),
}

impl ImageFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Jpeg(_) => "jpg",
        }
    }
}

/// What privacy does to the images.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Privacy {
    pub faces_blurred: bool,
    pub plates_blurred: bool,
    /// Why blurring is off (required when either is off).
    pub opt_out_reason: Option<String>,
    /// Person ids are given per image only: nothing links a person across frames.
    pub person_ids: String,
}

impl Privacy {
    /// Faces and plates blurred.
    pub fn blurred() -> Self {
        Self {
            faces_blurred: true,
            plates_blurred: true,
            opt_out_reason: None,
            person_ids: "per_image".into(),
        }
    }

    /// Nothing blurred, for a stated reason.
    pub fn opted_out(reason: &str) -> Self {
        Self {
            faces_blurred: false,
            plates_blurred: false,
            opt_out_reason: Some(reason.to_string()),
            person_ids: "per_image".into(),
        }
    }
}

/// Optional outputs besides images, boxes, head points, YOLO and COCO.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extras {
    /// Instance (16-bit, object id) and semantic (8-bit, category id) mask PNGs.
    pub masks: bool,
    /// Distance along the optical axis per pixel, metres (`.npy`, float32; +inf: sky).
    pub depth: bool,
    /// Crowd density maps (`.npy`, float32, one Gaussian per visible head, summing to the
    /// count).
    pub density: bool,
}

/// Everything that decides a dataset's content: two runs with equal settings write the same
/// files, and `--resume` and `merge` refuse to mix different ones.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub scenario: ScenarioInfo,
    /// Frames taken, in order: frame `i` is at `start_s + i / fps`.
    pub frames: u32,
    pub fps: f64,
    pub start_s: f64,
    /// The cameras rendered (project ids).
    pub cameras: Vec<u32>,
    /// Image size when set for every camera (else each camera's own resolution).
    pub size: Option<(u32, u32)>,
    pub format: ImageFormat,
    pub privacy: Privacy,
    pub extras: Extras,
    pub randomisation: Randomisation,
}

/// Which scenario, exactly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioInfo {
    pub name: String,
    /// The scenario file's name (no folder: datasets do not record local paths).
    pub file: String,
    /// SHA-256 of the scenario, crowd and project files' bytes, in that order.
    pub sha256: String,
    pub seed: u64,
}

/// A frame's place in time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    pub index: u32,
    pub time_s: f64,
}

impl Settings {
    /// Every frame of the dataset.
    pub fn frames(&self) -> Vec<Frame> {
        (0..self.frames)
            .map(|i| Frame {
                index: i,
                time_s: self.start_s + i as f64 / self.fps,
            })
            .collect()
    }
}

/// The frames shard `index` of `count` renders: a contiguous run, sizes differing by at most
/// one, together covering every frame once.
pub fn shard_frames(frames: u32, index: u32, count: u32) -> std::ops::Range<u32> {
    let count = count.max(1) as u64;
    let (index, frames) = (index as u64, frames as u64);
    let a = frames * index / count;
    let b = frames * (index + 1) / count;
    a as u32..b as u32
}

/// Parses `I/N` (0-based shard `I` of `N`).
pub fn parse_shard(s: &str) -> Result<(u32, u32), String> {
    let (i, n) = s
        .split_once('/')
        .ok_or_else(|| format!("`{s}`: write the shard as I/N, e.g. 0/4 (I counts from 0)"))?;
    let i: u32 = i
        .trim()
        .parse()
        .map_err(|_| format!("`{s}`: `{i}` is not a shard number"))?;
    let n: u32 = n
        .trim()
        .parse()
        .map_err(|_| format!("`{s}`: `{n}` is not a shard count"))?;
    if n == 0 || i >= n {
        return Err(format!(
            "`{s}`: the shard index must be below the count (0 to {})",
            n.saturating_sub(1)
        ));
    }
    Ok((i, n))
}

/// The folder name of a camera's files: its id and its name reduced to `a-z0-9-`.
pub fn camera_folder(camera: &VirtualCamera) -> String {
    let mut slug = String::new();
    for c in camera.name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_matches('-');
    if slug.is_empty() {
        format!("cam{}", camera.id.0)
    } else {
        format!("cam{}-{slug}", camera.id.0)
    }
}

/// Pinhole intrinsics in pixels (square pixels, principal point at the image centre).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Intrinsics {
    pub fx: f64,
    pub fy: f64,
    pub cx: f64,
    pub cy: f64,
}

impl Intrinsics {
    pub fn of(camera: &VirtualCamera) -> Self {
        let (w, h) = (camera.resolution.0 as f64, camera.resolution.1 as f64);
        let f = w * 0.5 / (camera.lens.horizontal_fov() as f64 * 0.5).tan();
        Self {
            fx: f,
            fy: f,
            cx: w * 0.5,
            cy: h * 0.5,
        }
    }

    pub fn matrix(&self) -> [[f64; 3]; 3] {
        [
            [self.fx, 0.0, self.cx],
            [0.0, self.fy, self.cy],
            [0.0, 0.0, 1.0],
        ]
    }
}

/// Camera pose in OpenCV's convention: `x_cam = R · x_world + t` with the camera's `x` right,
/// `y` down, `z` forward; the world is the project's (metres, `+Y` up, `+X` east, `-Z`
/// north). A point projects to `K · x_cam / z`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Extrinsics {
    pub r: [[f64; 3]; 3],
    pub t: [f64; 3],
    /// The camera's centre in the world.
    pub position: [f64; 3],
    pub pan_deg: f64,
    pub tilt_deg: f64,
    pub roll_deg: f64,
}

impl Extrinsics {
    pub fn of(camera: &VirtualCamera) -> Self {
        // Bevy's camera space (x right, y up, looking along -z) to OpenCV's (y down, z ahead).
        let flip = Mat3::from_diagonal(Vec3::new(1.0, -1.0, -1.0));
        let r = flip * Mat3::from_quat(camera.world_from_camera_rotation().inverse());
        let t = -(r * camera.position);
        let row = |i: usize| {
            let v = r.row(i);
            [v.x as f64, v.y as f64, v.z as f64]
        };
        Self {
            r: [row(0), row(1), row(2)],
            t: [t.x as f64, t.y as f64, t.z as f64],
            position: camera.position.to_array().map(|v| v as f64),
            pan_deg: camera.pan_deg as f64,
            tilt_deg: camera.tilt_deg as f64,
            roll_deg: camera.roll_deg as f64,
        }
    }
}

/// The sensor effects drawn for one image.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SensorDraw {
    /// Standard deviation of Gaussian noise, in 8-bit levels.
    pub noise_sigma: f64,
    /// Length of the linear motion blur, pixels (0: none), and its direction.
    pub motion_blur_px: f64,
    pub motion_blur_angle_deg: f64,
    /// JPEG compression applied to the image (whatever the file format), 1–100.
    pub jpeg_quality: Option<u8>,
    /// Resolution factor (1: the camera's; 0.5: half as many pixels each way).
    pub scale: f64,
}

impl SensorDraw {
    pub const NONE: SensorDraw = SensorDraw {
        noise_sigma: 0.0,
        motion_blur_px: 0.0,
        motion_blur_angle_deg: 0.0,
        jpeg_quality: None,
        scale: 1.0,
    };
}

/// A random generator for one image's draws, from the seed, the frame and the camera only
/// (the same whatever the shard or the order of rendering).
pub fn image_rng(seed: u64, frame: u32, camera: u32, purpose: u64) -> ChaCha8Rng {
    let mut x = seed ^ 0x9E37_79B9_7F4A_7C15;
    for v in [frame as u64, camera as u64, purpose] {
        // SplitMix64 steps mixing each key in.
        x = x.wrapping_add(v).wrapping_add(0x9E37_79B9_7F4A_7C15);
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^= x >> 31;
    }
    ChaCha8Rng::seed_from_u64(x)
}

/// The sensor effects of one image, drawn from the scenario's `randomisation`.
pub fn sensor_draw(r: &Randomisation, seed: u64, frame: u32, camera: u32) -> SensorDraw {
    use rand::RngExt;
    let mut rng = image_rng(seed, frame, camera, 1);
    let noise_sigma = r.sensor_noise.draw(&mut rng).max(0.0);
    let motion_blur_px = r.motion_blur_px.draw(&mut rng).max(0.0);
    let motion_blur_angle_deg = if motion_blur_px > 0.0 {
        rng.random_range(0.0..180.0f64).round()
    } else {
        0.0
    };
    let jpeg_quality = r
        .jpeg_quality
        .as_ref()
        .map(|q| q.draw(&mut rng).round().clamp(1.0, 100.0) as u8);
    let scale = r.scale.draw(&mut rng).clamp(0.05, 1.0);
    SensorDraw {
        noise_sigma,
        motion_blur_px,
        motion_blur_angle_deg,
        jpeg_quality,
        scale,
    }
}

/// One object seen in an image.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObjectRecord {
    /// Id within this image (1, 2, ... by the visible box's top-left corner); nothing links
    /// it to an id in another image.
    pub id: u32,
    pub category: String,
    pub category_id: u32,
    /// The incident it belongs to.
    pub event: Option<String>,
    /// Box of the visible pixels (`[x, y, w, h]`).
    pub bbox: PixelBox,
    /// Box of the whole object as if nothing stood in front.
    pub amodal_bbox: PixelBox,
    /// Visible pixels (the mask's area).
    pub area: u32,
    pub amodal_area: u32,
    /// `area / amodal_area`.
    pub visibility: f64,
    /// People: the head's centre, and whether it is seen.
    pub head: Option<HeadPoint>,
    /// Blurred for privacy: the face (people) or the plate (vehicles).
    pub private_box: Option<PixelBox>,
    pub blurred: bool,
    /// Pose, role, make, model, plate text, cloned-plate flag, speed...
    pub attributes: BTreeMap<String, Value>,
    /// The mask, as COCO's uncompressed RLE (column-major run lengths, starting with the
    /// background).
    pub rle: Vec<u32>,
}

/// One image and its ground truth (`annotations/CAMERA/FRAME.json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageRecord {
    /// The image, relative to the dataset folder.
    pub file: String,
    pub frame: u32,
    pub time_s: f64,
    pub camera: String,
    pub camera_id: u32,
    pub width: u32,
    pub height: u32,
    pub intrinsics: Intrinsics,
    pub extrinsics: Extrinsics,
    /// Light and weather; `None` for a project rendered without a scenario (the editor's
    /// daylight).
    pub environment: Option<EnvironmentRecord>,
    pub sensor: SensorDraw,
    pub objects: Vec<ObjectRecord>,
    /// Heads in the image (centres), seen or hidden; the crowd count is the seen ones.
    pub heads: Vec<HeadPoint>,
}

/// The light and weather of an image.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentRecord {
    pub time_of_day_h: f64,
    pub sun_elevation_deg: f64,
    pub street_lights_on: bool,
    pub rain: f64,
    pub fog_visibility_m: Option<f64>,
}

/// The attribute that marks an object as a crowd region (COCO's `iscrowd`, from real labelled
/// frames): an ignore region in every evaluation, whatever its size and visibility.
pub const ISCROWD: &str = "iscrowd";

impl ObjectRecord {
    /// Whether the object is a crowd region (attribute [`ISCROWD`] true).
    pub fn is_crowd(&self) -> bool {
        self.attributes
            .get(ISCROWD)
            .is_some_and(|v| v.as_bool() == Some(true))
    }
}

impl ImageRecord {
    /// Visible heads: the crowd count.
    pub fn count(&self) -> usize {
        self.heads.iter().filter(|h| h.visible).count()
    }

    /// The stem shared by this image's files (`CAMERA/FRAME`).
    pub fn stem(folder: &str, frame: u32) -> String {
        format!("{folder}/{frame:06}")
    }
}

/// What one image shows, from the annotation pass over a world state: the objects with any
/// pixel seen (ids by position in the image), every head in the image, and the boxes to
/// blur (faces and plates, as `privacy` asks).
pub fn image_objects(
    state: &twincity_scenario::world::WorldState,
    annotations: &[crate::annotate::Annotation],
    size: (u32, u32),
    privacy: &Privacy,
) -> (Vec<ObjectRecord>, Vec<HeadPoint>, Vec<PixelBox>) {
    use twincity_scenario::figures::FigureKind;
    let labels = state.labels();
    let mut objects = Vec::new();
    let mut heads = Vec::new();
    let mut blur = Vec::new();
    for a in annotations {
        if let Some(h) = a.head {
            heads.push(h);
        }
        let Some(bbox) = a.visible_box else {
            continue;
        };
        let k = match a.figure {
            FigureKind::Person(i) => i,
            FigureKind::Object(i) => state.people.len() + i,
            FigureKind::Vehicle(i) => state.people.len() + state.objects.len() + i,
        };
        let Some(label) = labels.get(k) else {
            continue;
        };
        let Some(category_id) = category_id(&label.class) else {
            continue;
        };
        let blurred = a.private_box.is_some()
            && match a.figure {
                FigureKind::Person(_) => privacy.faces_blurred,
                FigureKind::Vehicle(_) => privacy.plates_blurred,
                FigureKind::Object(_) => false,
            };
        if blurred && let Some(b) = a.private_box {
            blur.push(b);
        }
        objects.push(ObjectRecord {
            id: 0,
            category: label.class.clone(),
            category_id,
            event: label.event.clone(),
            bbox,
            amodal_bbox: a.amodal_box,
            area: a.visible_pixels,
            amodal_area: a.amodal_pixels,
            visibility: (a.visibility * 10_000.0).round() / 10_000.0,
            head: a.head,
            private_box: a.private_box,
            blurred,
            attributes: label.attributes.clone(),
            rle: rle_encode(&a.mask, size.0, size.1),
        });
    }
    // Ids by place in the image, so they say nothing about who is who across frames.
    objects.sort_by(|a, b| {
        (a.bbox[1], a.bbox[0], a.category_id, a.bbox[2], a.bbox[3]).cmp(&(
            b.bbox[1],
            b.bbox[0],
            b.category_id,
            b.bbox[2],
            b.bbox[3],
        ))
    });
    for (i, o) in objects.iter_mut().enumerate() {
        o.id = i as u32 + 1;
    }
    heads.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    (objects, heads, blur)
}

/// Column-major uncompressed RLE (COCO) of a set of pixels in a `w × h` image: run lengths
/// alternating background and foreground, starting with background.
pub fn rle_encode(pixels: &[(u32, u32)], w: u32, h: u32) -> Vec<u32> {
    let mut idx: Vec<u64> = pixels
        .iter()
        .map(|&(x, y)| x as u64 * h as u64 + y as u64)
        .collect();
    idx.sort_unstable();
    idx.dedup();
    let total = w as u64 * h as u64;
    let mut counts = Vec::new();
    let mut pos = 0u64;
    let mut i = 0;
    while i < idx.len() {
        let start = idx[i];
        let mut end = start + 1;
        while i + 1 < idx.len() && idx[i + 1] == end {
            i += 1;
            end += 1;
        }
        counts.push((start - pos) as u32);
        counts.push((end - start) as u32);
        pos = end;
        i += 1;
    }
    if pos < total || counts.is_empty() {
        counts.push((total - pos) as u32);
    }
    counts
}

/// The most pixels a mask may have: the largest camera image (16384 × 16384). A record
/// claiming a larger image is refused before any mask of it is decoded, so a hostile size
/// cannot ask for more memory than a real render would use.
pub const MAX_MASK_PIXELS: u64 = 16384 * 16384;

/// Why a mask's run lengths cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RleError {
    #[error(
        "the mask is {width}×{height} pixels: a mask needs a width and a height of at least 1 \
         (the record's `width` and `height`)"
    )]
    Empty { width: u32, height: u32 },
    #[error(
        "the mask is {width}×{height} = {pixels} pixels, more than the {MAX_MASK_PIXELS} of the \
         largest camera image (16384×16384)"
    )]
    TooLarge {
        width: u32,
        height: u32,
        pixels: u64,
    },
    #[error(
        "its run lengths add up to {sum} pixels by run {run}, past the {pixels} pixels of the \
         {width}×{height} image: the runs belong to another image size, or are damaged"
    )]
    Overrun {
        run: usize,
        sum: u64,
        pixels: u64,
        width: u32,
        height: u32,
    },
}

/// The foreground pixels of a column-major RLE of a `w × h` mask, counted without decoding
/// it; an error when the size is empty or too large, or the runs add up past `w × h`.
pub fn rle_area(counts: &[u32], w: u32, h: u32) -> Result<u64, RleError> {
    if w == 0 || h == 0 {
        return Err(RleError::Empty {
            width: w,
            height: h,
        });
    }
    let pixels = w as u64 * h as u64;
    if pixels > MAX_MASK_PIXELS {
        return Err(RleError::TooLarge {
            width: w,
            height: h,
            pixels,
        });
    }
    let (mut sum, mut area) = (0u64, 0u64);
    for (k, &c) in counts.iter().enumerate() {
        // At most 2^32 per run and far fewer runs than 2^32: no overflow, but the sum stops
        // at the first run that leaves the mask.
        sum += c as u64;
        if sum > pixels {
            return Err(RleError::Overrun {
                run: k,
                sum,
                pixels,
                width: w,
                height: h,
            });
        }
        if k % 2 == 1 {
            area += c as u64;
        }
    }
    Ok(area)
}

/// The pixels of a column-major RLE of a `w × h` mask (inverse of [`rle_encode`]); the same
/// errors as [`rle_area`], found before anything is allocated, so the result holds at most
/// `w × h` ≤ [`MAX_MASK_PIXELS`] pixels.
pub fn rle_decode(counts: &[u32], w: u32, h: u32) -> Result<Vec<(u32, u32)>, RleError> {
    let area = rle_area(counts, w, h)?;
    let mut out = Vec::with_capacity(area as usize);
    let mut pos = 0u64;
    let h = h as u64;
    for (k, &c) in counts.iter().enumerate() {
        if k % 2 == 1 {
            for p in pos..pos + c as u64 {
                out.push(((p / h) as u32, (p % h) as u32));
            }
        }
        pos += c as u64;
    }
    Ok(out)
}

/// What is wrong with a record's numbers, each problem naming the object (its place in
/// `objects` and its id) and the field: boxes must lie inside the `width × height` image
/// (summed in 64 bits, so no box wraps around), the visible box must not be empty, the mask
/// must fit the image and hold `area` pixels, and head points must be finite points in the
/// image. Empty when the record is sound.
pub fn record_problems(r: &ImageRecord) -> Vec<String> {
    let mut problems = Vec::new();
    let (width, height) = (r.width as u64, r.height as u64);
    if r.width == 0 || r.height == 0 {
        problems.push(format!(
            "`width` and `height` are {}×{}: an image has at least one pixel each way; \
             re-render the image",
            r.width, r.height
        ));
    }
    let outside = |b: &PixelBox| {
        let [x, y, w, h] = b.map(u64::from);
        x + w > width || y + h > height
    };
    let head_outside = |h: &HeadPoint| {
        !(h.x.is_finite() && h.y.is_finite())
            || h.x < 0.0
            || h.y < 0.0
            || h.x as f64 > width as f64
            || h.y as f64 > height as f64
    };
    let fix = "re-render the image or fix the record";
    for (k, o) in r.objects.iter().enumerate() {
        let at = format!("objects[{k}] (id {})", o.id);
        let boxes = [
            ("bbox", Some(o.bbox)),
            ("amodal_bbox", Some(o.amodal_bbox)),
            ("private_box", o.private_box),
        ];
        for (field, b) in boxes {
            let Some(b) = b else { continue };
            if outside(&b) {
                let [x, y, w, h] = b.map(u64::from);
                problems.push(format!(
                    "{at}: `{field}` {b:?} runs past the {}×{} image (x + w = {}, y + h = {}); \
                     {fix}",
                    r.width,
                    r.height,
                    x + w,
                    y + h
                ));
            }
        }
        if o.bbox[2] == 0 || o.bbox[3] == 0 {
            problems.push(format!(
                "{at}: `bbox` {:?} is empty (no width or no height); {fix}",
                o.bbox
            ));
        }
        if let Some(h) = &o.head
            && head_outside(h)
        {
            problems.push(format!(
                "{at}: `head` ({}, {}) is not a point in the {}×{} image; {fix}",
                h.x, h.y, r.width, r.height
            ));
        }
        match rle_area(&o.rle, r.width, r.height) {
            Ok(pixels) if pixels != o.area as u64 => problems.push(format!(
                "{at}: `area` is {} but its mask (`rle`) has {pixels} pixels; {fix}",
                o.area
            )),
            Ok(_) => {}
            Err(e) => problems.push(format!("{at}: `rle`: {e}; {fix}")),
        }
    }
    for (k, h) in r.heads.iter().enumerate() {
        if head_outside(h) {
            problems.push(format!(
                "heads[{k}]: ({}, {}) is not a point in the {}×{} image; {fix}",
                h.x, h.y, r.width, r.height
            ));
        }
    }
    problems
}

/// The first whole number of a record (as parsed JSON) that is not one a record may hold —
/// negative, fractional or beyond 32 bits, where the record has pixels, counts or ids — named
/// by its place (`objects[0] (id 1): \`bbox\`[2] is -5 …`). For the error of a record that
/// does not parse, which otherwise gives only a line and a column.
pub fn bad_number(record: &Value) -> Option<String> {
    let whole = |v: &Value| v.as_u64().is_some_and(|n| n <= u32::MAX as u64);
    let say = |place: String, v: &Value| {
        Some(format!(
            "{place} is {v}, not a whole number from 0 to {}",
            u32::MAX
        ))
    };
    for field in ["frame", "camera_id", "width", "height"] {
        if let Some(v) = record.get(field).filter(|v| !whole(v)) {
            return say(format!("`{field}`"), v);
        }
    }
    let objects = record.get("objects").and_then(Value::as_array)?;
    for (k, o) in objects.iter().enumerate() {
        let at = match o.get("id") {
            Some(id) if whole(id) => format!("objects[{k}] (id {id})"),
            _ => format!("objects[{k}]"),
        };
        for field in ["id", "category_id", "area", "amodal_area"] {
            if let Some(v) = o.get(field).filter(|v| !whole(v)) {
                return say(format!("{at}: `{field}`"), v);
            }
        }
        for field in ["bbox", "amodal_bbox", "private_box", "rle"] {
            let Some(list) = o.get(field).and_then(Value::as_array) else {
                continue;
            };
            if let Some((i, v)) = list.iter().enumerate().find(|(_, v)| !whole(v)) {
                return say(format!("{at}: `{field}`[{i}]"), v);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use twincity_model::{CameraId, Lens};

    #[test]
    fn shards_cover_every_frame_once_in_order() {
        for frames in [0u32, 1, 7, 100, 101] {
            for count in 1..=8u32 {
                let mut all = Vec::new();
                for i in 0..count {
                    let r = shard_frames(frames, i, count);
                    assert!(r.len() as u32 <= frames / count + 1);
                    assert!(r.len() as u32 >= frames / count);
                    all.extend(r);
                }
                assert_eq!(all, (0..frames).collect::<Vec<_>>(), "{frames}/{count}");
            }
        }
        assert_eq!(parse_shard("2/4"), Ok((2, 4)));
        assert!(parse_shard("4/4").unwrap_err().contains("below the count"));
        assert!(parse_shard("1-4").unwrap_err().contains("I/N"));
        assert!(parse_shard("a/4").is_err());
    }

    #[test]
    fn camera_folders_are_safe_names() {
        let mut c = VirtualCamera::new(
            CameraId(7),
            "Place de l'Hôtel de Ville / Nord",
            Vec3::ZERO,
            0.0,
        );
        assert_eq!(camera_folder(&c), "cam7-place-de-l-h-tel-de-ville-nord");
        c.name = "  ".into();
        assert_eq!(camera_folder(&c), "cam7");
    }

    #[test]
    fn categories_cover_every_class_the_scenario_labels() {
        use twincity_scenario::{ObjectKind, VehicleKind};
        for k in [
            ObjectKind::Bag,
            ObjectKind::Box,
            ObjectKind::Mattress,
            ObjectKind::Appliance,
            ObjectKind::Tyre,
        ] {
            assert!(category_id(k.class()).is_some(), "{}", k.class());
        }
        for v in VehicleKind::ALL {
            assert!(category_id(v.class()).is_some(), "{}", v.class());
            assert_eq!(supercategory(v.class()), "vehicle", "{}", v.class());
        }
        // Categories are only ever appended: earlier ids stay as they were.
        assert_eq!(category_id("truck"), Some(10));
        assert_eq!(category_id("bicycle"), Some(11));
        assert_eq!(category_id("person"), Some(1));
        assert_eq!(category_id("person_down"), Some(2));
        assert_eq!(category_id("unicorn"), None);
    }

    /// K [R|t] from the records projects world points where the camera model does.
    #[test]
    fn intrinsics_and_extrinsics_reproduce_the_projection() {
        let mut c = VirtualCamera::new(CameraId(1), "c", Vec3::new(3.0, 6.0, -2.0), 37.0);
        c.tilt_deg = 21.0;
        c.roll_deg = 4.0;
        c.lens = Lens {
            sensor_width_mm: 5.6,
            sensor_height_mm: 3.15,
            focal_length_mm: 3.6,
        };
        c.resolution = (1280, 720);
        let k = Intrinsics::of(&c);
        let e = Extrinsics::of(&c);
        for p in [
            Vec3::new(10.0, 0.0, -20.0),
            Vec3::new(15.0, 2.0, -12.0),
            Vec3::new(4.0, 1.0, -9.0),
        ] {
            let q = c.project(p).unwrap();
            let x: Vec<f64> = (0..3)
                .map(|i| {
                    e.r[i][0] * p.x as f64
                        + e.r[i][1] * p.y as f64
                        + e.r[i][2] * p.z as f64
                        + e.t[i]
                })
                .collect();
            assert!(x[2] > 0.0, "in front: z > 0");
            let u = k.fx * x[0] / x[2] + k.cx;
            let v = k.fy * x[1] / x[2] + k.cy;
            assert!(
                (u - q.x as f64).abs() < 0.01 && (v - q.y as f64).abs() < 0.01,
                "{u},{v} vs {q}"
            );
        }
        // R is a rotation.
        let r = glam::DMat3::from_cols_array_2d(&e.r);
        assert!((r.determinant() - 1.0).abs() < 1e-5);
    }

    #[test]
    fn rle_round_trips_and_matches_coco_layout() {
        // 3 × 2 image, pixels (0,1) and (1,0),(1,1): column-major indices 1, 2, 3.
        let counts = rle_encode(&[(1, 1), (0, 1), (1, 0)], 3, 2);
        assert_eq!(counts, vec![1, 3, 2]);
        let mut back = rle_decode(&counts, 3, 2).unwrap();
        back.sort();
        assert_eq!(back, vec![(0, 1), (1, 0), (1, 1)]);
        // Starting at pixel 0: a zero-length background run first.
        assert_eq!(rle_encode(&[(0, 0)], 2, 2), vec![0, 1, 3]);
        // Empty mask: all background.
        assert_eq!(rle_encode(&[], 2, 2), vec![4]);
        // Ending on the last pixel: no trailing background run.
        assert_eq!(rle_encode(&[(1, 1)], 2, 2), vec![3, 1]);
    }

    #[test]
    fn image_draws_depend_on_seed_frame_and_camera_only() {
        use twincity_scenario::{Draw, Num};
        let r = Randomisation {
            sensor_noise: Num::Drawn(Draw::Range(0.0, 8.0)),
            motion_blur_px: Num::Drawn(Draw::Range(0.0, 4.0)),
            jpeg_quality: Some(Num::Drawn(Draw::Range(30.0, 90.0))),
            scale: Num::Drawn(Draw::Choice(vec![1.0, 0.5])),
            ..Default::default()
        };
        let a = sensor_draw(&r, 5, 10, 2);
        assert_eq!(a, sensor_draw(&r, 5, 10, 2));
        assert_ne!(a, sensor_draw(&r, 5, 11, 2));
        assert_ne!(a, sensor_draw(&r, 5, 10, 3));
        assert_ne!(a, sensor_draw(&r, 6, 10, 2));
        let draws: Vec<SensorDraw> = (0..200).map(|f| sensor_draw(&r, 1, f, 1)).collect();
        assert!(draws.iter().all(|d| (0.0..=8.0).contains(&d.noise_sigma)));
        assert!(draws.iter().all(|d| d.scale == 1.0 || d.scale == 0.5));
        assert!(draws.iter().any(|d| d.scale == 0.5) && draws.iter().any(|d| d.scale == 1.0));
        let q: Vec<u8> = draws.iter().filter_map(|d| d.jpeg_quality).collect();
        assert_eq!(q.len(), 200);
        assert!(q.iter().all(|q| (30..=90).contains(q)));
        // Nothing asked: no effect.
        assert_eq!(
            sensor_draw(&Randomisation::default(), 1, 2, 3),
            SensorDraw::NONE
        );
    }
}

#[cfg(test)]
mod hostile_numbers {
    use super::*;
    use crate::formats::tests::{object, record};
    use proptest::prelude::*;

    /// Numbers a tampered record holds: limits and their neighbours, and small ones.
    fn number() -> impl Strategy<Value = u32> {
        prop_oneof![
            prop::sample::select(vec![0, 1, 2, 63, 64, u32::MAX / 2, u32::MAX - 1, u32::MAX]),
            0u32..300,
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

        /// Any size, box, run lengths and area: the record's check answers without a panic
        /// or a wrapped sum, a box past the image is always reported, and the run lengths
        /// decode exactly when they are sound, to `area`'s count of pixels inside the image.
        #[test]
        fn record_checks_never_panic_or_wrap(
            width in number(), height in number(),
            bbox in prop::array::uniform4(number()),
            rle in prop::collection::vec(number(), 0..6),
            area in number(),
        ) {
            let mut r = record(vec![object(1, "person", [0, 0, 1, 1], None)]);
            r.width = width;
            r.height = height;
            r.objects[0].bbox = bbox;
            r.objects[0].rle = rle.clone();
            r.objects[0].area = area;
            let problems = std::panic::catch_unwind(|| record_problems(&r));
            prop_assert!(problems.is_ok(), "record_problems panicked");
            let problems = problems.unwrap();
            let past = bbox[0] as u64 + bbox[2] as u64 > width as u64
                || bbox[1] as u64 + bbox[3] as u64 > height as u64;
            prop_assert_eq!(
                past,
                problems.iter().any(|p| p.contains("`bbox`") && p.contains("runs past")),
                "{:?}", problems
            );
            match rle_area(&rle, width, height) {
                Ok(pixels) if pixels <= 1 << 20 => {
                    let decoded = rle_decode(&rle, width, height).unwrap();
                    prop_assert_eq!(decoded.len() as u64, pixels);
                    prop_assert!(decoded.iter().all(|&(x, y)| x < width && y < height));
                }
                Ok(_) => {}
                Err(_) => prop_assert!(rle_decode(&rle, width, height).is_err()),
            }
        }
    }
}
