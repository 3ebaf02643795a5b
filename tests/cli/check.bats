#!/usr/bin/env bats
# End-to-end tests of `bpfdelegate check` on the real kernel.
bats_require_minimum_version 1.5.0
load helpers

@test "--help and --version exit 0" {
	run "$BPFD" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage:"* ]]
	[[ "$output" == *"check"* ]]
	run "$BPFD" check --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--maps LIST"* ]]
	[[ "$output" == *"See bpfdelegate(1)."* ]]
	run "$BPFD" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^bpfdelegate\ [0-9] ]]
}

@test "unknown command and option are usage errors (exit 2)" {
	run "$BPFD" frobnicate
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown command 'frobnicate'"* ]]
	[[ "$output" == *"Try 'bpfdelegate --help'"* ]]
	run "$BPFD" check --bogus
	[ "$status" -eq 2 ]
	[[ "$output" == *"--bogus"* ]]
	run "$BPFD" check extra-arg
	[ "$status" -eq 2 ]
	run "$BPFD" check --timeout -3
	[ "$status" -eq 2 ]
	[[ "$output" == *"--timeout"* ]]
	run "$BPFD" check --cmds 0 --maps 0x0
	[ "$status" -eq 2 ]
	[[ "$output" == *"nothing to delegate"* ]]
}

# Exit 4 instead on a kernel without tokens (list_error, helpers.bash).
@test "an unknown name is exit 2 (4 on a kernel without tokens) naming the option, the word and the closest names" {
	run "$BPFD" check --maps hash:hsh
	list_error "$status" "${lines[@]}"
	[[ "$MSG" == *"--maps"* ]]
	[[ "$MSG" == *"'hsh'"* ]]
	[[ "$MSG" == *"hash"* ]]
	run "$BPFD" check --progs xdp,,kprobe
	list_error "$status" "${lines[@]}"
	[[ "$MSG" == *"--progs"* ]]
	run "$BPFD" check --preset nosuch
	list_error "$status" "${lines[@]}"
	[[ "$MSG" == *"nosuch"* ]]
}

@test "--preset list shows every preset with its contents" {
	run "$BPFD" check --preset list
	[ "$status" -eq 0 ]
	for p in all xdp tc socket-filter cgroup tracing; do
		[[ "$output" == *"$p"* ]]
	done
	[[ "$output" == *"kprobe"* ]]
}

@test "not root: exit 3 with one line saying so" {
	need_root_tokens
	run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$BPFD" check
	[ "$status" -eq 3 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"CAP_SYS_ADMIN"* ]]
}

@test "default check passes: token created, every probe agrees" {
	need_root_tokens
	before=$(bpf_mount_count)
	run "$BPFD" check
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Result: ok"* ]]
	[[ "$output" == *"token create"* ]]
	[ "$(bpf_mount_count)" -eq "$before" ]
}

@test "--json is one document agreeing with the exit code" {
	need_root_tokens
	run --separate-stderr "$BPFD" check --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.ok == true and .exit_code == 0 and .error == null'
	echo "$output" | jq -e '.requested.maps.list == "any" and .token.maps.mask == "0xffffffffffffffff"'
	echo "$output" | jq -e '[.probes[] | select(.kind == "maps" and .name == "hash")][0].result == "works"'
	echo "$output" | jq -e '.summary.disagreements == 0 and .summary.works > 10'
}

@test "narrow delegation: array map works, hash map and prog load refused" {
	need_root_tokens
	run --separate-stderr "$BPFD" check --cmds map_create --maps array --json
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '[.probes[] | select(.kind == "maps" and .name == "array")][0] | .result == "works" and .delegated'
	echo "$output" | jq -e '[.probes[] | select(.kind == "maps" and .name == "hash")][0] | .result == "refused" and .errno == "EPERM" and .agrees'
	echo "$output" | jq -e '[.probes[] | select(.kind == "cmds" and .name == "prog_load")][0] | .result == "refused" and (.delegated | not)'
	echo "$output" | jq -e '.summary.refused_as_expected > 0 and .summary.disagreements == 0'
	echo "$output" | jq -e '.kept.cmds.list == "map_create" and .kept.maps.list == "array"'
}

@test "names, hex and mixed syntaxes give the same masks in mountinfo" {
	need_root_tokens
	local ref=""
	# hash is map type 1, array 2: the mask is 0x6; map_create is cmd 0.
	for spec in "-m hash:array -c map_create" \
		    "-m 0x6 -c 0x1" \
		    "-m BPF_MAP_TYPE_HASH,4 -c BPFCommandMapCreate" \
		    "-m HASH -m 0x4 -c BPF_MAP_CREATE" \
		    "--maps=6 --cmds=1"; do
		run --separate-stderr "$BPFD" check $spec --json
		[ "$status" -eq 0 ]
		got=$(echo "$output" | jq -c '[.kept.cmds.mask, .kept.maps.mask, .mount_options]')
		[[ "$got" == '["0x1","0x6",'*"delegate_cmds=map_create,delegate_maps=hash:array"* ]]
		[ -z "$ref" ] && ref=$got
		[ "$got" = "$ref" ]
	done
}

