#!/usr/bin/env python3
"""Scan benchmark: warroom vs a sequential boto3 script, side by side, on one
moto server holding N buckets. Also measures the emulator's own ceiling: the
same read calls issued by many concurrent plain HTTP clients.

    .venv/bin/python bench/scan_bench.py --warroom $CARGO_TARGET_DIR/release/warroom

Prints a Markdown table for BENCHMARKS.md. Loopback only; every loop is bounded.
"""
import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

READ_CALLS = [  # the same per-bucket reads warroom makes (GET ?subresource)
    "location", "publicAccessBlock", "policyStatus", "policy", "acl",
    "ownershipControls", "versioning", "encryption", "object-lock", "logging", "tagging",
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto(python, launcher=None):
    port = free_port()
    entry = [launcher] if launcher else ["-m", "moto.server"]
    proc = subprocess.Popen(
        [python, *entry, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit("moto did not start")


def client(service, endpoint):
    return boto3.client(
        service, endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="AKIABENCHBENCHBENCH0", aws_secret_access_key="bench",
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}))


def seed(endpoint, n):
    s3 = client("s3", endpoint)
    for i in range(n):
        name = f"bench-{i:05d}"
        s3.create_bucket(Bucket=name)
        if i % 10 == 0:
            s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Statement": [{
                "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{name}/*"}]}))
        if i % 13 == 0:
            s3.put_bucket_acl(Bucket=name, ACL="public-read")
        if i % 5 == 0:
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "data-classification", "Value": "internal"}]})


def boto3_sequential(endpoint):
    """What a responder would write by hand: every read, one after another."""
    start = time.perf_counter()
    first = None
    s3 = client("s3", endpoint)
    sts = client("sts", endpoint)
    control = client("s3control", endpoint)
    account = sts.get_caller_identity()["Account"]
    try:
        control.get_public_access_block(AccountId=account)
    except Exception:
        pass
    calls = [
        s3.get_bucket_location, s3.get_public_access_block, s3.get_bucket_policy_status,
        s3.get_bucket_policy, s3.get_bucket_acl, s3.get_bucket_ownership_controls,
        s3.get_bucket_versioning, s3.get_bucket_encryption, s3.get_object_lock_configuration,
        s3.get_bucket_logging, s3.get_bucket_tagging,
    ]
    for b in s3.list_buckets()["Buckets"]:
        for call in calls:
            try:
                call(Bucket=b["Name"])
            except Exception:
                pass  # "not configured" answers are errors in boto3
        if first is None:
            first = time.perf_counter() - start
    return first, time.perf_counter() - start


