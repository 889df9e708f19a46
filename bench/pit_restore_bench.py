#!/usr/bin/env python3
"""Point-in-time restore benchmark: `warroom act pit-restore` vs
s3-pit-restore (PyPI, restoring into the same bucket with -B), side by side
in one run, on one moto server that counts the requests it receives.

Each tool gets its own bucket with the same history: N keys written before
T; after T, 40% overwritten and 40% deleted (delete markers); 20% left
alone.

    .venv/bin/python bench/pit_restore_bench.py --warroom $CARGO_TARGET_DIR/release/warroom

What each does for the mix: s3-pit-restore copies every key that existed at
T (10 workers), untouched ones included, and brings deleted keys back by
copying. warroom plans first (one listing), skips keys already as they were,
removes delete markers in DeleteObjects batches of 1,000, copies only the
overwritten keys (32 at a time), journals every batch, and reads the listing
back to verify.

Prints Markdown rows for BENCHMARKS.md. Loopback only.
"""
import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(__file__))
from scan_bench import client, start_moto  # noqa: E402

LAUNCHER = os.path.join(os.path.dirname(__file__), "..", "assets", "emulator", "launch_moto.py")


def seed_before(endpoint, bucket, n):
    s3 = client("s3", endpoint)
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda i: s3.put_object(Bucket=bucket, Key=f"p/{i:05d}", Body=b"good data"), range(n)))


def seed_after(endpoint, bucket, n):
    s3 = client("s3", endpoint)

    def attack(i):
        if i % 5 < 2:
            s3.put_object(Bucket=bucket, Key=f"p/{i:05d}", Body=b"ransom note")
        elif i % 5 < 4:
            s3.delete_object(Bucket=bucket, Key=f"p/{i:05d}")

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(attack, range(n)))


def counts(endpoint):
    with urllib.request.urlopen(f"{endpoint}/_warroom/requests") as r:
        return json.load(r)


def requests_for(before, after, bucket):
    def mine(k):
        path = k.split(" ", 1)[1]
        return path == f"/{bucket}" or path.startswith(f"/{bucket}/") or path.startswith(f"/{bucket}?")
    return sum(v - before.get(k, 0) for k, v in after.items() if mine(k))


def check(endpoint, bucket, n):
    """Every key reads as it was at T."""
    s3 = client("s3", endpoint)
    bad = 0
    for i in range(0, n, max(1, n // 500)):
        try:
            body = s3.get_object(Bucket=bucket, Key=f"p/{i:05d}")["Body"].read()
        except s3.exceptions.NoSuchKey:
            body = None
        bad += body != b"good data"
    if bad:
        sys.exit(f"{bucket}: {bad} sampled keys are not as they were at T")


def env_for(endpoint):
    return dict(os.environ, AWS_ACCESS_KEY_ID="AKIABENCHBENCHBENCH0", AWS_SECRET_ACCESS_KEY="bench",
                AWS_DEFAULT_REGION="us-east-1", AWS_REGION="us-east-1", AWS_ENDPOINT_URL=endpoint,
                AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent")


def phases(journal):
    """Seconds spent planning (listing), applying and verifying (listing
    again), from the journal's own timestamps."""
    at = {}
    with open(journal) as f:
        for line in f:
            e = json.loads(line)
            at.setdefault(e["kind"], datetime.fromisoformat(e["time"].replace("Z", "+00:00")))
    span = lambda a, b: (at[b] - at[a]).total_seconds()
    return span("session_start", "action_planned"), span("action_confirmed", "action_applied"), \
        span("action_applied", "action_verified")


def run_warroom(binary, endpoint, bucket, t):
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        out = subprocess.run(
            [binary, "--endpoint-url", endpoint, "--region", "us-east-1",
             "--incident", os.path.join(tmp, "inc"),
             "act", "pit-restore", f"s3://{bucket}/p/", "--to", t.strftime("%Y-%m-%dT%H:%M:%SZ"), "--yes"],
            env=env_for(endpoint), capture_output=True, text=True, timeout=3600)
        wall = time.perf_counter() - start
        if out.returncode != 0:
            sys.exit(f"warroom failed ({out.returncode}): {out.stdout}\n{out.stderr}")
        return wall, phases(os.path.join(tmp, "inc", "journal.jsonl"))


def run_spr(tool, endpoint, bucket, t):
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, tool, "-b", bucket, "-B", bucket, "-p", "p/", "-t", t.isoformat()],
        env=env_for(endpoint), capture_output=True, text=True, timeout=3600)
    wall = time.perf_counter() - start
    if out.returncode != 0:
        sys.exit(f"s3-pit-restore failed ({out.returncode}): {out.stderr[-2000:]}")
    return wall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--warroom", required=True)
    ap.add_argument("--keys", type=int, default=10_000)
    ap.add_argument("--latency-ms", type=float, default=0,
                    help="the emulator waits this long before each answer, like a network round trip")
    args = ap.parse_args()
    tool = shutil.which("s3-pit-restore", path=os.path.dirname(sys.executable))
    if not tool:
        sys.exit("s3-pit-restore is not installed in this Python (make bench installs requirements-bench.txt)")
    os.environ["WARROOM_COUNT_REQUESTS"] = "1"
    if args.latency_ms:
        os.environ["WARROOM_LATENCY_MS"] = str(args.latency_ms)
    proc, endpoint = start_moto(sys.executable, LAUNCHER)
    n = args.keys
    try:
        t0 = time.perf_counter()
        for b in ("pit-spr", "pit-warroom"):
            seed_before(endpoint, b, n)
        time.sleep(1.5)
        t = datetime.now(timezone.utc).replace(microsecond=0)
        time.sleep(1.5)
        for b in ("pit-spr", "pit-warroom"):
            seed_after(endpoint, b, n)
        print(f"seeded 2 x {n} keys in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
        c0 = counts(endpoint)
        spr = run_spr(tool, endpoint, "pit-spr", t)
        c1 = counts(endpoint)
        ours, (plan_s, apply_s, verify_s) = run_warroom(args.warroom, endpoint, "pit-warroom", t)
        c2 = counts(endpoint)
        check(endpoint, "pit-spr", n)
        check(endpoint, "pit-warroom", n)
    finally:
        proc.kill()
    spr_req = requests_for(c0, c1, "pit-spr")
    our_req = requests_for(c1, c2, "pit-warroom")
    host = f"{platform.machine()}, {os.cpu_count()} cores"
    print("| tool | keys | wall time | requests |")
    print("|---|---:|---:|---:|")
    print(f"| s3-pit-restore 0.9 (`-B` same bucket, 10 workers) | {n:,} | {spr:.2f} s | {spr_req:,} |")
    print(f"| `warroom act pit-restore` (plans, journals each batch, verifies) | {n:,} | {ours:.2f} s | {our_req:,} |")
    print(f"\nwarroom's phases: plan (one listing) {plan_s:.1f} s, apply {apply_s:.1f} s, "
          f"verify (listing again) {verify_s:.1f} s")
    print(f"\n({host}; moto {__import__('moto').__version__}; added latency {args.latency_ms:g} ms; "
          f"warroom {spr / ours:.1f}x faster, {spr_req / max(our_req, 1):.1f}x fewer requests)")


if __name__ == "__main__":
    main()
