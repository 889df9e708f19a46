#!/usr/bin/env python3
"""CloudTrail log parsing benchmark: `warroom trail --file … --count` vs a
plain Python gzip+json reader vs `gzip -dc | jq -c '.Records[]'`, side by
side in one run, on the same generated files.

    .venv/bin/python bench/trail_parse_bench.py --warroom $CARGO_TARGET_DIR/release/warroom \
        [--baseline /path/to/older/release/warroom]

Generates --mb megabytes (uncompressed) of realistic records (S3 data
events and management events with nested parameters, in CloudTrail's
delivery format: {"Records": [...]}, gzip'd, ~5 MB per file), then times
each reader --runs times and reports the median, as MB/s of uncompressed
JSON and per CPU-second (user+sys, children included), so it is per core.
Prints Markdown rows for BENCHMARKS.md. Nothing leaves the machine.
"""
import argparse
import gzip
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

NAMES_DATA = ["GetObject", "PutObject", "HeadObject", "DeleteObject", "ListObjects"]
NAMES_MGMT = ["GetBucketAcl", "PutBucketPolicy", "AssumeRole", "DescribeInstances",
              "ListBuckets", "CreateAccessKey", "ConsoleLogin", "GetCallerIdentity"]
AGENTS = ["aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64.amzn.2 prompt/off command/s3.cp",
          "aws-sdk-java/1.12.600 Linux/5.10 OpenJDK_64-Bit_Server_VM/17.0.9+8-LTS",
          "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#5.15 md/arch#x86_64 lang/python#3.11",
          "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488]"]


def record(rng, i):
    data = rng.random() < 0.7
    acct = "123456789012" if rng.random() < 0.9 else "999988887777"
    key = f"exports/{rng.randrange(10**6):06d}/part-{rng.randrange(1000):04d}.csv.gz"
    r = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": f"AROAEXAMPLE{rng.randrange(10**6):06d}:session-{i % 97}",
            "arn": f"arn:aws:sts::{acct}:assumed-role/app-{i % 13}/session-{i % 97}",
            "accountId": acct,
            "accessKeyId": f"ASIA{rng.randrange(10**12):016d}",
            "sessionContext": {
                "sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLE",
                                  "arn": f"arn:aws:iam::{acct}:role/app-{i % 13}",
                                  "accountId": acct, "userName": f"app-{i % 13}"},
                "attributes": {"creationDate": "2026-11-22T09:00:00Z", "mfaAuthenticated": "false"},
            },
        },
        "eventTime": f"2026-11-22T{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}Z",
        "eventSource": "s3.amazonaws.com" if data else "iam.amazonaws.com",
        "eventName": rng.choice(NAMES_DATA if data else NAMES_MGMT),
        "awsRegion": "us-east-1",
        "sourceIPAddress": f"{rng.randrange(1, 255)}.{rng.randrange(255)}.{rng.randrange(255)}.{rng.randrange(255)}",
        "userAgent": rng.choice(AGENTS),
        "requestParameters": {
            "bucketName": "acme-customer-exports", "Host": "acme-customer-exports.s3.us-east-1.amazonaws.com",
            "key": key, "x-id": "GetObject",
        } if data else {"roleArn": f"arn:aws:iam::{acct}:role/app-{i % 13}", "roleSessionName": f"s{i}",
                        "durationSeconds": 3600},
        "responseElements": None if data else {"credentials": {"accessKeyId": "ASIAEXAMPLE",
                                                               "sessionToken": "x" * 200,
                                                               "expiration": "Nov 22, 2026, 11:00:00 AM"}},
        "additionalEventData": {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
                                "bytesTransferredIn": 0, "bytesTransferredOut": rng.randrange(10**7),
                                "AuthenticationMethod": "AuthHeader", "x-amz-id-2": "a" * 76},
        "requestID": f"{rng.randrange(16**16):016X}",
        "eventID": f"{rng.randrange(16**32):032x}",
        "readOnly": True,
        "resources": [{"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::acme-customer-exports/{key}"},
                      {"accountId": "123456789012", "type": "AWS::S3::Bucket",
                       "ARN": "arn:aws:s3:::acme-customer-exports"}] if data else [],
        "eventType": "AwsApiCall",
        "managementEvent": not data,
        "recipientAccountId": "123456789012",
        "eventCategory": "Data" if data else "Management",
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                       "clientProvidedHostHeader": "acme-customer-exports.s3.us-east-1.amazonaws.com"},
    }
    return r


def generate(directory, mb, seed=7):
    rng = random.Random(seed)
    files, total, i = [], 0, 0
    target = mb * 1024 * 1024
    while total < target:
        records = []
        size = 0
        while size < 5 * 1024 * 1024 and total + size < target:
            text = json.dumps(record(rng, i), separators=(",", ":"))
            records.append(text)
            size += len(text) + 1
            i += 1
        body = ('{"Records":[' + ",".join(records) + "]}").encode()
        path = os.path.join(directory, f"123456789012_CloudTrail_us-east-1_20261122T{len(files):04d}Z_x.json.gz")
        with open(path, "wb") as f:
            f.write(gzip.compress(body, compresslevel=6))
        files.append(path)
        total += len(body)
    return files, total, i


def timed(cmd, shell=False):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(cmd, shell=shell, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, out.stdout.strip()


PY_READER = """
import gzip, json, sys
n = 0
for p in sys.argv[1:]:
    with gzip.open(p, 'rb') as f:
        n += len(json.load(f)['Records'])
print(n)
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--warroom", required=True)
    ap.add_argument("--baseline", help="an older warroom binary, timed side by side on the same files")
    ap.add_argument("--mb", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="trailbench")
    try:
        files, total, n = generate(tmp, args.mb)
        gz = sum(os.path.getsize(f) for f in files)
        print(f"generated {n:,} records, {total / 2**20:.0f} MB JSON in {len(files)} files "
              f"({gz / 2**20:.0f} MB gzip'd)", file=sys.stderr)
        readers = [
            ("`warroom trail --file … --count` (gunzip, parse, normalise every record)",
             [args.warroom, "trail", "--count"] + sum((["--file", f] for f in files), []), False),
            *([("baseline `warroom trail --file … --count`",
                [args.baseline, "trail", "--count"] + sum((["--file", f] for f in files), []), False)]
              if args.baseline else []),
            ("Python `gzip.open` + `json.load`", [sys.executable, "-c", PY_READER] + files, False),
            ("`gzip -dc | jq -c '.Records[]'`",
             "gzip -dc " + " ".join(files) + " | jq -c '.Records[]' | wc -l", True),
        ]
        results = {name: [] for name, _, _ in readers}
        for _ in range(args.runs):
            for name, cmd, shell in readers:
                wall, cpu, out = timed(cmd, shell)
                if int(out) != n:
                    sys.exit(f"{name} counted {out}, expected {n}")
                results[name].append((wall, cpu))
        mb = total / 2**20
        print("| reader | wall (median) | CPU s (user+sys) | MB/s wall | MB/s per CPU-second |")
        print("|---|---:|---:|---:|---:|")
        for name, runs in results.items():
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            print(f"| {name} | {wall:.2f} s | {cpu:.2f} s | {mb / wall:,.0f} | {mb / cpu:,.0f} |")
        print(f"\n({mb:.0f} MB of JSON, {n:,} records, {len(files)} files; {os.cpu_count()} cores)")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
