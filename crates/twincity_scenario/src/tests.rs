use std::path::{Path, PathBuf};

use super::*;
use crate::run::{ScenarioRun, route_pose};
use crate::world::{FALL_S, Pose, Role, WorldState};

fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios")
        .join(name)
}

fn shipped_scenarios() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(shipped(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(SCENARIO_SUFFIX))
        .collect();
    out.sort();
    out
}

fn run_of(name: &str, seed: Option<u64>) -> ScenarioRun {
    let mut s = Scenario::load(&shipped(name)).unwrap();
    if let Some(seed) = seed {
        s.seed = seed;
    }
    ScenarioRun::new(s.compile(None).unwrap()).unwrap()
}

/// Writes `text` as a scenario next to a copy of a shipped crowd file, and loads it; the
/// folder is returned too (the crowd file is read again when compiling).
fn load_text(text: &str) -> (tempfile::TempDir, Result<Scenario, String>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        shipped("demo_quiet_night.ron"),
        dir.path().join("crowd.ron"),
    )
    .unwrap();
    let path = dir.path().join("t.scenario.ron");
    std::fs::write(&path, text).unwrap();
    let loaded = Scenario::load(&path).map_err(|e| e.to_string());
    (dir, loaded)
}

#[test]
fn every_shipped_scenario_loads_compiles_and_survives_a_round_trip() {
    let files = shipped_scenarios();
    assert!(files.len() >= 5, "{files:?}");
    let dir = tempfile::tempdir().unwrap();
    for file in files {
        let s = Scenario::load(&file).unwrap_or_else(|e| panic!("{e}"));
        let c = s
            .compile(None)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert_eq!(c.events.len(), s.events.len());
        // RON -> model -> RON -> model gives the same model (paths re-anchored).
        let copy = dir.path().join(file.file_name().unwrap());
        s.save(&copy).unwrap();
        let text = std::fs::read_to_string(&copy).unwrap();
        let mut back: Scenario = ronfile::parse(&copy, &text).unwrap();
        for f in [&mut back.project, &mut back.crowd].into_iter().flatten() {
            *f = dir.path().join(&*f);
        }
        let strip = |s: &Scenario| {
            let mut s = s.clone();
            for f in [&mut s.project, &mut s.crowd].into_iter().flatten() {
                *f = std::path::absolute(&*f)
                    .unwrap()
                    .file_name()
                    .unwrap()
                    .into();
            }
            s
        };
        assert_eq!(strip(&back), strip(&s), "{}", file.display());
    }
}

