#!/usr/bin/env bats
# A real libbpf client under `bpfdelegate run`: tests/libbpf/client, a plain
# bpf_object__open_file() + bpf_object__load() loader linked statically with
# Debian trixie's libbpf 1.5 (no token code of ours: libbpf finds the token
# through LIBBPF_BPF_TOKEN_PATH, which `run` sets), and
# tests/libbpf/client.bpf.o (hash + array maps, .rodata, .bss, a tracepoint,
# a raw_tp, a socket filter, an XDP program).  The client reports, from its
# own bpf() calls (-Wl,--wrap=syscall), whether each map, program and the
# BTF were created with BPF_F_TOKEN_FD and a BPF token fd; see
# tests/libbpf/client.c for its exit codes.
load helpers

CLIENT="$(dirname "$BPFD")/tests/libbpf/client"
OBJ="$(dirname "$BPFD")/tests/libbpf/client.bpf.o"

setup() {
	need_root_tokens
	if [ ! -x "$CLIENT" ] || [ ! -f "$OBJ" ]; then
		local why="no $CLIENT or $OBJ ('make libbpf-client' fetches Debian trixie's libbpf-dev)"
		[ "${CI:-}" = true ] && { echo "skip is a failure under CI=true: $why" >&2; return 1; }
		skip "$why"
	fi
	MARK=libbpf-$$-$BATS_TEST_NUMBER
	BEFORE=$(bpf_mount_count)
}

teardown() {
	if [ -n "${TDIR:-}" ]; then
		umount -l "$TDIR" 2>/dev/null || true
		rmdir "$TDIR"
	fi
}

# Nothing left on the host: no bpf mount, no marked process, no pin.
no_leftovers() {
	[ "$(bpf_mount_count)" = "$BEFORE" ]
	wait_no_marked "$MARK"
	[ ! -e /sys/fs/bpf/client ]
}

# client_ok N: every one of N objects (maps + programs + the BTF) was
# created with the token, none without, and libbpf said nothing about a
# token (it prints nothing when a token works).
client_ok() {
	[ "$(grep -c 'created with a BPF token$' <<<"$output")" -eq "$1" ]
	! grep -q 'WITHOUT a token' <<<"$output"
	! grep -qi 'token' <<<"$(grep '^libbpf: ' <<<"$output")"
	grep -q '^libbpf v1\.5, LIBBPF_BPF_TOKEN_PATH=./sys/fs/bpf.$' <<<"$output"
}

@test "libbpf 1.5: the whole object loads under run --preset all through the token, runs, and pins into the delegated bpffs" {
	run env BPFD_TEST_MARK="$MARK" "$BPFD" run --preset all --netns new -- sh -c '
		"$1" --attach --pin /sys/fs/bpf/client "$2" || exit
		stat -f -c "fs %T" /sys/fs/bpf/client/maps/counts
		ls /sys/fs/bpf/client/maps /sys/fs/bpf/client/progs' sh "$CLIENT" "$OBJ"
	echo "$output"
	[ "$status" -eq 0 ]
	client_ok 9 # counts, calls, .rodata, .bss; 4 programs; BTF
	# libbpf's object-name probe loads without the token and gets EPERM, so
	# libbpf passes no names (docs/kernel-facts.md)
	[ "$(grep -cE "^(map|prog) .*kernel name '', created with a BPF token$" <<<"$output")" -eq 8 ]
	# every map and BTF load libbpf makes, probes included, has the token
	grep -Eq '^bpf\(map_create\): ([0-9]+) calls, \1 with a token$' <<<"$output"
	grep -Eq '^bpf\(btf_load\): ([0-9]+) calls, \1 with a token$' <<<"$output"
	grep -q '^raw_tp: .bss raw_tp_hits [1-9][0-9]*, counts\[0\] 0x7e57c0de0b1ec7$' <<<"$output"
	grep -q '^socket filter: counts\[1\] [1-9]' <<<"$output"
	grep -q '^xdp: counts\[2\] [1-9]' <<<"$output"
	grep -q '^pinned 8 objects under /sys/fs/bpf/client (bpffs)$' <<<"$output"
	grep -qx 'fs bpf_fs' <<<"$output"
	for n in counts calls client_rodata client_bss tp_getppid raw_sys_enter sock_filter xdp_pass; do
		grep -qx "$n" <<<"$output"
	done
	no_leftovers
}

@test "libbpf 1.5: --preset tracing is enough for the tracepoint, the raw_tp and the socket filter" {
	run env BPFD_TEST_MARK="$MARK" "$BPFD" run --preset tracing --netns new -- \
		"$CLIENT" --only tp_getppid,raw_sys_enter,sock_filter --attach "$OBJ"
	echo "$output"
	[ "$status" -eq 0 ]
	client_ok 8
	grep -q '^raw_tp: .bss raw_tp_hits [1-9]' <<<"$output"
	no_leftovers
}

