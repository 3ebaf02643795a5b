#!/usr/bin/env bats
# What bpfdelegate does on a kernel older than 6.9 (no BPF tokens: Debian's
# 5.10 and 6.1, booted by make test-kernels), asserted on the real kernel:
# every command that needs tokens exits 4 naming the running kernel and
# "6.9", never blames privileges, and leaves nothing mounted or running;
# the diagnostics name the old kernel as the cause.  On such a kernel the
# token tests of the other files are "not applicable" (they point here); on
# 6.9+ these are, and the same paths are asserted there by fault injection
# (old-kernel, create-refused, drop-options in check.bats and attach.bats).
# Every test's name starts with "old kernel: ": tests/run.sh checks that
# some passed wherever token tests were not applicable.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	BPFD_ABS=$(realpath "$BPFD")
	T=$(mktemp -d /tmp/bpfd-old.XXXXXX)
	chmod 0755 "$T"
	MARK="old-$$-$BATS_TEST_NUMBER"
	PIDS=()
	HOST_BPF=$(bpf_mount_count)
	REL=$(uname -r)
}

teardown() {
	kill_pids_umount_tmp
}

# Root on a kernel without tokens; not applicable on 6.9+.
need_old_kernel() {
	local why="" t
	[ "$(id -u)" = 0 ] || why="needs root"
	for t in unshare nsenter jq setpriv; do
		command -v "$t" >/dev/null || why="needs $t (make deps)"
	done
	if [ -n "$why" ]; then
		[ "${CI:-}" = true ] && { echo "skip is a failure under CI=true: $why" >&2; return 1; }
		skip "$why"
	fi
	! kernel_has_tokens ||
		not_applicable "kernel $REL has BPF tokens (6.9+): the token tests assert what it does, fault injection the old-kernel paths (check.bats, attach.bats)"
}

# bpfd ARGS...: the binary under test, its processes carrying $MARK.
bpfd() {
	BPFD_TEST_MARK=$MARK "$BPFD_ABS" "$@"
}

# old_kernel_error: the last `run` failed as a kernel without tokens must:
# exit 4, the kernel's release and 6.9 named, no privilege blamed, nothing
# mounted on the host, no process of ours left.
old_kernel_error() {
	echo "# status $status"
	echo "# out: $output"
	echo "# err: ${stderr:-}"
	[ "$status" -eq 4 ]
	[[ "${stderr:-}$output" == *"this kernel ($REL) lacks BPF token support: Linux 6.9 or newer is needed"* ]]
	[[ "${stderr:-}$output" != *CAP_SYS_ADMIN* ]]
	[[ "${stderr:-}$output" != *"ermission denied"* ]]
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
	wait_no_marked "$MARK"
}

@test "old kernel: check exits 4 naming the kernel and 6.9, not privileges" {
	need_old_kernel
	run --separate-stderr bpfd check
	old_kernel_error
	# the kernel's own reason, read from the fs context's log (5.10, 6.1)
	[[ "$stderr" == *"Mounting from non-initial user namespace is not allowed"* ]]
	[[ "$output" == *"Result: FAILED"* ]]
	run --separate-stderr bpfd check --maps array --cmds map_create
	old_kernel_error
}

@test "old kernel: check --json says exit 4, the failing step, and the steps that ran" {
	need_old_kernel
	run --separate-stderr bpfd check --json
	[ "$status" -eq 4 ]
	echo "$output" | jq -e '.exit_code == 4 and .error.errno == "EOPNOTSUPP"'
	echo "$output" | jq -e '.error.step == "fsconfig create" or .error.step == "verify delegation"'
	# the options were set (the kernel took or ignored them) before create
	echo "$output" | jq -e '[.steps[] | select(.step == "fsconfig")][0].status == "ok"'
	echo "$output" | jq -e '[.steps[] | select(.step == "fsmount")][0].status == "not run"'
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
}

@test "old kernel: run exits 4 and never starts the command, with any preset" {
	need_old_kernel
	for preset in all tc xdp tracing socket-filter; do
		run --separate-stderr bpfd run --preset "$preset" -- touch "$T/ran"
		old_kernel_error
		# a preset adapts to the names this kernel has: no usage error
		[[ "$stderr" != *"unknown attach type"* ]]
		[[ "$stderr" != *"unknown map type"* ]]
		[[ "$stderr" != *"unknown program type"* ]]
		[ ! -e "$T/ran" ]
	done
	run --separate-stderr bpfd run --preset all --target "$T" -- touch "$T/ran"
	old_kernel_error
	[ ! -e "$T/ran" ]
	not_mountpoint "$T"
}

