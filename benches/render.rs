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

criterion_group!(benches, bench);
criterion_main!(benches);
