#!/usr/bin/env bats
# `bpfdelegate explain` on libbpf's load, create and attach failures, as a
# real libbpf 1.5 loader (tests/libbpf/client, see tests/cli/libbpf.bats)
# prints them under `bpfdelegate run` with narrow delegations: each test
# captures the loader's stderr, feeds the libbpf lines to explain, and
# checks the cause it names.  tests/unit/test_loadmsg.c covers the forms
# that cannot be provoked here.
bats_require_minimum_version 1.5.0
load helpers

CLIENT="$(dirname "$BPFD")/tests/libbpf/client"
OBJ="$(dirname "$BPFD")/tests/libbpf/client.bpf.o"
XOBJ="$(dirname "$BPFD")/tests/libbpf/explain.bpf.o"

setup() {
	need_root_tokens
	if [ ! -x "$CLIENT" ] || [ ! -f "$OBJ" ] || [ ! -f "$XOBJ" ]; then
		local why="no $CLIENT, $OBJ or $XOBJ ('make libbpf-client' fetches Debian trixie's libbpf-dev)"
		[ "${CI:-}" = true ] && { echo "skip is a failure under CI=true: $why" >&2; return 1; }
		skip "$why"
	fi
	MARK=explain-$$-$BATS_TEST_NUMBER
	BEFORE=$(bpf_mount_count)
	# the loader's stderr, written by run's namespace root (an unmapped
	# uid cannot open a file of host root's in the sticky /tmp)
	ERRD=$(mktemp -d /tmp/bpfd-explain-XXXXXX)
	chmod 777 "$ERRD"
	ERR=$ERRD/stderr
}

teardown() {
	rm -rf "${ERRD:-}"
}

no_leftovers() {
	[ "$(bpf_mount_count)" = "$BEFORE" ]
	wait_no_marked "$MARK"
}

# load ARGS... -- CLIENT_ARGS...: run the client under `bpfdelegate run
# ARGS`, its stderr into $ERR; the client's exit status in $status.
load_under() {
	local a=()
	while [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	run env BPFD_TEST_MARK="$MARK" "$BPFD" run "${a[@]}" -- \
		sh -c 'e=$1; shift; "$@" 2>"$e"' sh "$ERR" "$CLIENT" "$@"
	cat "$ERR"
}

# line REGEX: the one libbpf line of $ERR that matches.
line() {
	local l
	l=$(grep -E "^libbpf: $1" "$ERR")
	[ -n "$l" ] || { echo "no libbpf line matching '$1' in:" >&2; cat "$ERR" >&2; return 1; }
	[ "$(wc -l <<<"$l")" -eq 1 ]
	printf '%s\n' "$l"
}

# Every libbpf line the loader printed is understood by explain.
all_understood() {
	local l
	while IFS= read -r l; do
		case "$l" in libbpf:*) ;; *) continue ;; esac
		run "$BPFD" explain "$l"
		[ "$status" -eq 0 ] || { echo "not understood: $l" >&2; return 1; }
	done <"$ERR"
}

