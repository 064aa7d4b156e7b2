//! A dataset folder: its manifest, files written atomically one image at a time (the record
//! last, so an image counts as done only when everything about it is on disk), the files
//! built from all records (COCO, YOLO data file, manifest), resuming, and merging shards.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::formats;
use crate::records::{Extrinsics, ImageRecord, Intrinsics, Settings};
use twincity_model::VirtualCamera;
use twincity_model::ronfile::read_limited;

pub const MANIFEST: &str = "manifest.json";
pub const COCO: &str = "coco.json";
pub const YOLO_DATA: &str = "data.yaml";
/// The largest record read (`annotations/CAMERA/FRAME.json`, one image's ground truth: a
/// crowded 4K image with a thousand masks takes a few MiB).
pub const MAX_RECORD_BYTES: u64 = 64 << 20;
/// The largest manifest, `coco.json` or predictions file read. These grow with the dataset
/// (the manifest by about 2 KB an image), so the cap is that of a COCO instances file
/// ([`crate::coco_in::MAX_FILE_BYTES`]): a quarter of a million images.
pub const MAX_INDEX_BYTES: u64 = crate::coco_in::MAX_FILE_BYTES;
/// The largest image (or other per-image file) of a dataset read whole (a 16384 × 16384
/// 16-bit depth PNG is at most about 1 GiB).
pub const MAX_IMAGE_BYTES: u64 = 1 << 30;
/// Room kept on the disk while a run writes, so that the index files (COCO, manifest) still
/// fit when the disk fills up: removed before they are written.
pub const RESERVE: &str = ".twincity-reserve";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    // The I/O error is part of the message, not a separate source: reports that print an
    // error's chain would say it twice.
    #[error("{}: cannot {action}: {cause}{}", path.display(), io_hint(cause))]
    Io {
        path: PathBuf,
        action: &'static str,
        cause: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Refused { path: PathBuf, message: String },
    #[error("{}: {message} (re-render it with `twincity render ... --resume`)", path.display())]
    BadFile { path: PathBuf, message: String },
}

/// What to do about an I/O error, in words.
fn io_hint(e: &std::io::Error) -> &'static str {
    match (e.kind(), e.raw_os_error()) {
        (_, Some(28)) | (std::io::ErrorKind::StorageFull, _) => {
            " — the disk is full: free space (or choose another --out), then run the same \
             command with --resume; the images written so far form a valid partial dataset"
        }
        (std::io::ErrorKind::PermissionDenied, _) | (_, Some(30)) => {
            " — the folder cannot be written: choose one you may write to with --out"
        }
        _ => "",
    }
}

/// Turns an I/O error on `path` while doing `action` into a [`StoreError`] naming both.
pub(crate) fn io(path: &Path, action: &'static str) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.to_path_buf();
    move |cause| StoreError::Io {
        path,
        action,
        cause,
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder, synced, then
/// renamed: a reader (or a run after a crash) sees the old file or the whole new one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io(dir, "create the folder"))?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".partial-");
    // Readable like any file the user writes (0666 less the umask), not the temporary
    // file's private 0600: datasets are shared with other users and batch jobs.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(io(dir, "create a file in"))?;
    tmp.write_all(bytes).map_err(io(path, "write"))?;
    tmp.as_file().sync_all().map_err(io(path, "write"))?;
    tmp.persist(path).map_err(|e| StoreError::Io {
        path: path.to_path_buf(),
        action: "write",
        cause: e.error,
    })?;
    Ok(())
}

/// How far a dataset folder got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// A run is writing it, or stopped before finishing (then `--resume` continues).
    InProgress,
    /// Finished with some of the images it was asked for missing (a shard, or an error).
    Partial,
    Complete,
}

/// A camera as rendered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CameraEntry {
    pub id: u32,
    pub name: String,
    pub folder: String,
    pub width: u32,
    pub height: u32,
    pub lens: twincity_model::Lens,
    /// At full resolution (an image rendered smaller has its own, in its record).
    pub intrinsics: Intrinsics,
    pub extrinsics: Extrinsics,
}

impl CameraEntry {
    pub fn of(camera: &VirtualCamera) -> Self {
        Self {
            id: camera.id.0,
            name: camera.name.clone(),
            folder: crate::records::camera_folder(camera),
            width: camera.resolution.0,
            height: camera.resolution.1,
            lens: camera.lens,
            intrinsics: Intrinsics::of(camera),
            extrinsics: Extrinsics::of(camera),
        }
    }
}

/// One image as the manifest lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManifestImage {
    pub file: String,
    pub annotation: String,
    pub frame: u32,
    pub time_s: f64,
    pub camera_id: u32,
    pub width: u32,
    pub height: u32,
    pub intrinsics: Intrinsics,
    pub extrinsics: Extrinsics,
}

/// `manifest.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    /// The program and version that wrote it.
    pub generator: String,
    pub settings: Settings,
    pub cameras: Vec<CameraEntry>,
    /// Frame ranges (`[first, end)`) this folder was asked to hold.
    pub frame_ranges: Vec<[u32; 2]>,
    pub status: Status,
    pub images_expected: u32,
    pub images: Vec<ManifestImage>,
}

