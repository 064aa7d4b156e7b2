//! Interactive quality of the 3D view: while the view moves and frames come slowly (a software
//! renderer, a weak GPU, a large crowd), the view drops multisampling and the sun's shadows —
//! the two costs that do not shrink with the scene — and takes them back once it has stayed
//! still for a moment. On a machine that keeps up, nothing changes. A still view (screenshots,
//! presentations' captures) always has full quality: [`ViewQuality::reduced`] holds the
//! captures back ([`crate::editor::capture::FrameComplete`]).

use std::time::Duration;

use bevy::prelude::*;

use crate::editor::viewport::{EditorCamera, ViewportSet};

/// Lowers the view's quality while it moves slowly.
pub struct ViewQualityPlugin;

/// System set of [`ViewQualityPlugin`]: after the camera is placed for the frame.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ViewQualitySet;

impl Plugin for ViewQualityPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<ViewQuality>()
            .configure_sets(Update, ViewQualitySet.after(ViewportSet::ApplyCamera))
            .add_systems(Update, adapt_view_quality.in_set(ViewQualitySet));
    }
}

/// When the view trades quality for frame rate, and whether it does now.
#[derive(Resource, Debug)]
pub struct ViewQuality {
    /// A moving view whose frames take longer than this (smoothed) is lowered.
    pub slow_frame: Duration,
    /// Full quality returns once the view has been still this long.
    pub settle: Duration,
    /// Off: the view keeps full quality always.
    pub enabled: bool,
    /// Smoothed frame time, seconds.
    frame_s: f32,
    /// When the camera last moved (real time since start).
    last_move: Option<Duration>,
    last_pose: Option<GlobalTransform>,
    /// Lowered: the camera's multisampling and the lights whose shadows were switched off.
    lowered: Option<(Msaa, Vec<Entity>)>,
}

impl Default for ViewQuality {
    fn default() -> Self {
        Self {
            slow_frame: Duration::from_millis(50),
            settle: Duration::from_millis(400),
            enabled: true,
            frame_s: 0.0,
            last_move: None,
            last_pose: None,
            lowered: None,
        }
    }
}

impl ViewQuality {
    /// Whether the view is drawn at lowered quality now.
    pub fn reduced(&self) -> bool {
        self.lowered.is_some()
    }

    /// Takes one frame: its duration, whether the camera moved, and the time. Returns whether
    /// the view should be lowered (`Some(true)`), restored (`Some(false)`) or left as it is.
    fn step(&mut self, dt: Duration, moved: bool, now: Duration) -> Option<bool> {
        // Smoothed over about five frames, so one slow frame (a pipeline compiling) does not
        // lower the view on its own.
        self.frame_s += (dt.as_secs_f32() - self.frame_s) * 0.2;
        if moved {
            self.last_move = Some(now);
        }
        let moving = self
            .last_move
            .is_some_and(|t| now.saturating_sub(t) < self.settle);
        let slow = self.frame_s > self.slow_frame.as_secs_f32();
        match (self.lowered.is_some(), self.enabled && moving) {
            // Once lowered, it stays so while the view moves, even though frames are now fast.
            (false, true) if slow => Some(true),
            (true, false) => Some(false),
            _ => None,
        }
    }
}

fn adapt_view_quality(
    time: Res<Time<Real>>,
    mut quality: ResMut<ViewQuality>,
    mut camera: Query<(&GlobalTransform, &mut Msaa), With<EditorCamera>>,
    mut lights: Query<(Entity, &mut DirectionalLight)>,
) {
    let Ok((pose, mut msaa)) = camera.single_mut() else {
        return;
    };
    // The transform propagated last frame: a move shows one frame late, which is soon enough.
    let moved = quality.last_pose.is_some_and(|p| p != *pose);
    quality.last_pose = Some(*pose);
    match quality.step(time.delta(), moved, time.elapsed()) {
        Some(true) => {
            let mut dimmed = Vec::new();
            for (e, mut light) in &mut lights {
                if light.shadow_maps_enabled {
                    light.shadow_maps_enabled = false;
                    dimmed.push(e);
                }
            }
            quality.lowered = Some((*msaa, dimmed));
            *msaa = Msaa::Off;
        }
        Some(false) => {
            if let Some((before, dimmed)) = quality.lowered.take() {
                *msaa = before;
                for e in dimmed {
                    if let Ok((_, mut light)) = lights.get_mut(e) {
                        light.shadow_maps_enabled = true;
                    }
                }
            }
        }
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    /// Runs `frames` frames of `dt` each, the camera moving or not, applying each decision.
    fn run(q: &mut ViewQuality, now: &mut Duration, frames: u32, dt: Duration, moving: bool) {
        for _ in 0..frames {
            *now += dt;
            match q.step(dt, moving, *now) {
                Some(true) => q.lowered = Some((Msaa::Sample4, Vec::new())),
                Some(false) => q.lowered = None,
                None => {}
            }
        }
    }

    #[test]
    fn a_fast_view_keeps_full_quality_while_it_moves() {
        let (mut q, mut now) = (ViewQuality::default(), Duration::ZERO);
        run(&mut q, &mut now, 100, 16 * MS, true);
        assert!(!q.reduced());
    }

    #[test]
    fn a_slow_moving_view_is_lowered_then_restored_once_still() {
        let (mut q, mut now) = (ViewQuality::default(), Duration::ZERO);
        // Still and slow: full quality.
        run(&mut q, &mut now, 10, 500 * MS, false);
        assert!(!q.reduced());
        // Moving and slow: lowered, and it stays lowered although frames get faster.
        run(&mut q, &mut now, 3, 500 * MS, true);
        assert!(q.reduced());
        run(&mut q, &mut now, 30, 20 * MS, true);
        assert!(q.reduced());
        // Still for less than the settling time: still lowered; then restored.
        run(&mut q, &mut now, 10, 20 * MS, false);
        assert!(q.reduced());
        run(&mut q, &mut now, 15, 20 * MS, false);
        assert!(!q.reduced());
    }

    #[test]
    fn one_slow_frame_does_not_lower_the_view() {
        let (mut q, mut now) = (ViewQuality::default(), Duration::ZERO);
        run(&mut q, &mut now, 30, 16 * MS, true);
        run(&mut q, &mut now, 1, 150 * MS, true);
        assert!(!q.reduced());
    }

    #[test]
    fn switched_off_it_never_lowers() {
        let mut q = ViewQuality {
            enabled: false,
            ..default()
        };
        let mut now = Duration::ZERO;
        run(&mut q, &mut now, 20, 500 * MS, true);
        assert!(!q.reduced());
    }
}
