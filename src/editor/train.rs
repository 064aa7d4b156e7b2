//! Training a model on a dataset just exported, from the editor: `twincity train` run as a
//! child process of this same program with `--progress json`, its output read on threads of
//! their own so the editor never waits for it. The export window starts it and shows its
//! progress (see `editor::export`).

use std::collections::VecDeque;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use twincity_i18n::{Arg, integer, number, tr, tr_args};

/// The bundled model fine-tuned when no other is chosen.
pub const DEFAULT_BASE: &str = "yolox_nano.ron";

/// Lines of the command's standard error kept, to say why it failed.
const STDERR_LINES: usize = 12;

/// How long to wait, once the command has ended, for the rest of its output.
const OUTPUT_GRACE: Duration = Duration::from_secs(2);

/// "Then train": what to train after the export.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainOptions {
    pub enabled: bool,
    /// The model card fine-tuned (`None`: the bundled YOLOX-nano).
    pub base: Option<PathBuf>,
    pub epochs: u32,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            enabled: false,
            base: None,
            epochs: 5,
        }
    }
}

impl TrainOptions {
    /// The card to fine-tune: the one chosen, or the bundled YOLOX-nano.
    pub fn base_card(&self) -> Option<PathBuf> {
        self.base.clone().or_else(default_base)
    }
}

/// The bundled YOLOX-nano card (its canonical path), when it is there (looked up once).
pub fn default_base() -> Option<PathBuf> {
    static BASE: OnceLock<Option<PathBuf>> = OnceLock::new();
    BASE.get_or_init(|| {
        twincity_infer::bundled_dir()
            .map(|d| d.join(DEFAULT_BASE))
            .filter(|p| p.is_file())
            .map(|p| p.canonicalize().unwrap_or(p))
    })
    .clone()
}

/// Where the model trained on `dataset` goes: a folder beside it, `<dataset>-model`.
pub fn model_folder(dataset: &Path) -> PathBuf {
    let mut name = dataset
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "dataset".into());
    name.push("-model");
    dataset.with_file_name(name)
}

/// The `twincity` arguments that fine-tune `base` on `dataset` for `epochs`, writing into
/// [`model_folder`].
pub fn train_args(dataset: &Path, base: &Path, epochs: u32) -> Vec<String> {
    vec![
        "train".into(),
        "--dataset".into(),
        dataset.display().to_string(),
        "--base".into(),
        base.display().to_string(),
        "--out".into(),
        model_folder(dataset).display().to_string(),
        "--epochs".into(),
        epochs.to_string(),
        "--progress".into(),
        "json".into(),
    ]
}

/// Where a training run is (one `--progress json` line).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrainProgress {
    /// `train`, `eval` or `export`.
    pub phase: String,
    pub epoch: Option<u64>,
    pub epochs: Option<u64>,
    pub step: Option<u64>,
    pub steps: Option<u64>,
    pub loss: Option<f64>,
    pub eta_s: Option<f64>,
}

impl TrainProgress {
    /// How much of the training is done, 0–1, when the line says (epochs and steps).
    pub fn fraction(&self) -> Option<f32> {
        let (epoch, epochs) = (self.epoch?, self.epochs.filter(|n| *n > 0)?);
        let within = match (self.step, self.steps.filter(|n| *n > 0)) {
            (Some(step), Some(steps)) => step.min(steps) as f64 / steps as f64,
            _ => 0.0,
        };
        let done = (epoch.saturating_sub(1) as f64 + within) / epochs as f64;
        Some(done.clamp(0.0, 1.0) as f32)
    }

    /// The line shown: phase, epoch and step, loss, time left.
    pub fn describe(&self) -> String {
        let mut parts = vec![match self.phase.as_str() {
            "train" => tr("train-phase-train"),
            "eval" => tr("train-phase-eval"),
            "export" => tr("train-phase-export"),
            other => other.to_string(),
        }];
        let whole = |n: u64| -> Arg { integer(n as i64).into() };
        if let (Some(e), Some(n)) = (self.epoch, self.epochs) {
            parts.push(tr_args(
                "train-epoch",
                &[("epoch", whole(e)), ("epochs", whole(n))],
            ));
        }
        if let (Some(s), Some(n)) = (self.step, self.steps) {
            parts.push(tr_args(
                "train-step",
                &[("step", whole(s)), ("steps", whole(n))],
            ));
        }
        if let Some(l) = self.loss {
            parts.push(tr_args("train-loss", &[("loss", number(l, 3).into())]));
        }
        if let Some(t) = self.eta_s {
            parts.push(tr_args(
                "train-time-left",
                &[("time", duration_text(t).into())],
            ));
        }
        parts.join(", ")
    }
}

