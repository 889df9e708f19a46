//! The credential watches as the console holds them.

use crate::model::watch::{Verdict, Watch};
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct WatchRow {
    pub watch: Watch,
    /// The verdict as journaled, once final.
    pub verdict: Option<String>,
}

impl WatchRow {
    /// Final verdicts come from the journal; until then, from the clock.
    pub fn verdict(&self, now: i64) -> Verdict {
        match self.verdict.as_deref() {
            Some("activity") => Verdict::Activity,
            Some(_) if self.watch.used_successfully() => Verdict::Activity,
            Some("unconfirmed") => Verdict::Unconfirmed,
            Some(_) if self.watch.blind.is_some() => Verdict::Unconfirmed,
            Some(_) => Verdict::Clean,
            None => match self.watch.status(now).verdict {
                // Not final until the runner says so (it journals it).
                Verdict::Clean | Verdict::Unconfirmed => Verdict::Watching,
                v => v,
            },
        }
    }

    pub fn is_final(&self) -> bool {
        self.verdict.is_some()
    }
}

#[derive(Debug, Default)]
pub struct WatchState {
    /// In the order started (W1, W2, …).
    pub rows: Vec<WatchRow>,
    pub selected: usize,
    /// Alerts, oldest first; the newest is the banner until the pane is
    /// opened.
    pub alerts: Vec<String>,
    pub unseen_alert: bool,
    /// The last error of each source, if it is failing.
    pub sources: BTreeMap<&'static str, String>,
    /// A target being typed in.
    pub input: Option<String>,
    /// The wall clock, from the runtime's tick (render stays pure).
    pub now: i64,
    /// Ring the terminal bell on an alert (--bell or [watch] bell).
    pub bell: bool,
    /// Set by an alert; the runtime rings the bell and clears it.
    pub ring: bool,
}

impl WatchState {
    pub fn any_open(&self) -> bool {
        self.rows.iter().any(|r| !r.is_final())
    }

    pub fn upsert(&mut self, watch: Watch) -> &mut WatchRow {
        let i = match self
            .rows
            .iter()
            .position(|r| r.watch.spec.id == watch.spec.id)
        {
            Some(i) => {
                self.rows[i].watch = watch;
                i
            }
            None => {
                self.rows.push(WatchRow {
                    watch,
                    verdict: None,
                });
                self.rows.len() - 1
            }
        };
        &mut self.rows[i]
    }
}