@test "old kernel: attach exits 4 and leaves the process's namespace as it was" {
	need_old_kernel
	P=$("$OCI/userns-sleeper.sh")
	PIDS+=("$P")
	before=$(nsenter -t "$P" -m cat /proc/self/mountinfo | wc -l)
	mkdir "$T/bpf"
	for args in "" "--target $T/bpf" "--replace"; do
		run --separate-stderr timeout 60 "$BPFD_ABS" attach --pid "$P" $args
		old_kernel_error
		[ "$(ns_bpf_count "$P")" -eq 0 ]
		[ "$(nsenter -t "$P" -m cat /proc/self/mountinfo | wc -l)" -eq "$before" ]
	done
	kill -0 "$P" # the target is still running
}

@test "old kernel: oci-hook (invoked as runc would) exits 4, nothing mounted in the container" {
	need_old_kernel
	P=$("$OCI/userns-sleeper.sh")
	PIDS+=("$P")
	mkdir -p "$T/bundle/rootfs"
	# what runc's config has that the hook reads: the rootfs, a user namespace
	jq -n '{ociVersion: "1.0.2", root: {path: "rootfs"},
		process: {capabilities: {effective: ["CAP_BPF", "CAP_PERFMON"]}},
		linux: {namespaces: [{type: "user"}, {type: "mount"}],
			uidMappings: [{containerID: 0, hostID: 100000, size: 65536}],
			gidMappings: [{containerID: 0, hostID: 100000, size: 65536}]}}' \
		>"$T/bundle/config.json"
	state=$(jq -cn --argjson pid "$P" --arg b "$T/bundle" '{ociVersion: "1.0.2",
		id: "old", status: "creating", pid: $pid, bundle: $b,
		annotations: {"bpfdelegate.io/preset": "all"}}')
	# a rootfs without the target's parents: on this kernel nothing else
	# would help, so the kernel's verdict (exit 4) is named first
	run --separate-stderr bpfd oci-hook <<<"$state"
	old_kernel_error
	[ "${#stderr_lines[@]}" -eq 1 ] # a hook's error: one line
	[ "$(ns_bpf_count "$P")" -eq 0 ]
	# the target there, as runc has mounted /sys by createRuntime
	mkdir -p "$T/bundle/rootfs/sys/fs/bpf"
	for args in "" "--cmds map_create --maps array"; do
		run --separate-stderr bpfd oci-hook $args <<<"$state"
		old_kernel_error
		[ "$(ns_bpf_count "$P")" -eq 0 ]
	done
}

@test "old kernel: doctor exits 4 with the verdict, and no fix this kernel cannot take" {
	need_old_kernel
	run --separate-stderr bpfd doctor
	echo "$output"
	[ "$status" -eq 4 ]
	# classified by what the kernel does, not only by its version
	[[ "$output" == *"no BPF_TOKEN_CREATE (probe: EINVAL"* ]]
	[[ "$output" == *"Verdict: no-kernel-support"* ]]
	[[ "$output" == *"$REL"* ]]
	[[ "$output" == *"6.9"* ]]
	[[ "$output" != *"fix: mount it with delegate_"* ]]
	[[ "$output" != *"needs CAP_SYS_ADMIN"* ]]
	# an unprivileged user gets the same verdict, not an EPERM story
	run --separate-stderr setpriv --reuid 65534 --regid 65534 --clear-groups \
		env BPFD_TEST_MARK="$MARK" "$BPFD_ABS" doctor
	echo "$output"
	[ "$status" -eq 4 ]
	[[ "$output" == *"Verdict: no-kernel-support"*"6.9"* ]]
	[[ "$output" != *"a seccomp filter or an LSM"* ]]
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
	wait_no_marked "$MARK"
}

@test "old kernel: explain -22 and libbpf's message name the old kernel as the cause that applies" {
	need_old_kernel
	for what in -22 EINVAL "libbpf: failed (-22) to create BPF token from '/sys/fs/bpf'"; do
		run --separate-stderr bpfd explain "$what"
		echo "$output"
		[ "$status" -eq 0 ]
		grep -qE '^-> [0-9]+\. the kernel is older than 6\.9' <<<"$output"
		# only that one is marked
		[ "$(grep -c '^->' <<<"$output")" -eq 1 ]
		[[ "$output" == *"kernel-too-old applies"* ]]
		[[ "$output" == *"$REL"* ]]
	done
}

@test "old kernel: list and names work and say what this kernel has" {
	need_old_kernel
	run --separate-stderr bpfd names
	[ "$status" -eq 0 ]
	[[ "$output" == *"$REL"* ]]
	[[ "$output" == *"map_create"* ]]
	# the kernel's BTF has no BPF_TOKEN_CREATE: only the built-in table does
	grep -qE '^ \* +36 +token_create +\[only in the built-in table\]' <<<"$output"
	run --separate-stderr bpfd list
	echo "$output $stderr"
	[ "$status" -eq 0 ]
	run --separate-stderr bpfd list --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e . >/dev/null
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
	wait_no_marked "$MARK"
}