/// Seconds as "42 s", "3 min 5 s", "2 h 4 min" (units, the same in French and English: not
/// messages; the numbers as the language writes them).
fn duration_text(s: f64) -> String {
    let s = s.max(0.0).round() as u64;
    let n = |x: u64| integer(x as i64);
    match s {
        0..60 => format!("{} s", n(s)),
        60..3600 => format!("{} min {} s", n(s / 60), n(s % 60)),
        _ => format!("{} h {} min", n(s / 3600), n(s % 3600 / 60)),
    }
}

/// One line of `twincity train --progress json`.
#[derive(Clone, Debug, PartialEq)]
pub enum TrainEvent {
    Progress(TrainProgress),
    /// The model card written, and the report.
    Done {
        card: PathBuf,
        report: Option<PathBuf>,
    },
}

/// Reads a `--progress json` line of `twincity train` (anything else: `None`).
pub fn parse_train_line(line: &str) -> Option<TrainEvent> {
    let v: serde_json::Value = serde_json::from_str(line.trim()).ok()?;
    if v["done"].as_bool() == Some(true) {
        return Some(TrainEvent::Done {
            card: PathBuf::from(v["card"].as_str()?),
            report: v["report"].as_str().map(PathBuf::from),
        });
    }
    Some(TrainEvent::Progress(TrainProgress {
        phase: v["phase"].as_str()?.to_string(),
        epoch: v["epoch"].as_u64(),
        epochs: v["epochs"].as_u64(),
        step: v["step"].as_u64(),
        steps: v["steps"].as_u64(),
        loss: v["loss"].as_f64(),
        eta_s: v["eta_s"].as_f64(),
    }))
}

/// How a training run ended.
#[derive(Clone, Debug, PartialEq)]
pub enum TrainEnd {
    /// The model card written, and the report.
    Trained {
        card: PathBuf,
        report: Option<PathBuf>,
    },
    /// Why it failed (the end of its error output), or that it was stopped.
    Failed(String),
}

/// Decides how a run ended from its exit, its `done` line (if any) and the end of its error
/// output.
pub fn train_end(
    success: bool,
    status: &str,
    done: Option<(PathBuf, Option<PathBuf>)>,
    stderr_tail: &[String],
) -> TrainEnd {
    let tail = stderr_tail
        .iter()
        .map(|l| l.trim_end())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>();
    let tail = tail[tail.len().saturating_sub(8)..].join("\n");
    match (success, done) {
        (true, Some((card, report))) => TrainEnd::Trained { card, report },
        (true, None) if tail.is_empty() => TrainEnd::Failed(tr("train-no-card")),
        (true, None) => TrainEnd::Failed(tr_args("train-no-card-tail", &[("tail", tail.into())])),
        (false, _) if tail.is_empty() => {
            TrainEnd::Failed(tr_args("train-failed", &[("status", status.into())]))
        }
        (false, _) => TrainEnd::Failed(tail),
    }
}

/// A `twincity train` running in the background.
pub struct Training {
    child: Child,
    events: Mutex<Receiver<TrainEvent>>,
    stdout: Option<JoinHandle<()>>,
    stderr: Option<JoinHandle<()>>,
    stderr_tail: Arc<Mutex<VecDeque<String>>>,
    /// The latest progress line.
    pub progress: Option<TrainProgress>,
    done: Option<(PathBuf, Option<PathBuf>)>,
    /// When the command was seen to end, and how.
    exited: Option<(Instant, bool, String)>,
    stopping: bool,
    /// The command line, to say how to resume.
    pub args: Vec<String>,
}

impl Training {
    /// Starts `twincity ARGS` (this same program), in a process group of its own so that
    /// stopping it stops its Python worker too.
    pub fn start(args: Vec<String>) -> Result<Training, String> {
        let exe = std::env::current_exe()
            .map_err(|e| tr_args("train-no-program", &[("error", e.to_string().into())]))?;
        Self::start_program(exe.as_os_str(), args)
    }