impl Manifest {
    pub fn new(generator: &str, settings: Settings, cameras: Vec<CameraEntry>) -> Self {
        Self {
            format: "twincity-dataset".into(),
            format_version: crate::records::FORMAT_VERSION,
            generator: generator.into(),
            settings,
            cameras,
            frame_ranges: Vec::new(),
            status: Status::InProgress,
            images_expected: 0,
            images: Vec::new(),
        }
    }

    fn expected(&self) -> u32 {
        let frames: BTreeSet<u32> = self.frame_ranges.iter().flat_map(|[a, b]| *a..*b).collect();
        frames.len() as u32 * self.cameras.len() as u32
    }

    /// The manifest of the dataset folder `root` (none when it has none); a regular file of
    /// at most [`MAX_INDEX_BYTES`].
    pub fn load(root: &Path) -> Result<Option<Manifest>, StoreError> {
        let path = root.join(MANIFEST);
        let bytes = match read_limited(&path, MAX_INDEX_BYTES, "dataset manifests") {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(&path, "read")(e)),
        };
        serde_json::from_slice(&bytes).map(Some).map_err(|e| StoreError::Refused {
            path,
            message: format!(
                "line {}, column {}: not a TwinCity dataset manifest ({e}); choose another --out",
                e.line(),
                e.column()
            ),
        })
    }
}

/// A dataset folder being written.
pub struct Store {
    pub root: PathBuf,
    pub manifest: Manifest,
    /// Bytes held in [`RESERVE`] (0: none).
    reserved: std::cell::Cell<u64>,
    /// Bytes of the records of the complete images, for the size of the index files.
    record_bytes: std::cell::Cell<u64>,
    images: std::cell::Cell<u64>,
}

/// What the index files of a dataset with `images` images whose records take `record_bytes`
/// will need, with a margin: COCO holds about what the records do, the manifest about 2 KB
/// per image (pretty-printed K, R and t).
fn index_room(record_bytes: u64, images: u64) -> u64 {
    record_bytes + record_bytes / 4 + images * 4096 + 256 * 1024
}

/// The first top-level field where two settings differ, for messages.
fn first_difference(a: &Settings, b: &Settings) -> String {
    let (a, b) = (
        serde_json::to_value(a).unwrap_or_default(),
        serde_json::to_value(b).unwrap_or_default(),
    );
    if let (Some(a), Some(b)) = (a.as_object(), b.as_object()) {
        for (k, v) in a {
            if b.get(k) != Some(v) {
                return format!(
                    "`{k}` is {} there but {} here",
                    b.get(k).map_or("missing".to_string(), |x| x.to_string()),
                    v
                );
            }
        }
    }
    "the settings differ".into()
}

impl Store {
    /// Opens `root` for the frames `range` of a dataset with `manifest`'s settings: a new or
    /// empty folder, or with `resume` one holding the same dataset. Refuses a folder holding
    /// something else, or this dataset's images without `resume`.
    pub fn open(
        root: &Path,
        mut manifest: Manifest,
        range: std::ops::Range<u32>,
        resume: bool,
    ) -> Result<Store, StoreError> {
        std::fs::create_dir_all(root).map_err(io(root, "create the folder"))?;
        // The records of the images already complete (none in a new folder).
        let mut existing = Vec::new();
        match Manifest::load(root)? {
            Some(old) => {
                if old.format_version != manifest.format_version {
                    return Err(StoreError::Refused {
                        path: root.to_path_buf(),
                        message: format!(
                            "holds a dataset of format version {} and this version writes {} \
                             (labels made another way, see docs/dataset-format.md); choose \
                             another --out",
                            old.format_version, manifest.format_version
                        ),
                    });
                }
                if old.settings != manifest.settings {
                    return Err(StoreError::Refused {
                        path: root.to_path_buf(),
                        message: format!(
                            "holds a dataset made with other settings ({}); choose another --out, \
                             or render with the same settings to resume it",
                            first_difference(&manifest.settings, &old.settings)
                        ),
                    });
                }
                existing = Store::reader(root, old.clone()).record_paths()?;
                let done = existing.len();
                if done > 0 && !resume {
                    return Err(StoreError::Refused {
                        path: root.to_path_buf(),
                        message: format!(
                            "already holds {done} images of this dataset; add --resume to \
                             continue it, or choose an empty folder"
                        ),
                    });
                }
                manifest.frame_ranges = old.frame_ranges;
            }
            None => {
                let mut entries = std::fs::read_dir(root).map_err(io(root, "read"))?;
                if entries.next().is_some() {
                    return Err(StoreError::Refused {
                        path: root.to_path_buf(),
                        message: "is not empty and holds no dataset manifest; choose a new or \
                                  empty folder with --out"
                            .into(),
                    });
                }
            }
        }
        let r = [range.start, range.end];
        if !manifest.frame_ranges.contains(&r) {
            manifest.frame_ranges.push(r);
            manifest.frame_ranges.sort();
        }
        manifest.status = Status::InProgress;
        manifest.images_expected = manifest.expected();
        let store = Store::reader(root, manifest);
        store.write_manifest()?;
        let bytes = existing
            .iter()
            .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
            .sum();
        store.record_bytes.set(bytes);
        store.images.set(existing.len() as u64);
        store.keep_room()?;
        Ok(store)
    }

