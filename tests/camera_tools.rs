//! The camera grab (G to move, R to aim the selected camera): it starts only on a selected
//! camera, holds the undo recording for the whole grab, and Esc or a right click puts the
//! camera back exactly; a left click keeps it.

use bevy::prelude::*;
use twincity::editor::placement::{CameraGrab, GrabMode, grab_cameras};
use twincity::editor::viewport::ToolActive;
use twincity::render::document::{Document, Interaction, Selection};
use twincity::render::raycast::SceneRaycast;
use twincity_model::Project;

fn app() -> App {
    let mut app = App::new();
    app.add_plugins(MinimalPlugins)
        .insert_resource(Document::new(Project::demo().unwrap(), None))
        .init_resource::<Selection>()
        .init_resource::<Interaction>()
        .init_resource::<ToolActive>()
        .init_resource::<SceneRaycast>()
        .init_resource::<CameraGrab>()
        .init_resource::<ButtonInput<MouseButton>>()
        .init_resource::<ButtonInput<KeyCode>>()
        .add_systems(Update, grab_cameras);
    app
}

fn press_key(app: &mut App, key: KeyCode) {
    app.world_mut()
        .resource_mut::<ButtonInput<KeyCode>>()
        .press(key);
    app.update();
    let mut keys = app.world_mut().resource_mut::<ButtonInput<KeyCode>>();
    keys.release(key);
    keys.clear();
}

fn click(app: &mut App, button: MouseButton) {
    app.world_mut()
        .resource_mut::<ButtonInput<MouseButton>>()
        .press(button);
    app.update();
    let mut b = app.world_mut().resource_mut::<ButtonInput<MouseButton>>();
    b.release(button);
    b.clear();
}

#[test]
fn grab_starts_on_a_selected_camera_and_cancels_exactly() {
    let mut app = app();
    // Nothing selected: G does nothing.
    press_key(&mut app, KeyCode::KeyG);
    assert_eq!(app.world().resource::<CameraGrab>().active, None);

    let id = app.world().resource::<Document>().project.cameras[0].id;
    *app.world_mut().resource_mut::<Selection>() = Selection::Camera(id);
    let before = app.world().resource::<Document>().project.clone();
    press_key(&mut app, KeyCode::KeyG);
    assert_eq!(
        app.world().resource::<CameraGrab>().active,
        Some((id, GrabMode::Move))
    );
    assert!(
        app.world().resource::<Interaction>().tool_dragging,
        "one undo step"
    );
    assert!(
        app.world().resource::<ToolActive>().0,
        "clicks go to the grab"
    );
    // Something moved the camera meanwhile (as the pointer would); Esc puts it back.
    app.world_mut().resource_mut::<Document>().project.cameras[0]
        .position
        .x += 12.0;
    press_key(&mut app, KeyCode::Escape);
    assert_eq!(app.world().resource::<CameraGrab>().active, None);
    assert_eq!(app.world().resource::<Document>().project, before);
    assert!(!app.world().resource::<Interaction>().tool_dragging);

    // R, then a right click: also cancelled.
    press_key(&mut app, KeyCode::KeyR);
    app.world_mut().resource_mut::<Document>().project.cameras[0].pan_deg += 30.0;
    click(&mut app, MouseButton::Right);
    assert_eq!(app.world().resource::<Document>().project, before);

    // R, a change, a left click: kept.
    press_key(&mut app, KeyCode::KeyR);
    app.world_mut().resource_mut::<Document>().project.cameras[0].pan_deg += 30.0;
    click(&mut app, MouseButton::Left);
    assert_eq!(app.world().resource::<CameraGrab>().active, None);
    let after = &app.world().resource::<Document>().project.cameras[0];
    assert_eq!(after.pan_deg, before.cameras[0].pan_deg + 30.0);
}