@test "the read-back without statmount (before 6.8/6.11): mountinfo through libmount, the same options and masks" {
	use_faults
	local spec
	for spec in "-m hash:array -c map_create" "--preset all" "-p socket_filter -c prog_load"; do
		run --separate-stderr "$BPFD" check $spec --json
		[ "$status" -eq 0 ]
		want=$(echo "$output" | jq -c '[.kept, .mount_options]')
		BPFDELEGATE_TEST_FAULT=no-statmount run --separate-stderr "$BPFD" check $spec --json
		[ "$status" -eq 0 ]
		got=$(echo "$output" | jq -c '[.kept, .mount_options]')
		echo "# $spec: statmount $want, mountinfo $got"
		[[ "$want" == *'"rw,'*'delegate_'* ]]
		[ "$got" = "$want" ]
	done
}

@test "a peer sending a non-bpf fs context is refused before create" {
	need_faults
	before=$(bpf_mount_count)
	BPFDELEGATE_TEST_FAULT=child-send-tmpfs run "$BPFD_FAULTS" check
	[ "$status" -eq 1 ]
	[[ "$output" == *"not a bpf fs context"* ]]
	[ "$(bpf_mount_count)" -eq "$before" ]
}

@test "child dies mid-handshake: bounded exit, no mount, no process left" {
	need_faults
	mark=$$-$RANDOM
	before=$(bpf_mount_count)
	BPFD_TEST_MARK=$mark BPFDELEGATE_TEST_FAULT=child-exit-after-fsopen \
		run timeout 30 "$BPFD_FAULTS" check
	[ "$status" -eq 1 ]
	[[ "$output" == *"child exited"* ]]
	[ "$(bpf_mount_count)" -eq "$before" ]
	wait_no_marked "$mark"
}

@test "child hangs: the timeout ends it, no process left" {
	need_faults
	mark=$$-$RANDOM
	BPFD_TEST_MARK=$mark BPFDELEGATE_TEST_FAULT=child-hang \
		run timeout 30 "$BPFD_FAULTS" check --timeout 0.5
	[ "$status" -eq 1 ]
	[[ "$output" == *"did not answer within 500 ms"* ]]
	wait_no_marked "$mark"
}

@test "parent killed mid-handshake: the child does not linger, nothing mounted" {
	need_faults
	mark=$$-$RANDOM
	before=$(bpf_mount_count)
	BPFD_TEST_MARK=$mark BPFDELEGATE_TEST_FAULT=parent-exit-after-recv \
		run timeout 30 "$BPFD_FAULTS" check
	[ "$status" -eq 137 ]
	wait_no_marked "$mark"
	[ "$(bpf_mount_count)" -eq "$before" ]
}

@test "presets pass the check" {
	need_root_tokens
	for p in xdp tc socket-filter cgroup tracing; do
		run "$BPFD" check --preset "$p"
		echo "$p: $output" | tail -3
		[ "$status" -eq 0 ]
	done
}

@test "delegation not kept (a pre-6.9 kernel): exit 4 saying the kernel is too old" {
	need_faults
	BPFDELEGATE_TEST_FAULT=drop-options run "$BPFD_FAULTS" check
	[ "$status" -eq 4 ]
	[[ "$output" == *"Linux 6.9 or newer is needed"* ]]
	[[ "$output" == *"$(uname -r)"* ]]
}

# Debian's 5.10 and 6.1 (seen under qemu, docs/kernel-facts.md): they
# accept delegate_cmds=MUSTFAIL, and refuse CMD_CREATE of a bpffs for a
# user namespace with EPERM, the context's log saying why.  old-kernel
# gives both; create-refused only the refusal (options known).
@test "a kernel that refuses a bpffs for a user namespace (5.10, 6.1): exit 4 naming it and 6.9, not privileges" {
	need_faults
	before=$(bpf_mount_count)
	for f in old-kernel create-refused; do
		BPFDELEGATE_TEST_FAULT=$f run "$BPFD_FAULTS" check
		echo "$f: $output"
		[ "$status" -eq 4 ]
		[[ "$output" == *"this kernel ($(uname -r)) lacks BPF token support: Linux 6.9 or newer is needed"* ]]
		[[ "$output" == *"Mounting from non-initial user namespace is not allowed"* ]]
		[[ "$output" != *CAP_SYS_ADMIN* ]]
		BPFDELEGATE_TEST_FAULT=$f run --separate-stderr "$BPFD_FAULTS" run --preset all -- true
		[ "$status" -eq 4 ]
		[[ "$stderr" == *"$(uname -r)"*"6.9"* ]]
		[[ "$stderr" != *CAP_SYS_ADMIN* ]]
	done
	[[ "$output" != *MUSTFAIL* ]] # create-refused: the options were known
	BPFDELEGATE_TEST_FAULT=old-kernel run "$BPFD_FAULTS" check
	[[ "$output" == *"accepted delegate_cmds=MUSTFAIL"* ]]
	[ "$(bpf_mount_count)" -eq "$before" ]
}

