//! Real video files played in place of a camera's view (the Model inference window), decoded
//! by FFmpeg's command-line tools in a child process.
//!
//! `ffprobe` reads the video stream's size, frame rate and duration; `ffmpeg` decodes it to raw
//! RGBA frames on a pipe, scaled to at most [`MAX_SIDE`] pixels. A reader thread keeps the
//! newest frame in a slot:
//!
//! - [`Pace::RealTime`]: frames come at the video's own rate; a frame the consumer has not
//!   taken when the next one is due is replaced and counted as dropped, like a live camera;
//! - [`Pace::EveryFrame`]: the next frame waits until the consumer has taken the last one, so
//!   every frame is seen (as fast as the model runs).
//!
//! Nothing here blurs: frames are raw footage and the caller must blur their faces before they
//! are shown or stored (the inference worker does, with the face detector).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use twincity_i18n::tr_args;

/// The longer side of decoded frames, at most (the size the editor's previews of cameras
/// running a model have).
pub const MAX_SIDE: u32 = 960;

/// Extensions offered in the file dialog.
pub const EXTENSIONS: &[&str] = &[
    "mp4", "mov", "mkv", "avi", "webm", "m4v", "mpg", "mpeg", "ts", "mjpeg", "gif",
];

/// Where the FFmpeg tools are (by default, found on `PATH`).
#[derive(Clone, Debug)]
pub struct Tools {
    pub ffmpeg: PathBuf,
    pub ffprobe: PathBuf,
}

impl Default for Tools {
    fn default() -> Self {
        Self {
            ffmpeg: "ffmpeg".into(),
            ffprobe: "ffprobe".into(),
        }
    }
}

/// What `ffprobe` says of a video's first video stream, and the size frames are decoded at.
#[derive(Clone, Debug, PartialEq)]
pub struct VideoInfo {
    pub path: PathBuf,
    /// The stream's size as displayed (rotation applied).
    pub source_size: (u32, u32),
    /// The decoded frames' size: the source's, scaled down to fit [`MAX_SIDE`], even.
    pub size: (u32, u32),
    pub fps: f64,
    pub duration_s: Option<f64>,
}

/// How the reader paces frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pace {
    /// At the video's frame rate; frames not taken in time are dropped.
    RealTime,
    /// Each frame waits for the previous one to be taken.
    EveryFrame,
}

/// One decoded frame (raw: faces not blurred yet).
#[derive(Clone, Debug)]
pub struct VideoFrame {
    /// Position in the video, from 0 (restarts at 0 when looping).
    pub index: u64,
    pub time_s: f64,
    /// The decoded size ([`VideoInfo::size`]).
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

/// Where the reader is.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Progress {
    /// Frames decoded since the video was opened.
    pub decoded: u64,
    /// Frames replaced before anyone took them (real-time pace).
    pub dropped: u64,
    /// Time of the newest decoded frame in the video.
    pub position_s: f64,
    /// The end was reached (and the video does not loop).
    pub ended: bool,
    /// The decoder failed (the message names the file).
    pub error: Option<String>,
}

#[derive(Default)]
struct Slot {
    frame: Option<VideoFrame>,
    progress: Progress,
}

struct Shared {
    slot: Mutex<Slot>,
    taken: Condvar,
    paused: AtomicBool,
    looping: AtomicBool,
    every_frame: AtomicBool,
    stop: AtomicBool,
    decoder: Mutex<Option<Decoder>>,
}

/// A video being decoded in the background. Dropping it stops the decoder.
pub struct Video {
    pub info: VideoInfo,
    shared: Arc<Shared>,
}

/// The file an error names, as an argument of its message. The errors of this module are
/// shown in the Model inference window: messages in the interface's language (file names,
/// FFmpeg's own words and the system's error texts left as they are).
fn file_arg(path: &Path) -> (&'static str, twincity_i18n::Arg) {
    ("file", path.display().to_string().into())
}