    /// [`Training::start`] with another program (tests run a script).
    fn start_program(program: &std::ffi::OsStr, args: Vec<String>) -> Result<Training, String> {
        let mut command = std::process::Command::new(program);
        command
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = command
            .spawn()
            .map_err(|e| tr_args("train-cannot-start", &[("error", e.to_string().into())]))?;
        let (tx, rx) = channel();
        let stdout = child.stdout.take().map(|out| {
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                    if let Some(e) = parse_train_line(&line) {
                        let _ = tx.send(e);
                    }
                }
            })
        });
        let stderr_tail: Arc<Mutex<VecDeque<String>>> = Arc::default();
        let tail = stderr_tail.clone();
        let stderr = child.stderr.take().map(|err| {
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(err).lines().map_while(Result::ok) {
                    if let Ok(mut t) = tail.lock() {
                        t.push_back(line);
                        while t.len() > STDERR_LINES {
                            t.pop_front();
                        }
                    }
                }
            })
        });
        Ok(Training {
            child,
            events: Mutex::new(rx),
            stdout,
            stderr,
            stderr_tail,
            progress: None,
            done: None,
            exited: None,
            stopping: false,
            args,
        })
    }

    /// Takes in its progress; once it has ended (and its output is read), how.
    pub fn poll(&mut self) -> Option<TrainEnd> {
        let events: Vec<TrainEvent> = self
            .events
            .lock()
            .map(|rx| rx.try_iter().collect())
            .unwrap_or_default();
        for e in events {
            match e {
                TrainEvent::Progress(p) => self.progress = Some(p),
                TrainEvent::Done { card, report } => self.done = Some((card, report)),
            }
        }
        if self.exited.is_none()
            && let Ok(Some(status)) = self.child.try_wait()
        {
            self.exited = Some((Instant::now(), status.success(), status.to_string()));
        }
        let (at, success, status) = self.exited.clone()?;
        let read = |h: &Option<JoinHandle<()>>| h.as_ref().is_none_or(JoinHandle::is_finished);
        // The last lines may still be on their way (a worker of its own may hold the pipes).
        if !(read(&self.stdout) && read(&self.stderr)) && at.elapsed() < OUTPUT_GRACE {
            return None;
        }
        if self.stopping {
            return Some(TrainEnd::Failed(tr_args(
                "train-stopped",
                &[("args", self.args.join(" ").into())],
            )));
        }
        let tail: Vec<String> = self
            .stderr_tail
            .lock()
            .map(|t| t.iter().cloned().collect())
            .unwrap_or_default();
        Some(train_end(success, &status, self.done.take(), &tail))
    }

    /// Stops the training (the command and its worker).
    pub fn stop(&mut self) {
        if self.exited.is_some() {
            return;
        }
        self.stopping = true;
        #[cfg(unix)]
        {
            // The whole process group the command leads (see `start`).
            let pid = self.child.id() as libc::pid_t;
            // SAFETY: `kill` only sends a signal, to a process group this program started.
            unsafe {
                libc::kill(-pid, libc::SIGTERM);
            }
        }
        #[cfg(not(unix))]
        let _ = self.child.kill();
    }

    pub fn stopping(&self) -> bool {
        self.stopping
    }
}

