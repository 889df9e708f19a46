#!/usr/bin/env bash
# Idle CPU of the console: open `warroom demo` in tmux at 80x24, wait for the
# scan to finish, then count the CPU time the warroom process uses over a
# quiet window. Target: ~0% (nothing is redrawn unless something changed).
#
#   bench/idle_cpu.sh [path/to/warroom] [seconds]
set -euo pipefail
bin=${1:-${CARGO_TARGET_DIR:-$HOME/.cache/warroom/target}/release/warroom}
window=${2:-30}
session=warroom-idle-$$
hz=$(getconf CLK_TCK)
tmux new-session -d -s "$session" -x 80 -y 24 "WARROOM_PYTHON=${WARROOM_PYTHON:-.venv/bin/python} $bin demo"
trap 'tmux kill-session -t "$session" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  tmux capture-pane -p -t "$session" | grep -q "scan complete" && break
  sleep 0.5
done
pid=$(pgrep -n -f "$bin demo")
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
t0=$(ticks "$pid"); sleep "$window"; t1=$(ticks "$pid")
cpu=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v w="$window" 'BEGIN { printf "%.2f", 100 * d / hz / w }')
echo "idle CPU over ${window}s: ${cpu}% ($((t1 - t0)) ticks at ${hz} Hz)"
