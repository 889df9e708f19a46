//! A Game Day as the console shows it: the clock, the hints, the score.

use crate::gameday::score::Score;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default)]
pub struct GameDayView {
    pub title: String,
    /// When the game started (seconds): the timer counts from here.
    pub started: i64,
    pub hints: BTreeMap<String, String>,
    /// The attacker's moves so far: (worked, denied). Not drawn while the
    /// game runs (the trainee finds them in CloudTrail, as in real life).
    pub moves: (usize, usize),
    /// Set once finished; the timer stops.
    pub score: Option<Score>,
    pub finishing: bool,
    /// The scenario's compressed expiry: while a planted rule stands, the
    /// header counts down to this, not to the rule's real days.
    pub expiry_at: Option<i64>,
}

impl GameDayView {
    /// "04:12" since the start, frozen at the end.
    pub fn clock(&self, now: i64) -> String {
        let secs = match &self.score {
            Some(s) => s.elapsed_secs,
            None => (now - self.started).max(0),
        };
        format!("{:02}:{:02}", secs / 60, secs % 60)
    }
}
