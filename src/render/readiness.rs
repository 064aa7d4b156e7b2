//! Knowing when a frame is "real" (every render pipeline compiled, every asset loaded).
//!
//! Pipelines compile asynchronously: the first frames of a Bevy app show an empty or partial
//! scene. [`ReadinessPlugin`] counts, in the render world, pipelines still queued or being
//! created, and the main world waits until none has been pending for several frames.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use bevy::prelude::*;
use bevy::render::render_resource::{CachedPipelineState, PipelineCache};
use bevy::render::{Render, RenderApp, RenderSystems};

use crate::render::city::{CitySpec, CityStatus};
use crate::render::frame::{FrameSet, add_frame_sets};

/// System sets of the capture plugins.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaptureSet {
    /// Updates readiness and drives the screenshot state machine.
    Watch,
}

#[derive(Resource, Clone, Default)]
pub(crate) struct RenderCounters {
    pending_pipelines: Arc<AtomicUsize>,
    /// Pipelines in the cache, whatever their state.
    pipelines: Arc<AtomicUsize>,
    rendered_frames: Arc<AtomicU64>,
}

/// Main-world view of the renderer's progress.
#[derive(Resource, Clone, Debug, Default)]
pub struct Readiness {
    /// Consecutive main-world frames with no pipeline pending or new and a new frame
    /// rendered.
    pub stable_frames: u32,
    pub rendered_frames: u64,
    pub pending_pipelines: usize,
    /// Pipelines in the renderer's cache: one more means a frame asked for a pipeline it did
    /// not have, and may have skipped what needed it, even if it compiled at once.
    pub pipelines: usize,
}

/// Tracks pipeline compilation so callers can wait for a complete frame.
pub struct ReadinessPlugin;

impl Plugin for ReadinessPlugin {
    fn build(&self, app: &mut App) {
        add_frame_sets(app);
        let counters = RenderCounters::default();
        app.insert_resource(counters.clone())
            .init_resource::<Readiness>()
            .configure_sets(Update, CaptureSet::Watch.in_set(FrameSet::Report))
            .add_systems(Update, update_readiness.in_set(CaptureSet::Watch));
        if let Some(render_app) = app.get_sub_app_mut(RenderApp) {
            render_app.insert_resource(counters).add_systems(
                Render,
                count_pending_pipelines.in_set(RenderSystems::Cleanup),
            );
        }
    }
}

fn count_pending_pipelines(cache: Res<PipelineCache>, counters: Res<RenderCounters>) {
    let pending = cache
        .pipelines()
        .filter(|p| {
            matches!(
                p.state,
                CachedPipelineState::Queued | CachedPipelineState::Creating(_)
            )
        })
        .count()
        + cache.waiting_pipelines().count();
    counters.pending_pipelines.store(pending, Ordering::Release);
    counters
        .pipelines
        .store(cache.pipelines().count(), Ordering::Release);
    counters.rendered_frames.fetch_add(1, Ordering::AcqRel);
}

pub(crate) fn update_readiness(counters: Res<RenderCounters>, mut readiness: ResMut<Readiness>) {
    let frames = counters.rendered_frames.load(Ordering::Acquire);
    let pending = counters.pending_pipelines.load(Ordering::Acquire);
    let pipelines = counters.pipelines.load(Ordering::Acquire);
    let progressed = frames > readiness.rendered_frames;
    let new_pipelines = pipelines != readiness.pipelines;
    if pending > 0 || new_pipelines {
        readiness.stable_frames = 0;
    } else if progressed {
        readiness.stable_frames += 1;
    }
    readiness.pending_pipelines = pending;
    readiness.pipelines = pipelines;
    readiness.rendered_frames = frames;
}

/// True when the city asked for is in the world, its textures are loaded (the demo district's
/// maps, with their mipmaps) and every import has finished loading.
pub fn scene_loaded(spec: &CitySpec, status: &CityStatus, demo_roots: usize) -> bool {
    (!spec.demo_city || (demo_roots > 0 && status.textures_pending == 0))
        && status.settled()
        && status.imports.len() == spec.imports.len()
}

/// Frames with nothing pending before a frame counts as complete.
pub const STABLE_FRAMES: u32 = 8;

/// Frames a model spawned from loaded files (a person or vehicle entering the scene) takes
/// before a frame counts as complete: instanced, its materials and skin prepared, any new
/// pipeline queued by then (which then holds the frame back for [`STABLE_FRAMES`]).
pub const SPAWN_SETTLE_FRAMES: u32 = 3;

impl Readiness {
    /// Something is still loading: no frame is complete until it is, and the pipelines it
    /// needs have settled.
    pub fn loading(&mut self) {
        self.stable_frames = 0;
    }

    /// A model is being spawned from loaded files: a frame is complete
    /// [`SPAWN_SETTLE_FRAMES`] frames after it is in the world at the soonest.
    pub fn spawning(&mut self) {
        self.stable_frames = self.stable_frames.min(STABLE_FRAMES - SPAWN_SETTLE_FRAMES);
    }

    /// What the people's and vehicles' drawing says of their models: [`Self::loading`] while
    /// files load, else [`Self::spawning`] while models are spawned.
    pub fn hold(&mut self, loading: bool, spawning: bool) {
        if loading {
            self.loading();
        } else if spawning {
            self.spawning();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `update_readiness` once after the render world reported `frames` frames done,
    /// with `pending` pipelines compiling and `pipelines` in its cache.
    fn report(world: &mut World, frames: u64, pending: usize, pipelines: usize) -> u32 {
        let counters = world.resource::<RenderCounters>().clone();
        counters.rendered_frames.store(frames, Ordering::Release);
        counters.pending_pipelines.store(pending, Ordering::Release);
        counters.pipelines.store(pipelines, Ordering::Release);
        world.run_system_cached(update_readiness).unwrap();
        world.resource::<Readiness>().stable_frames
    }

    #[test]
    fn a_frame_that_queued_or_created_a_pipeline_restarts_the_count() {
        let mut world = World::new();
        world.insert_resource(RenderCounters::default());
        world.init_resource::<Readiness>();
        assert_eq!(report(&mut world, 1, 0, 10), 0, "the first pipelines seen");
        assert_eq!(report(&mut world, 2, 0, 10), 1);
        assert_eq!(report(&mut world, 3, 0, 10), 2);
        // No new render frame: nothing learnt, the count holds.
        assert_eq!(report(&mut world, 3, 0, 10), 2);
        // A pipeline compiled within the frame that asked for it: never seen pending, but
        // the frame may have skipped what needed it.
        assert_eq!(report(&mut world, 4, 0, 11), 0);
        assert_eq!(report(&mut world, 5, 0, 11), 1);
        assert_eq!(report(&mut world, 6, 2, 13), 0, "pipelines still compiling");
        assert_eq!(report(&mut world, 7, 0, 13), 1);
        let mut readiness = world.resource_mut::<Readiness>();
        readiness.stable_frames = STABLE_FRAMES + 4;
        readiness.spawning();
        assert_eq!(readiness.stable_frames, STABLE_FRAMES - SPAWN_SETTLE_FRAMES);
        readiness.loading();
        assert_eq!(readiness.stable_frames, 0);
    }
}
