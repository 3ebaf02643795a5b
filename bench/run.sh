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
"$here/build/bench" "$runs" true /bin/true -- "bpfdelegate run" "$bpfd" run --preset all -- /bin/true

# runc container start with `bpfdelegate oci-hook` in createRuntime vs
# without (issue 4: ratio <= 1.03); needs root, runc, jq, busybox-static.
# runc run is noisy (async netns/cgroup teardown of the previous run): more
# runs, and an A/A control line that shows the noise floor.
oruns=${BENCH_OCI_RUNS:-101}
echo "== oci: runc run of a busybox container (/bin/true), oci-hook vs no hook ($oruns interleaved runs each)"
if [ "$(id -u)" != 0 ] || ! command -v runc >/dev/null || ! command -v jq >/dev/null ||
	[ ! -x /bin/busybox ]; then
	echo "skipped: needs root, runc, jq and busybox-static (make deps)"
	exit 0
fi
oci=$(mktemp -d /tmp/bpfd-bench-oci.XXXXXX)
trap 'rm -rf "$oci"' EXIT
chmod 0755 "$oci"
mkb="$here/../tests/oci/mkbundle.sh"
"$mkb" "$oci/plain"
with_hook() { # DIR ANNOTATIONS-JSON: a bundle with the hook in createRuntime
	"$mkb" "$1"
	jq --arg p "$bpfd" --argjson ann "$2" \
		'.hooks.createRuntime = [{path: $p, args: ["bpfdelegate", "oci-hook"], timeout: 10}]
		 | .annotations = $ann' "$1/config.json" >"$1/config.json.new"
	mv "$1/config.json.new" "$1/config.json"
}
with_hook "$oci/hook" '{"bpfdelegate.io/cmds": "map_create", "bpfdelegate.io/maps": "array"}'
with_hook "$oci/idle" '{}'
r="$here/oci-run.sh"
"$here/build/bench" "$oruns" "runc run" "$r" "$oci/state" "$oci/plain" -- \
	"runc run + oci-hook" "$r" "$oci/state" "$oci/hook"
echo "== oci: the hook installed, no annotations (the container is left untouched)"
"$here/build/bench" "$oruns" "runc run" "$r" "$oci/state" "$oci/plain" -- \
	"runc run + idle hook" "$r" "$oci/state" "$oci/idle"
echo "== oci: control, the same bundle twice (noise floor of the ratio)"
"$here/build/bench" "$oruns" "runc run" "$r" "$oci/state" "$oci/plain" -- \
	"runc run again" "$r" "$oci/state" "$oci/plain"