    /// A dataset folder to read (no run writing it).
    pub fn reader(root: &Path, manifest: Manifest) -> Store {
        Store {
            root: root.to_path_buf(),
            manifest,
            reserved: Default::default(),
            record_bytes: Default::default(),
            images: Default::default(),
        }
    }

    /// Grows the reserve to what the index files need now (in steps, so not at every image).
    /// A full disk shows here at the latest, with room left for the index files.
    fn keep_room(&self) -> Result<(), StoreError> {
        let needed = index_room(self.record_bytes.get(), self.images.get());
        let have = self.reserved.get();
        if needed <= have {
            return Ok(());
        }
        let target = needed + needed / 2;
        let path = self.root.join(RESERVE);
        let grow = || -> std::io::Result<()> {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)?;
            let len = f.metadata()?.len();
            // Written, not just sized: a sparse file would hold no room at all.
            let zeros = vec![0u8; 64 * 1024];
            let mut left = target.saturating_sub(len);
            while left > 0 {
                let n = left.min(zeros.len() as u64) as usize;
                f.write_all(&zeros[..n])?;
                left -= n as u64;
            }
            f.sync_data()
        };
        grow().map_err(|e| StoreError::Io {
            path: self.root.clone(),
            action: "keep room for the index files",
            cause: e,
        })?;
        self.reserved.set(target);
        Ok(())
    }

    /// Gives the reserve back to the disk (before the index files are written).
    fn release_room(&self) {
        let _ = std::fs::remove_file(self.root.join(RESERVE));
        self.reserved.set(0);
    }

    fn write_manifest(&self) -> Result<(), StoreError> {
        let text =
            serde_json::to_string_pretty(&self.manifest).map_err(|e| StoreError::Refused {
                path: self.root.join(MANIFEST),
                message: e.to_string(),
            })?;
        write_atomic(&self.root.join(MANIFEST), text.as_bytes())
    }

    /// Where an image's record goes (`annotations/CAMERA/FRAME.json`).
    pub fn record_path(&self, folder: &str, frame: u32) -> PathBuf {
        self.root
            .join("annotations")
            .join(format!("{}.json", ImageRecord::stem(folder, frame)))
    }

    /// Whether an image is complete: its record reads and its image exists.
    pub fn is_done(&self, folder: &str, frame: u32) -> bool {
        let path = self.record_path(folder, frame);
        let Ok(bytes) = read_limited(&path, MAX_RECORD_BYTES, "dataset records") else {
            return false;
        };
        match serde_json::from_slice::<ImageRecord>(&bytes) {
            Ok(r) => Bounds::new(&self.root)
                .resolve(&r.file)
                .is_ok_and(|p| p.is_file()),
            Err(_) => false,
        }
    }

    /// Writes one image with its files: the picture, the extras (`(path relative to the
    /// folder, bytes)`), YOLO labels and head points, then the record.
    pub fn write_image(
        &self,
        record: &ImageRecord,
        folder: &str,
        image: &[u8],
        extras: &[(String, Vec<u8>)],
    ) -> Result<(), StoreError> {
        let stem = ImageRecord::stem(folder, record.frame);
        write_atomic(&self.root.join(&record.file), image)?;
        for (rel, bytes) in extras {
            write_atomic(&self.root.join(rel), bytes)?;
        }
        write_atomic(
            &self.root.join("labels").join(format!("{stem}.txt")),
            formats::yolo_labels(record).as_bytes(),
        )?;
        let points = serde_json::to_string(&formats::points(record)).unwrap_or_default();
        write_atomic(
            &self.root.join("points").join(format!("{stem}.json")),
            points.as_bytes(),
        )?;
        let json = serde_json::to_string(record).map_err(|e| StoreError::Refused {
            path: self.record_path(folder, record.frame),
            message: e.to_string(),
        })?;
        write_atomic(&self.record_path(folder, record.frame), json.as_bytes())?;
        self.record_bytes
            .set(self.record_bytes.get() + json.len() as u64);
        self.images.set(self.images.get() + 1);
        self.keep_room()
    }

    fn record_paths(&self) -> Result<Vec<PathBuf>, StoreError> {
        let dir = self.root.join("annotations");
        let mut out = Vec::new();
        let Ok(cams) = std::fs::read_dir(&dir) else {
            return Ok(out);
        };
        for cam in cams {
            let cam = cam.map_err(io(&dir, "read"))?.path();
            if !cam.is_dir() {
                continue;
            }
            for f in std::fs::read_dir(&cam).map_err(io(&cam, "read"))? {
                let p = f.map_err(io(&cam, "read"))?.path();
                if p.extension().is_some_and(|e| e == "json") {
                    out.push(p);
                }
            }
        }
        Ok(out)
    }

    /// Every complete image's record, in dataset order (frame, then camera id).
    pub fn records(&self) -> Result<Vec<ImageRecord>, StoreError> {
        Ok(self
            .records_with_paths()?
            .into_iter()
            .map(|(_, r)| r)
            .collect())
    }

    /// Every complete image's record with its file, in dataset order.
    pub fn records_with_paths(&self) -> Result<Vec<(PathBuf, ImageRecord)>, StoreError> {
        let bounds = Bounds::new(&self.root);
        let paths = self
            .record_paths()?
            .into_iter()
            .map(|p| {
                bounds
                    .contain(&p)
                    .map(|_| p.clone())
                    .map_err(|e| StoreError::BadFile {
                        path: p,
                        message: format!("this record {}; remove it", e.describe()),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        read_records(&bounds, &paths)
    }

    /// Writes the files built from every record (COCO, YOLO data file) and the manifest
    /// with its image list and status. Returns the number of images.
    pub fn finish(&mut self) -> Result<usize, StoreError> {
        let records = self.records()?;
        self.release_room();
        let coco = formats::coco(&records, &self.manifest.settings.scenario.name);
        write_atomic(
            &self.root.join(COCO),
            serde_json::to_string(&coco).unwrap_or_default().as_bytes(),
        )?;
        let split = formats::yolo_split(&records);
        for (list, files) in [
            (formats::TRAIN_LIST, &split.train),
            (formats::VAL_LIST, &split.val),
        ] {
            write_atomic(&self.root.join(list), formats::yolo_list(files).as_bytes())?;
        }
        write_atomic(
            &self.root.join(YOLO_DATA),
            formats::yolo_data_yaml(&self.manifest.settings.scenario.name, &split.rule).as_bytes(),
        )?;
        let folders: std::collections::BTreeMap<u32, String> = self
            .manifest
            .cameras
            .iter()
            .map(|c| (c.id, c.folder.clone()))
            .collect();
        self.manifest.images = records
            .iter()
            .map(|r| ManifestImage {
                file: r.file.clone(),
                annotation: format!(
                    "annotations/{}.json",
                    ImageRecord::stem(
                        folders.get(&r.camera_id).map_or("?", |s| s.as_str()),
                        r.frame
                    )
                ),
                frame: r.frame,
                time_s: r.time_s,
                camera_id: r.camera_id,
                width: r.width,
                height: r.height,
                intrinsics: r.intrinsics,
                extrinsics: r.extrinsics,
            })
            .collect();
        self.manifest.images_expected = self.manifest.expected();
        let all_frames = [[0, self.manifest.settings.frames]];
        self.manifest.status = if records.len() as u32 >= self.manifest.images_expected
            && self.manifest.frame_ranges == all_frames
        {
            Status::Complete
        } else {
            Status::Partial
        };
        self.write_manifest()?;
        Ok(records.len())
    }
}

/// A finished dataset (complete or partial, as `twincity render` or `dataset merge` left it):
/// its manifest and the records of the images it lists, in dataset order — the order of
/// `coco.json`'s image ids.
pub fn load_dataset(root: &Path) -> Result<(Manifest, Vec<ImageRecord>), StoreError> {
    let manifest = Manifest::load(root)?.ok_or_else(|| StoreError::Refused {
        path: root.join(MANIFEST),
        message: "missing: this folder is not a dataset written by `twincity render`".into(),
    })?;
    let bounds = Bounds::new(root);
    let paths = manifest
        .images
        .iter()
        .enumerate()
        .map(|(k, i)| {
            bounds.resolve(&i.annotation).map_err(|e| StoreError::BadFile {
                path: root.join(MANIFEST),
                message: match e {
                    Escape::Lexical => format!(
                        "images[{k}].annotation is {:?}, which is not a path inside the dataset \
                         (relative, without `..`); fix or remove that entry",
                        i.annotation
                    ),
                    e => format!(
                        "images[{k}].annotation is {:?}, which {}; fix or remove that entry",
                        i.annotation,
                        e.describe()
                    ),
                },
            })
        })
        .collect::<Result<Vec<PathBuf>, StoreError>>()?;
    let records = read_records(&bounds, &paths)?
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    Ok((manifest, records))
}

/// `rel` joined onto the dataset folder `root`, when it names a place inside it: a relative
/// path of plain names (no `..`, no root, no drive, nothing empty). Names taken from a
/// dataset's own files go through this before any file is read or written, and then through
/// [`Bounds::resolve`], which follows links.
pub fn inside(root: &Path, rel: &str) -> Option<PathBuf> {
    use std::path::Component;
    let path = Path::new(rel);
    let plain = !rel.is_empty()
        && !rel.contains('\\')
        && path.components().all(|c| matches!(c, Component::Normal(_)));
    plain.then(|| root.join(path))
}

/// Why a name from a dataset's files does not lead to a place inside the dataset.
#[derive(Debug)]
pub enum Escape {
    /// Not a relative path of plain names ([`inside`]).
    Lexical,
    /// A link inside the dataset leads out of it, to this place (or, dangling, would).
    Link(PathBuf),
    /// The place or the dataset folder cannot be resolved.
    Unresolved(std::io::Error),
}

impl Escape {
    /// What is wrong and what to do, to follow "`file` is "x", which …".
    pub fn describe(&self) -> String {
        match self {
            Escape::Lexical => {
                "is not a path inside the dataset (relative, without `..`)".to_string()
            }
            Escape::Link(to) => format!(
                "leads through a link to {}, outside the dataset folder; put the file itself \
                 in the dataset instead of the link",
                to.display()
            ),
            Escape::Unresolved(e) => format!("cannot be resolved ({e})"),
        }
    }
}

/// A dataset folder, resolved once (every link in its own path followed), against which the
/// names its files hold are checked.
pub struct Bounds {
    root: PathBuf,
    real: std::io::Result<PathBuf>,
}

impl Bounds {
    pub fn new(root: &Path) -> Bounds {
        Bounds {
            root: root.to_path_buf(),
            real: root.canonicalize(),
        }
    }

    /// `rel` joined onto the folder when [`inside`] accepts it and [`Bounds::contain`] does.
    pub fn resolve(&self, rel: &str) -> Result<PathBuf, Escape> {
        let path = inside(&self.root, rel).ok_or(Escape::Lexical)?;
        self.contain(&path)?;
        Ok(path)
    }

    /// Whether `path` (a place under the folder) stays inside it once resolved: every link
    /// followed — the file's own, or for a file not there (yet) its nearest existing folder's
    /// — the place is still under the resolved folder. A dangling link counts as leaving.
    pub fn contain(&self, path: &Path) -> Result<(), Escape> {
        let real_root = match &self.real {
            Ok(r) => r,
            Err(e) => {
                return Err(Escape::Unresolved(std::io::Error::new(
                    e.kind(),
                    e.to_string(),
                )));
            }
        };
        let mut probe = path;
        let resolved = loop {
            match probe.canonicalize() {
                Ok(r) => break r,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    if probe.symlink_metadata().is_ok() {
                        let to = std::fs::read_link(probe).unwrap_or_else(|_| probe.into());
                        return Err(Escape::Link(to));
                    }
                    match probe.parent() {
                        Some(up) if !up.as_os_str().is_empty() => probe = up,
                        _ => return Err(Escape::Unresolved(e)),
                    }
                }
                Err(e) => return Err(Escape::Unresolved(e)),
            }
        };
        if resolved.starts_with(real_root) {
            Ok(())
        } else {
            Err(Escape::Link(resolved))
        }
    }
}

/// The bytes of a dataset's file, a regular file of at most `max` bytes.
fn read_bounded(path: &Path, max: u64, what: &str) -> Result<Vec<u8>, StoreError> {
    read_limited(path, max, what).map_err(io(path, "read"))
}

/// The records at `paths` (inside the dataset `bounds`), with their paths, in dataset order.
/// Each is a regular file of at most [`MAX_RECORD_BYTES`]; its `file` must name an image
/// inside the dataset.
fn read_records(
    bounds: &Bounds,
    paths: &[PathBuf],
) -> Result<Vec<(PathBuf, ImageRecord)>, StoreError> {
    let mut records = Vec::new();
    for p in paths {
        let bytes = read_bounded(p, MAX_RECORD_BYTES, "dataset records")?;
        let r: ImageRecord = serde_json::from_slice(&bytes).map_err(|e| {
            let place = serde_json::from_slice(&bytes)
                .ok()
                .and_then(|v| crate::records::bad_number(&v))
                .map_or(String::new(), |b| format!("{b} ("));
            StoreError::BadFile {
                path: p.clone(),
                message: format!(
                    "line {}, column {}: {place}{e}{}",
                    e.line(),
                    e.column(),
                    if place.is_empty() { "" } else { ")" }
                ),
            }
        })?;
        let image = bounds.resolve(&r.file).map_err(|e| StoreError::BadFile {
            path: p.clone(),
            message: match e {
                Escape::Lexical => format!(
                    "`file` is {:?}, which is not a path inside the dataset (relative, without \
                     `..`); this record was not written by `twincity render`: remove it, or fix \
                     the name",
                    r.file
                ),
                e => format!("`file` is {:?}, which {}", r.file, e.describe()),
            },
        })?;
        if !image.is_file() {
            return Err(StoreError::BadFile {
                path: p.clone(),
                message: format!("its image {} is missing", r.file),
            });
        }
        records.push((p.clone(), r));
    }
    records.sort_by_key(|(_, r)| (r.frame, r.camera_id));
    Ok(records)
}

/// What [`merge`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeSummary {
    pub images: usize,
    pub status: Status,
}

/// Joins dataset folders made with the same settings (shards) into `out`: every image's
/// files copied (hard-linked where possible), then COCO, YOLO data and manifest rebuilt.
/// Images present in two inputs must be identical.
pub fn merge(out: &Path, inputs: &[PathBuf]) -> Result<MergeSummary, StoreError> {
    let mut manifests = Vec::new();
    for input in inputs {
        match Manifest::load(input)? {
            Some(m) => manifests.push((input, m)),
            None => {
                return Err(StoreError::Refused {
                    path: input.clone(),
                    message: "holds no manifest.json: not a dataset made by `twincity render`"
                        .into(),
                });
            }
        }
    }
    let Some((first_path, first)) = manifests.first().cloned() else {
        return Err(StoreError::Refused {
            path: out.to_path_buf(),
            message: "nothing to merge: name the shard folders".into(),
        });
    };
    for (p, m) in &manifests[1..] {
        if m.format_version != first.format_version {
            return Err(StoreError::Refused {
                path: (*p).clone(),
                message: format!(
                    "is of dataset format version {} and {} of version {}; only shards of one \
                     dataset merge",
                    m.format_version,
                    first_path.display(),
                    first.format_version
                ),
            });
        }
        if m.settings != first.settings {
            return Err(StoreError::Refused {
                path: (*p).clone(),
                message: format!(
                    "was made with other settings than {} ({}); only shards of one dataset merge",
                    first_path.display(),
                    first_difference(&m.settings, &first.settings)
                ),
            });
        }
    }
    if inputs.iter().any(|i| same_folder(i, out)) {
        return Err(StoreError::Refused {
            path: out.to_path_buf(),
            message: "is also an input: merge into a new folder".into(),
        });
    }
    let mut merged = Manifest::new(
        &first.generator,
        first.settings.clone(),
        first.cameras.clone(),
    );
    for (_, m) in &manifests {
        for r in &m.frame_ranges {
            if !merged.frame_ranges.contains(r) {
                merged.frame_ranges.push(*r);
            }
        }
    }
    merged.frame_ranges.sort();
    // Contiguous ranges joined, so a full set of shards reads as the whole run.
    let mut joined: Vec<[u32; 2]> = Vec::new();
    for r in merged.frame_ranges.drain(..) {
        match joined.last_mut() {
            Some(last) if r[0] <= last[1] => last[1] = last[1].max(r[1]),
            _ => joined.push(r),
        }
    }
    merged.frame_ranges = joined;
    let range = merged.frame_ranges.first().map_or(0..0, |r| r[0]..r[1]);
    let ranges = merged.frame_ranges.clone();
    // Every input's records read (and their names checked) before anything is written.
    let mut inputs = Vec::with_capacity(manifests.len());
    for (input, _) in &manifests {
        let records = Store::reader(input, first.clone()).records_with_paths()?;
        inputs.push((*input, records));
    }
    let mut store = Store::open(out, merged, range, false)?;
    store.manifest.frame_ranges = ranges;
    let out_bounds = Bounds::new(out);
    let mut copied = BTreeSet::new();
    for (input, records) in inputs {
        let in_bounds = Bounds::new(input);
        for (p, record) in records {
            let rel = p.strip_prefix(input).unwrap_or(&p).to_path_buf();
            let stem = rel
                .strip_prefix("annotations")
                .unwrap_or(&rel)
                .with_extension("");
            let stem = stem.to_string_lossy().replace('\\', "/");
            let files = [
                record.file.clone(),
                format!("labels/{stem}.txt"),
                format!("points/{stem}.json"),
                format!("masks/instance/{stem}.png"),
                format!("masks/semantic/{stem}.png"),
                format!("depth/{stem}.npy"),
                format!("density/{stem}.npy"),
                format!("annotations/{stem}.json"),
            ];
            for f in files {
                // Each name resolved on both sides: a link in a shard (or in the output) that
                // leads elsewhere is neither read nor written through.
                let field = if f == record.file {
                    "`file`".to_string()
                } else {
                    format!("its file {f:?}")
                };
                let escape = |folder: &str, e: Escape| StoreError::BadFile {
                    path: p.clone(),
                    message: format!("{field}, in the {folder}, {}", e.describe()),
                };
                let from = in_bounds.resolve(&f).map_err(|e| escape("input", e))?;
                if !from.is_file() {
                    continue;
                }
                let to = out_bounds.resolve(&f).map_err(|e| escape("output", e))?;
                if !copied.insert(f.clone()) {
                    let read = |p: &Path| read_limited(p, MAX_IMAGE_BYTES, "dataset files").ok();
                    let ours = read(&from);
                    let same = ours.is_some() && ours == read(&to);
                    if !same {
                        return Err(StoreError::Refused {
                            path: from,
                            message: format!(
                                "differs from the same file in another input ({f}); the inputs \
                                 are not shards of one run"
                            ),
                        });
                    }
                    continue;
                }
                link_or_copy(&from, &to)?;
            }
        }
    }
    let images = store.finish()?;
    Ok(MergeSummary {
        images,
        status: store.manifest.status,
    })
}

fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn link_or_copy(from: &Path, to: &Path) -> Result<(), StoreError> {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).map_err(io(dir, "create the folder"))?;
    }
    if std::fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    let bytes = std::fs::read(from).map_err(io(from, "read"))?;
    write_atomic(to, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn written_files_get_the_permissions_of_any_new_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        write_atomic(&dir.path().join("a.json"), b"{}").unwrap();
        std::fs::File::create(dir.path().join("b.json")).unwrap();
        let mode = |n: &str| {
            std::fs::metadata(dir.path().join(n))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(mode("a.json"), mode("b.json"));
    }
    use crate::formats::tests::{object, record};
    use crate::records::{ImageFormat, Privacy, ScenarioInfo, shard_frames};
    use twincity_model::{CameraId, VirtualCamera};
    use twincity_scenario::Randomisation;

    fn settings(frames: u32) -> Settings {
        Settings {
            scenario: ScenarioInfo {
                name: "test".into(),
                file: "test.scenario.ron".into(),
                sha256: "00".into(),
                seed: 1,
            },
            frames,
            fps: 2.0,
            start_s: 0.0,
            cameras: vec![1, 2],
            size: None,
            format: ImageFormat::Png,
            privacy: Privacy::blurred(),
            extras: Default::default(),
            randomisation: Randomisation::default(),
        }
    }

    fn cameras() -> Vec<VirtualCamera> {
        (1..=2)
            .map(|i| {
                let mut c =
                    VirtualCamera::new(CameraId(i), format!("Cam {i}"), glam::Vec3::Y * 5.0, 0.0);
                c.resolution = (200, 100);
                c
            })
            .collect()
    }

    fn manifest(frames: u32) -> Manifest {
        Manifest::new(
            "twincity test",
            settings(frames),
            cameras().iter().map(CameraEntry::of).collect(),
        )
    }

    /// Writes what a renderer would for `frames` of both cameras (a box per image whose place
    /// depends on the frame and camera).
    fn render(store: &Store, frames: std::ops::Range<u32>) {
        for f in frames {
            for c in cameras() {
                let folder = crate::records::camera_folder(&c);
                if store.is_done(&folder, f) {
                    continue;
                }
                let mut r = record(vec![object(
                    1,
                    "person",
                    [f, c.id.0 * 10, 4, 8],
                    Some((f as f32 + 2.0, 12.0, true)),
                )]);
                r.frame = f;
                r.camera_id = c.id.0;
                r.camera = c.name.clone();
                r.file = format!("images/{folder}/{f:06}.png");
                store
                    .write_image(&r, &folder, format!("png {f} {}", c.id.0).as_bytes(), &[])
                    .unwrap();
            }
        }
    }

    fn files(root: &Path) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let rel = p.strip_prefix(root).unwrap().to_string_lossy().to_string();
                    out.push((rel, std::fs::read(&p).unwrap()));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn a_run_writes_every_file_and_a_complete_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path(), manifest(3), 0..3, false).unwrap();
        assert_eq!(
            Manifest::load(dir.path()).unwrap().unwrap().status,
            Status::InProgress
        );
        render(&store, 0..3);
        assert_eq!(store.finish().unwrap(), 6);
        let m = Manifest::load(dir.path()).unwrap().unwrap();
        assert_eq!(
            (m.status, m.images_expected, m.images.len()),
            (Status::Complete, 6, 6)
        );
        assert_eq!(m.images[1].annotation, "annotations/cam2-cam-2/000000.json");
        for f in [
            "labels/cam1-cam-1/000002.txt",
            "points/cam2-cam-2/000001.json",
            COCO,
            YOLO_DATA,
        ] {
            assert!(dir.path().join(f).is_file(), "{f}");
        }
        // The YOLO split: camera 2 (the last) validates, camera 1 trains; no image in both.
        let list = |f: &str| -> Vec<String> {
            std::fs::read_to_string(dir.path().join(f))
                .unwrap()
                .lines()
                .map(str::to_string)
                .collect()
        };
        let (train, val) = (list(formats::TRAIN_LIST), list(formats::VAL_LIST));
        assert_eq!((train.len(), val.len()), (3, 3));
        assert!(val.iter().all(|f| f.starts_with("./images/cam2-cam-2/")));
        assert!(train.iter().all(|f| !val.contains(f)));
        assert!(
            train
                .iter()
                .chain(&val)
                .all(|f| dir.path().join(&f[2..]).is_file()),
            "{train:?} {val:?}"
        );
        // No temporary file is left behind.
        assert!(
            files(dir.path())
                .iter()
                .all(|(f, _)| !f.contains(".partial-"))
        );
        let coco: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join(COCO)).unwrap()).unwrap();
        assert_eq!(coco["images"].as_array().unwrap().len(), 6);
        assert_eq!(
            coco["images"][2]["file_name"],
            "images/cam1-cam-1/000001.png"
        );
    }

    #[test]
    fn an_interrupted_run_resumes_without_duplicates_and_ends_identical() {
        let whole = tempfile::tempdir().unwrap();
        let mut s = Store::open(whole.path(), manifest(4), 0..4, false).unwrap();
        render(&s, 0..4);
        s.finish().unwrap();

        let cut = tempfile::tempdir().unwrap();
        let s = Store::open(cut.path(), manifest(4), 0..4, false).unwrap();
        render(&s, 0..2);
        // Killed while writing frame 2: its image is there, its record is not.
        std::fs::create_dir_all(cut.path().join("images/cam1-cam-1")).unwrap();
        std::fs::write(cut.path().join("images/cam1-cam-1/000002.png"), b"half").unwrap();
        drop(s);
        let refused = Store::open(cut.path(), manifest(4), 0..4, false)
            .err()
            .unwrap()
            .to_string();
        assert!(
            refused.contains("already holds 4 images") && refused.contains("--resume"),
            "{refused}"
        );
        let mut s = Store::open(cut.path(), manifest(4), 0..4, true).unwrap();
        assert!(s.is_done("cam2-cam-2", 1) && !s.is_done("cam1-cam-1", 2));
        render(&s, 0..4);
        s.finish().unwrap();
        assert_eq!(files(cut.path()), files(whole.path()));
    }

    #[test]
    fn other_settings_or_a_foreign_folder_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path(), manifest(3), 0..3, false).unwrap();
        render(&s, 0..1);
        let mut other = manifest(3);
        other.settings.fps = 5.0;
        let e = Store::open(dir.path(), other, 0..3, true)
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("other settings") && e.contains("`fps` is 2.0 there but 5.0 here"),
            "{e}"
        );
        // A dataset of an earlier format (labels made another way) is not continued.
        let mut older = manifest(3);
        older.format_version = crate::records::FORMAT_VERSION - 1;
        let e = Store::open(dir.path(), older, 0..3, true)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("format version 2") && e.contains("--out"), "{e}");
        let foreign = tempfile::tempdir().unwrap();
        std::fs::write(foreign.path().join("notes.txt"), "mine").unwrap();
        let e = Store::open(foreign.path(), manifest(3), 0..3, false)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("not empty") && e.contains("--out"), "{e}");
        assert_eq!(
            std::fs::read_to_string(foreign.path().join("notes.txt")).unwrap(),
            "mine"
        );
        // A file where the folder should be.
        let e = Store::open(
            &foreign.path().join("notes.txt").join("out"),
            manifest(3),
            0..3,
            false,
        )
        .err()
        .unwrap()
        .to_string();
        assert!(
            e.contains("notes.txt") && e.contains("cannot create the folder"),
            "{e}"
        );
    }

    #[test]
    fn disk_full_and_read_only_errors_say_what_to_do() {
        let full = StoreError::Io {
            path: "out/x.png".into(),
            action: "write",
            cause: std::io::Error::from_raw_os_error(28),
        }
        .to_string();
        assert!(
            full.contains("out/x.png")
                && full.contains("disk is full")
                && full.contains("--resume"),
            "{full}"
        );
        let ro = StoreError::Io {
            path: "out".into(),
            action: "create the folder",
            cause: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        }
        .to_string();
        assert!(ro.contains("choose one you may write to"), "{ro}");
    }

    #[test]
    fn names_from_records_stay_inside_the_dataset() {
        let top = tempfile::tempdir().unwrap();
        let shard = top.path().join("shard");
        let mut s = Store::open(&shard, manifest(2), 0..2, false).unwrap();
        render(&s, 0..2);
        s.finish().unwrap();
        std::fs::write(top.path().join("secret.png"), b"not yours").unwrap();
        let record = shard.join("annotations/cam1-cam-1/000001.json");
        let text = std::fs::read_to_string(&record).unwrap();
        for hostile in [
            "../secret.png",
            "/etc/passwd",
            "images/../../secret.png",
            "",
        ] {
            let mut r: ImageRecord = serde_json::from_str(&text).unwrap();
            r.file = hostile.into();
            std::fs::write(&record, serde_json::to_string(&r).unwrap()).unwrap();
            let e = Store::reader(&shard, manifest(2))
                .records()
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("000001.json") && e.contains("`file`") && e.contains("inside"),
                "{e}"
            );
            let out = top.path().join("merged");
            let e = merge(&out, std::slice::from_ref(&shard))
                .unwrap_err()
                .to_string();
            assert!(e.contains("inside"), "{e}");
            // Nothing was written beside the output folder.
            let beside: Vec<_> = std::fs::read_dir(top.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            assert!(
                beside
                    .iter()
                    .all(|n| ["shard", "secret.png"].contains(&n.as_str())),
                "{beside:?}"
            );
        }
        // The manifest's own list of records is checked the same way.
        std::fs::write(&record, &text).unwrap();
        let manifest_path = shard.join(MANIFEST);
        let mut m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
        m["images"][0]["annotation"] = "../../x.json".into();
        std::fs::write(&manifest_path, m.to_string()).unwrap();
        let e = load_dataset(&shard).unwrap_err().to_string();
        assert!(
            e.contains("images[0].annotation") && e.contains("inside"),
            "{e}"
        );
        assert!(inside(Path::new("d"), "images/cam/000001.png").is_some());
    }

    #[test]
    fn shards_merge_into_the_dataset_one_run_makes() {
        let whole = tempfile::tempdir().unwrap();
        let mut s = Store::open(whole.path(), manifest(5), 0..5, false).unwrap();
        render(&s, 0..5);
        s.finish().unwrap();

        let parts = tempfile::tempdir().unwrap();
        let mut inputs = Vec::new();
        for i in 0..3 {
            let dir = parts.path().join(format!("shard-{i}"));
            let range = shard_frames(5, i, 3);
            let mut s = Store::open(&dir, manifest(5), range.clone(), false).unwrap();
            render(&s, range);
            s.finish().unwrap();
            assert_eq!(s.manifest.status, Status::Partial);
            inputs.push(dir);
        }
        let out = parts.path().join("merged");
        let summary = merge(&out, &inputs).unwrap();
        assert_eq!(
            summary,
            MergeSummary {
                images: 10,
                status: Status::Complete
            }
        );
        assert_eq!(files(&out), files(whole.path()));

        // Two shards only: partial, and says so.
        let out2 = parts.path().join("merged2");
        assert_eq!(merge(&out2, &inputs[..2]).unwrap().status, Status::Partial);
        // Shards of another dataset are refused.
        let odd = parts.path().join("odd");
        let mut m = manifest(5);
        m.settings.scenario.seed = 9;
        Store::open(&odd, m, 0..5, false).unwrap();
        let e = merge(&parts.path().join("m3"), &[inputs[0].clone(), odd])
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("other settings") && e.contains("scenario"),
            "{e}"
        );
        let e = merge(&inputs[0].clone(), &[inputs[0].clone()])
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("also an input"), "{e}");
    }
}
