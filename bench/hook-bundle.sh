#!/usr/bin/env bash
# bench/hook-bundle.sh DIR PID TARGET [ANNOTATIONS-JSON]: a bundle for the
# delegating `bpfdelegate oci-hook` into process PID (bench/run.sh,
# bench/hot-text.sh): DIR/config.json and DIR/state.json.  The config is
# `runc spec`'s (3.7 KB: what the hook parses for a real container) with a
# user namespace, CAP_BPF and "/" as the root, so TARGET is that directory
# in PID's mount namespace; the annotations (default any x4) and the
# target are bpfdelegate.io/ annotations.
set -eu
dir=$1 pid=$2 target=$3
ann=${4:-'{"bpfdelegate.io/cmds": "any", "bpfdelegate.io/maps": "any",
	"bpfdelegate.io/progs": "any", "bpfdelegate.io/attachs": "any"}'}
caps='["CAP_BPF","CAP_PERFMON","CAP_NET_ADMIN"]'
mkdir -p "$dir"
(cd "$dir" && runc spec 2>/dev/null) || echo '{"ociVersion": "1.0.2"}' >"$dir/config.json"
jq --argjson c "$caps" --arg t "$target" --argjson a "$ann" '.root = {path: "/"}
	| .process.capabilities = {bounding: $c, effective: $c, permitted: $c}
	| .linux.namespaces = [{type: "user"}, {type: "mount"}]
	| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
	| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
	| .annotations = $a + {"bpfdelegate.io/target": $t}' "$dir/config.json" >"$dir/config.json.new"
mv "$dir/config.json.new" "$dir/config.json"
jq -cn --argjson p "$pid" --arg b "$dir" \
	'{ociVersion: "1.0.2", id: "bench", status: "creating", pid: $p, bundle: $b}' \
	>"$dir/state.json"