@test "libbpf 1.5: --preset xdp is enough for XDP (attached to lo in --netns new) and the socket filter" {
	run env BPFD_TEST_MARK="$MARK" "$BPFD" run --preset xdp --netns new -- \
		"$CLIENT" --only xdp_pass,sock_filter --attach "$OBJ"
	echo "$output"
	[ "$status" -eq 0 ]
	client_ok 7
	grep -q '^xdp: counts\[2\] [1-9]' <<<"$output"
	no_leftovers
}

@test "libbpf 1.5: --preset socket-filter is enough for the socket filter" {
	run env BPFD_TEST_MARK="$MARK" "$BPFD" run --preset socket-filter -- \
		"$CLIENT" --only sock_filter --attach "$OBJ"
	echo "$output"
	[ "$status" -eq 0 ]
	client_ok 6
	grep -q '^socket filter: counts\[1\] [1-9]' <<<"$output"
	no_leftovers
}

@test "libbpf 1.5: with the token disabled (LIBBPF_BPF_TOKEN_PATH=) the load fails with EPERM" {
	run env BPFD_TEST_MARK="$MARK" "$BPFD" run --preset all -- \
		env LIBBPF_BPF_TOKEN_PATH= "$CLIENT" "$OBJ"
	echo "$output"
	[ "$status" -eq 2 ]
	grep -q "^libbpf v1\.5, LIBBPF_BPF_TOKEN_PATH=''$" <<<"$output"
	grep -q '^client: bpf_object__load: Operation not permitted (-1)$' <<<"$output"
	! grep -q '^loaded ' <<<"$output"
	no_leftovers
}

@test "libbpf 1.5: a delegation without the xdp program type (--preset tracing) fails at load with EPERM" {
	run env BPFD_TEST_MARK="$MARK" "$BPFD" run --preset tracing --netns new -- "$CLIENT" "$OBJ"
	echo "$output"
	[ "$status" -eq 2 ]
	grep -q "^libbpf: prog 'xdp_pass': BPF program load failed: Operation not permitted$" <<<"$output"
	grep -q '^client: bpf_object__load: Operation not permitted (-1)$' <<<"$output"
	no_leftovers
}

@test "libbpf 1.5: a delegation without the hash map type fails at map creation with EPERM" {
	run env BPFD_TEST_MARK="$MARK" "$BPFD" run --cmds map_create:prog_load:btf_load \
		--maps array --progs any --attachs any -- "$CLIENT" "$OBJ"
	echo "$output"
	[ "$status" -eq 2 ]
	grep -q "^libbpf: map 'calls': failed to create: .*Operation not permitted" <<<"$output"
	grep -q '^client: bpf_object__load: Operation not permitted (-1)$' <<<"$output"
	no_leftovers
}

@test "libbpf 1.5: the client's token check sees a load without a token (host root, LIBBPF_BPF_TOKEN_PATH=)" {
	# The counter-test of client_ok: host root needs no token, so the load
	# succeeds and every object must be reported as created without one.
	run env LIBBPF_BPF_TOKEN_PATH= "$CLIENT" "$OBJ"
	echo "$output"
	[ "$status" -eq 3 ]
	grep -q '^loaded ' <<<"$output"
	[ "$(grep -c 'created WITHOUT a token$' <<<"$output")" -eq 9 ]
	! grep -q 'created with a BPF token' <<<"$output"
	grep -q '^bpf(prog_load): [1-9][0-9]* calls, 0 with a token$' <<<"$output"
	# without a token the name probe succeeds: the kernel has the names
	grep -q "^prog xdp_pass: id [0-9]*, kernel name 'xdp_pass', created WITHOUT" <<<"$output"
	grep -q "^map client.rodata: id [0-9]*, kernel name 'client.rodata', created WITHOUT" <<<"$output"
}

@test "libbpf 1.5: with run --target DIR, libbpf takes the token from DIR (LIBBPF_BPF_TOKEN_PATH) and pins there" {
	# No '.' in DIR: libbpf turns every '.' of a pin path into '_'.
	TDIR=$(mktemp -d /tmp/bpfd-libbpf-XXXXXX)
	local dir=$TDIR
	run env BPFD_TEST_MARK="$MARK" "$BPFD" run --preset socket-filter --target "$dir" -- \
		"$CLIENT" --only sock_filter --attach --pin "$dir/client" "$OBJ"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx "libbpf v1\.5, LIBBPF_BPF_TOKEN_PATH='$dir'" <<<"$output"
	[ "$(grep -c 'created with a BPF token$' <<<"$output")" -eq 6 ]
	! grep -q 'WITHOUT a token' <<<"$output"
	grep -qx "pinned 5 objects under $dir/client (bpffs)" <<<"$output"
	# the mount and the pins were in run's mount namespace only
	not_mountpoint "$dir"
	[ -z "$(ls -A "$dir")" ]
	no_leftovers
}
