//! `twincity scenario FILE`: a scenario played headless — its timeline with every drawn value,
//! the speed camera checks, and at each `--at` time the world's contents and (with
//! `--labels`) its ground truth.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;
use twincity_scenario::run::{ScenarioRun, SpeedCheck};
use twincity_scenario::world::{Label, WorldState};
use twincity_scenario::{Compiled, Scenario};

pub fn run(args: &ScenarioArgs) -> anyhow::Result<ExitCode> {
    let mut scenario = Scenario::load(&args.scenario)?;
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    // The sun stands where the scenario's city is, when its project is georeferenced.
    let latitude = match &scenario.project {
        Some(p) => twincity_scenario::project_latitude(&twincity_model::Project::load(p)?),
        None => None,
    };
    let compiled = scenario.compile(latitude)?;
    for &t in &args.at {
        if !(t.is_finite() && (0.0..=compiled.duration_s).contains(&t)) {
            anyhow::bail!(
                "--at {t}: times must lie within the scenario's 0 to {} s",
                compiled.duration_s
            );
        }
    }
    let mut run = ScenarioRun::new(compiled.clone()).map_err(|p| {
        anyhow::anyhow!("{}: `{}`: {}", args.scenario.display(), p.field, p.message)
    })?;
    let checks = run.speed_checks();
    // What the cameras see: the project's cameras and city (the demo project by default).
    let sight = if args.cameras {
        Some(Sight::load(&scenario, compiled.pavement_height())?)
    } else {
        None
    };
    let frames = frames_at(&mut run, &args.at);
    let report = Report {
        compiled,
        checks,
        sight,
        frames,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report.json(args))?);
        return Ok(ExitCode::SUCCESS);
    }
    report.print(args);
    Ok(ExitCode::SUCCESS)
}

/// What the project's cameras see: their list, the city's occluders and the cast of people.
struct Sight {
    cameras: Vec<twincity_model::VirtualCamera>,
    city: twincity_scene::coverage::Occluders,
    cast: &'static twincity_scenario::people::Cast,
    ground: f32,
}

impl Sight {
    /// The cameras and city of the scenario's project (the demo project by default), the
    /// people standing on `ground`.
    fn load(scenario: &Scenario, ground: f32) -> anyhow::Result<Sight> {
        let project = match &scenario.project {
            Some(p) => twincity_model::Project::load(p)?,
            None => twincity_model::Project::demo()?,
        };
        let model = twincity_scene::coverage::scene_model(&project).map_err(anyhow::Error::msg)?;
        let cast = twincity_scenario::people::Cast::bundled().map_err(anyhow::Error::msg)?;
        Ok(Sight {
            cameras: project.cameras.clone(),
            city: twincity_scene::coverage::Occluders::new(&model.triangles),
            cast,
            ground,
        })
    }

    /// Per camera, what it sees of `state` (instance-id pass): class, event, visible and
    /// full boxes, visibility, head.
    fn views(&self, state: &WorldState) -> Vec<serde_json::Value> {
        let labels = state.labels();
        let figures = twincity_scenario::figures::figures(state, self.ground, self.cast);
        let scene = twincity_dataset::annotate::IdScene::new(&self.city, &figures);
        self.cameras
            .iter()
            .map(|cam| {
                let seen: Vec<serde_json::Value> = scene
                    .annotate(cam)
                    .into_iter()
                    .filter(|a| a.visible_pixels > 0)
                    .map(|a| {
                        use twincity_scenario::figures::FigureKind;
                        let k = match a.figure {
                            FigureKind::Person(i) => i,
                            FigureKind::Object(i) => state.people.len() + i,
                            FigureKind::Vehicle(i) => state.people.len() + state.objects.len() + i,
                        };
                        json!({
                            "class": labels[k].class,
                            "event": labels[k].event,
                            "visible_box": a.visible_box,
                            "amodal_box": a.amodal_box,
                            "visibility": (a.visibility * 1000.0).round() / 1000.0,
                            "head": a.head,
                        })
                    })
                    .collect();
                json!({ "camera": cam.name, "seen": seen })
            })
            .collect()
    }
}