fn tool_error(tool: &Path, e: &std::io::Error) -> String {
    let tool: (&str, twincity_i18n::Arg) = ("tool", tool.display().to_string().into());
    if e.kind() == std::io::ErrorKind::NotFound {
        tr_args("video-tool-not-found", &[tool])
    } else {
        tr_args(
            "video-tool-cannot-run",
            &[tool, ("error", e.to_string().into())],
        )
    }
}

/// `"30000/1001"` → 29.97; `None` for `0/0` or nonsense.
fn rate(text: &str) -> Option<f64> {
    let (n, d) = text.split_once('/').unwrap_or((text, "1"));
    let (n, d): (f64, f64) = (n.trim().parse().ok()?, d.trim().parse().ok()?);
    let r = n / d;
    (r.is_finite() && r > 0.0 && r <= 1000.0).then_some(r)
}

/// The decoded size for a source size: scaled to fit `MAX_SIDE`, both sides even (video
/// filters and encoders want that), at least 2.
pub fn decoded_size(w: u32, h: u32) -> (u32, u32) {
    let k = (MAX_SIDE as f64 / w.max(h).max(1) as f64).min(1.0);
    let even = |v: u32| ((((v as f64) * k / 2.0).round() as u32) * 2).max(2);
    (even(w), even(h))
}

/// Reads `ffprobe -of json` output (first video stream, format duration).
pub fn parse_probe(path: &Path, json: &str) -> Result<VideoInfo, String> {
    let v: serde_json::Value = serde_json::from_str(json).map_err(|e| {
        tr_args(
            "video-probe-not-json",
            &[file_arg(path), ("error", e.to_string().into())],
        )
    })?;
    let stream = v["streams"]
        .get(0)
        .ok_or_else(|| tr_args("video-no-stream", &[file_arg(path)]))?;
    let dim = |k: &str| stream[k].as_u64().filter(|v| *v > 0 && *v <= 16384);
    let (Some(w), Some(h)) = (dim("width"), dim("height")) else {
        return Err(tr_args(
            "video-no-usable-size",
            &[
                file_arg(path),
                (
                    "size",
                    format!("{} × {}", stream["width"], stream["height"]).into(),
                ),
            ],
        ));
    };
    // A display matrix turning by a quarter shows the picture on its side.
    let rotation = stream["side_data_list"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["rotation"].as_f64())
        .chain(
            stream["tags"]["rotate"]
                .as_str()
                .and_then(|r| r.parse::<f64>().ok()),
        )
        .next()
        .unwrap_or(0.0);
    let quarter = ((rotation / 90.0).round() as i64).rem_euclid(2) == 1;
    let (w, h) = if quarter { (h, w) } else { (w, h) };
    let (w, h) = (w as u32, h as u32);
    let fps = ["avg_frame_rate", "r_frame_rate"]
        .iter()
        .find_map(|k| stream[*k].as_str().and_then(rate))
        .unwrap_or(25.0);
    let duration_s = v["format"]["duration"]
        .as_str()
        .or(stream["duration"].as_str())
        .and_then(|d| d.parse::<f64>().ok())
        .filter(|d| d.is_finite() && *d > 0.0);
    Ok(VideoInfo {
        path: path.to_path_buf(),
        source_size: (w, h),
        size: decoded_size(w, h),
        fps,
        duration_s,
    })
}

/// Asks `ffprobe` what the video holds.
pub fn probe(path: &Path, tools: &Tools) -> Result<VideoInfo, String> {
    if !path.is_file() {
        return Err(tr_args("video-no-such-file", &[file_arg(path)]));
    }
    let out = Command::new(&tools.ffprobe)
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
        .arg("stream=width,height,avg_frame_rate,r_frame_rate,duration:stream_tags=rotate:stream_side_data=rotation:format=duration")
        .args(["-of", "json"])
        .arg(path)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| tool_error(&tools.ffprobe, &e))?;
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr);
        let why = why.trim();
        return Err(if why.is_empty() {
            tr_args("video-unreadable", &[file_arg(path)])
        } else {
            tr_args(
                "video-unreadable-why",
                &[file_arg(path), ("why", why.into())],
            )
        });
    }
    parse_probe(path, &String::from_utf8_lossy(&out.stdout))
}