impl Drop for Training {
    fn drop(&mut self) {
        // Closing the editor stops a training still running; a few seconds to stop cleanly.
        if self.exited.is_none() && !matches!(self.child.try_wait(), Ok(Some(_))) {
            self.stop();
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(3) {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_arguments_are_a_train_command_line() {
        use clap::Parser;
        let args = train_args(
            Path::new("data/x"),
            Path::new("assets/models/yolox_nano.ron"),
            3,
        );
        let cli =
            crate::cli::Cli::try_parse_from(std::iter::once("twincity".to_string()).chain(args))
                .unwrap_or_else(|e| panic!("{e}"));
        let Some(crate::cli::Command::Train(t)) = cli.command else {
            panic!("not `train`");
        };
        assert_eq!(t.datasets, [Path::new("data/x")]);
        assert_eq!(t.epochs, 3);
        assert_eq!(t.out, model_folder(Path::new("data/x")));
        assert_eq!(t.progress, crate::cli::train::TrainProgress::Json);
    }

    #[test]
    fn progress_and_done_lines_are_read() {
        let line = r#"{"phase":"train","epoch":2,"epochs":5,"step":50,"steps":200,"loss":1.23,"eta_s":142.0}"#;
        let Some(TrainEvent::Progress(p)) = parse_train_line(line) else {
            panic!("not progress");
        };
        assert_eq!(
            p,
            TrainProgress {
                phase: "train".into(),
                epoch: Some(2),
                epochs: Some(5),
                step: Some(50),
                steps: Some(200),
                loss: Some(1.23),
                eta_s: Some(142.0),
            }
        );
        // (1 epoch + 50/200 of the second) / 5.
        assert_eq!(p.fraction(), Some(0.25));
        assert_eq!(
            p.describe(),
            "training, epoch 2/5, step 50/200, loss 1.230, about 2 min 22 s left"
        );
        // Other phases carry fewer fields.
        let Some(TrainEvent::Progress(e)) = parse_train_line(r#"{"phase":"eval"}"#) else {
            panic!("not progress");
        };
        assert_eq!((e.describe(), e.fraction()), ("evaluating".into(), None));
        assert_eq!(
            parse_train_line(
                r#"{"done":true,"card":"/m/yolox_twin.ron","report":"/m/report.html"}"#
            ),
            Some(TrainEvent::Done {
                card: PathBuf::from("/m/yolox_twin.ron"),
                report: Some(PathBuf::from("/m/report.html")),
            })
        );
        // Not progress: text, other JSON, a done line without its card.
        for other in [
            "Epoch 1: loss 2.0",
            "",
            r#"{"finished":true}"#,
            r#"{"done":true}"#,
            r#"[1, 2]"#,
        ] {
            assert_eq!(parse_train_line(other), None, "{other}");
        }
    }

    #[test]
    fn the_command_line_trains_into_a_folder_beside_the_dataset() {
        assert_eq!(
            model_folder(Path::new("datasets/collapse")),
            PathBuf::from("datasets/collapse-model")
        );
        assert_eq!(
            model_folder(Path::new("datasets/collapse/")),
            PathBuf::from("datasets/collapse-model")
        );
        let args = train_args(Path::new("datasets/x"), Path::new("m/yolox_nano.ron"), 7);
        assert_eq!(
            args.join(" "),
            "train --dataset datasets/x --base m/yolox_nano.ron --out datasets/x-model \
             --epochs 7 --progress json"
        );
        assert_eq!(duration_text(3725.0), "1 h 2 min");
        assert_eq!(duration_text(-3.0), "0 s");
    }

    /// Polls a run until it ends (at most 20 s).
    #[cfg(unix)]
    fn wait(t: &mut Training) -> TrainEnd {
        let start = Instant::now();
        loop {
            if let Some(end) = t.poll() {
                return end;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the run did not end"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A run followed as the export window follows `twincity train` (a script stands in for
    /// it): progress, the card at the end; the reason of a failure; stopping.
    #[cfg(unix)]
    #[test]
    fn a_run_is_followed_to_its_end() {
        let sh = |script: &str| {
            Training::start_program("sh".as_ref(), vec!["-c".into(), script.into()]).unwrap()
        };
        let mut t = sh(
            r#"echo '{"phase":"train","epoch":1,"epochs":2,"step":1,"steps":2,"loss":0.5,"eta_s":3}'
            echo 'a line that is not progress'
            echo 'a warning' >&2
            echo '{"done":true,"card":"/m/c.ron","report":"/m/r.html"}'"#,
        );
        assert_eq!(
            wait(&mut t),
            TrainEnd::Trained {
                card: PathBuf::from("/m/c.ron"),
                report: Some(PathBuf::from("/m/r.html")),
            }
        );
        assert_eq!(t.progress.as_ref().and_then(|p| p.fraction()), Some(0.25));
        let mut t = sh("echo starting >&2; echo 'error: no images in datasets/x' >&2; exit 3");
        assert_eq!(
            wait(&mut t),
            TrainEnd::Failed("starting\nerror: no images in datasets/x".into())
        );
        let mut t = sh("sleep 30");
        t.stop();
        assert!(t.stopping());
        let TrainEnd::Failed(why) = wait(&mut t) else {
            panic!("not stopped");
        };
        assert!(why.starts_with("Training stopped."), "{why}");
        assert!(why.ends_with("--resume"), "{why}");
    }

    #[test]
    fn a_run_ends_trained_only_with_success_and_a_card() {
        let card = (PathBuf::from("/m/c.ron"), Some(PathBuf::from("/m/r.html")));
        assert_eq!(
            train_end(true, "exit status: 0", Some(card.clone()), &[]),
            TrainEnd::Trained {
                card: card.0.clone(),
                report: card.1.clone()
            }
        );
        let tail: Vec<String> = (1..=10)
            .map(|i| format!("line {i}"))
            .chain(["".into(), "error: no images in datasets/x".into()])
            .collect();
        let TrainEnd::Failed(why) = train_end(false, "exit status: 2", None, &tail) else {
            panic!("not failed");
        };
        // The last lines of its error output, blank lines left out.
        assert!(
            why.ends_with("line 10\nerror: no images in datasets/x"),
            "{why}"
        );
        assert!(!why.contains("line 3\n"), "{why}");
        assert_eq!(
            train_end(false, "exit status: 1", Some(card), &[]),
            TrainEnd::Failed("twincity train failed (exit status: 1)".into())
        );
        let TrainEnd::Failed(why) = train_end(true, "exit status: 0", None, &[]) else {
            panic!("not failed");
        };
        assert!(why.contains("without naming the model card"), "{why}");
    }
}