/// The world at each of the `at` times, in time order.
fn frames_at(run: &mut ScenarioRun, at: &[f64]) -> Vec<WorldState> {
    let mut times = at.to_vec();
    times.sort_by(f64::total_cmp);
    let mut frames = Vec::new();
    for t in times {
        run.advance_to(t);
        frames.push(run.state());
    }
    frames
}

/// How many labels there are of each class.
fn count(labels: &[Label]) -> BTreeMap<String, usize> {
    let mut by_class: BTreeMap<String, usize> = BTreeMap::new();
    for l in labels {
        *by_class.entry(l.class.clone()).or_default() += 1;
    }
    by_class
}

/// "N class, M class", or `nothing`.
fn counts_or_nothing(counts: Vec<String>) -> String {
    if counts.is_empty() {
        "nothing".to_string()
    } else {
        counts.join(", ")
    }
}

/// Everything the command reports.
struct Report {
    compiled: Compiled,
    checks: Vec<SpeedCheck>,
    /// With `--cameras`.
    sight: Option<Sight>,
    frames: Vec<WorldState>,
}

impl Report {
    /// What each camera sees of `state` (nothing without `--cameras`).
    fn camera_views(&self, state: &WorldState) -> Vec<serde_json::Value> {
        self.sight
            .as_ref()
            .map_or_else(Vec::new, |s| s.views(state))
    }

    /// The whole report as one JSON document.
    fn json(&self, args: &ScenarioArgs) -> serde_json::Value {
        let compiled = &self.compiled;
        let env = &compiled.environment;
        let events: Vec<_> = compiled
            .events
            .iter()
            .map(|e| {
                json!({
                    "id": e.id,
                    "kind": e.incident.kind_name(),
                    "start_s": e.start_s,
                    "end_s": e.end_s.is_finite().then_some(e.end_s),
                    "drawn": e.drawn.iter().cloned().collect::<BTreeMap<_, _>>(),
                })
            })
            .collect();
        let frames: Vec<_> = self
            .frames
            .iter()
            .map(|s| {
                let labels = s.labels();
                let mut frame = json!({
                    "time_s": s.time_s,
                    "counts": count(&labels),
                    "environment": s.environment,
                    "incidents": s.incidents,
                });
                if args.labels {
                    frame["labels"] = json!(labels);
                }
                if args.cameras {
                    frame["cameras"] = json!(self.camera_views(s));
                }
                frame
            })
            .collect();
        json!({
            "scenario": compiled.name,
            "seed": compiled.seed,
            "duration_s": compiled.duration_s,
            "environment": {
                "time_of_day_h": env.time_of_day_h,
                "rain": env.rain,
                "fog_visibility_m": env.fog_visibility_m,
            },
            "events": events,
            "speed_checks": self.checks,
            "frames": frames,
        })
    }

    /// The report as text: the scenario, its environment, timeline and speed checks, then
    /// each frame.
    fn print(&self, args: &ScenarioArgs) {
        let compiled = &self.compiled;
        let env = &compiled.environment;
        println!(
            "{} (seed {}, {:.0} s)",
            compiled.name, compiled.seed, compiled.duration_s
        );
        let fog = env
            .fog_visibility_m
            .map_or("clear".to_string(), |v| format!("fog, {v:.0} m visibility"));
        println!(
            "  environment  {:02}:{:02} solar time, day {}, rain {:.2}, {fog}",
            env.time_of_day_h.floor() as u32,
            ((env.time_of_day_h.fract()) * 60.0).round() as u32 % 60,
            env.day_of_year,
            env.rain
        );
        println!("  timeline");
        for e in &compiled.events {
            let end = if e.end_s.is_finite() {
                format!("{:7.1}", e.end_s)
            } else {
                "    end".to_string()
            };
            let drawn: Vec<String> = e.drawn.iter().map(|(k, v)| format!("{k} {v:.2}")).collect();
            println!(
                "    {:7.1} → {end} s  {:<10} {}  [{}]",
                e.start_s,
                e.incident.kind_name(),
                e.id,
                drawn.join(", ")
            );
        }
        print_speed_checks(&self.checks);
        for s in &self.frames {
            self.print_frame(s, args.labels);
        }
    }

