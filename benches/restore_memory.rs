//! Peak memory of planning a point-in-time restore over a listing of
//! 1,000,000 versions (250,000 keys, four entries each: 40% overwritten
//! after T, 40% deleted after T, 20% untouched), side by side with the
//! naive approach of collecting the whole listing before planning.
//!
//!     cargo bench --bench restore_memory
//!
//! The listing's pages (1,000 entries, as ListObjectVersions returns them)
//! are generated in memory: what is measured is the planner, not the SDK's
//! parsing. Each variant runs in its own process (this binary re-executes
//! itself), so one variant's freed memory does not flatter the next.

#[path = "support/rss.rs"]
mod rss;
use rss::rss_kb;

use warroom::model::restore::{Goal, Planner, Version};

const T: i64 = 1_795_000_000;

/// Page `n` of the generated listing: keys in order, newest entry first.
fn page(n: usize, per_page: usize) -> Vec<Version> {
    (n * per_page..(n + 1) * per_page)
        .map(|i| {
            let (k, nth) = (i / 4, i % 4);
            let key = format!("exports/customers/{k:08}.csv");
            let after_t = nth == 0 && k % 5 < 4;
            let marker = after_t && k % 5 >= 2;
            Version {
                key,
                version_id: format!("v{k:08}x{nth}xk3Jd9QpL0mZrT7uYbW2sE5"),
                is_latest: nth == 0,
                is_delete_marker: marker,
                last_modified: if after_t {
                    T + 60
                } else {
                    T - 3600 * nth as i64
                },
                size: if marker { 0 } else { 40_000 },
                etag: if marker {
                    String::new()
                } else {
                    format!("\"{:032x}\"", i * 7919)
                },
                storage_class: if marker {
                    String::new()
                } else {
                    "STANDARD".into()
                },
            }
        })
        .collect()
}

fn variant(name: &str, entries: usize) {
    let before = rss_kb("VmRSS:");
    let goal = Goal::PointInTime {
        to: T,
        hide_newer: false,
        hide_keys: Vec::new(),
        skip_versions: Vec::new(),
    };
    let pages = entries / 1000;
    let plan = match name {
        "streamed" => {
            let mut p = Planner::new(goal);
            for n in 0..pages {
                p.page(page(n, 1000));
            }
            p.finish()
        }
        _ => {
            let mut all: Vec<Version> = Vec::new();
            for n in 0..pages {
                all.extend(page(n, 1000));
            }
            let peak_listing = rss_kb("VmRSS:");
            let mut p = Planner::new(goal);
            p.page(all);
            println!(
                "  (collect_all: {:.1} MB held by the listing before planning)",
                peak_listing.saturating_sub(before) as f64 / 1024.0
            );
            p.finish()
        }
    };
    let now = rss_kb("VmRSS:");
    println!(
        "{name}: {} versions read, {} steps planned ({} roll back, {} undelete, {} unchanged): RSS {:.1} MB, peak {:.1} MB",
        plan.versions_seen,
        plan.steps.len(),
        plan.roll_back.keys,
        plan.undelete.keys,
        plan.unchanged.keys,
        now as f64 / 1024.0,
        rss_kb("VmHWM:") as f64 / 1024.0
    );
    std::hint::black_box(&plan);
}

fn main() {
    // Unoptimised (`cargo test` runs it once as a smoke test): a small set.
    let n = if cfg!(debug_assertions) {
        20_000
    } else {
        1_000_000
    };
    rss::each_in_own_process(&["streamed", "collect_all"], |name| variant(name, n));
}
