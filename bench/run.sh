#!/usr/bin/env bash
# make bench: bpfdelegate check vs the syscall-only floor, interleaved.
# Targets (docs/performance.md): median ratio <= 1.2, peak RSS <= 4 MiB.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bpfd=${1:?usage: run.sh PATH/TO/bpfdelegate}
runs=${BENCH_RUNS:-41}
echo "== check: bpfdelegate check vs floor ($runs interleaved runs each)"
"$here/build/bench" "$runs" floor "$here/build/floor" -- "bpfdelegate check" "$bpfd" check
echo "== check --cmds map_create --maps array (same work as the floor + probes)"
"$here/build/bench" "$runs" floor "$here/build/floor" -- "check narrow" "$bpfd" check --cmds map_create --maps array
echo "== run: bpfdelegate run -- true vs true alone (run's overhead over COMMAND)"
"$here/build/bench" "$runs" true /bin/true -- "bpfdelegate run" "$bpfd" run -- /bin/true