/// A running `ffmpeg`, and the end of what it wrote on its standard error (read all along, so
/// a chatty decoder never blocks on a full pipe).
struct Decoder {
    child: Child,
    stderr: Arc<Mutex<String>>,
}

fn spawn_decoder(info: &VideoInfo, tools: &Tools) -> Result<Decoder, String> {
    let (w, h) = info.size;
    let mut child = Command::new(&tools.ffmpeg)
        .args(["-v", "error", "-nostdin", "-i"])
        .arg(&info.path)
        .args(["-map", "0:v:0", "-an", "-sn", "-vf"])
        .arg(format!("scale={w}:{h}:flags=area"))
        .args(["-f", "rawvideo", "-pix_fmt", "rgba", "-"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| tool_error(&tools.ffmpeg, &e))?;
    let stderr = Arc::new(Mutex::new(String::new()));
    if let Some(mut pipe) = child.stderr.take() {
        let tail = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 1024];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut t) = tail.lock() {
                    t.push_str(&String::from_utf8_lossy(&buf[..n]));
                    if t.len() > 4096 {
                        let cut = t.len() - 2048;
                        let cut = (cut..t.len()).find(|i| t.is_char_boundary(*i)).unwrap_or(0);
                        t.drain(..cut);
                    }
                }
            }
        });
    }
    Ok(Decoder { child, stderr })
}

impl Video {
    /// Probes the file and starts decoding it.
    pub fn open(path: &Path, tools: &Tools, pace: Pace) -> Result<Video, String> {
        let info = probe(path, tools)?;
        let decoder = spawn_decoder(&info, tools)?;
        let shared = Arc::new(Shared {
            slot: Mutex::default(),
            taken: Condvar::new(),
            paused: AtomicBool::new(false),
            looping: AtomicBool::new(true),
            every_frame: AtomicBool::new(pace == Pace::EveryFrame),
            stop: AtomicBool::new(false),
            decoder: Mutex::new(Some(decoder)),
        });
        let reader = shared.clone();
        let (thread_info, thread_tools) = (info.clone(), tools.clone());
        std::thread::Builder::new()
            .name("video decoder".into())
            .spawn(move || read_frames(&reader, &thread_info, &thread_tools))
            .map_err(|e| tr_args("video-reader-failed", &[("error", e.to_string().into())]))?;
        Ok(Video { info, shared })
    }

    /// The newest frame not taken yet.
    pub fn take_frame(&self) -> Option<VideoFrame> {
        let frame = self.shared.slot.lock().ok()?.frame.take();
        self.shared.taken.notify_all();
        frame
    }

    pub fn progress(&self) -> Progress {
        self.shared
            .slot
            .lock()
            .map(|s| s.progress.clone())
            .unwrap_or_default()
    }

    pub fn paused(&self) -> bool {
        self.shared.paused.load(Ordering::Relaxed)
    }

    pub fn set_paused(&self, paused: bool) {
        self.shared.paused.store(paused, Ordering::Relaxed);
        self.shared.taken.notify_all();
    }

    pub fn looping(&self) -> bool {
        self.shared.looping.load(Ordering::Relaxed)
    }

    /// Whether the video starts again at its end (the default).
    pub fn set_looping(&self, looping: bool) {
        self.shared.looping.store(looping, Ordering::Relaxed);
    }

    pub fn pace(&self) -> Pace {
        if self.shared.every_frame.load(Ordering::Relaxed) {
            Pace::EveryFrame
        } else {
            Pace::RealTime
        }
    }

    pub fn set_pace(&self, pace: Pace) {
        self.shared
            .every_frame
            .store(pace == Pace::EveryFrame, Ordering::Relaxed);
        self.shared.taken.notify_all();
    }
}

