//! Full-frame render time at 160x48 with 1,000 scanned buckets (target: under
//! 1 ms), side by side with the naive baseline: a ratatui Table built from
//! every row, which is what most TUIs do.
//!
//!     cargo bench --bench render

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Constraint;
use ratatui::widgets::{Block, Borders, Row, Table, TableState};
use warroom::fixtures;
use warroom::scan::{BucketReport, ScanEvent};
use warroom::tui::app::{Context, Msg, State, update};
use warroom::tui::keymap::Keymap;
use warroom::tui::render::render;

fn scanned(n: usize) -> State {
    let mut s = State::new(
        Context {
            region: "us-east-1".into(),
            endpoint: None,
            profile: None,
            read_only: false,
            dry_run: false,
            incident: None,
            ec2_regions: Vec::new(),
        },
        Keymap::defaults(),
        false,
        (160, 48),
    );
    s.init();
    update(
        &mut s,
        Msg::Scan {
            generation: 1,
            event: ScanEvent::Account(fixtures::account()),
        },
    );
    for b in fixtures::many_buckets(n) {
        update(
            &mut s,
            Msg::Scan {
                generation: 1,
                event: ScanEvent::Bucket(Box::new(b)),
            },
        );
    }
    update(
        &mut s,
        Msg::Scan {
            generation: 1,
            event: ScanEvent::Finished,
        },
    );
    // Cursor in the middle: the worst case for windowing.
    let mid = s.buckets[n / 2].facts.name.clone();
    s.selected = Some(mid);
    s
}

fn naive_table(buckets: &[BucketReport], selected: usize) -> Table<'_> {
    let rows = buckets.iter().map(|b| {
        Row::new(vec![
            b.assessment.verdict.label().to_string(),
            b.facts.name.clone(),
            b.facts.region.known().cloned().unwrap_or_default(),
            b.assessment
                .reasons
                .first()
                .map(|r| r.text.clone())
                .unwrap_or_default(),
        ])
    });
    let _ = selected;
    Table::new(
        rows,
        [
            Constraint::Length(7),
            Constraint::Fill(2),
            Constraint::Length(12),
            Constraint::Fill(3),
        ],
    )
    .block(Block::default().borders(Borders::ALL))
}

fn bench(c: &mut Criterion) {
    let state = scanned(1_000);
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("test terminal");
    let mut group = c.benchmark_group("render 160x48, 1000 buckets");
    group.bench_function("warroom render (visible rows only)", |b| {
        b.iter(|| {
            terminal
                .draw(|f| render(black_box(&state), f))
                .expect("draw");
        })
    });
    let selected = state.selected_index().unwrap_or(0);
    group.bench_function("baseline: Table of all rows", |b| {
        b.iter(|| {
            terminal
                .draw(|f| {
                    let mut ts = TableState::default().with_selected(Some(selected));
                    f.render_stateful_widget(
                        naive_table(black_box(&state.buckets), selected),
                        f.area(),
                        &mut ts,
                    );
                })
                .expect("draw");
        })
    });
    group.finish();
}

criterion_group!(benches, bench, trail);
criterion_main!(benches);

/// The CloudTrail pane at 160x48 holding 100,000 events (target: under 2
/// ms a frame), following (cursor on the newest), paused half-way down, and
/// filtered; against a Table built from every event.
fn trail(c: &mut Criterion) {
    let mut s = scanned(10);
    // `cargo test` runs benches once, unoptimised, as a smoke test: a small
    // set keeps that quick. The benchmark proper (optimised) holds 100,000.
    let n = if cfg!(debug_assertions) {
        2_000
    } else {
        100_000
    };
    let events = fixtures::trail_events(n);
    let rows: Vec<(String, String, String)> = events
        .iter()
        .map(|e| (e.time.clone(), e.name.clone(), e.actor.label()))
        .collect();
    s.trail.started = true;
    s.trail.ring.extend(events);
    s.view = warroom::tui::app::View::Trail;
    let mut term = Terminal::new(TestBackend::new(160, 48)).expect("terminal");
    c.bench_function("trail pane 160x48, 100k events, following", |b| {
        b.iter(|| {
            term.draw(|f| render(black_box(&s), f)).expect("draw");
        })
    });
    s.trail.follow = false;
    s.trail.selected = n / 2;
    c.bench_function("trail pane 160x48, 100k events, paused half-way", |b| {
        b.iter(|| {
            term.draw(|f| render(black_box(&s), f)).expect("draw");
        })
    });
    s.trail.selected = 0;
    s.trail.filter = warroom::model::trail::TrailFilter::parse("mgmt").expect("filter");
    c.bench_function("trail pane 160x48, 100k events, filtered (mgmt)", |b| {
        b.iter(|| {
            term.draw(|f| render(black_box(&s), f)).expect("draw");
        })
    });
    c.bench_function("baseline: Table of all 100k events", |b| {
        b.iter(|| {
            term.draw(|f| {
                let table = Table::new(
                    rows.iter()
                        .map(|(t, n, p)| Row::new(vec![t.as_str(), n.as_str(), p.as_str()])),
                    [
                        Constraint::Length(20),
                        Constraint::Length(24),
                        Constraint::Fill(1),
                    ],
                )
                .block(Block::default().borders(Borders::ALL));
                let mut st = TableState::default().with_selected(Some(0));
                f.render_stateful_widget(table, f.area(), &mut st);
            })
            .expect("draw");
        })
    });
}
