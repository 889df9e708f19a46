#!/usr/bin/env python3
"""Bulk object-ACL reset benchmark: `warroom act reset-object-acls` vs the
obvious boto3 loop (one put_object_acl per key, one after another), side by
side in one run, on one moto server with two buckets of N public-read
objects each.

    .venv/bin/python bench/object_acl_bench.py --warroom $CARGO_TARGET_DIR/release/warroom

warroom does more per object than the loop: it reads and records each prior
ACL before writing (so it can undo and resume), skips objects already
owner-only, journals every batch with fsync, and reads back a sample. The
loop records nothing and cannot be undone or resumed.

Prints Markdown rows for BENCHMARKS.md. Loopback only.
"""
import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(__file__))
from scan_bench import client, start_moto  # noqa: E402

LAUNCHER = os.path.join(os.path.dirname(__file__), "..", "assets", "emulator", "launch_moto.py")


def seed(endpoint, bucket, n):
    s3 = client("s3", endpoint)
    s3.create_bucket(Bucket=bucket)

    def put(i):
        s3.put_object(Bucket=bucket, Key=f"o/{i:05d}", Body=b"x", ACL="public-read")

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(put, range(n)))


def keys(s3, bucket):
    out = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        out += [o["Key"] for o in page.get("Contents", [])]
    return out


def boto3_loop(endpoint, bucket):
    s3 = client("s3", endpoint)
    start = time.perf_counter()
    for key in keys(s3, bucket):
        s3.put_object_acl(Bucket=bucket, Key=key, ACL="private")
    return time.perf_counter() - start


def warroom_reset(binary, endpoint, bucket):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIABENCHBENCHBENCH0", AWS_SECRET_ACCESS_KEY="bench",
               AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        out = subprocess.run(
            [binary, "--endpoint-url", endpoint, "--region", "us-east-1",
             "--incident", os.path.join(tmp, "inc"),
             "act", "reset-object-acls", bucket, "--yes"],
            env=env, capture_output=True, text=True, timeout=1800)
        wall = time.perf_counter() - start
    if out.returncode != 0:
        sys.exit(f"warroom failed ({out.returncode}): {out.stdout}\n{out.stderr}")
    return wall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--warroom", required=True)
    ap.add_argument("--objects", type=int, default=10_000)
    ap.add_argument("--latency-ms", type=float, default=0,
                    help="the emulator waits this long before each answer, like a network round trip")
    args = ap.parse_args()
    if args.latency_ms:
        os.environ["WARROOM_LATENCY_MS"] = str(args.latency_ms)
    proc, endpoint = start_moto(sys.executable, LAUNCHER)
    try:
        t0 = time.perf_counter()
        seed(endpoint, "bench-loop", args.objects)
        seed(endpoint, "bench-warroom", args.objects)
        print(f"seeded 2 x {args.objects} objects in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
        loop = boto3_loop(endpoint, "bench-loop")
        ours = warroom_reset(args.warroom, endpoint, "bench-warroom")
    finally:
        proc.kill()
    n = args.objects
    host = f"{platform.machine()}, {os.cpu_count()} cores"
    print("| what | objects | wall time | objects/s |")
    print("|---|---:|---:|---:|")
    print(f"| boto3 loop: `put_object_acl(ACL='private')` per key, sequential | {n:,} | {loop:.2f} s | {n / loop:,.0f} |")
    print(f"| `warroom act reset-object-acls` (records each prior ACL, journals each batch, verifies a sample) | {n:,} | {ours:.2f} s | {n / ours:,.0f} |")
    print(f"\n({host}; moto {__import__('moto').__version__}; added latency {args.latency_ms:g} ms; "
          f"ratio {loop / ours:.2f}x)")


if __name__ == "__main__":
    main()