ex() {
	run --separate-stderr "$BPFD" explain --json "$@"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "explain: prog 'X': BPF program load failed (--preset tracing, an XDP program): program type, attach type or capability, with X named" {
	load_under --preset tracing -- "$OBJ"
	[ "$status" -eq 2 ]
	l=$(line "prog 'xdp_pass': BPF program load failed: Operation not permitted$")
	ex "$l"
	jq -e '.message == "prog-load-failed" and .name == "xdp_pass" and .errno == "EPERM" and .harmless == false' <<<"$output"
	jq -e '[.causes[].id] | index("prog-type-not-delegated") and index("attach-type-not-delegated") and index("no-cap-bpf") and index("no-cap-prog-kind")' <<<"$output"
	jq -e '.causes[] | select(.id == "prog-type-not-delegated") | .kind == "delegation" and (.cause | contains("'"'xdp_pass'"'"))' <<<"$output"
	run "$BPFD" explain "$l"
	[[ "$output" == *"The kernel refused to load program 'xdp_pass' (EPERM)."* ]]
	ex "$(line "prog 'xdp_pass': failed to load: -1$")"
	jq -e '.name == "xdp_pass" and .errno == "EPERM"' <<<"$output"
	ex "$(line "permission error while running as root")"
	jq -e '.message == "root-ulimit-hint" and (.causes[0].cause | contains("RLIMIT_MEMLOCK plays no part"))' <<<"$output"
	ex "$(line "failed to load object ")"
	jq -e '.kind == "summary" and (.target | endswith("client.bpf.o"))' <<<"$output"
	all_understood
	no_leftovers
}

@test "explain: map 'X': failed to create (array maps only): the map type, with X named" {
	load_under --cmds map_create:prog_load:btf_load --maps array --progs any --attachs any -- "$OBJ"
	[ "$status" -eq 2 ]
	ex "$(line "map 'calls': failed to create: Operation not permitted\(-1\)$")"
	jq -e '.message == "map-create-failed" and .name == "calls" and .errno == "EPERM"' <<<"$output"
	jq -e '.causes[0].id == "map-create-not-delegated" and .causes[1].id == "map-type-not-delegated" and (.causes[1].cause | contains("'"'calls'"'"))' <<<"$output"
	ex "$(line "Error in bpf_create_map_xattr\(calls\):Operation not permitted\(-1\). Retrying without BTF.$")"
	jq -e '.message == "map-create-retry" and .name == "calls"' <<<"$output"
	all_understood
	no_leftovers
}

@test "explain: the inner map of a map-in-map whose type is not delegated" {
	load_under --cmds any --maps array,array_of_maps --progs any --attachs any -- "$XOBJ"
	[ "$status" -eq 2 ]
	ex "$(line "map 'outer': failed to create inner map: -1$")"
	jq -e '.message == "inner-map-create-failed" and .name == "outer" and .errno == "EPERM"' <<<"$output"
	jq -e '.what | contains("outer.inner")' <<<"$output"
	all_understood
	no_leftovers
}

@test "explain: Couldn't load trivial BPF program (--progs socket_filter,xdp --attachs xdp): attach bit 0, read from the bpffs inside" {
	# explain runs inside run's namespace too: it reads the delegation
	# of /sys/fs/bpf there and points at the item that is missing
	run --separate-stderr env BPFD_TEST_MARK="$MARK" "$BPFD" run --cmds map_create:prog_load:btf_load \
		--maps any --progs socket_filter,xdp --attachs xdp -- sh -c '
		"$1" "$2" 2>"$3" >/dev/null
		"$4" explain --json "$(grep "Couldn.t load trivial" "$3")"' \
		sh "$CLIENT" "$OBJ" "$ERR" "$BPFD"
	cat "$ERR"
	echo "$output"
	[ "$status" -eq 0 ]
	l=$(line "Error in bpf_object__probe_loading\(\):Operation not permitted\(1\). Couldn't load trivial BPF program.")
	jq -e '.message == "probe-loading-failed" and .errno == "EPERM" and .path == "/sys/fs/bpf"' <<<"$output"
	jq -e '.causes[0].id == "attach-zero-not-delegated" and .causes[0].delegated_here == false' <<<"$output"
	jq -e '.causes[] | select(.id == "probe-prog-type-not-delegated") | .delegated_here == true' <<<"$output"
	jq -e '.causes[] | select(.id == "prog-load-not-delegated") | .delegated_here == true' <<<"$output"
	# on the host, no delegation to compare with: the causes alone
	ex "$l"
	jq -e '.causes[0].id == "attach-zero-not-delegated" and .causes[0].delegated_here == null and .delegation == null' <<<"$output"
	run "$BPFD" explain "$l"
	[[ "$output" == *"cgroup_inet_ingress"* ]]
	no_leftovers
}

@test "explain: the same with cgroup_inet_ingress added: the probe passes (the cause was right)" {
	load_under --cmds map_create:prog_load:btf_load --maps any \
		--progs socket_filter,xdp --attachs xdp,cgroup_inet_ingress -- --only sock_filter,xdp_pass "$OBJ"
	[ "$status" -eq 0 ]
	! grep -q "Couldn't load trivial" "$ERR"
	no_leftovers
}

# The host's tracefs, in a private mount namespace of the test's own (this
# machine does not mount it; where the host has it mounted, e.g. after a
# `perf trace`, it is used as it is): `run` copies it, and the
# namespace's root may not read it.
tracefs_run() {
	unshare -m --propagation private sh -c '
		mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing || exit
		exec "$@"' sh "$@"
}

@test "explain: failed to determine tracepoint perf event ID: Permission denied: tracefs and perf_event_open need the host, no token grants them; raw_tp" {
	run tracefs_run env BPFD_TEST_MARK="$MARK" "$BPFD" run --preset tracing -- \
		sh -c 'e=$1; shift; "$@" 2>"$e"' sh "$ERR" "$CLIENT" --only tp_getppid,raw_sys_enter --attach-prog tp_getppid "$OBJ"
	cat "$ERR"
	[ "$status" -eq 4 ] # loaded with the token, not attached
	l=$(line "failed to determine tracepoint 'syscalls/sys_enter_getppid' perf event ID: Permission denied$")
	ex "$l"
	jq -e '.message == "tracepoint-id-failed" and .target == "syscalls/sys_enter_getppid" and .errno == "EACCES" and .kind == "attach"' <<<"$output"
	jq -e '[.causes[].kind] | all(. == "host-privilege")' <<<"$output"
	jq -e '.causes[] | select(.id == "use-raw-tp") | .fix | contains("raw_tp")' <<<"$output"
	ex "$(line "prog 'tp_getppid': failed to create tracepoint 'syscalls/sys_enter_getppid' perf event: Permission denied$")"
	jq -e '.name == "tp_getppid" and .target == "syscalls/sys_enter_getppid"' <<<"$output"
	all_understood
	# past tracefs (the id read on the host), perf_event_open() of the
	# tracepoint as libbpf calls it (pid -1, cpu 0) is refused with the
	# token as well: it needs CAP_PERFMON in the initial namespace
	# (kernel.perf_event_paranoid is $(cat /proc/sys/kernel/perf_event_paranoid) here)
	cat >"$ERRD/peo.py" <<-'PY'
		import ctypes, os, struct, sys
		libc = ctypes.CDLL(None, use_errno=True)
		attr = bytearray(128)  # type PERF_TYPE_TRACEPOINT, size, config
		struct.pack_into("IIQ", attr, 0, 2, 128, int(sys.argv[1]))
		buf = ctypes.create_string_buffer(bytes(attr), 128)
		fd = libc.syscall(298, buf, -1, 0, -1, 8)  # x86_64 perf_event_open
		print("perf_event_open:", "ok" if fd >= 0 else os.strerror(ctypes.get_errno()))
	PY
	[ "$(uname -m)" = x86_64 ] || skip "perf_event_open's number is x86_64's"
	run tracefs_run sh -c 'id=$(cat /sys/kernel/tracing/events/syscalls/sys_enter_getppid/id) &&
		python3 "$1" "$id" && "$2" run --preset tracing -- python3 "$1" "$id"' sh "$ERRD/peo.py" "$BPFD"
	echo "$output"
	[ "${lines[0]}" = "perf_event_open: ok" ] # host root
	[ "${lines[1]}" = "perf_event_open: Permission denied" ] # the token holder
	# what explain offers instead works with the same delegation
	run tracefs_run env BPFD_TEST_MARK="$MARK" "$BPFD" run --preset tracing -- \
		"$CLIENT" --only raw_sys_enter --attach-prog raw_sys_enter "$OBJ"
	[ "$status" -eq 0 ]
	[[ "$output" == *"attached raw_sys_enter"* ]]
	no_leftovers
}

@test "explain: a kprobe attach: tracefs (legacy) and perf_event_open need the host" {
	run tracefs_run env BPFD_TEST_MARK="$MARK" "$BPFD" run --preset all -- \
		sh -c 'e=$1; shift; "$@" 2>"$e"' sh "$ERR" "$CLIENT" --attach-prog kp_nanosleep "$XOBJ"
	cat "$ERR"
	[ "$status" -eq 4 ]
	ex "$(line "prog 'kp_nanosleep': failed to create kprobe 'do_nanosleep\+0x0' perf event: ")"
	jq -e '.message == "probe-perf-failed" and .name == "kp_nanosleep" and .target == "do_nanosleep+0x0"' <<<"$output"
	jq -e '.causes[0].id == "use-raw-tp" and .causes[0].kind == "host-privilege"' <<<"$output"
	all_understood
	no_leftovers
}

@test "explain: Failed to bump RLIMIT_MEMLOCK is harmless, and says why" {
	load_under --preset socket-filter -- --only sock_filter "$OBJ"
	[ "$status" -eq 0 ] # it loaded all the same
	l=$(line "Failed to bump RLIMIT_MEMLOCK \(err = -1\), you might need to do it explicitly!$")
	ex --from-userns "$l"
	jq -e '.message == "memlock-bump-failed" and .harmless == true and .errno == "EPERM"' <<<"$output"
	jq -e '[.causes[].id] == ["memcg-probe-without-token", "rlimit-needs-host-cap", "memcg-accounting"]' <<<"$output"
	# from the initial namespace the token-less probe is no cause
	ex --from-host "$l"
	jq -e '[.causes[].id] == ["rlimit-needs-host-cap", "memcg-accounting"]' <<<"$output"
	run "$BPFD" explain "$l"
	[[ "$output" == *"Harmless"* ]]
	no_leftovers
}

@test "explain: the -22 'skipping optional step' line is not harmless from a user namespace" {
	D=$(mktemp -d /tmp/bpfd-explain-dir-XXXXXX)
	# libbpf looks at its default /sys/fs/bpf, which is not the delegated
	# bpffs (that one is at $D): no token, and the load fails next
	run --separate-stderr env BPFD_TEST_MARK="$MARK" "$BPFD" run --preset all --target "$D" -- sh -c '
		env -u LIBBPF_BPF_TOKEN_PATH CLIENT_DEBUG=1 "$1" "$2" 2>"$3" >/dev/null
		"$4" explain --json "$(grep "skipping optional step" "$3")"' \
		sh "$CLIENT" "$OBJ" "$ERR" "$BPFD"
	rmdir "$D"
	echo "$output"
	[ "$status" -eq 0 ]
	l=$(line "object 'client': failed \(-22\) to create BPF token from '/sys/fs/bpf', skipping optional step...$")
	grep -q "Couldn't load trivial BPF program" "$ERR"
	# detected from the running process inside
	jq -e '.errno == "EINVAL" and .from_userns == true and .harmless == false' <<<"$output"
	jq -e '.harmless_text | startswith("Not harmless in a user namespace")' <<<"$output"
	# on the host: harmless, unless told where the message came from
	ex "$l"
	jq -e '.from_userns == false and .harmless == true' <<<"$output"
	ex --from-userns "$l"
	jq -e '.from_userns == true and .harmless == false' <<<"$output"
	run "$BPFD" explain --from-userns "$l"
	[[ "$output" == *"Not harmless in a user namespace"* ]]
	no_leftovers
}

@test "explain: unknown text is still one line and exit 2" {
	run "$BPFD" explain "libbpf: something else entirely"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "bpfdelegate: explain: 'libbpf: something else entirely' is not an errno name or number, nor a libbpf message explain knows" ]]
}
