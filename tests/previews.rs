//! Camera previews in a minimal app (no renderer): one render camera per project camera, aimed
//! and shaped like it, rendering into an image of the camera's aspect; enlarging resizes it;
//! deleting a camera or turning previews off removes its render camera. Thumbnails render in
//! turn, one per frame; while no window shows them, only the previews a model reads render.

use bevy::camera::RenderTarget;
use bevy::prelude::*;
use twincity::editor::previews::{CameraPreviews, PreviewPlugin};
use twincity::render::document::Document;
use twincity_model::{CameraId, Project, VirtualCamera};

fn app() -> App {
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, AssetPlugin::default()))
        .init_asset::<Image>()
        .init_resource::<bevy_egui::EguiUserTextures>()
        .insert_resource(Document::new(Project::demo().unwrap(), None))
        .add_plugins(PreviewPlugin);
    app.update();
    app
}

/// (image size, transform, vertical fov) of every preview camera.
fn previews(app: &mut App) -> Vec<(UVec2, Transform, f32)> {
    let world = app.world_mut();
    let found: Vec<(Handle<Image>, Transform, f32)> = world
        .query::<(&RenderTarget, &Transform, &Projection)>()
        .iter(world)
        .filter_map(|(target, t, p)| match (target, p) {
            (RenderTarget::Image(img), Projection::Perspective(p)) => {
                Some((img.handle.clone(), *t, p.fov))
            }
            _ => None,
        })
        .collect();
    found
        .into_iter()
        .map(|(h, t, fov)| {
            (
                world.resource::<Assets<Image>>().get(&h).unwrap().size(),
                t,
                fov,
            )
        })
        .collect()
}

#[test]
fn one_preview_per_camera_following_it() {
    let mut app = app();
    let cams = app.world().resource::<Document>().project.cameras.clone();
    let mut got = previews(&mut app);
    assert_eq!(got.len(), cams.len());
    // Each camera's pose, vertical field of view and image aspect (320 px wide thumbnails).
    for cam in &cams {
        let i = got
            .iter()
            .position(|(_, t, _)| t.translation == cam.position)
            .expect("a preview at the camera");
        let (size, t, fov) = got.remove(i);
        assert_eq!(size.x, 320);
        assert_eq!(size.y, (320.0 / cam.aspect()).round() as u32);
        assert!((fov - cam.render_vertical_fov()).abs() < 1e-6);
        let forward = t.rotation * Vec3::NEG_Z;
        assert!(
            forward.distance(cam.forward()) < 1e-5,
            "{forward} vs {}",
            cam.forward()
        );
    }
    // Panning a camera turns its preview.
    app.world_mut().resource_mut::<Document>().project.cameras[0].pan_deg += 90.0;
    app.update();
    let cam = app.world().resource::<Document>().project.cameras[0].clone();
    let turned = previews(&mut app)
        .into_iter()
        .find(|(_, t, _)| t.translation == cam.position)
        .unwrap();
    assert!((turned.1.rotation * Vec3::NEG_Z).distance(cam.forward()) < 1e-5);

    // Enlarged: 960 px wide.
    app.world_mut().resource_mut::<CameraPreviews>().enlarged = Some(cam.id);
    app.update();
    assert!(previews(&mut app).iter().any(|(s, _, _)| s.x == 960));

    // A deleted camera loses its preview (and is no longer enlarged); previews off: none.
    app.world_mut()
        .resource_mut::<Document>()
        .project
        .cameras
        .remove(0);
    app.update();
    assert_eq!(previews(&mut app).len(), cams.len() - 1);
    assert_eq!(app.world().resource::<CameraPreviews>().enlarged, None);
    app.world_mut().resource_mut::<CameraPreviews>().live = false;
    app.update();
    assert!(previews(&mut app).is_empty());
}

/// (position, rendering) of every preview camera.
fn active(app: &mut App) -> Vec<(Vec3, bool)> {
    let world = app.world_mut();
    world
        .query::<(&RenderTarget, &Transform, &Camera)>()
        .iter(world)
        .filter(|(target, _, _)| matches!(target, RenderTarget::Image(_)))
        .map(|(_, t, c)| (t.translation, c.is_active))
        .collect()
}

#[test]
fn thumbnails_render_in_turn_and_stop_while_no_window_shows_them() {
    let mut app = app();
    // Five cameras: the demo's three and two copies raised above them.
    let cams = {
        let mut doc = app.world_mut().resource_mut::<Document>();
        let copies: Vec<VirtualCamera> = (0..2)
            .map(|i| {
                let c = &doc.project.cameras[i];
                VirtualCamera {
                    id: CameraId(100 + i as u32),
                    position: c.position + Vec3::Y * (1.0 + i as f32),
                    ..c.clone()
                }
            })
            .collect();
        doc.project.cameras.extend(copies);
        doc.project.cameras.clone()
    };
    // One enlarged, one read by a model: those two render every frame.
    let (enlarged, read) = (&cams[0], &cams[1]);
    {
        let mut p = app.world_mut().resource_mut::<CameraPreviews>();
        p.enlarged = Some(enlarged.id);
        p.wide = vec![read.id];
    }
    let thumbnails = cams.len() - 2;
    let mut turns = Vec::new();
    for _ in 0..3 * thumbnails {
        app.update();
        let on = active(&mut app);
        assert_eq!(on.len(), cams.len());
        let rendering = |at: Vec3| on.iter().any(|(p, a)| *p == at && *a);
        assert!(
            rendering(enlarged.position) && rendering(read.position),
            "{on:?}"
        );
        let others: Vec<Vec3> = on
            .iter()
            .filter(|(p, a)| *a && *p != enlarged.position && *p != read.position)
            .map(|(p, _)| *p)
            .collect();
        assert_eq!(others.len(), 1, "one thumbnail per frame: {on:?}");
        turns.push(others[0]);
    }
    // Every thumbnail takes its turn once in every N frames.
    for window in turns.windows(thumbnails) {
        for (i, p) in window.iter().enumerate() {
            assert!(!window[i + 1..].contains(p), "{turns:?}");
        }
    }
    for (i, p) in turns.iter().enumerate().skip(thumbnails) {
        assert_eq!(turns[i - thumbnails], *p, "{turns:?}");
    }

    // No window shows previews: only the one a model reads renders.
    app.world_mut().resource_mut::<CameraPreviews>().shown = false;
    for _ in 0..2 {
        app.update();
        for (p, a) in active(&mut app) {
            assert_eq!(a, p == read.position, "{p}");
        }
    }
}