/// Saving over a file keeps its header comments; the rest is the pretty layout.
#[test]
fn saving_over_a_file_keeps_its_header_comment() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("speed.scenario.ron");
    std::fs::copy(shipped("speed_camera_cloned_plate.scenario.ron"), &file).unwrap();
    // Its project, named relative to it.
    std::fs::copy(
        shipped("south_street.twin.ron"),
        dir.path().join("south_street.twin.ron"),
    )
    .unwrap();
    let before = std::fs::read_to_string(&file).unwrap();
    let mut s = Scenario::load(&file).unwrap();
    s.name = "Changed".into();
    s.save(&file).unwrap();
    let after = std::fs::read_to_string(&file).unwrap();
    let header = |t: &str| -> Vec<String> {
        t.lines()
            .take_while(|l| l.starts_with("//"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(header(&after), header(&before));
    assert!(header(&before).len() >= 3);
    assert_eq!(Scenario::load(&file).unwrap().name, "Changed");
    // Twice: still one header.
    s.save(&file).unwrap();
    assert_eq!(
        header(&std::fs::read_to_string(&file).unwrap()),
        header(&before)
    );
}

#[test]
fn the_sun_follows_the_projects_latitude() {
    let mut p = twincity_model::Project::demo().unwrap();
    assert_eq!(project_latitude(&p), None, "local metres: no latitude");
    // Lambert-93 at (700000, 6600000): about 46.5 degrees north.
    p.origin = Some(twincity_model::project::GeoOrigin {
        x: 700_000.0,
        y: 6_600_000.0,
        z: 0.0,
        crs: Some("EPSG:2154".into()),
    });
    let lat = project_latitude(&p).unwrap();
    assert!((lat - 46.5).abs() < 0.1, "{lat}");
}

#[test]
fn errors_name_the_line_the_field_and_the_fix() {
    let base = |events: &str| {
        format!(
            "(\n    version: 1,\n    name: \"t\",\n    crowd: \"crowd.ron\",\n    duration_s: 60.0,\n    events: [\n{events}\n    ],\n)\n"
        )
    };
    let cases = [
        (
            r#"        (id: "a", start: After(event: "nobody"), incident: Gathering(at: (0.0, 0.0), radius: 1.0, within: 5.0, share: 0.5)),"#,
            "7:",
            "no event is called `nobody`",
        ),
        (
            r#"        (id: "a", start: After(event: "b"), incident: Gathering(at: (0.0, 0.0), radius: 1.0, within: 5.0, share: 0.5)),
        (id: "b", start: AfterEnd(event: "a"), incident: Gathering(at: (0.0, 0.0), radius: 1.0, within: 5.0, share: 0.5)),"#,
            "7:",
            "go round in a circle: a -> b -> a",
        ),
        (
            r#"        (id: "a", start: At(1.0), incident: Gathering(at: (0.0, 0.0), radius: 1.0, within: 5.0, share: Range(0.5, 1.5))),"#,
            "7:",
            "events[0] (a).share",
        ),
        (
            r#"        (id: "a", start: At(1.0), incident: Gathering(at: (0.0, 0.0), radius: 1.0, within: 5.0, share: 0.5)),
        (id: "a", start: At(2.0), incident: Gathering(at: (0.0, 0.0), radius: 1.0, within: 5.0, share: 0.5)),"#,
            "7:",
            "used by two events",
        ),
        (
            r#"        (id: "a", start: At(1.0), incident: Vehicle(vehicle: (kind: Car, make: "M", model: "X", plate: "P"), route: [(0.0, 0.0), (50.0, 0.0)], speed_kmh: 30.0, park: (at: 5, stay_s: 1.0))),"#,
            "7:",
            "corner 5 does not exist",
        ),
        (
            r#"        (id: "a", start: At(1.0), incident: Gathering(at: (0.0, 0.0), radius: 1.0, within: 5.0, shares: 0.5)),"#,
            "7:",
            "unknown field `shares`",
        ),
    ];
    for (events, place, message) in cases {
        let e = load_text(&base(events)).1.unwrap_err();
        assert!(e.contains(&format!("t.scenario.ron:{place}")), "{e}");
        assert!(e.contains(message), "{e}");
    }
    // People need a crowd (the walkable area).
    let e = load_text(
        "(version: 1, name: \"t\", duration_s: 10.0, events: [(id: \"x\", start: At(0.0), incident: Collapse(from: (0.0, 0.0), towards: (1.0, 0.0), within: 5.0, share: 0.5))])",
    )
    .1
    .unwrap_err();
    assert!(e.contains("add `crowd:"), "{e}");
    // A point outside the crowd's walkable area is caught when the crowd is prepared.
    let (_dir, s) = load_text(&base(
        r#"        (id: "a", start: At(1.0), incident: Gathering(at: (500.0, 500.0), radius: 1.0, within: 5.0, share: 0.5)),"#,
    ));
    let s = s.unwrap();
    let e = s.compile(None).unwrap_err().to_string();
    assert!(e.contains("walkable area"), "{e}");
    // Randomisation values out of range name the field and its line.
    for (section, field) in [
        ("(scale: Range(0.0, 2.0))", "randomisation.scale"),
        (
            "(jpeg_quality: Choice([0.0, 50.0]))",
            "randomisation.jpeg_quality",
        ),
        ("(sensor_noise: -1.0)", "randomisation.sensor_noise"),
        ("(blur: 1.0)", "unknown field `blur`"),
    ] {
        let text = format!(
            "(\n    version: 1,\n    name: \"t\",\n    duration_s: 60.0,\n    randomisation: {section},\n)\n"
        );
        let e = load_text(&text).1.unwrap_err();
        assert!(e.contains("t.scenario.ron:5:"), "{e}");
        assert!(e.contains(field), "{e}");
    }
}

/// Numbers that parse but that no scenario can run — points thousands of kilometres out,
/// radii of 1e300, times beyond a day, routes of a million corners — are refused at load time
/// with the event, the field and the limit, never handed to the simulation.
#[test]
fn values_beyond_what_can_run_are_refused_with_their_limit() {
    let base = |events: &str| {
        format!(
            "(\n    version: 1,\n    name: \"t\",\n    crowd: \"crowd.ron\",\n    duration_s: 60.0,\n    events: [\n{events}\n    ],\n)\n"
        )
    };
    let gathering = |at: &str, radius: &str, within: &str| {
        format!(
            "        (id: \"a\", start: At(1.0), incident: Gathering(at: {at}, radius: {radius}, within: {within}, share: 0.5)),"
        )
    };
    let far = "(1e300, 0.0)";
    let route = (0..=MAX_ROUTE_CORNERS)
        .map(|k| format!("({k}.0, 0.0)"))
        .collect::<Vec<_>>()
        .join(", ");
    let cases = [
        (gathering(far, "1.0", "5.0"), "1 000 km"),
        (gathering("(0.0, 0.0)", "1e300", "5.0"), "radius"),
        (gathering("(0.0, 0.0)", "1.0", "1e12"), "within"),
        (
            r#"        (id: "a", start: At(1e15), incident: Gathering(at: (0.0, 0.0), radius: 1.0, within: 5.0, share: 0.5)),"#.to_string(),
            "at most 86400 s",
        ),
        (
            r#"        (id: "a", start: At(1.0), incident: Collapse(from: (0.0, 0.0), towards: (1.0, 0.0), within: 5.0, share: 0.5, stay_s: Range(0.0, 1e20))),"#.to_string(),
            "events[0] (a).incident.stay_s",
        ),
        (
            format!(r#"        (id: "a", start: At(1.0), incident: Vehicle(vehicle: (kind: Car, make: "M", model: "X", plate: "P"), route: [(0.0, 0.0), {far}], speed_kmh: 30.0)),"#),
            "corner 1 is not a point",
        ),
        (
            format!(r#"        (id: "a", start: At(1.0), incident: Vehicle(vehicle: (kind: Car, make: "M", model: "X", plate: "P"), route: [{route}], speed_kmh: 30.0)),"#),
            "needs 2 to 10000 corners",
        ),
    ];
    for (events, message) in cases {
        let e = load_text(&base(&events)).1.unwrap_err();
        assert!(e.contains("t.scenario.ron:7:"), "{e}");
        assert!(e.contains(message), "{message}: {e}");
    }
    // A speed camera out in space, and its gate.
    for (camera, message) in [
        (
            "(name: \"S\", at: (0.0, 1e9), limit_kmh: 50.0, gate_m: 5.0)",
            "1 000 km",
        ),
        (
            "(name: \"S\", at: (0.0, 0.0), limit_kmh: 50.0, gate_m: 1e300)",
            "gate_m",
        ),
    ] {
        let text = format!(
            "(\n    version: 1,\n    name: \"t\",\n    duration_s: 60.0,\n    speed_cameras: [\n        {camera},\n    ],\n)\n"
        );
        let e = load_text(&text).1.unwrap_err();
        assert!(e.contains("speed_cameras[0]") && e.contains(message), "{e}");
    }
}

#[test]
fn drawn_values_stay_in_their_ranges_and_follow_the_seed() {
    let s = Scenario::load(&shipped("night_dumping.scenario.ron")).unwrap();
    let a = s.compile(None).unwrap();
    let b = s.compile(None).unwrap();
    assert_eq!(a.events, b.events, "same seed, same draws");
    let first = &a.events[0];
    assert!((10.0..=20.0).contains(&first.start_s), "{}", first.start_s);
    assert!((15.0..=25.0).contains(&first.value("drop_s")));
    // The van starts 30 to 60 s after the planned end of the first dumping.
    let van = &a.events[1];
    let delay = van.start_s - first.end_s;
    assert!((30.0..=60.0).contains(&delay), "{delay}");
    // Planned end on foot: the walk (60 m at 1.3 m/s) and the drop.
    let walk = 34.0 / 1.3;
    assert!((first.end_s - first.start_s - walk - first.value("drop_s")).abs() < 1e-9);
    let mut other = s.clone();
    other.seed += 1;
    let c = other.compile(None).unwrap();
    assert_ne!(
        c.events[0].start_s, a.events[0].start_s,
        "another seed, other draws"
    );
    // Choice draws only listed values.
    let busy = Scenario::load(&shipped("busy_square.scenario.ron")).unwrap();
    for seed in 0..20 {
        let mut s = busy.clone();
        s.seed = seed;
        let c = s.compile(None).unwrap();
        assert!([0.0, 0.3].contains(&c.environment.rain));
        assert!((9.0..=17.0).contains(&c.environment.time_of_day_h));
    }
}

/// Avian-style determinism: a hash of the whole world state at every frame, for two runs with
/// the same seed, is the same; another seed gives another sequence.
#[test]
fn same_seed_same_world_at_every_frame() {
    let hashes = |seed: Option<u64>| -> Vec<u64> {
        let mut run = run_of("collapse_in_crowd.scenario.ron", seed);
        (1..=60)
            .map(|k| {
                run.advance_to(80.0 + k as f64);
                run.state().fingerprint()
            })
            .collect()
    };
    let a = hashes(None);
    assert_eq!(a, hashes(None));
    let b = hashes(Some(99));
    assert_ne!(a.last(), b.last());
    // Checkpoints continue as the original does.
    let mut run = run_of("collapse_in_crowd.scenario.ron", None);
    run.advance_to(100.0);
    let mut copy = run.clone();
    run.advance_to(125.0);
    copy.advance_to(125.0);
    assert_eq!(run.state().fingerprint(), copy.state().fingerprint());
    assert_eq!(run.state().fingerprint(), a[44]);
}

fn dumping_labels(state: &WorldState, event: &str) -> Vec<String> {
    state
        .labels()
        .into_iter()
        .filter(|l| l.event.as_deref() == Some(event) && l.attributes.contains_key("dumped"))
        .map(|l| l.class)
        .collect()
}

#[test]
fn dumping_on_foot_leaves_objects_that_stay() {
    let mut run = run_of("night_dumping.scenario.ron", None);
    let id = "bags behind the mall";
    let start = run.compiled.events[0].start_s;
    run.advance_to(start + 5.0);
    let state = run.state();
    assert!(dumping_labels(&state, id).is_empty(), "nothing dropped yet");
    let dumper = state
        .people
        .iter()
        .find(|p| p.role == Role::Dumper(id.into()))
        .expect("the dumper walks");
    assert!(dumper.carrying);
    // Walk 34 m, then drop over the drawn time.
    while run.dumping_span(0).is_none() {
        let t = run.time() + 1.0;
        assert!(t < start + 60.0, "the dumper never arrived");
        run.advance_to(t);
    }
    let (begin, end) = run.dumping_span(0).unwrap();
    assert!(
        (begin - start - 34.0 / 1.3).abs() < 10.0,
        "arrived at {begin}"
    );
    assert!((end - begin - run.compiled.events[0].value("drop_s")).abs() < 1e-9);
    let at_spot = run
        .state()
        .people
        .into_iter()
        .find(|p| p.role == Role::Dumper(id.into()))
        .unwrap();
    assert!((at_spot.position[0] - 10.0).abs() < 1.0 && (at_spot.position[1] + 103.0).abs() < 1.0);
    run.advance_to(end + 1.0);
    let mut classes = dumping_labels(&run.state(), id);
    classes.sort();
    assert_eq!(classes, ["bag", "bag", "bag", "mattress"]);
    let span = run.state().incidents[0].clone();
    assert_eq!((span.start_s, span.end_s), (start, Some(end)));
    // Long after, the dumper is gone and the objects lie where they were dropped.
    let ours = |s: &WorldState| -> Vec<_> {
        s.objects
            .iter()
            .filter(|o| o.event == id)
            .cloned()
            .collect()
    };
    let dropped = ours(&run.state());
    run.advance_to(end + 120.0);
    let later = run.state();
    assert_eq!(ours(&later), dropped);
    assert!(
        !later
            .people
            .iter()
            .any(|p| p.role == Role::Dumper(id.into()))
    );
    for o in &ours(&later) {
        let d = (o.position[0] - 10.0).hypot(o.position[1] + 103.0);
        assert!(d < 1.5, "an object {d} m from the spot");
    }
}

#[test]
fn a_dumping_van_parks_unloads_on_the_kerb_side_and_leaves() {
    let mut run = run_of("night_dumping.scenario.ron", None);
    let van = run.compiled.events[1].clone();
    let (begin, end) = run.dumping_span(1).unwrap();
    // 30 m at 20 km/h, then one second before unloading.
    assert!((begin - van.start_s - 30.0 / VAN_SPEED - 1.0).abs() < 1e-9);
    run.advance_to((begin + end) / 2.0);
    let s = run.state();
    let v = s.vehicles.iter().find(|v| v.event == van.id).unwrap();
    assert!(v.parked && v.speed_kmh == 0.0);
    assert!((v.position[0] - 34.0).abs() < 1e-9 && (v.position[1] + 80.0).abs() < 1e-9);
    let driver = s
        .people
        .iter()
        .find(|p| p.role == Role::Driver(van.id.clone()))
        .unwrap();
    // Driving north, the kerb side is east: the driver and the pile are east of the van.
    assert!(driver.position[0] > 35.0, "{:?}", driver.position);
    let pile: Vec<_> = s.objects.iter().filter(|o| o.event == van.id).collect();
    assert!(pile.iter().all(|o| o.position[0] > 35.5), "{pile:?}");
    assert!(
        !pile.is_empty() && pile.len() < 4,
        "{} dropped half-way",
        pile.len()
    );
    run.advance_to(end + 10.0);
    let s = run.state();
    let v = s.vehicles.iter().find(|v| v.event == van.id).unwrap();
    assert!(!v.parked && v.position[1] > -80.0, "driving off north");
    assert_eq!(dumping_labels(&s, &van.id).len(), 4);
    let labels = s.labels();
    let van_label = labels.iter().find(|l| l.class == "van").unwrap();
    assert_eq!(
        van_label.attributes["plate"],
        serde_json::json!("GH-482-KT")
    );
    run.advance_to(run.compiled.duration_s);
    assert!(
        run.state().vehicles.is_empty(),
        "gone at the end of its route"
    );
}

#[test]
fn a_collapse_gives_a_person_down_bystanders_and_a_kneeler() {
    let mut run = run_of("collapse_in_crowd.scenario.ron", None);
    run.advance_to(99.9);
    let labels = run.state().labels();
    assert!(!labels.iter().any(|l| l.class == "person_down"));
    // Half-way through the fall the person counts as down.
    run.advance_to(100.0 + FALL_S * 0.6);
    let fallen: Vec<_> = run
        .state()
        .people
        .into_iter()
        .filter(|p| p.role == Role::Fallen("malaise".into()))
        .collect();
    assert_eq!(fallen.len(), 1);
    assert!(matches!(fallen[0].pose, Pose::Falling { progress } if progress > 0.5));
    assert_eq!(
        run.state()
            .labels()
            .iter()
            .filter(|l| l.class == "person_down")
            .count(),
        1
    );
    run.advance_to(130.0);
    let s = run.state();
    let body = s
        .people
        .iter()
        .find(|p| p.role == Role::Fallen("malaise".into()))
        .unwrap();
    assert_eq!(body.pose, Pose::Lying);
    // She fell on her way across the square, after 20 s of walking east.
    assert!(
        body.position[0] > -20.0 && body.position[0] < 20.0,
        "{:?}",
        body.position
    );
    let down = s
        .labels()
        .into_iter()
        .find(|l| l.class == "person_down")
        .unwrap();
    assert_eq!(down.event.as_deref(), Some("malaise"));
    assert!(
        down.size[0] > 1.5 && down.size[2] < 0.5,
        "lying box {:?}",
        down.size
    );
    // The box covers the drawn body: the head of the posed character (lying on its back,
    // behind where she stood) is within the box's footprint, give or take a head.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/people");
    let cast = crate::people::Cast::load(&dir).unwrap();
    let posed = crate::figures::person_body(body, s.time_s, 0.0, &cast);
    let d = [
        posed.head_centre.x as f64 - down.position[0],
        -posed.head_centre.z as f64 - down.position[1],
    ];
    let along = d[0] * down.yaw.cos() + d[1] * down.yaw.sin();
    let across = -d[0] * down.yaw.sin() + d[1] * down.yaw.cos();
    assert!(
        along.abs() <= down.size[0] / 2.0 + 0.15 && across.abs() <= down.size[1] / 2.0,
        "head {along:.2} m along and {across:.2} m across the lying box {:?}",
        down.size
    );
    let bystanders: Vec<_> = s
        .people
        .iter()
        .filter(|p| p.role == Role::Bystander("malaise".into()))
        .collect();
    assert!(!bystanders.is_empty(), "nobody stopped");
    assert_eq!(
        bystanders
            .iter()
            .filter(|p| p.pose == Pose::Kneeling)
            .count(),
        1
    );
    for b in &bystanders {
        let d = (b.position[0] - body.position[0]).hypot(b.position[1] - body.position[1]);
        assert!(d > 0.9 && d < 6.0, "a bystander {d} m away");
    }
    assert_eq!(s.incidents[0].end_s, None, "lies until the end");
    assert!(s.incidents[0].active);
}

#[test]
fn gathering_then_dispersal_after_it_ends() {
    let mut run = run_of("market_gathering.scenario.ron", None);
    let stall = run.compiled.events[0].clone();
    let bang = run.compiled.events[1].clone();
    assert!((bang.start_s - (stall.start_s + 120.0 + 10.0)).abs() < 1e-9);
    run.advance_to(stall.start_s + 60.0);
    let gathered = run
        .state()
        .people
        .iter()
        .filter(|p| p.role == Role::Gathering("stall".into()))
        .count();
    assert!(gathered >= 5, "{gathered} at the stall");
    run.advance_to(bang.start_s + 2.0);
    assert!(run.state().people.iter().any(|p| p.pose == Pose::Running));
    assert!(run.state().incidents[1].active);
}

#[test]
fn vehicles_speed_checks_and_the_cloned_plate() {
    let mut run = run_of("speed_camera_cloned_plate.scenario.ron", None);
    let checks = run.speed_checks();
    let cloned = checks.iter().find(|c| c.event == "cloned clio").unwrap();
    assert!(cloned.speeding && cloned.cloned_plate);
    assert!((cloned.speed_kmh - 68.0).abs() < 1e-9);
    // 110 m at 68 km/h after starting at 5 s.
    assert!((cloned.time_s - (5.0 + 110.0 / (68.0 / 3.6))).abs() < 1e-6);
    let honest = checks.iter().find(|c| c.event == "honest clio").unwrap();
    assert!(!honest.cloned_plate && !honest.speeding);
    // The Golf drives west on the far lane, 7.5 m from the radar: not measured.
    assert!(!checks.iter().any(|c| c.event == "golf"));
    // The delivery van parks at the corner (-45, -34) for 20 s, then goes by at 35 km/h.
    let delivery = checks.iter().find(|c| c.event == "delivery").unwrap();
    assert!(!delivery.speeding);
    run.advance_to(cloned.time_s);
    let label = run
        .state()
        .labels()
        .into_iter()
        .find(|l| l.event.as_deref() == Some("cloned clio"))
        .unwrap();
    assert_eq!(label.class, "car");
    assert_eq!(label.attributes["cloned_plate"], serde_json::json!(true));
    assert_eq!(
        label.attributes["registered_model"],
        serde_json::json!("3008")
    );
    assert!(
        (label.position[0]).abs() < 1e-6,
        "at the radar: {:?}",
        label.position
    );
    let arrive = 20.0 + 65.0 / (35.0 / 3.6);
    run.advance_to(arrive + 10.0);
    let s = run.state();
    let v = s.vehicles.iter().find(|v| v.event == "delivery").unwrap();
    assert!(v.parked && (v.position[0] + 45.0).abs() < 1e-9);
}

/// Bicycles are parked only (no riders are drawn yet): a moving one, or one that comes or goes
/// during the scenario, is refused on its line with the reason and how to write a parked one;
/// a parked one stands at its first corner, facing the second, from the first frame to the
/// last, on the pavement, with no plate, no speed check and a bicycle colour. Only bicycles go
/// without a plate.
#[test]
fn bicycles_stand_parked_for_the_whole_scenario_without_a_plate() {
    let base = |events: &str| {
        format!(
            "(\n    version: 1,\n    name: \"t\",\n    duration_s: 60.0,\n    speed_cameras: [(name: \"S\", at: (3.0, -37.5), limit_kmh: 50.0)],\n    events: [\n{events}\n    ],\n)\n"
        )
    };
    let bike = |start: &str, park: &str| {
        format!(
            r#"        (id: "bike", start: {start}, incident: Vehicle(vehicle: (kind: Bicycle, make: "Decathlon", model: "Elops 520"), route: [(2.0, -38.0), (2.0, -36.5)], speed_kmh: 15.0{park})),"#
        )
    };
    let refused = [
        (bike("At(0.0)", ""), "events[0] (bike).incident.park"),
        (
            bike("At(0.0)", ", park: (at: 1, stay_s: 60.0)"),
            "events[0] (bike).incident.park.at",
        ),
        (
            bike("At(0.0)", ", park: (at: 0, stay_s: 30.0)"),
            "events[0] (bike).incident.park.stay_s",
        ),
        (
            bike("At(0.0)", ", park: (at: 0, stay_s: Range(50.0, 70.0))"),
            "events[0] (bike).incident.park.stay_s",
        ),
        (
            bike("At(5.0)", ", park: (at: 0, stay_s: 60.0)"),
            "events[0] (bike).start",
        ),
    ];
    for (events, field) in refused {
        let e = load_text(&base(&events)).1.unwrap_err();
        assert!(e.contains("t.scenario.ron:7:"), "{e}");
        assert!(e.contains(field), "{field}: {e}");
        assert!(e.contains("no riders are drawn yet"), "{e}");
        assert!(e.contains("park: (at: 0, stay_s: 60.0)"), "{e}");
    }
    // Plates: a car needs one, a bicycle has none; a bicycle does not dump.
    let car = r#"        (id: "car", start: At(1.0), incident: Vehicle(vehicle: (kind: Car, make: "Renault", model: "Clio"), route: [(0.0, -34.0), (50.0, -34.0)], speed_kmh: 30.0)),"#;
    let e = load_text(&base(car)).1.unwrap_err();
    assert!(e.contains("t.scenario.ron:7:"), "{e}");
    assert!(
        e.contains("events[0] (car).incident.vehicle.plate")
            && e.contains("only bicycles go without"),
        "{e}"
    );
    let plated = r#"        (id: "bike", start: At(0.0), incident: Vehicle(vehicle: (kind: Bicycle, make: "B", model: "X", plate: "AB-123-CD"), route: [(2.0, -38.0), (2.0, -36.5)], speed_kmh: 15.0, park: (at: 0, stay_s: 60.0))),"#;
    let e = load_text(&base(plated)).1.unwrap_err();
    assert!(e.contains("a bicycle carries no plate"), "{e}");
    let dumper = r#"        (id: "dump", start: At(1.0), incident: Dumping(by: Van((kind: Bicycle, make: "B", model: "X")), from: (0.0, -34.0), spot: (20.0, -34.0), objects: [Bag])),"#;
    let e = load_text(&base(dumper)).1.unwrap_err();
    assert!(
        e.contains("events[0] (dump).incident.by") && e.contains("no riders are drawn yet"),
        "{e}"
    );
    // Parked for the whole scenario: accepted, and drawn from the first frame to the last.
    let parked = bike("At(0.0)", ", park: (at: 0, stay_s: 60.0)");
    let (_dir, s) = load_text(&base(&parked));
    let s = s.unwrap();
    // No plate is written back.
    let text = ronfile::to_string(&s).unwrap();
    assert!(!text.contains("plate"), "{text}");
    let mut run = ScenarioRun::new(s.compile(None).unwrap()).unwrap();
    assert!(
        run.speed_checks().is_empty(),
        "a parked bicycle is not measured"
    );
    // The repository's characters, wherever the test binary was built.
    let cast = &crate::people::Cast::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/people"),
    )
    .unwrap();
    for t in [0.0, 0.1, 30.0, 59.9, 60.0] {
        run.advance_to(t);
        let state = run.state();
        assert_eq!(state.vehicles.len(), 1, "at {t} s");
        let v = &state.vehicles[0];
        assert!(
            v.parked && v.speed_kmh == 0.0 && v.distance_m == 0.0,
            "{v:?}"
        );
        assert_eq!(v.position, [2.0, -38.0]);
        // Facing the second corner: north.
        assert!((v.heading - std::f64::consts::FRAC_PI_2).abs() < 1e-12);
        let (name, _) = v.paint.unwrap();
        assert!(
            crate::vehicles::BICYCLE_PALETTE
                .iter()
                .any(|c| c.name == name)
        );
        let label = &state.labels()[0];
        assert_eq!(label.class, "bicycle");
        assert_eq!(label.attributes["body"], serde_json::json!("bicycle"));
        assert_eq!(label.attributes["make"], serde_json::json!("Decathlon"));
        assert_eq!(label.attributes["parked"], serde_json::json!(true));
        assert!(!label.attributes.contains_key("plate"));
        assert!(!label.attributes.contains_key("cloned_plate"));
        assert!((label.size[0] - 1.75).abs() < 1e-9 && label.size[2] < 1.0);
        // On the pavement, with nothing for privacy to hide.
        assert!(crate::figures::plate_quads(v).is_empty());
        let figures = crate::figures::figures(&state, 0.15, cast);
        let lowest = figures[0]
            .triangles
            .iter()
            .flatten()
            .map(|p| p.y)
            .fold(f32::INFINITY, f32::min);
        assert!((lowest - 0.15).abs() < 1e-5, "{lowest}");
        assert!(figures[0].private.is_empty());
    }
}

#[test]
fn route_poses_follow_corners_and_stops() {
    let route = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)];
    let p = route_pose(&route, 2.0, None, 7.5).unwrap();
    assert!((p.position - glam::DVec2::new(10.0, 5.0)).length() < 1e-9);
    assert!((p.heading - std::f64::consts::FRAC_PI_2).abs() < 1e-9);
    assert!(route_pose(&route, 2.0, None, -0.1).is_none());
    assert!(route_pose(&route, 2.0, None, 10.1).is_none());
    // Stopping 3 s at the corner: there from 5 s to 8 s, then on.
    let parked = route_pose(&route, 2.0, Some((1, 3.0)), 6.0).unwrap();
    assert!(parked.parked && parked.speed == 0.0);
    assert!((parked.position - glam::DVec2::new(10.0, 0.0)).length() < 1e-9);
    let on = route_pose(&route, 2.0, Some((1, 3.0)), 9.0).unwrap();
    assert!((on.position - glam::DVec2::new(10.0, 2.0)).length() < 1e-9);
}

#[test]
fn night_lights_and_daylight() {
    let night = run_of("night_dumping.scenario.ron", None).state();
    assert!(night.environment.street_lights_on);
    assert!(night.environment.sun_elevation_deg < -10.0);
    let day = run_of("speed_camera_cloned_plate.scenario.ron", None).state();
    assert!(!day.environment.street_lights_on);
    assert!(day.environment.sun_elevation_deg > 30.0);
}

/// A file named by a scenario that is not a document — a device that never ends, a folder,
/// something huge — is refused without reading it, and the error names the scenario and
/// the field that named it.
#[test]
fn files_named_by_a_scenario_are_read_only_when_they_are_plain_and_small() {
    let scenario = |crowd: &str| {
        format!("(version: 1, name: \"t\", crowd: \"{crowd}\", seed: 1, duration_s: 10.0)")
    };
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.ron");
    let file = std::fs::File::create(&huge).unwrap();
    file.set_len(twincity_model::ronfile::MAX_DOCUMENT_BYTES + 1)
        .unwrap();
    let mut cases = vec![
        (huge.display().to_string(), "limited to 16 MiB"),
        (dir.path().display().to_string(), "not a regular file"),
    ];
    if Path::new("/dev/zero").exists() {
        cases.push(("/dev/zero".into(), "not a regular file"));
    }
    for (crowd, why) in cases {
        let (_dir, loaded) = load_text(&scenario(&crowd));
        let e = loaded.unwrap_err();
        assert!(
            e.contains("t.scenario.ron:1:") && e.contains("`crowd`") && e.contains(why),
            "{e}"
        );
    }
    // The same scenario naming a real crowd file loads.
    let (_dir, loaded) = load_text(&scenario("crowd.ron"));
    loaded.unwrap();
}