@test "a LIST the kernel cannot resolve: usage error (2), but on a kernel without tokens the kernel verdict (4) comes first" {
	need_faults
	run --separate-stderr "$BPFD_FAULTS" check --attachs tcx_nope
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--attachs: unknown attach type 'tcx_nope'"* ]]
	for cmd in check "attach --pid 1"; do
		BPFDELEGATE_TEST_FAULT=old-kernel run --separate-stderr "$BPFD_FAULTS" $cmd --attachs tcx_nope
		echo "$stderr"
		[ "$status" -eq 4 ]
		[[ "$stderr" == *"this kernel ($(uname -r)) lacks BPF token support: Linux 6.9 or newer is needed"* ]]
		[[ "$stderr" == *"note: --attachs: unknown attach type 'tcx_nope'"* ]]
	done
	BPFDELEGATE_TEST_FAULT=old-kernel run --separate-stderr "$BPFD_FAULTS" run --maps nope -- true
	[ "$status" -eq 4 ]
	# a preset of names this kernel has: no note, left_out is null
	run --separate-stderr "$BPFD" check --preset tc --json
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	echo "$output" | jq -e '.left_out == null'
	# on a kernel without tokens, a preset is still exit 4, not a usage error
	BPFDELEGATE_TEST_FAULT=old-kernel run --separate-stderr "$BPFD_FAULTS" run --preset tc -- true
	[ "$status" -eq 4 ]
	[[ "$stderr" != *"unknown attach type"* ]]
}

@test "check --json: the steps that ran before a failure are ok, the failing one failed" {
	need_faults
	BPFDELEGATE_TEST_FAULT=old-kernel run --separate-stderr "$BPFD_FAULTS" check --json
	[ "$status" -eq 4 ]
	echo "$output" | jq -e '.exit_code == 4 and .error.step == "fsconfig create" and .error.errno == "EOPNOTSUPP"'
	echo "$output" | jq -e '[.steps[] | select(.step == "fsconfig")][0].status == "ok"'
	echo "$output" | jq -e '[.steps[] | select(.step == "fsconfig create")][0].status == "failed"'
	echo "$output" | jq -e '[.steps[] | select(.step == "fsmount")][0].status == "not run"'
	# a kernel that ignores the options: create ran, nothing was mounted
	BPFDELEGATE_TEST_FAULT=drop-options run --separate-stderr "$BPFD_FAULTS" check --json
	[ "$status" -eq 4 ]
	echo "$output" | jq -e '.error.step == "verify delegation"'
	echo "$output" | jq -e '[.steps[] | select(.step == "fsconfig create")][0].status == "ok"'
	echo "$output" | jq -e '[.steps[] | select(.step == "fsmount")][0].status == "not run"'
}

@test "user namespaces refused (seccomp): exit 5, one clear error" {
	need_root_tokens
	run "$HELPERS/no-userns" "$BPFD" check
	[ "$status" -eq 5 ]
	[[ "$output" == *"unshare user+mount namespace"*"Operation not permitted"*"user namespaces are restricted"* ]]
}

@test "no /sys/fs/bpf (no sysfs): check mounts over /tmp in its own namespace" {
	need_root_tokens
	run unshare -m sh -c "mount --make-rprivate / && mount -t tmpfs none /sys && '$BPFD' check --maps array --cmds map_create"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Mounted at /tmp in a private mount namespace"* ]]
	[ "$(grep -c ' /tmp .* - bpf ' /proc/self/mountinfo)" -eq 0 ]
}

@test "inside a user namespace with a full-range uid_map: still not privileged (exit 3)" {
	need_root_tokens
	unshare -U sleep 60 &
	pid=$!
	for i in $(seq 50); do [ "$(readlink /proc/$pid/ns/user)" != "$(readlink /proc/self/ns/user)" ] && break; sleep 0.05; done
	echo "0 0 4294967295" > /proc/$pid/uid_map
	echo "0 0 4294967295" > /proc/$pid/gid_map
	run nsenter -t "$pid" -U "$BPFD" check
	kill "$pid"
	[ "$status" -eq 3 ]
	[[ "$output" == *"CAP_SYS_ADMIN in the initial user namespace"* ]]
}

@test "--preset list --json is one JSON document" {
	run --separate-stderr "$BPFD" check --preset list --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '[.presets[].name] | index("tracing") != null'
	echo "$output" | jq -e '.presets[] | select(.name == "tracing") | .progs | contains("kprobe")'
}
