//! `twincity render` end to end: datasets checked with the reference readers (pycocotools,
//! NumPy), reproducible to the byte, sharded runs merging into the same dataset, resuming,
//! refusals; and faces in exported images blurred.

use std::path::Path;
use std::process::Command;

use twincity::cli::render::{Drawing, render_image, scenario_renderer};
use twincity_dataset::privacy::detail_energy;
use twincity_dataset::{Frame, Privacy};
use twincity_scenario::Scenario;

mod common;
use common::{python, root, twincity};

/// The collapse over a quiet square (48 passers-by instead of 400): each render draws few
/// skinned people on a software renderer.
const SCENARIO: &str = common::QUIET_COLLAPSE;

/// A small render of the collapse scenario: three frames two seconds apart, three cameras,
/// every optional output.
fn render(out: &Path, extra: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    render_command(out, extra, env).output().unwrap()
}

/// The command [`render`] runs.
fn render_command(out: &Path, extra: &[&str], env: &[(&str, &str)]) -> Command {
    let mut c = twincity();
    c.args([
        "render",
        SCENARIO,
        "--frames",
        "3",
        "--fps",
        "0.5",
        "--start",
        "100",
        "--width",
        "320",
        "--height",
        "180",
        "--masks",
        "--depth",
        "--density-maps",
        "--progress",
        "none",
        "--out",
    ])
    .arg(out)
    .args(extra)
    .env_remove("JOB_COMPLETION_INDEX")
    .env_remove("SLURM_ARRAY_TASK_ID")
    .env_remove("SLURM_ARRAY_TASK_COUNT");
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

fn ok(out: std::process::Output) {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every file under `dir` with its bytes, by relative path.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn same_files(a: &Path, b: &Path) {
    let (fa, fb) = (files(a), files(b));
    let names = |f: &[(String, Vec<u8>)]| f.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&fa), names(&fb), "{} vs {}", a.display(), b.display());
    for ((n, x), (_, y)) in fa.iter().zip(&fb) {
        assert!(
            x == y,
            "{n} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn datasets_are_valid_reproducible_shardable_and_resumable() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    ok(render(&a, &[], &[]));

    // The reference readers accept it: pycocotools loads it, ids are consistent, boxes lie
    // inside the images and are their masks' boxes, areas are the masks'; the ground truth
    // scored as detections gets AP50 = 1; density maps sum to the visible heads.
    let out = Command::new(python())
        .arg(root().join("tests/python/check_dataset.py"))
        .arg(&a)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(report["images"], 9, "{report}");
    assert_eq!(report["density_maps"], 9, "{report}");
    assert_eq!(report["ap50_of_ground_truth"], 1.0, "{report}");
    assert!(report["annotations"].as_u64().unwrap() > 100, "{report}");

    // What it holds: the fallen person, seen by a camera, and the privacy settings.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["status"], "complete");
    assert_eq!(manifest["settings"]["privacy"]["faces_blurred"], true);
    assert_eq!(manifest["images"].as_array().unwrap().len(), 9);
    assert!(
        manifest["settings"]["scenario"]["sha256"]
            .as_str()
            .unwrap()
            .len()
            == 64
    );
    let coco: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.join("coco.json")).unwrap()).unwrap();
    let down = coco["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["category_id"] == 2)
        .count();
    assert!(down >= 1, "no person_down annotated");
    let check = twincity()
        .args(["dataset", "check"])
        .arg(&a)
        .output()
        .unwrap();
    ok(check);

    // Twice the same command: the same bytes, images included (same renderer).
    let b = tmp.path().join("b");
    ok(render(&b, &[], &[]));
    same_files(&a, &b);

    // Two shards, one explicit and one from a Kubernetes Indexed Job's environment, merged:
    // the same dataset.
    ok(render(
        &tmp.path().join("shard-0"),
        &["--shard", "0/2"],
        &[],
    ));
    let templ = tmp.path().join("shard-{shard}");
    ok(render(
        &templ,
        &["--shards", "2"],
        &[("JOB_COMPLETION_INDEX", "1")],
    ));
    let m = tmp.path().join("merged");
    ok(twincity()
        .args(["dataset", "merge", "--out"])
        .arg(&m)
        .arg(tmp.path().join("shard-0"))
        .arg(tmp.path().join("shard-1"))
        .output()
        .unwrap());
    same_files(&a, &m);

    // Interrupted: the last images gone (an image without its record, as a kill leaves it).
    std::fs::remove_dir_all(&b).unwrap();
    std::fs::rename(&m, &b).unwrap();
    let cam = "cam2-carrefour-est-mat";
    std::fs::remove_file(b.join(format!("annotations/{cam}/000002.json"))).unwrap();
    std::fs::write(b.join(format!("images/{cam}/000002.png")), b"cut").unwrap();
    let again = render(&b, &[], &[]);
    assert!(!again.status.success());
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(
        err.contains("--resume") && err.contains("already holds 8 images"),
        "{err}"
    );
    ok(render(&b, &["--resume"], &[]));
    same_files(&a, &b);

    // Another seed into the same folder is refused, naming the difference.
    let other = render(&b, &["--resume", "--seed", "99"], &[]);
    let err = String::from_utf8_lossy(&other.stderr);
    assert!(
        !other.status.success() && err.contains("other settings"),
        "{err}"
    );

    // A folder that cannot be made: a clear error naming it, nothing else touched.
    let blocker = tmp.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    let bad = render(&blocker.join("out"), &[], &[]);
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        !bad.status.success() && err.contains("cannot create the folder"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "x");

    // Opting out of privacy needs a reason.
    let no = render(&tmp.path().join("c"), &["--no-privacy-blur", "x"], &[]);
    let err = String::from_utf8_lossy(&no.stderr);
    assert!(!no.status.success() && err.contains("reason"), "{err}");
}

/// A face seen from 3 m: with privacy opted out its box shows the face's detail; exported as
/// by default, that detail is gone.
/// `twincity bench render` times both ways over the same frames and says where the
/// labelling's time went.
#[test]
fn bench_render_times_both_ways_and_the_labelling_beside_the_drawing() {
    let out = twincity()
        .args(["bench", "render", "--scenario", SCENARIO, "--frames", "2"])
        .args(["--at", "100", "--sizes", "160x96,96x64", "--json"])
        .output()
        .unwrap();
    let lines: Vec<serde_json::Value> = common::ok(&out, "bench render")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    assert_eq!(lines.len(), 2, "one line per size: {lines:?}");
    for (line, (w, h)) in lines.iter().zip([(160, 96), (96, 64)]) {
        assert_eq!(
            (line["width"].as_u64(), line["height"].as_u64()),
            (Some(w), Some(h))
        );
        assert_eq!(line["frames"], 2, "{line}");
        let f = |k: &str| line[k].as_f64().unwrap_or(f64::NAN);
        for k in ["render_fps", "annotated_fps", "labelling_ms"] {
            assert!(f(k) > 0.0, "{k}: {line}");
        }
        assert!(f("waiting_for_labelling_ms") >= 0.0, "{line}");
        // The overhead is the ratio of the two rates.
        let ratio = f("render_fps") / f("annotated_fps") - 1.0;
        assert!((f("overhead") - ratio).abs() < 1e-9, "{line}");
        // The quiet square's camera sees people at 100 s, and they are labelled.
        assert!(f("objects_per_frame") >= 1.0, "{line}");
    }
}

#[test]
fn faces_in_exported_images_are_blurred() {
    let path = root().join("scenarios/busy_square.scenario.ron");
    let scenario = Scenario::load(&path).unwrap();
    let project = twincity_model::Project::demo().unwrap();
    let start = 30.0;
    let mut renderer = scenario_renderer(
        &project,
        Some(&(path.clone(), scenario.clone())),
        start,
        Drawing::default(),
    )
    .unwrap();
    let settings = |privacy: Privacy| common::busy_square_frame_settings(&scenario, start, privacy);
    let frame = Frame {
        index: 0,
        time_s: start,
    };
    let state = twincity::cli::render::world_at(
        &mut renderer,
        &settings(Privacy::blurred()),
        Some(&scenario),
        None,
        frame,
    );
    let ground = twincity_scene::demo_city::KERB_HEIGHT;
    let figures = twincity_scenario::figures::figures(
        &state,
        ground,
        twincity_scenario::people::Cast::bundled().unwrap(),
    );
    let mut faces_checked = 0;
    for (i, p) in state.people.iter().enumerate() {
        if faces_checked == 3 {
            break;
        }
        // A camera 3 m ahead of the person, at eye height, looking at the face.
        let head = figures[i].head.unwrap();
        let (s, c) = p.heading.sin_cos();
        let eye = bevy::math::Vec3::new(
            head.x + 3.0 * c as f32,
            head.y + 0.1,
            head.z - 3.0 * s as f32,
        );
        let mut cam =
            twincity_model::VirtualCamera::new(twincity_model::CameraId(1), "face", eye, 0.0);
        cam.aim_at(head);
        cam.resolution = (640, 360);
        let open = render_image(
            &mut renderer,
            &state,
            ground,
            &cam,
            &settings(Privacy::opted_out("test of the blur itself")),
            frame,
            true,
        )
        .unwrap();
        // The person's head must be seen, whole, and big enough to show a face.
        let Some(face) = open.record.objects.iter().find(|o| {
            o.head.is_some_and(|h| {
                h.visible && (h.x - 320.0).abs() < 3.0 && (h.y - 180.0).abs() < 3.0
            }) && o.private_box.is_some_and(|b| b[2] >= 20)
                && o.visibility > 0.9
        }) else {
            continue;
        };
        let b = face.private_box.unwrap();
        let img_open = image::load_from_memory(&open.bytes).unwrap().to_rgba8();
        let blurred = render_image(
            &mut renderer,
            &state,
            ground,
            &cam,
            &settings(Privacy::blurred()),
            frame,
            true,
        )
        .unwrap();
        let img_blur = image::load_from_memory(&blurred.bytes).unwrap().to_rgba8();
        let (e_open, e_blur) = (detail_energy(&img_open, b), detail_energy(&img_blur, b));
        assert!(
            e_open > 150.0,
            "person {i}: the face shows little detail ({e_open})"
        );
        assert!(
            e_blur < 0.1 * e_open,
            "person {i}: face detail {e_blur} left of {e_open}"
        );
        assert!(blurred.record.objects.iter().any(|o| o.blurred));
        faces_checked += 1;
    }
    assert_eq!(faces_checked, 3, "not enough people to look in the face");
}

/// A driving program (the editor's export window) cancels with `cancel` on standard input:
/// the render stops after the image it is writing and leaves a valid partial dataset.
#[test]
fn a_cancelled_render_leaves_a_valid_partial_dataset() {
    use std::io::{BufRead, Write};
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("d");
    let mut child = twincity()
        .args([
            "render",
            SCENARIO,
            "--frames",
            "20",
            "--fps",
            "1",
            "--start",
            "100",
            "--width",
            "160",
            "--height",
            "90",
            "--progress",
            "json",
            "--out",
        ])
        .arg(&out)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(
        (first["done"].as_u64(), first["total"].as_u64()),
        (Some(1), Some(60))
    );
    child
        .stdin
        .as_mut()
        .unwrap()
        .write_all(b"cancel\n")
        .unwrap();
    let done = lines
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(&l).ok())
        .filter_map(|v| v["done"].as_u64())
        .max()
        .unwrap_or(1);
    let status = child.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(
        !status.success() && err.contains("cancelled") && err.contains("--resume"),
        "{err}"
    );
    assert!(done < 60, "it went on to the end");
    let check = twincity()
        .args(["dataset", "check", "--json"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(report["status"], "partial");
    assert_eq!(report["images"].as_u64(), Some(done));
}

/// The scenario's randomisation: each frame its own light, each image its own resolution and
/// camera defects, all recorded, and the ground truth still exact at every size.
#[test]
fn randomised_datasets_record_their_draws_and_stay_exact() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("v");
    ok(twincity()
        .args([
            "render",
            "tests/data/quiet_varied.scenario.ron",
            "--frames",
            "6",
            "--fps",
            "0.1",
            "--start",
            "30",
            "--cameras",
            "2",
            "--width",
            "480",
            "--height",
            "270",
            "--progress",
            "none",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap());
    let check = Command::new(python())
        .arg(root().join("tests/python/check_dataset.py"))
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let mut hours = Vec::new();
    let mut sizes = std::collections::BTreeSet::new();
    for f in 0..6 {
        let path = out.join(format!("annotations/cam2-carrefour-est-mat/{f:06}.json"));
        let r: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let (w, h) = (r["width"].as_u64().unwrap(), r["height"].as_u64().unwrap());
        let scale = r["sensor"]["scale"].as_f64().unwrap();
        assert_eq!(w, (480.0 * scale).round() as u64, "{}", r["sensor"]);
        assert_eq!(h, (270.0 * scale).round() as u64);
        // The image on disk has the recorded size, and the intrinsics follow it.
        let img = image::open(out.join(r["file"].as_str().unwrap())).unwrap();
        assert_eq!((img.width() as u64, img.height() as u64), (w, h));
        assert!((r["intrinsics"]["cx"].as_f64().unwrap() - w as f64 / 2.0).abs() < 1e-9);
        let q = r["sensor"]["jpeg_quality"].as_u64().unwrap();
        assert!((35..=90).contains(&q));
        let t = r["environment"]["time_of_day_h"].as_f64().unwrap();
        assert!((6.0..=21.0).contains(&t));
        hours.push(t);
        sizes.insert(w);
    }
    hours.sort_by(f64::total_cmp);
    hours.dedup();
    assert_eq!(hours.len(), 6, "every frame its own hour");
    assert!(sizes.len() >= 2, "one size only: {sizes:?}");
}

/// The disk fills up in the middle of a render (a small tmpfs, mounted in a mount namespace
/// of the test's own): the run stops naming the cause and what to do; it leaves a valid
/// partial dataset; given room again, `--resume` finishes it into exactly the dataset an
/// untroubled run writes.
#[test]
fn a_full_disk_stops_the_render_and_leaves_a_valid_partial_dataset() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    ok(render(&whole, &[], &[]));

    // The same render onto a disk of 3 MB; what it leaves is copied out before the disk goes.
    let on_small = render_command(&tmp.path().join("small/out"), &[], &[]);
    let small = tmp.path().join("small");
    let kept = tmp.path().join("kept");
    std::fs::create_dir(&small).unwrap();
    let mut unshare = Command::new("unshare");
    for (k, v) in on_small.get_envs() {
        match v {
            Some(v) => unshare.env(k, v),
            None => unshare.env_remove(k),
        };
    }
    let out = unshare
        .args(["--map-root-user", "--mount", "sh", "-c"])
        .arg(
            r#"mnt=$1; keep=$2; shift 2
            mount -t tmpfs -o size=3m tmpfs "$mnt" || exit 90
            "$@"; rc=$?
            cp -a "$mnt/out" "$keep" || exit 91
            exit $rc"#,
        )
        .arg("sh")
        .arg(&small)
        .arg(&kept)
        .arg(on_small.get_program())
        .args(on_small.get_args())
        .current_dir(root())
        .output()
        .expect("unshare (util-linux) runs the render on a small disk of its own");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !matches!(out.status.code(), Some(90 | 91)),
        "could not mount a small tmpfs for the test (it needs root or user namespaces): {err}"
    );
    assert!(!out.status.success(), "the render fitted on the small disk");
    assert!(
        err.contains("disk is full") && err.contains("--resume") && err.contains("small/out"),
        "{err}"
    );

    // A valid partial dataset: the checker accepts it, and its index files list exactly the
    // images that are complete.
    let check = twincity()
        .args(["dataset", "check", "--json"])
        .arg(&kept)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert!(check.status.success(), "{report}");
    assert_eq!(report["status"], "partial");
    let images = report["images"].as_u64().unwrap();
    assert!((1..9).contains(&images), "{report}");
    let coco: serde_json::Value =
        serde_json::from_slice(&std::fs::read(kept.join("coco.json")).unwrap()).unwrap();
    assert_eq!(coco["images"].as_array().unwrap().len() as u64, images);
    assert!(!kept.join(twincity_dataset::store::RESERVE).exists());

    // Room again: resumed, it becomes the whole dataset, byte for byte.
    ok(render(&kept, &["--resume"], &[]));
    same_files(&whole, &kept);
}

/// A project whose city file cannot be loaded is not rendered without it: the render stops
/// before writing any image, naming the file and why. The project is given by a bare file name
/// from its own folder (its imports then resolve against the working folder), and a sibling
/// project with a loadable file (whose texture is a separate image) renders it.
#[test]
fn a_city_file_that_cannot_load_stops_the_render() {
    let tmp = tempfile::tempdir().unwrap();
    let camera = "(id: (1), name: \"C\", position: (0.0, 2.0, 8.0), pan_deg: 0.0, \
        tilt_deg: 5.0, roll_deg: 0.0, lens: (sensor_width_mm: 5.6, sensor_height_mm: 3.15, \
        focal_length_mm: 4.0), resolution: (320, 240), fps: 25.0)";
    let project = |import: &str| {
        format!("(version: 1, name: \"p\", imports: [(path: \"{import}\")], cameras: [{camera}])\n")
    };
    std::fs::write(tmp.path().join("broken.glb"), b"glTF\x02\0\0\0 not a file").unwrap();
    std::fs::write(tmp.path().join("broken.twin.ron"), project("broken.glb")).unwrap();
    // A loadable file whose texture is a separate image beside it.
    std::fs::copy(
        root().join("assets/vehicles/kenney_garbage-truck.glb"),
        tmp.path().join("truck.glb"),
    )
    .unwrap();
    std::fs::create_dir(tmp.path().join("Textures")).unwrap();
    std::fs::copy(
        root().join("assets/vehicles/Textures/colormap.png"),
        tmp.path().join("Textures/colormap.png"),
    )
    .unwrap();
    std::fs::write(tmp.path().join("truck.twin.ron"), project("truck.glb")).unwrap();
    let run = |name: &str, out: &str| {
        twincity()
            .args([
                "render",
                name,
                "--frames",
                "1",
                "--progress",
                "none",
                "--out",
                out,
            ])
            .current_dir(tmp.path())
            .output()
            .unwrap()
    };
    let out = run("broken.twin.ron", "broken-out");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("broken.glb") && err.contains("could not be loaded"),
        "{err}"
    );
    assert!(
        !tmp.path().join("broken-out/images").exists()
            || std::fs::read_dir(tmp.path().join("broken-out/images/cam1-c"))
                .map_or(true, |d| d.count() == 0),
        "an image was written"
    );
    let out = run("truck.twin.ron", "truck-out");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let image = image::open(tmp.path().join("truck-out/images/cam1-c/000000.png"))
        .unwrap()
        .to_rgb8();
    // The lorry stands in the middle of the view, below the horizon: not sky, not ground.
    let sky = |p: [i32; 3]| p[2] > p[0] + 40;
    let ground = |p: [i32; 3]| p[1] > p[0] + 15 && p[1] > p[2];
    let p = image.get_pixel(160, 135).0.map(i32::from);
    assert!(!(sky(p) || ground(p)), "no lorry at the centre: {p:?}");
}

