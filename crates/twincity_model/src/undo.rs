//! Undo as a history of whole document states (the approach rerun uses): simple, always
//! consistent, and cheap for documents of this size.
//!
//! The editor calls [`History::observe`] once per frame with the current document and whether
//! an interaction (a slider or gizmo drag) is still in progress. A new state is recorded only
//! when the document differs from the last recorded one *and* no interaction is in progress,
//! so one drag becomes one undo step.

use std::collections::VecDeque;

/// Most states kept; the oldest are forgotten first.
pub const MAX_UNDO_STEPS: usize = 100;

#[derive(Clone, Debug)]
pub struct History<T> {
    states: VecDeque<T>,
    /// Index of the state the document is at.
    current: usize,
}

impl<T: Clone + PartialEq> History<T> {
    pub fn new(initial: T) -> Self {
        Self {
            states: VecDeque::from([initial]),
            current: 0,
        }
    }

    /// Forgets everything and starts from `state` (after New or Open).
    pub fn reset(&mut self, state: T) {
        *self = Self::new(state);
    }

    /// Records `doc` as a new step when it changed and no interaction is in progress.
    /// Returns true when a step was recorded.
    pub fn observe(&mut self, doc: &T, interacting: bool) -> bool {
        if interacting || self.states[self.current] == *doc {
            return false;
        }
        self.states.truncate(self.current + 1);
        self.states.push_back(doc.clone());
        if self.states.len() > MAX_UNDO_STEPS + 1 {
            self.states.pop_front();
        }
        self.current = self.states.len() - 1;
        true
    }

    pub fn can_undo(&self) -> bool {
        self.current > 0
    }

    pub fn can_redo(&self) -> bool {
        self.current + 1 < self.states.len()
    }

    /// Moves one step back; returns the state to restore.
    pub fn undo(&mut self) -> Option<&T> {
        if !self.can_undo() {
            return None;
        }
        self.current -= 1;
        Some(&self.states[self.current])
    }

    /// Moves one step forward; returns the state to restore.
    pub fn redo(&mut self) -> Option<&T> {
        if !self.can_redo() {
            return None;
        }
        self.current += 1;
        Some(&self.states[self.current])
    }

    /// [`History::undo`] when `back`, else [`History::redo`].
    pub fn step(&mut self, back: bool) -> Option<&T> {
        if back { self.undo() } else { self.redo() }
    }

    /// Number of steps that can be undone.
    pub fn undo_depth(&self) -> usize {
        self.current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drag_is_one_step_and_undo_redo_walk_the_history() {
        let mut h = History::new(0);
        // A drag: values change over several frames while the pointer is held.
        for v in 1..=5 {
            assert!(!h.observe(&v, true));
        }
        assert!(h.observe(&5, false));
        assert!(!h.observe(&5, false));
        assert!(h.observe(&7, false));
        assert_eq!(h.undo(), Some(&5));
        assert_eq!(h.undo(), Some(&0));
        assert_eq!(h.undo(), None);
        assert_eq!(h.redo(), Some(&5));
        // A new edit after undo drops the redo branch.
        assert!(h.observe(&9, false));
        assert!(!h.can_redo());
        assert_eq!(h.undo(), Some(&5));
    }

    #[test]
    fn history_is_capped() {
        let mut h = History::new(0);
        for v in 1..=250 {
            h.observe(&v, false);
        }
        assert_eq!(h.undo_depth(), MAX_UNDO_STEPS);
        let mut last = 250;
        while let Some(v) = h.undo() {
            last = *v;
        }
        assert_eq!(last, 250 - MAX_UNDO_STEPS as i32);
    }
}
