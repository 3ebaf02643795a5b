#!/usr/bin/env bats
# check and run warn about delegations that cannot work as asked: what a
# libbpf loader needs besides its object (attach bit 0, socket_filter,
# btf_load, array maps), and run --user capabilities COMMAND will lack.
# Warnings never change the exit status.  Each warning's claim is shown
# with the real libbpf 1.5 client (tests/libbpf) where one is built.
bats_require_minimum_version 1.5.0
load helpers

CLIENT="$(dirname "$BPFD")/tests/libbpf/client"
OBJ="$(dirname "$BPFD")/tests/libbpf/client.bpf.o"

need_client() {
	if [ ! -x "$CLIENT" ] || [ ! -f "$OBJ" ]; then
		local why="no $CLIENT or $OBJ ('make libbpf-client')"
		[ "${CI:-}" = true ] && { echo "skip is a failure under CI=true: $why" >&2; return 1; }
		skip "$why"
	fi
}

@test "check: --progs socket_filter,xdp --attachs xdp passes (exit 0) but warns: prog_load, attach bit 0, btf_load" {
	need_root_tokens
	run --separate-stderr "$BPFD" check --progs socket_filter,xdp --attachs xdp
	echo "$stderr"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"bpfdelegate: warning: a libbpf loader also needs --cmds prog_load: "* ]]
	[[ "$stderr" == *"bpfdelegate: warning: a libbpf loader also needs --attachs cgroup_inet_ingress: "*"Couldn't load trivial BPF program"* ]]
	[[ "$stderr" == *"bpfdelegate: warning: a libbpf loader also needs --cmds btf_load: "* ]]
	[ "$(grep -c '^bpfdelegate: warning: ' <<<"$stderr")" -eq 3 ]
	run --separate-stderr "$BPFD" check --json --progs socket_filter,xdp --attachs xdp
	[ "$status" -eq 0 ]
	jq -e '[.libbpf_warnings[].id] == ["prog-load", "attach-zero", "btf-load"] and .ok' <<<"$output"
	jq -e '.libbpf_warnings[1].add == "--attachs cgroup_inet_ingress"' <<<"$output"
}

@test "check: no socket_filter/tracepoint program type, no array map: warned" {
	need_root_tokens
	run --separate-stderr "$BPFD" check --json --cmds map_create:prog_load:btf_load --maps hash \
		--progs xdp --attachs xdp,cgroup_inet_ingress
	[ "$status" -eq 0 ]
	jq -e '[.libbpf_warnings[].id] == ["probe-prog-type", "array"]' <<<"$output"
	[[ "$stderr" == *"also needs --progs socket_filter: "* ]]
	[[ "$stderr" == *"also needs --maps array: "* ]]
}

@test "check: the default (any) and every preset draw no warning" {
	need_root_tokens
	run --separate-stderr "$BPFD" check --json
	[ "$status" -eq 0 ]
	jq -e '.libbpf_warnings == []' <<<"$output"
	[ -z "$stderr" ]
	presets=$("$BPFD" check --preset list | awk '/^[a-z]/ {print $1}')
	[ "$(wc -w <<<"$presets")" -ge 6 ]
	for p in $presets; do
		run --separate-stderr "$BPFD" check --json --preset "$p"
		echo "$p: $stderr"
		[ "$status" -eq 0 ]
		jq -e '.libbpf_warnings == []' <<<"$output"
		! grep -q warning <<<"$stderr"
	done
}

@test "the warnings are true: the libbpf client fails without attach bit 0 and loads without BTF without btf_load" {
	need_root_tokens
	need_client
	# attach bit 0 missing: libbpf's probe fails before the object
	run --separate-stderr "$BPFD" run --cmds map_create:prog_load:btf_load --maps any \
		--progs socket_filter,xdp --attachs xdp -- "$CLIENT" --only sock_filter "$OBJ"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"also needs --attachs cgroup_inet_ingress"* ]]
	[[ "$stderr" == *"libbpf: Error in bpf_object__probe_loading():Operation not permitted(1). Couldn't load trivial BPF program."* ]]
	# btf_load missing: everything loads, but the object's BTF is not
	# in the kernel (the client finds no BTF id)
	run --separate-stderr "$BPFD" run --cmds map_create:prog_load --maps any --progs any --attachs any -- \
		"$CLIENT" "$OBJ"
	echo "$output"
	[[ "$stderr" == *"also needs --cmds btf_load"* ]]
	grep -q '^loaded ' <<<"$output"
	grep -q '^btf client: id 0,' <<<"$output"
	# with it, the BTF is loaded through the token
	run --separate-stderr "$BPFD" run --cmds map_create:prog_load:btf_load --maps any --progs any --attachs any -- \
		"$CLIENT" "$OBJ"
	[ "$status" -eq 0 ]
	grep -q '^btf client: id [1-9][0-9]*, .*created with a BPF token$' <<<"$output"
	! grep -q warning <<<"$stderr"
}

@test "run --user --keep-caps none: accepted with a warning; COMMAND then cannot create a token (EPERM)" {
	need_root_tokens
	ensure_test_users
	run --separate-stderr "$BPFD" run --preset all --user bpfdtest --keep-caps none -- true
	[ "$status" -eq 0 ]
	[[ "$stderr" == "bpfdelegate: warning: --keep-caps without bpf: COMMAND cannot create a BPF token"* ]]
	# the default keeps bpf, perfmon, net_admin: no warning
	run --separate-stderr "$BPFD" run --preset all --user bpfdtest -- true
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	need_client
	run --separate-stderr "$BPFD" run --preset all --user bpfdtest --keep-caps none -- "$CLIENT" "$OBJ"
	[ "$status" -eq 2 ]
	l=$(grep "^libbpf: object 'client': failed (-1) to create BPF token from '/sys/fs/bpf'$" <<<"$stderr")
	run --separate-stderr "$BPFD" explain --json "$l"
	jq -e '.errno == "EPERM" and .harmless == false' <<<"$output"
}

@test "run --user --keep-caps bpf with tracing programs: warned about perfmon, and a raw_tp load does fail" {
	need_root_tokens
	ensure_test_users
	run --separate-stderr "$BPFD" run --preset tracing --user bpfdtest --keep-caps bpf -- true
	[ "$status" -eq 0 ]
	[ "$stderr" = "bpfdelegate: warning: --keep-caps lacks perfmon: COMMAND cannot load kprobe:tracepoint:perf_event:raw_tracepoint programs with the token" ]
	run --separate-stderr "$BPFD" run --preset xdp --user bpfdtest --keep-caps bpf -- true
	[ "$stderr" = "bpfdelegate: warning: --keep-caps lacks net_admin: COMMAND cannot load xdp programs with the token" ]
	need_client
	run --separate-stderr "$BPFD" run --preset tracing --user bpfdtest --keep-caps bpf -- \
		"$CLIENT" --only raw_sys_enter "$OBJ"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"libbpf: prog 'raw_sys_enter': BPF program load failed: Operation not permitted"* ]]
	run --separate-stderr "$BPFD" run --preset tracing --user bpfdtest --keep-caps bpf,perfmon -- \
		"$CLIENT" --only raw_sys_enter "$OBJ"
	[ "$status" -eq 0 ]
}
