# The README's two commands: `make gameday` and `make test`. Both set up
# everything they need on a fresh machine (the emulator's virtualenv, the build).

SHELL := /bin/bash
# Keep build output outside the checkout so every clone (and CI) rebuilds
# incrementally: a cold build of the AWS SDK takes many minutes.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/warroom/target

VENV := .venv
PYTHON := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed
BIN := $(CARGO_TARGET_DIR)/debug/warroom

.PHONY: gameday test build lint bench fuzz venv clean-venv feature-parity makefile-check

# The pinned emulator (moto) and boto3 for the baseline benchmark.
$(VENV_STAMP): requirements-emulator.txt
	@command -v python3 >/dev/null || { echo "python3 is needed for the local emulator" >&2; exit 1; }
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements-emulator.txt
	touch $(VENV_STAMP)

venv: $(VENV_STAMP)

build:
	cargo build --locked

## A Game Day: a staged incident in a local emulator warroom starts and stops,
## a live attacker, the checklist as guide, a score at the end.
## Another scenario: make gameday GAMEDAY_ARGS="--scenario ssrf-instance-role"
gameday: $(VENV_STAMP) build
	WARROOM_PYTHON=$(abspath $(PYTHON)) $(BIN) gameday $(GAMEDAY_ARGS)

## Every test: unit, TUI snapshots, and integration tests against moto.
# Ends with one total line ("N passed, N failed") over every test binary.
# The log lives in CARGO_TARGET_DIR, which cargo has not created yet on a
# fresh machine: make it first (tee opens the log before cargo runs).
test: $(VENV_STAMP)
	mkdir -p $(CARGO_TARGET_DIR)
	set -o pipefail; WARROOM_PYTHON=$(abspath $(PYTHON)) cargo test --locked --all-targets 2>&1 \
		| tee $(CARGO_TARGET_DIR)/warroom-test.log
	@awk '/^test result:/ { p += $$4; f += $$6 } END { printf "%d passed, %d failed\n", p, f }' \
		$(CARGO_TARGET_DIR)/warroom-test.log

lint:
	cargo fmt --all -- --check
	cargo clippy --locked --all-targets -- -D warnings

## The console's build and the tests' build must compile every shared crate
## with one feature set, or the README's two commands cost two cold builds.
feature-parity:
	python3 .ci/feature_parity.py

## `make test` on a fresh machine: an empty CARGO_TARGET_DIR, a stand-in
## cargo (no build), and the closing "N passed, N failed" line must appear.
makefile-check:
	.ci/makefile_check

BENCH_STAMP := $(VENV)/.bench-installed

# The baselines the benchmarks compare against (s3-pit-restore).
$(BENCH_STAMP): $(VENV_STAMP) requirements-bench.txt
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	touch $(BENCH_STAMP)

## Benchmarks (see BENCHMARKS.md): render time, journal appends, the
## 1,000-bucket scan, the 10,000-object ACL reset, CloudTrail parsing, the
## trail pane's memory, point-in-time restore (time, requests, memory), and
## a flooded trail bucket (BASELINE=path/to/another/warroom to compare).
bench: $(BENCH_STAMP)
	cargo bench --locked --bench render
	cargo bench --locked --bench journal
	cargo bench --locked --bench trail_memory
	cargo bench --locked --bench restore_memory
	cargo build --locked --release
	$(PYTHON) bench/scan_bench.py --warroom $(CARGO_TARGET_DIR)/release/warroom
	$(PYTHON) bench/object_acl_bench.py --warroom $(CARGO_TARGET_DIR)/release/warroom
	$(PYTHON) bench/trail_parse_bench.py --warroom $(CARGO_TARGET_DIR)/release/warroom
	$(PYTHON) bench/pit_restore_bench.py --warroom $(CARGO_TARGET_DIR)/release/warroom
	$(PYTHON) bench/pit_restore_bench.py --latency-ms 20 --warroom $(CARGO_TARGET_DIR)/release/warroom
	$(PYTHON) bench/trail_flood_bench.py --files 20000 --warroom $(CARGO_TARGET_DIR)/release/warroom $(if $(BASELINE),--baseline $(BASELINE))

## Fuzz the policy analyser, the CloudTrail record parser and the log-file
## reader, each for FUZZ_SECONDS (default 600), with cargo-fuzz on nightly
## (see FUZZING.md). The corpora in fuzz/corpus grow with what is found.
FUZZ_SECONDS ?= 600
FUZZ_TARGETS := policy_analyser trail_record log_file
fuzz:
	command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
	cd fuzz && for t in $(FUZZ_TARGETS); do \
		CARGO_TARGET_DIR=$(HOME)/.cache/warroom/fuzz-target cargo +nightly fuzz run -O -a -s none $$t corpus/$$t -- \
			-max_total_time=$(FUZZ_SECONDS) -max_len=65536 || exit 1; \
	done

clean-venv:
	rm -rf $(VENV)
