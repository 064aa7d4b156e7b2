//! The phases of a frame in `Update`, in order: the public parent sets every feature plugin
//! puts its own sets in. A plugin orders its sets only inside its phase, and against another
//! feature's set only when it uses that feature (and says why).
//!
//! | Phase | What runs |
//! | --- | --- |
//! | [`FrameSet::Document`] | commands applied to the open project; undo recorded |
//! | [`FrameSet::Input`] | the tools read the pointer and send commands (placing cameras, drawing crowd areas, placing scenario points, the coverage area) |
//! | [`FrameSet::Scene`] | the scene brought in line: city, crowd and scenario played, coverage computed, preview cameras |
//! | [`FrameSet::View`] | the 3D view's camera moved by the mouse and keys |
//! | [`FrameSet::Draw`] | figures, people's poses, overlays and gizmos |
//! | [`FrameSet::Report`] | what looks at the frame: inference exchange, export progress, readiness and screenshots |
//!
//! The UI runs later, in bevy_egui's pass, and only sends commands for the next frame.

use bevy::prelude::*;

/// The phases of a frame, chained in this order by [`FramePlugin`].
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameSet {
    Document,
    Input,
    Scene,
    View,
    Draw,
    Report,
}

/// Chains the [`FrameSet`] phases. Every plugin that uses them adds it (once) with
/// [`add_frame_sets`], so a plugin works on its own, in the editor or offscreen.
pub struct FramePlugin;

impl Plugin for FramePlugin {
    fn build(&self, app: &mut App) {
        app.configure_sets(
            Update,
            (
                FrameSet::Document,
                FrameSet::Input,
                FrameSet::Scene,
                FrameSet::View,
                FrameSet::Draw,
                FrameSet::Report,
            )
                .chain(),
        );
    }
}

/// Adds [`FramePlugin`] unless the app has it.
pub fn add_frame_sets(app: &mut App) {
    if !app.is_plugin_added::<FramePlugin>() {
        app.add_plugins(FramePlugin);
    }
}