impl Drop for Video {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        self.shared.taken.notify_all();
        if let Ok(mut c) = self.shared.decoder.lock()
            && let Some(mut d) = c.take()
        {
            let _ = d.child.kill();
            let _ = d.child.wait();
        }
    }
}

/// The reader thread: frames from the pipe into the slot, paced; restarts the decoder at the
/// end when looping.
fn read_frames(shared: &Shared, info: &VideoInfo, tools: &Tools) {
    let (w, h) = info.size;
    let frame_bytes = w as usize * h as usize * 4;
    let stopped = || shared.stop.load(Ordering::Relaxed);
    let set = |f: &mut dyn FnMut(&mut Slot)| {
        if let Ok(mut s) = shared.slot.lock() {
            f(&mut s);
        }
    };
    'runs: loop {
        let stdout = shared
            .decoder
            .lock()
            .ok()
            .and_then(|mut c| c.as_mut().and_then(|d| d.child.stdout.take()));
        let Some(mut stdout) = stdout else { return };
        // The wall-clock time frame 0 of this run is due at (moved on by pauses).
        let mut clock = Instant::now();
        let mut index: u64 = 0;
        loop {
            if stopped() {
                return;
            }
            let mut buf = vec![0u8; frame_bytes];
            match read_full(&mut stdout, &mut buf) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    set(&mut |s| {
                        s.progress.error = Some(tr_args(
                            "video-read-failed",
                            &[file_arg(&info.path), ("error", e.to_string().into())],
                        ))
                    });
                    return;
                }
            }
            let time_s = index as f64 / info.fps;
            // Pace: wait while paused, until the frame is due (real time) or until the last
            // frame was taken (every frame).
            let mut paused_at: Option<Instant> = None;
            loop {
                if stopped() {
                    return;
                }
                if shared.paused.load(Ordering::Relaxed) {
                    paused_at.get_or_insert_with(Instant::now);
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                }
                if let Some(p) = paused_at.take() {
                    clock += p.elapsed();
                }
                if shared.every_frame.load(Ordering::Relaxed) {
                    let Ok(slot) = shared.slot.lock() else { return };
                    if slot.frame.is_none() {
                        break;
                    }
                    let _ = shared.taken.wait_timeout(slot, Duration::from_millis(50));
                    // Waiting for the consumer is not late: the clock waits too.
                    clock = Instant::now() - Duration::from_secs_f64(time_s);
                    continue;
                }
                let due = clock + Duration::from_secs_f64(time_s);
                let now = Instant::now();
                if now >= due {
                    break;
                }
                std::thread::sleep((due - now).min(Duration::from_millis(20)));
            }
            set(&mut |s| {
                if s.frame.is_some() {
                    s.progress.dropped += 1;
                }
                s.progress.decoded += 1;
                s.progress.position_s = time_s;
                s.frame = Some(VideoFrame {
                    index,
                    time_s,
                    width: w,
                    height: h,
                    rgba: std::mem::take(&mut buf),
                });
            });
            index += 1;
        }
        // The end of the stream: a failed decode, or the end of the video.
        let failure = shared.decoder.lock().ok().and_then(|mut c| {
            let d = c.as_mut()?;
            let status = d.child.wait().ok()?;
            if status.success() || stopped() {
                return None;
            }
            // The stderr reader ends with the process; give it a moment to catch the last words.
            std::thread::sleep(Duration::from_millis(50));
            let err = d
                .stderr
                .lock()
                .map(|t| t.trim().to_string())
                .unwrap_or_default();
            Some(if err.is_empty() {
                tr_args("video-decode-stopped", &[file_arg(&info.path)])
            } else {
                tr_args(
                    "video-decode-failed",
                    &[file_arg(&info.path), ("error", err.into())],
                )
            })
        });
        if let Some(message) = failure {
            set(&mut |s| s.progress.error = Some(message.clone()));
            return;
        }
        if index == 0 {
            set(&mut |s| {
                s.progress.error = Some(tr_args("video-no-frames", &[file_arg(&info.path)]))
            });
            return;
        }
        if !shared.looping.load(Ordering::Relaxed) || stopped() {
            set(&mut |s| s.progress.ended = true);
            // Looping turned on again later starts it over.
            while !stopped() && !shared.looping.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(50));
            }
            if stopped() {
                return;
            }
            set(&mut |s| s.progress.ended = false);
        }
        match spawn_decoder(info, tools) {
            Ok(d) => {
                if let Ok(mut c) = shared.decoder.lock() {
                    *c = Some(d);
                }
                continue 'runs;
            }
            Err(e) => {
                set(&mut |s| s.progress.error = Some(e.clone()));
                return;
            }
        }
    }
}

