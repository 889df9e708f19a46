//! Resident memory of the console holding 100,000 CloudTrail events in its
//! trail pane (target: under 150 MB RSS), side by side with the naive
//! holding of the same records as `serde_json::Value` trees.
//!
//!     cargo bench --bench trail_memory
//!
//! Each variant runs in its own process (this binary re-executes itself),
//! so one variant's freed memory does not flatter the next.

#[path = "support/rss.rs"]
mod rss;
use rss::rss_kb;

use warroom::tui::app::{Context, Msg, State, update};
use warroom::tui::keymap::Keymap;

fn variant(name: &str, n: usize) {
    let before = rss_kb("VmRSS:");
    match name {
        "console" => {
            let mut s = State::new(Context::default(), Keymap::defaults(), true, (160, 48));
            s.trail.started = true;
            // In batches, as the tail delivers them.
            for start in (0..n).step_by(1000) {
                update(
                    &mut s,
                    Msg::Tail(warroom::tail::TailMsg::Events {
                        source: warroom::tail::Source::Logs,
                        events: warroom::fixtures::trail_events_from(start, 1000),
                    }),
                );
            }
            assert_eq!(s.trail.ring.len(), n);
            report(name, n, before);
            std::hint::black_box(&s);
        }
        _ => {
            let mut held: Vec<serde_json::Value> = Vec::new();
            for start in (0..n).step_by(1000) {
                held.extend(
                    warroom::fixtures::trail_events_from(start, 1000)
                        .iter()
                        .filter_map(|e| serde_json::from_str(&e.raw.get()).ok()),
                );
            }
            assert_eq!(held.len(), n);
            report(name, n, before);
            std::hint::black_box(&held);
        }
    }
}

fn report(name: &str, n: usize, before: u64) {
    let now = rss_kb("VmRSS:");
    println!(
        "{name}: {n} events held: RSS {:.1} MB (process), {:.1} MB for the events, peak {:.1} MB",
        now as f64 / 1024.0,
        now.saturating_sub(before) as f64 / 1024.0,
        rss_kb("VmHWM:") as f64 / 1024.0
    );
}

fn main() {
    // Unoptimised (`cargo test` runs it once as a smoke test): a small set.
    let n = if cfg!(debug_assertions) {
        2_000
    } else {
        100_000
    };
    rss::each_in_own_process(&["console", "serde_json_value"], |name| variant(name, n));
}