    /// One frame as text: counts, sun, lights, active incidents; what each camera sees; with
    /// `labels`, every label.
    fn print_frame(&self, s: &WorldState, labels: bool) {
        let all = s.labels();
        let counts: Vec<String> = count(&all)
            .into_iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        let active: Vec<&str> = s
            .incidents
            .iter()
            .filter(|i| i.active)
            .map(|i| i.id.as_str())
            .collect();
        println!(
            "  at {:.1} s: {}; sun {:.1}° high, street lights {}; active: {}",
            s.time_s,
            counts_or_nothing(counts),
            s.environment.sun_elevation_deg,
            if s.environment.street_lights_on {
                "on"
            } else {
                "off"
            },
            if active.is_empty() {
                "none".to_string()
            } else {
                active.join(", ")
            }
        );
        for view in self.camera_views(s) {
            print_camera_view(&view);
        }
        if labels {
            print_labels(all);
        }
    }
}

/// The speed camera checks, if any.
fn print_speed_checks(checks: &[SpeedCheck]) {
    if checks.is_empty() {
        return;
    }
    println!("  speed checks");
    for c in checks {
        println!(
            "    {:7.1} s  {}  {}  {:.1} km/h (limit {:.0}){}{}",
            c.time_s,
            c.camera,
            c.plate,
            c.speed_kmh,
            c.limit_kmh,
            if c.speeding { "  SPEEDING" } else { "" },
            if c.cloned_plate {
                "  CLONED PLATE (registered to another model)"
            } else {
                ""
            }
        );
    }
}

/// What one camera sees: counts by class, then each object with its box and visibility.
fn print_camera_view(view: &serde_json::Value) {
    let seen = view["seen"].as_array().cloned().unwrap_or_default();
    let mut by_class: BTreeMap<String, usize> = BTreeMap::new();
    for o in &seen {
        *by_class
            .entry(o["class"].as_str().unwrap_or("?").to_string())
            .or_default() += 1;
    }
    let counts: Vec<String> = by_class.iter().map(|(k, n)| format!("{n} {k}")).collect();
    println!(
        "    camera {}: sees {}",
        view["camera"].as_str().unwrap_or("?"),
        counts_or_nothing(counts)
    );
    for o in seen {
        let b = &o["visible_box"];
        println!(
            "      {:<12} {:<26} box ({}, {}, {} x {}) visible {:.0} %{}",
            o["class"].as_str().unwrap_or("?"),
            o["event"].as_str().unwrap_or("-"),
            b[0],
            b[1],
            b[2],
            b[3],
            o["visibility"].as_f64().unwrap_or(0.0) * 100.0,
            match o["head"]["visible"].as_bool() {
                Some(true) => ", head seen",
                Some(false) => ", head hidden",
                None => "",
            }
        );
    }
}

/// Every label: class, incident, position, size, attributes.
fn print_labels(labels: Vec<Label>) {
    for l in labels {
        let attrs: Vec<String> = l
            .attributes
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        println!(
            "    {:<12} {:<28} at ({:8.2}, {:8.2})  {:.2}×{:.2}×{:.2} m  {}",
            l.class,
            l.event.as_deref().unwrap_or("-"),
            l.position[0],
            l.position[1],
            l.size[0],
            l.size[1],
            l.size[2],
            attrs.join(" ")
        );
    }
}

#[derive(Args, Debug)]
pub struct ScenarioArgs {
    /// Scenario file (`*.scenario.ron`; see docs/scenarios.md)
    pub scenario: PathBuf,
    /// Report the world at this time, seconds (repeatable)
    #[arg(long = "at", value_name = "S")]
    pub at: Vec<f64>,
    /// Random seed (default: the scenario's `seed`)
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// With --at: list every label (class, incident, position, size, attributes)
    #[arg(long)]
    pub labels: bool,
    /// With --at: what each of the project's cameras sees (instance-id pass: visible and
    /// full boxes in pixels, visibility, head seen or hidden)
    #[arg(long)]
    pub cameras: bool,
    /// Print one JSON document instead of text
    #[arg(long)]
    pub json: bool,
}