/// A record tampered with by hand — a box at the edge of 32-bit numbers, run lengths that
/// add up past the image, no height, an image that is a link out of the folder — is
/// reported by `dataset check`, naming the record, the object and the field, and never
/// panics (no sum wraps, no division by a zero height).
#[test]
fn dataset_check_reports_hostile_records_without_wrapping() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("tiny");
    let made = twincity()
        .args([
            "render",
            SCENARIO,
            "--frames",
            "1",
            "--start",
            "100",
            "--width",
            "64",
            "--height",
            "36",
            "--cameras",
            "1",
            "--progress",
            "none",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    ok(made);
    let check = |out: &Path| {
        twincity()
            .args(["dataset", "check", "--json"])
            .arg(out)
            .output()
            .unwrap()
    };
    // The untouched render checks clean.
    let clean = check(&out);
    ok(clean.clone());
    let report: serde_json::Value = serde_json::from_slice(&clean.stdout).unwrap();
    assert_eq!(report["problems"], serde_json::json!([]), "{report}");

    let folder = std::fs::read_dir(out.join("annotations"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let record = std::fs::read_dir(&folder)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let original: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&record).unwrap()).unwrap();
    let mut r = original.clone();
    let objects = r["objects"].as_array_mut().unwrap();
    assert!(
        objects.len() >= 2,
        "the render has objects in view: {original}"
    );
    let (id0, id1) = (objects[0]["id"].clone(), objects[1]["id"].clone());
    objects[0]["bbox"] = serde_json::json!([u32::MAX, 0, 2, 2]);
    objects[1]["rle"] = serde_json::json!([0, u32::MAX, u32::MAX]);
    std::fs::write(&record, serde_json::to_vec(&r).unwrap()).unwrap();
    let tampered = check(&out);
    assert_ne!(tampered.status.code(), Some(101), "panicked: {tampered:?}");
    let report: serde_json::Value = serde_json::from_slice(&tampered.stdout).unwrap();
    let problems = report["problems"].to_string();
    assert!(
        problems.contains(&format!(
            "objects[0] (id {id0}): `bbox` [4294967295, 0, 2, 2] runs past the 64×36 image \
             (x + w = 4294967297"
        )),
        "{problems}"
    );
    assert!(
        problems.contains(&format!(
            "objects[1] (id {id1}): `rle`: its run lengths add up"
        )) && problems.contains("past the 2304 pixels of the 64×36 image"),
        "{problems}"
    );

    // No height: refused as an empty image, never divided by.
    r["height"] = serde_json::json!(0);
    std::fs::write(&record, serde_json::to_vec(&r).unwrap()).unwrap();
    let empty = check(&out);
    assert_ne!(empty.status.code(), Some(101), "panicked: {empty:?}");
    let report: serde_json::Value = serde_json::from_slice(&empty.stdout).unwrap();
    let problems = report["problems"].to_string();
    assert!(
        problems.contains("`width` and `height` are 64×0")
            && problems.contains("`rle`: the mask is 64×0"),
        "{problems}"
    );

    // A negative number: the parse error names the object and the field.
    let mut negative = original.clone();
    negative["objects"][0]["bbox"][2] = serde_json::json!(-5);
    std::fs::write(&record, serde_json::to_vec(&negative).unwrap()).unwrap();
    let bad = check(&out);
    assert_ne!(bad.status.code(), Some(101), "panicked: {bad:?}");
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains(&format!("objects[0] (id {id0}): `bbox`[2] is -5")),
        "{stderr}"
    );

    // An image that is a link out of the dataset is neither read nor trusted.
    #[cfg(unix)]
    {
        std::fs::write(&record, serde_json::to_vec(&original).unwrap()).unwrap();
        let image = out.join(original["file"].as_str().unwrap());
        let elsewhere = tmp.path().join("elsewhere.png");
        std::fs::rename(&image, &elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &image).unwrap();
        let linked = check(&out);
        assert_ne!(linked.status.code(), Some(101), "panicked: {linked:?}");
        assert!(!linked.status.success());
        let stderr = String::from_utf8_lossy(&linked.stderr);
        assert!(
            stderr.contains("leads through a link to")
                && stderr.contains("outside the dataset folder"),
            "{stderr}"
        );
    }
}
