//! Journal append throughput with durability (each append: the line written
//! and fsync'd, then journal.head replaced atomically and the directory
//! fsync'd), side by side with the same lines written without any fsync.
//!
//!     cargo bench --bench journal

use std::io::Write;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::json;
use warroom::incident::Incident;

fn bench(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut incident = Incident::open(Some(&tmp.path().join("inc"))).expect("incident");
    let data = json!({
        "summary": "action planned: block public access on acme-customer-exports",
        "target": {"bucket": "acme-customer-exports", "region": "us-east-1"},
        "evidence": {"evidence_sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "file": "evidence/x.json", "bytes": 1234},
    });
    let mut group = c.benchmark_group("journal append");
    group.throughput(Throughput::Elements(1));
    group.sample_size(30);
    group.bench_function("warroom append (fsync'd, head updated)", |b| {
        b.iter(|| incident.record("note", data.clone()).expect("append"));
    });
    let mut plain = std::fs::File::create(tmp.path().join("plain.jsonl")).expect("file");
    let line = format!("{}\n", serde_json::to_string(&data).expect("json"));
    group.bench_function("baseline: plain write, no fsync", |b| {
        b.iter(|| plain.write_all(line.as_bytes()).expect("write"));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
