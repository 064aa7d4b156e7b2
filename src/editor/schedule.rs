//! The one place where the editor's system sets are ordered.
//!
//! Per frame, in `Update`: commands from the previous frame's UI are applied to the document
//! ([`DocumentSet`]), the scene is brought in line with the document ([`CitySet`]), the crowd
//! advances ([`CrowdSet::Step`]), the 3D view reacts to input ([`ViewportSet`]), camera overlays
//! and crowd areas are drawn ([`CameraSet`], [`CrowdSet::Draw`]), the DORI coverage overlay is
//! computed in the background and drawn ([`CoverageSet`]), camera read-backs go to the model
//! inference worker and its results come back ([`InferenceSet`]), and finally the
//! capture logic looks at what is on screen ([`CaptureSet`]). The UI runs in bevy_egui's
//! `EguiPrimaryContextPass` ([`UiSet`]) and only *sends* commands, so it never races the scene.

use bevy::prelude::*;

pub use crate::editor::cameras::CameraSet;
pub use crate::editor::coverage::CoverageSet;
pub use crate::editor::export::ExportSet;
pub use crate::editor::inference::InferenceSet;
pub use crate::editor::previews::PreviewSet;
pub use crate::editor::viewport::ViewportSet;
pub use crate::editor::widgets::UiSet;
pub use crate::render::city::CitySet;
pub use crate::render::crowd::CrowdSet;
pub use crate::render::document::DocumentSet;
pub use crate::render::readiness::CaptureSet;
pub use crate::render::scenario::ScenarioSet;

/// Orders every editor set. Added once by [`crate::editor::build_editor`].
pub struct SchedulePlugin;

impl Plugin for SchedulePlugin {
    fn build(&self, app: &mut App) {
        app.configure_sets(
            Update,
            (
                DocumentSet::ApplyCommands,
                DocumentSet::RecordHistory,
                CitySet::Sync,
                CoverageSet::Compute,
                CrowdSet::Step,
                ScenarioSet::Step,
                CameraSet::Place,
                CoverageSet::Edit,
                PreviewSet::Sync,
                ViewportSet::Input,
                ViewportSet::ApplyCamera,
                CameraSet::Draw,
                CrowdSet::Draw,
                ScenarioSet::Draw,
                CoverageSet::Draw,
                ExportSet::Poll,
                InferenceSet::Exchange,
                CaptureSet::Watch,
            )
                .chain(),
        );
    }
}
