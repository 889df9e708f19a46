#!/usr/bin/env python3
"""Trail bucket flood benchmark: `warroom trail --follow --json` reading a
trail bucket that holds N tiny log files (an attacker flooding it, or a
backlog after an outage), side by side with a baseline build of warroom.

    .venv/bin/python bench/trail_flood_bench.py --warroom $CARGO_TARGET_DIR/release/warroom \
        --baseline /tmp/warroom-before --files 20000

The files are put straight into the emulator (the launcher's bulk hook),
one record each, in today's delivery folder of a trail the emulator knows.
For each build it measures, in one run on one emulator:
  - the time to the first event printed (how long the tail shows nothing);
  - the time until all N events are printed (each exactly once);
  - the peak resident memory of the warroom process (VmHWM).

Prints a Markdown table for BENCHMARKS.md. Loopback only.
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(__file__))
from scan_bench import client, start_moto  # noqa: E402

LAUNCHER = os.path.join(os.path.dirname(__file__), "..", "assets", "emulator", "launch_moto.py")
ACCOUNT = "123456789012"
BUCKET = "flood-trail-logs"


def env_for(endpoint):
    return dict(os.environ, AWS_ACCESS_KEY_ID="AKIABENCHBENCHBENCH0", AWS_SECRET_ACCESS_KEY="bench",
                AWS_DEFAULT_REGION="us-east-1", AWS_REGION="us-east-1", AWS_ENDPOINT_URL=endpoint,
                AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent")


def seed(endpoint, n):
    client("s3", endpoint).create_bucket(Bucket=BUCKET)
    client("cloudtrail", endpoint).create_trail(Name="main", S3BucketName=BUCKET)
    now = datetime.now(timezone.utc)
    folder = f"AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/{now:%Y/%m/%d}/"
    record = {
        "eventVersion": "1.09",
        "userIdentity": {"type": "AWSAccount", "principalId": "", "accountId": "anonymous"},
        "eventTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7",
        "requestParameters": {"bucketName": "acme-customer-records", "key": "x"},
        "eventID": "flood-{i}", "readOnly": True, "eventType": "AwsApiCall",
        "managementEvent": False, "recipientAccountId": ACCOUNT,
    }
    spec = {
        "bucket": BUCKET,
        "key": f"{folder}{ACCOUNT}_CloudTrail_us-east-1_{now:%Y%m%dT%H%M}Z_{{i}}.json.gz",
        "body": json.dumps({"Records": [record]}),
        "first": 0, "count": n,
    }
    req = urllib.request.Request(f"{endpoint}/_warroom/bulk", data=json.dumps(spec).encode(), method="POST")
    with urllib.request.urlopen(req, timeout=600) as r:
        assert r.status == 200


def peak_rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def run(binary, endpoint, n, timeout):
    """Time to the first event and to all n; peak RSS. Each event once."""
    proc = subprocess.Popen(
        [binary, "--endpoint-url", endpoint, "--region", "us-east-1",
         "trail", "--since", "1h", "--json", "--follow"],
        env=env_for(endpoint), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    start = time.perf_counter()
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    seen, first, last = set(), None, None
    for line in proc.stdout:
        event_id = json.loads(line)["event_id"]
        if first is None:
            first = time.perf_counter() - start
        if event_id in seen:
            sys.exit(f"{binary}: {event_id} printed twice")
        seen.add(event_id)
        if len(seen) == n:
            last = time.perf_counter() - start
            break
    rss = peak_rss_mb(proc.pid)
    timer.cancel()
    proc.kill()
    proc.wait()
    if last is None:
        sys.exit(f"{binary}: {len(seen)} of {n} events before it stopped")
    return first, last, rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--warroom", required=True)
    ap.add_argument("--baseline", help="another warroom build to compare with")
    ap.add_argument("--files", type=int, default=20_000)
    ap.add_argument("--latency-ms", type=float, default=0,
                    help="the emulator waits this long before each answer, like a network round trip")
    ap.add_argument("--timeout", type=float, default=3600)
    args = ap.parse_args()
    os.environ["WARROOM_BULK"] = "1"
    if args.latency_ms:
        os.environ["WARROOM_LATENCY_MS"] = str(args.latency_ms)
    proc, endpoint = start_moto(sys.executable, LAUNCHER)
    try:
        t0 = time.perf_counter()
        seed(endpoint, args.files)
        print(f"seeded {args.files} log files in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
        builds = [("warroom", args.warroom)]
        if args.baseline:
            builds.append(("baseline", args.baseline))
        print(f"\n{args.files:,} log files, emulator latency {args.latency_ms:g} ms\n")
        print("| build | first event | all events | files/s | peak RSS |")
        print("|---|---:|---:|---:|---:|")
        for name, binary in builds:
            first, last, rss = run(binary, endpoint, args.files, args.timeout)
            print(f"| {name} | {first:.2f} s | {last:.1f} s | {args.files / last:,.0f} | {rss:.1f} MB |",
                  flush=True)
    finally:
        proc.kill()


if __name__ == "__main__":
    main()