/// Fills `buf` from `r`: `Ok(false)` at a clean end before the first byte (a partial frame at
/// the end counts as the end too).
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<bool> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => return Ok(false),
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn sizes_fit_the_previews_and_stay_even() {
        assert_eq!(decoded_size(1920, 1080), (960, 540));
        assert_eq!(decoded_size(640, 480), (640, 480));
        assert_eq!(decoded_size(1080, 1920), (540, 960));
        assert_eq!(decoded_size(641, 359), (642, 360));
        assert_eq!(decoded_size(1, 1), (2, 2));
    }

    #[test]
    fn probe_answers_are_read_with_rates_rotation_and_errors() {
        let p = Path::new("clip.mp4");
        let json = r#"{"programs":[],"streams":[{"width":1920,"height":1080,
            "r_frame_rate":"30000/1001","avg_frame_rate":"30000/1001",
            "side_data_list":[{"rotation":-90}]}],"format":{"duration":"12.5"}}"#;
        let info = parse_probe(p, json).unwrap();
        assert_eq!(info.source_size, (1080, 1920));
        assert_eq!(info.size, (540, 960));
        assert!((info.fps - 29.97).abs() < 0.01);
        assert_eq!(info.duration_s, Some(12.5));
        // No average rate: the stream's own; none at all: 25.
        let json = r#"{"streams":[{"width":64,"height":48,"avg_frame_rate":"0/0",
            "r_frame_rate":"10/1"}],"format":{}}"#;
        let info = parse_probe(p, json).unwrap();
        assert_eq!(
            (info.fps, info.duration_s, info.size),
            (10.0, None, (64, 48))
        );
        let json = r#"{"streams":[{"width":64,"height":48}],"format":{}}"#;
        assert_eq!(parse_probe(p, json).unwrap().fps, 25.0);
        // Not a video: says so, naming the file.
        let e = parse_probe(p, r#"{"streams":[],"format":{}}"#).unwrap_err();
        assert!(
            e.contains("clip.mp4") && e.contains("no video stream"),
            "{e}"
        );
        let e = parse_probe(p, r#"{"streams":[{"width":0,"height":48}]}"#).unwrap_err();
        assert!(e.contains("no usable size"), "{e}");
    }

    #[test]
    fn missing_tools_say_how_to_get_them() {
        let dir = tempfile::tempdir().unwrap();
        let clip = dir.path().join("clip.mp4");
        std::fs::write(&clip, b"not really").unwrap();
        let tools = Tools {
            ffmpeg: dir.path().join("no_ffmpeg"),
            ffprobe: dir.path().join("no_ffprobe"),
        };
        let e = Video::open(&clip, &tools, Pace::RealTime).err().unwrap();
        assert!(
            e.contains("no_ffprobe") && e.contains("apt-get install ffmpeg"),
            "{e}"
        );
        let e = Video::open(&dir.path().join("gone.mp4"), &tools, Pace::RealTime)
            .err()
            .unwrap();
        assert!(e.contains("gone.mp4") && e.contains("no such file"), "{e}");
    }

    /// A 10-frame, 10 fps clip of the test photograph (tests/data/astronaut.jpg), made by
    /// FFmpeg itself.
    pub(crate) fn clip(dir: &Path) -> PathBuf {
        let photo = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/astronaut.jpg");
        let out = dir.join("clip.mp4");
        let status = Command::new("ffmpeg")
            .args(["-v", "error", "-y", "-loop", "1", "-framerate", "10", "-i"])
            .arg(&photo)
            .args(["-frames:v", "10", "-c:v", "mpeg4", "-q:v", "2"])
            .arg(&out)
            .status()
            .expect("ffmpeg is needed for the video tests: run scripts/setup.sh");
        assert!(status.success());
        out
    }

    fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
        let start = Instant::now();
        while !f() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "timed out: {what}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn every_frame_is_decoded_in_order_at_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = clip(dir.path());
        let video = Video::open(&path, &Tools::default(), Pace::EveryFrame).unwrap();
        assert_eq!(video.info.source_size, (512, 512));
        assert_eq!(video.info.size, (512, 512));
        assert_eq!(video.info.fps, 10.0);
        assert!((video.info.duration_s.unwrap() - 1.0).abs() < 0.05);
        video.set_looping(false);
        let photo =
            image::open(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/astronaut.jpg"))
                .unwrap()
                .to_rgba8();
        let mut frames = Vec::new();
        wait_for("the end of the clip", || {
            if let Some(f) = video.take_frame() {
                frames.push(f);
            }
            // The last frame can land between the take above and the end being seen: take
            // once more after it (the check used to take that frame and drop it).
            let ended = video.progress().ended;
            if ended && let Some(f) = video.take_frame() {
                frames.push(f);
            }
            ended
        });
        let p = video.progress();
        assert_eq!((p.decoded, p.dropped, p.error), (10, 0, None));
        let indices: Vec<u64> = frames.iter().map(|f| f.index).collect();
        assert_eq!(indices, (0..10).collect::<Vec<_>>());
        for f in &frames {
            assert_eq!(f.rgba.len(), 512 * 512 * 4);
            assert!((f.time_s - f.index as f64 / 10.0).abs() < 1e-9);
            // The picture itself, through a lossy codec.
            let diff: u64 = f
                .rgba
                .iter()
                .zip(photo.as_raw())
                .map(|(a, b)| a.abs_diff(*b) as u64)
                .sum();
            let mean = diff as f64 / f.rgba.len() as f64;
            assert!(
                mean < 12.0,
                "frame {} differs from the photo by {mean}",
                f.index
            );
        }
    }

    #[test]
    fn a_live_pace_drops_frames_nobody_takes_and_pauses() {
        let dir = tempfile::tempdir().unwrap();
        let path = clip(dir.path());
        let video = Video::open(&path, &Tools::default(), Pace::RealTime).unwrap();
        assert!(video.looping());
        // Nobody takes frames: all but the newest are dropped.
        wait_for("four frames", || video.progress().decoded >= 4);
        let p = video.progress();
        assert_eq!(p.dropped, p.decoded - 1);
        // Paused, it stops (a frame already read may still come in).
        video.set_paused(true);
        std::thread::sleep(Duration::from_millis(100));
        let at = video.progress().decoded;
        std::thread::sleep(Duration::from_millis(400));
        assert!(video.progress().decoded <= at + 1);
        video.set_paused(false);
        // Looping: past the end it starts over at frame 0.
        wait_for("a second run", || video.progress().decoded >= 12);
        let f = video.take_frame().unwrap();
        assert!(f.index < 10);
        assert!(!video.progress().ended);
    }

    #[test]
    fn files_ffmpeg_cannot_read_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("holiday.mp4");
        std::fs::write(&junk, b"this is no video at all").unwrap();
        let e = Video::open(&junk, &Tools::default(), Pace::RealTime)
            .err()
            .unwrap();
        assert!(
            e.contains("holiday.mp4") && e.contains("not a video"),
            "{e}"
        );
    }
}