def warroom_scan(binary, endpoint):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIABENCHBENCHBENCH0", AWS_SECRET_ACCESS_KEY="bench",
               AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent")
    start = time.perf_counter()
    out = subprocess.run([binary, "--endpoint-url", endpoint, "--region", "us-east-1",
                          "scan", "--json", "--timings"], env=env, capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - start
    if out.returncode not in (0, 1):
        sys.exit(f"warroom scan failed ({out.returncode}): {out.stderr}")
    t = dict(kv.split("=") for kv in out.stderr.split("timings: ")[1].split()[0:3])
    doc = json.loads(out.stdout)
    return float(t["first_bucket_ms"]) / 1000, wall, len(doc["buckets"])


def emulator_ceiling(endpoint, n, threads):
    """The same GETs from `threads` concurrent keep-alive HTTP clients."""
    host, port = endpoint.removeprefix("http://").split(":")
    names = [f"bench-{i:05d}" for i in range(n)]
    work = [(b, sub) for b in names for sub in READ_CALLS]
    chunks = [work[i::threads] for i in range(threads)]

    def run(chunk):
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        for bucket, sub in chunk:
            conn.request("GET", f"/{bucket}?{sub}", headers={"Authorization": "AWS4-HMAC-SHA256 Credential=AKIABENCHBENCHBENCH0/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0"})
            conn.getresponse().read()
        conn.close()

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as ex:
        list(ex.map(run, chunks))
    return time.perf_counter() - start, len(work)


def requests_so_far(endpoint):
    """Requests the emulator has answered (the launcher's counter)."""
    host, port = endpoint.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.request("GET", "/_warroom/requests")
    counts = json.loads(conn.getresponse().read())
    conn.close()
    return sum(counts.values()), counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--warroom", required=True)
    ap.add_argument("--baseline", help="an older warroom build, run side by side in each run")
    ap.add_argument("--launcher", default=os.path.join(os.path.dirname(__file__), "..", "assets", "emulator", "launch_moto.py"),
                    help="the emulator launcher (counts requests; serves what warroom reads)")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--buckets", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    os.environ["WARROOM_COUNT_REQUESTS"] = "1"
    proc, endpoint = start_moto(args.python, args.launcher)
    try:
        t0 = time.perf_counter()
        seed(endpoint, args.buckets)
        print(f"seeded {args.buckets} buckets in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
        def counted(binary):
            before, by_before = requests_so_far(endpoint)
            first, wall, count = warroom_scan(binary, endpoint)
            after, by_after = requests_so_far(endpoint)
            assert count == args.buckets, count
            new = {k: v - by_before.get(k, 0) for k, v in by_after.items() if v != by_before.get(k, 0)}
            return first, wall, after - before, new

        rows, base_rows, reqs, base_reqs = [], [], None, None
        for run in range(args.runs):
            bf, bt = boto3_sequential(endpoint)
            if args.baseline:
                xf, xt, base_reqs, _ = counted(args.baseline)
                base_rows.append((xf, xt))
            wf, wt, reqs, by_kind = counted(args.warroom)
            ct, calls = emulator_ceiling(endpoint, args.buckets, 32)
            rows.append((bf, bt, wf, wt, ct))
            base = (f"baseline {base_rows[-1][1]:.2f}s (first {base_rows[-1][0] * 1000:.0f} ms, {base_reqs} requests) | "
                    if args.baseline else "")
            print(f"run {run + 1}: boto3 {bt:.2f}s (first {bf * 1000:.0f} ms) | {base}warroom {wt:.2f}s "
                  f"(first {wf * 1000:.0f} ms, {reqs} requests) | ceiling {ct:.2f}s for {calls} GETs", file=sys.stderr)
        med = [statistics.median(col) for col in zip(*rows)]
        bf, bt, wf, wt, ct = med
        print(f"| build | boto3 sequential | warroom scan | speed-up | warroom first row | requests (per bucket) | emulator ceiling (32 raw HTTP clients, same GETs) | warroom vs ceiling |")
        print(f"|---|---|---|---|---|---|---|---|")
        print(f"| this build | {bt:.2f} s | {wt:.2f} s | {bt / wt:.1f}x | {wf * 1000:.0f} ms | {reqs} ({reqs / args.buckets:.1f}) | {ct:.2f} s | {ct / wt * 100:.0f}% |")
        if args.baseline:
            xf, xt = [statistics.median(col) for col in zip(*base_rows)]
            print(f"| baseline | {bt:.2f} s | {xt:.2f} s | {bt / xt:.1f}x | {xf * 1000:.0f} ms | {base_reqs} ({base_reqs / args.buckets:.1f}) | {ct:.2f} s | {ct / xt * 100:.0f}% |")
        top = sorted(by_kind.items(), key=lambda kv: -kv[1])
        kinds = {}
        for k, v in top:
            method, path = k.split(" ", 1)
            sub = path.split("?", 1)[1] if "?" in path else ("(object list)" if path.count("/") == 1 else path)
            kinds[f"{method} ?{sub}"] = kinds.get(f"{method} ?{sub}", 0) + v
        print("requests of this build by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])), file=sys.stderr)
    finally:
        proc.kill()
        proc.wait()


if __name__ == "__main__":
    main()
