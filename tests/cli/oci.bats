#!/usr/bin/env bats
# End-to-end tests of `bpfdelegate oci-hook` with a real OCI runtime: runc
# from Debian runs a busybox-static rootfs built by tests/oci/mkbundle.sh
# (user namespace 0 -> host 100000, CAP_BPF/PERFMON/NET_ADMIN, a static
# tokenprobe as /tokenprobe); the hook sits in hooks.createRuntime.
bats_require_minimum_version 1.5.0
load helpers


setup() {
	BPFD_ABS=$(realpath "$BPFD")
	PROBE_STATIC="$HELPERS/tokenprobe-static"
	T=$(mktemp -d /tmp/bpfd-oci.XXXXXX)
	chmod 0755 "$T" # the container's root (host uid 100000) walks through it
	STATE="$T/state"
	BUNDLE="$T/bundle"
	SPY="$T/spy"
	MARK="oci-$$-$BATS_TEST_NUMBER"
	PIDS=()
	HOST_BPF=$(bpf_mount_count)
}

teardown() {
	local id p
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	if [ -d "$STATE" ]; then
		for id in $(runc --root "$STATE" list -q 2>/dev/null); do
			timeout 30 runc --root "$STATE" delete -f "$id" >/dev/null 2>&1 || true
		done
	fi
	# A failing test must not leave a mount on the host, nor fail rm;
	# never with T empty (a setup that failed early): helpers.bash.
	kill_pids_umount_tmp
	# the test build's policy directory, when a test wrote one
	[ -z "${POLDIR:-}" ] || rm -rf "$POLDIR"
}

# The real thing or nothing: root, a 6.9+ kernel, runc, jq, busybox-static
# and the static tokenprobe (skip, or fail under CI=true, when missing).
need_oci() {
	need_root_tokens
	local why="" t
	for t in runc jq unshare nsenter; do
		command -v "$t" >/dev/null || why="needs $t (make deps)"
	done
	[ -x /bin/busybox ] || why="needs busybox-static (make deps)"
	[ -x "$PROBE_STATIC" ] || why="needs $PROBE_STATIC (make test builds it)"
	if [ -n "$why" ]; then
		[ "${CI:-}" = true ] && { echo "skip is a failure under CI=true: $why" >&2; return 1; }
		skip "$why"
	fi
	"$OCI/mkbundle.sh" "$BUNDLE" "$PROBE_STATIC"
}

# cfg [JQ OPTIONS...] FILTER: edit the bundle's config.json in place.
cfg() {
	jq "$@" "$BUNDLE/config.json" >"$BUNDLE/config.json.new"
	mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# json_array ARG...: a JSON array of strings (jq 1.6 would parse options
# such as -c after --args itself).
json_array() {
	local a='[]' x
	for x in "$@"; do
		a=$(jq -cn --argjson a "$a" --arg x "$x" '$a + [$x]')
	done
	echo "$a"
}

# proc_args ARG...: the container's process.
proc_args() {
	local a
	a=$(json_array "$@")
	cfg --argjson a "$a" '.process.args = $a'
}

# hook [OCI-HOOK ARGS...]: bpfdelegate oci-hook as the createRuntime hook,
# followed by the spy hook that records the container's mounts.
hook() {
	local a
	a=$(json_array bpfdelegate oci-hook "$@")
	cfg --arg p "$BPFD_ABS" --argjson a "$a" --arg spy "$OCI/spyhook.sh" --arg out "$SPY" \
		'.hooks.createRuntime = [{path: $p, args: $a, timeout: 10},
		                         {path: $spy, args: ["spyhook", $out], timeout: 10}]'
}

# annotate KEY VALUE...: bpfdelegate.io/KEY annotations.
annotate() {
	while [ $# -ge 2 ]; do
		cfg --arg k "bpfdelegate.io/$1" --arg v "$2" '.annotations[$k] = $v'
		shift 2
	done
}

# oci_run: `runc run` the bundle under a unique id, bounded; stdout (the
# container's) in $output, stderr (runc's) in $stderr.
oci_run() {
	local id="bpfd-$BATS_TEST_NUMBER-$RANDOM"
	rm -f "$SPY".* # what the spy saw is about this run only
	run --separate-stderr env BPFD_TEST_MARK="$MARK" \
		timeout 60 runc --root "$STATE" run --bundle "$BUNDLE" "$id"
	echo "# runc run $id: status $status"
	echo "$output" | sed 's/^/# out: /'
	echo "$stderr" | sed 's/^/# err: /'
}

# Bpf mounts the spy saw in the container's mount namespace (host paths).
spy_bpf_mounts() {
	new_bpf_mounts "$SPY.mountinfo"
}

# Nothing left on the host: same bpf mount count, no hook process around,
# no container left in runc's state.
host_clean() {
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
	wait_no_marked "$MARK"
	[ -z "$(runc --root "$STATE" list -q 2>/dev/null)" ]
}

@test "oci: runc runs the busybox bundle (harness, no hook)" {
	need_oci
	oci_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"fds=0,1,2"$'\n'* ]]
	# /sys/fs/bpf is a plain sysfs directory: not a bpffs root
	[[ "$output" == *"token=EINVAL"* ]]
	[[ "$output" == *"uid=0"* ]]
	# audit_write kill net_bind_service net_admin perfmon bpf
	[[ "$output" == *"cap_eff=000000c020001420"* ]]
	host_clean
}

@test "oci: annotations cmds=map_create maps=array: token, map, no program, fds 0-2" {
	need_oci
	hook
	annotate cmds map_create maps array
	oci_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"fds=0,1,2"$'\n'* ]]
	[[ "$output" == *"token=ok"* ]]
	[[ "$output" == *"map=ok"* ]]
	[[ "$output" == *"prog=EPERM"* ]]
	# mounted before pivot_root at rootfs + /sys/fs/bpf, nowhere else
	[ "$(spy_bpf_mounts)" = "$BUNDLE/rootfs/sys/fs/bpf" ]
	host_clean
	# and the container sees it with exactly these options
	proc_args sh -c 'grep " - bpf " /proc/self/mountinfo'
	oci_run
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == *" /sys/fs/bpf "* ]]
	[[ "${lines[0]}" == *"delegate_cmds=map_create"* ]]
	[[ "${lines[0]}" == *"delegate_maps=array"* ]]
	host_clean
}

@test "oci: the hook as a (deprecated) prestart hook works too" {
	need_oci
	hook
	cfg '.hooks = {prestart: .hooks.createRuntime}'
	annotate cmds map_create maps array
	oci_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"token=ok"* ]]
	[[ "$output" == *"map=ok"* ]]
	[ "$(spy_bpf_mounts)" = "$BUNDLE/rootfs/sys/fs/bpf" ]
	host_clean
}

@test "oci: annotations any x4: the program loads too" {
	need_oci
	hook
	annotate cmds any maps any progs any attachs any
	oci_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"fds=0,1,2"$'\n'* ]]
	[[ "$output" == *"token=ok"* ]]
	[[ "$output" == *"map=ok"* ]]
	[[ "$output" == *"prog=ok"* ]]
	host_clean
}

@test "oci: annotation preset=socket-filter" {
	need_oci
	hook
	annotate preset socket-filter
	oci_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"token=ok"* ]]
	[[ "$output" == *"map=ok"* ]]
	[[ "$output" == *"prog=ok"* ]]
	host_clean
}

@test "oci: hook arguments are the defaults, annotations replace them as a whole" {
	need_oci
	hook -c map_create -m array -p socket_filter -a cgroup_inet_ingress
	oci_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"token=ok"* ]]
	[[ "$output" == *"map=ok"* ]]
	[[ "$output" == *"prog=EPERM"* ]] # no prog_load in the default cmds
	# docs/oci.md: any delegation annotation replaces all the hook's
	# delegation arguments (maps, progs, attachs are then empty)
	annotate cmds map_create:prog_load
	oci_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"token=ok"* ]]
	[[ "$output" == *"map=EPERM"* ]]
	[[ "$output" == *"prog=EPERM"* ]]
	annotate maps array progs socket_filter attachs cgroup_inet_ingress
	oci_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"map=ok"* ]]
	[[ "$output" == *"prog=ok"* ]]
	host_clean
}

@test "oci: annotation target=/mnt/bpf mounts there (last directory created inside)" {
	need_oci
	hook
	annotate cmds map_create maps array target /mnt/bpf
	proc_args sh -c 'grep " - bpf " /proc/self/mountinfo; LIBBPF_BPF_TOKEN_PATH=/mnt/bpf /tokenprobe; /tokenprobe'
	oci_run
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *" /mnt/bpf "* ]]
	[[ "$output" == *"token_path=/mnt/bpf"$'\n'"token=ok"$'\n'"map=ok"* ]]
	[[ "$output" == *"token_path="$'\n'"token=EINVAL"* ]] # /sys/fs/bpf untouched
	[ "$(spy_bpf_mounts)" = "$BUNDLE/rootfs/mnt/bpf" ]
	host_clean
}

@test "oci: a non-root container user with CAP_BPF ambient gets a token" {
	need_oci
	hook
	annotate cmds map_create maps array
	cfg '.process.user = {uid: 1000, gid: 1000}'
	oci_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"uid=1000"* ]]
	[[ "$output" == *"cap_amb=000000c020001420"* ]]
	[[ "$output" == *"token=ok"* ]]
	[[ "$output" == *"map=ok"* ]]
	host_clean
}

@test "oci: four containers started at once each get their own bpffs" {
	need_oci
	hook
	annotate cmds map_create maps array
	local i pids=()
	for i in 1 2 3 4; do
		BPFD_TEST_MARK="$MARK" timeout 60 runc --root "$STATE" run --bundle "$BUNDLE" \
			"bpfd-par-$i-$RANDOM" </dev/null >"$T/par.$i" 2>&1 3>&- &
		pids+=("$!")
	done
	local rc=0
	for i in 0 1 2 3; do
		wait "${pids[$i]}" || rc=$?
	done
	for i in 1 2 3 4; do
		sed "s/^/# $i: /" "$T/par.$i"
	done
	[ "$rc" -eq 0 ]
	for i in 1 2 3 4; do
		grep -qx "token=ok" "$T/par.$i"
		grep -qx "map=ok" "$T/par.$i"
	done
	host_clean
}

@test "oci: no annotations and no hook arguments: the container is left untouched" {
	need_oci
	hook
	cfg '.annotations = {"io.example/other": "x", "bpfdelegate.io.not/maps": "array"}'
	proc_args sh -c '/tokenprobe; grep " - bpf " /proc/self/mountinfo || echo no-bpf-mount'
	oci_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"token=EINVAL"* ]]
	[[ "$output" == *"no-bpf-mount"* ]]
	[ -z "$(spy_bpf_mounts)" ]
	host_clean
}

@test "oci: no user namespace: runc refuses to start it with the hook's message" {
	need_oci
	hook
	annotate cmds map_create maps array
	cfg 'del(.linux.uidMappings, .linux.gidMappings)
	     | .linux.namespaces |= map(select(.type != "user"))'
	oci_run
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"error running hook"* ]]
	[[ "$stderr" == *"user namespace"* ]]
	[ -z "$output" ] # the container's process never ran
	[ ! -e "$SPY.state" ]
	host_clean
	# without annotations the same container is left alone and runs
	cfg 'del(.annotations)'
	oci_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"token=EINVAL"* ]]
	host_clean
}

@test "oci: no CAP_BPF in process.capabilities: refused, naming the set; a warning with --unusable warn or the annotation" {
	need_oci
	cfg '.process.capabilities |= map_values(map(select(. != "CAP_BPF")))'
	hook
	annotate cmds map_create maps array
	oci_run
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"error running hook"* ]]
	[[ "$stderr" == *"could never use its token: CAP_BPF is not in process.capabilities.bounding"* ]]
	[ -z "$output" ]
	host_clean
	# --strict is the default, still accepted
	hook --strict
	oci_run
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"CAP_BPF is not in process.capabilities.bounding"* ]]
	host_clean
	# only in effective: named too
	cfg '.process.capabilities.bounding += ["CAP_BPF"]'
	hook
	oci_run
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"CAP_BPF is not in process.capabilities.effective"* ]]
	host_clean
	cfg '.process.capabilities.bounding -= ["CAP_BPF"]'
	# the hook's --unusable warn: a warning only (runc shows nothing)
	hook --unusable warn
	oci_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"token=EPERM"* ]] # the kernel wants CAP_BPF inside too
	[ "$(spy_bpf_mounts)" = "$BUNDLE/rootfs/sys/fs/bpf" ]
	host_clean
	# the container's own annotation, under the default hook
	hook
	annotate unusable warn
	oci_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"token=EPERM"* ]]
	host_clean
	# an annotation that says fail beats the hook's warn
	hook --unusable warn
	annotate unusable fail
	oci_run
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"CAP_BPF is not in process.capabilities.bounding"* ]]
	host_clean
	annotate unusable maybe
	oci_run
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"unusable: 'maybe' is neither 'fail' nor 'warn'"* ]]
	host_clean
}

@test "oci: a seccomp profile that denies bpf() (podman's default without CAP_SYS_ADMIN): refused, naming the rule" {
	need_oci
	# the rule podman 4.3 writes into config.json from Debian's seccomp.json
	cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"],
		syscalls: [{names: ["bpf", "setns"], action: "SCMP_ACT_ERRNO", errnoRet: 1}]}'
	hook
	annotate cmds map_create maps array
	oci_run
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"its seccomp profile denies bpf(BPF_TOKEN_CREATE): linux.seccomp.syscalls[0] makes bpf() SCMP_ACT_ERRNO, errno 1 EPERM"* ]]
	[ -z "$output" ]
	host_clean
	# warned only: the kernel's answer is what the hook foretold
	annotate unusable warn
	oci_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"token=EPERM"* ]]
	host_clean
	# a profile that allows bpf(): the token works under seccomp
	cfg '.linux.seccomp.syscalls[0].action = "SCMP_ACT_ALLOW" | del(.annotations["bpfdelegate.io/unusable"])'
	oci_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"token=ok"* ]]
	[[ "$output" == *"map=ok"* ]]
	host_clean
}

@test "oci: tracing programs without CAP_PERFMON, networking ones without CAP_NET_ADMIN: refused; partly: a warning" {
	need_oci
	cfg '.process.capabilities |= map_values(map(select(. != "CAP_PERFMON")))'
	hook
	annotate cmds map_create:prog_load progs kprobe:tracepoint
	oci_run
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"without CAP_PERFMON in process.capabilities (bounding and effective) it can never load any of its program types (kprobe:tracepoint)"* ]]
	host_clean
	cfg '.process.capabilities |= map_values(map(select(. != "CAP_NET_ADMIN")))'
	annotate progs xdp
	oci_run
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"without CAP_NET_ADMIN"*"(xdp)"* ]]
	host_clean
	# socket_filter needs neither: the hook goes on (a warning runc hides)
	annotate progs xdp:socket_filter maps array
	oci_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"token=ok"* ]]
	host_clean
}

# The escape tests: $H is a host directory (with a subdirectory) the rootfs
# points at through symlinks or `..`.  The hook may mount inside the rootfs
# or refuse, never on the host, and never report success with nothing
# visible inside the container.
escape_setup() {
	H="$T/host"
	mkdir -p "$H/sub"
	ln -s "$H" "$BUNDLE/rootfs/evil"
	ln -s "../../../../../../../../..$H" "$BUNDLE/rootfs/tmp/rel"
	hook
	# the container creates a token from whatever bpffs it sees
	proc_args sh -c 'm=$(grep " - bpf " /proc/self/mountinfo | cut -d" " -f5)
		echo "mnt=$m"; [ -n "$m" ] && LIBBPF_BPF_TOKEN_PATH=$m exec /tokenprobe'
}

escape_check() {
	# never on the host
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
	not_mountpoint "$H"
	not_mountpoint "$H/sub"
	[ "$(find "$H" | wc -l)" -eq 2 ] # nothing created there
	if [ -e "$SPY.mountinfo" ]; then
		# never outside the rootfs in the container's namespace either
		local m
		for m in $(spy_bpf_mounts); do
			[[ "$m" == "$BUNDLE/rootfs/"* ]]
		done
	fi
	if [ "$status" -eq 0 ]; then
		[ -n "$(spy_bpf_mounts)" ]
		[[ "$output" == *"token=ok"* ]]
		[[ "$output" == *"map=ok"* ]]
	else
		# refused by the hook, not a container that found nothing
		[[ "$stderr" == *"error running hook"* ]]
		[ -z "$output" ]
	fi
	host_clean
}

@test "oci: target is a symlink to a host directory: never mounted on the host" {
	need_oci
	escape_setup
	annotate cmds map_create maps array target /evil
	oci_run
	escape_check
}

@test "oci: target goes through a symlink to a host directory: never on the host" {
	need_oci
	escape_setup
	annotate cmds map_create maps array target /evil/sub
	oci_run
	escape_check
}

@test "oci: target climbs out with ..: never on the host" {
	need_oci
	escape_setup
	annotate cmds map_create maps array target "../../../../../../../..$H"
	oci_run
	escape_check
	annotate target "/sys/../../../../../../../..$H/sub"
	oci_run
	escape_check
}

@test "oci: target is a relative symlink climbing out: never on the host" {
	need_oci
	escape_setup
	annotate cmds map_create maps array target /tmp/rel/sub
	oci_run
	escape_check
}

# The same paths also exist inside the rootfs: resolved inside, the hook
# must mount there (a resolver that follows the symlink on the host would
# mount on $H instead).
@test "oci: target symlink whose path also exists inside the rootfs: mounted inside" {
	need_oci
	escape_setup
	mkdir -p "$BUNDLE/rootfs$H/sub"
	chown -R 100000:100000 "$BUNDLE/rootfs/tmp"
	annotate cmds map_create maps array target /evil/sub
	oci_run
	[ "$status" -eq 0 ]
	escape_check
	[ "$(spy_bpf_mounts)" = "$BUNDLE/rootfs$H/sub" ]
	[[ "$output" == *"mnt=$H/sub"* ]]
	# a ".." component is refused (whatever it would resolve to)
	annotate target "../../../../../../../..$H"
	oci_run
	[ "$status" -ne 0 ]
	escape_check
	[[ "$stderr" == *'a \".\" or \"..\" component'* ]]
	annotate target /tmp/rel
	oci_run
	[ "$status" -eq 0 ]
	escape_check
	[ "$(spy_bpf_mounts)" = "$BUNDLE/rootfs$H" ]
}

# Direct invocations with crafted state: what runc would pass on stdin.
# state_json PID BUNDLE: a valid state with a narrow delegation annotation.
state_json() {
	jq -cn --argjson pid "$1" --arg b "$2" '{ociVersion: "1.0.2", id: "direct", status: "creating",
		pid: $pid, bundle: $b, annotations: {"bpfdelegate.io/cmds": "map_create",
		"bpfdelegate.io/maps": "array"}}'
}

# hook_refused PATTERN: non-zero (not a missing binary), exactly one line on
# stderr matching PATTERN (extended, case-insensitive), nothing mounted.
hook_refused() {
	echo "# status $status; stderr: $stderr"
	[ "$status" -ne 0 ]
	[ "$status" -ne 2 ]
	[ "$status" -lt 126 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	grep -qiE "$1" <<<"$stderr"
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
}

@test "oci-hook direct: malformed, empty and oversized state on stdin" {
	need_oci
	run '!' --separate-stderr "$BPFD_ABS" oci-hook -c map_create -m array <<<'{"ociVersion": "1.0.2", "pid": '
	hook_refused 'json|state|parse'
	[[ "$stderr" != *": continue" ]] # json-c's internal status names nothing
	run '!' --separate-stderr "$BPFD_ABS" oci-hook -c map_create -m array </dev/null
	hook_refused 'json|state|empty|stdin'
	[[ "$stderr" != *": continue" ]]
	run '!' --separate-stderr "$BPFD_ABS" oci-hook -c map_create -m array <<<'[1, 2, 3]'
	hook_refused 'json|state|object'
	run '!' --separate-stderr "$BPFD_ABS" oci-hook -c map_create -m array \
		<<<"$(state_json $$ "$BUNDLE") trailing"
	hook_refused 'json|state|after|trailing'
	head -c $((2 << 20)) /dev/zero | tr '\0' ' ' >"$T/big"
	state_json $$ "$BUNDLE" >>"$T/big"
	run '!' --separate-stderr "$BPFD_ABS" oci-hook -c map_create -m array <"$T/big"
	hook_refused 'large|big|size|limit|exceed'
}

@test "oci-hook direct: missing pid, missing bundle" {
	need_oci
	run '!' --separate-stderr "$BPFD_ABS" oci-hook <<<"$(state_json $$ "$BUNDLE" | jq -c 'del(.pid)')"
	hook_refused 'pid'
	run '!' --separate-stderr "$BPFD_ABS" oci-hook <<<"$(state_json $$ "$BUNDLE" | jq -c 'del(.bundle)')"
	hook_refused 'bundle'
}

@test "oci-hook direct: its own arguments are checked before anything is done" {
	need_oci
	p=$("$OCI/userns-sleeper.sh")
	PIDS+=("$p")
	run --separate-stderr "$BPFD_ABS" oci-hook --cmds 0 <<<"$(state_json "$p" "$BUNDLE")"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"nothing to delegate"* ]]
	run --separate-stderr "$BPFD_ABS" oci-hook --maps bogus <<<"$(state_json "$p" "$BUNDLE")"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"'bogus'"* ]]
	[ "$(ns_bpf_count "$p")" -eq 0 ]
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
}

@test "oci-hook direct: a bundle without config.json" {
	need_oci
	p=$("$OCI/userns-sleeper.sh")
	PIDS+=("$p")
	mkdir "$T/empty"
	run '!' --separate-stderr "$BPFD_ABS" oci-hook <<<"$(state_json "$p" "$T/empty")"
	hook_refused 'config\.json'
}

# state_ann PID BUNDLE ANNOTATIONS-JSON: a state with these annotations.
state_ann() {
	jq -cn --argjson pid "$1" --arg b "$2" --argjson a "$3" \
		'{ociVersion: "1.0.2", id: "direct", status: "creating", pid: $pid, bundle: $b, annotations: $a}'
}

# in_sleeper_bpf_mounts PID: bpf mounts in the sleeper's mount namespace.
in_sleeper_bpf_mounts() {
	ns_bpf_count "$1"
}

# Debian's 5.10 and 6.1 (fault old-kernel; the real kernels:
# tests/cli/oldkernel.bats): whatever step fails, a kernel without tokens
# is exit 4, and the hook's one line must say why.  It said only the step
# ("resolve target /sys/fs/bpf: No such file or directory") with exit 4.
@test "oci-hook direct: on a kernel without tokens any failure is exit 4 and the one line names the kernel and 6.9" {
	need_oci
	use_faults
	p=$("$OCI/userns-sleeper.sh")
	PIDS+=("$p")
	rm -rf "$BUNDLE/rootfs/sys/fs" # the target's parents missing
	for pass in no-target target; do
		run --separate-stderr env BPFDELEGATE_TEST_FAULT=old-kernel "$BPFD_ABS" oci-hook \
			<<<"$(state_json "$p" "$BUNDLE")"
		echo "# $pass: status $status: $stderr"
		[ "$status" -eq 4 ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ "$stderr" == *"this kernel ($(uname -r)) lacks BPF token support: Linux 6.9 or newer is needed"* ]]
		[[ "$stderr" != *CAP_SYS_ADMIN* ]]
		[ "$(ns_bpf_count "$p")" -eq 0 ]
		[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
		mkdir -p "$BUNDLE/rootfs/sys/fs/bpf"
	done
}

@test "oci-hook direct: config.json as a FIFO is refused at once, never waited on" {
	need_oci
	rm "$BUNDLE/config.json"
	mkfifo "$BUNDLE/config.json"
	SECONDS=0
	run --separate-stderr timeout 10 "$BPFD_ABS" oci-hook --timeout 2 <<<"$(state_json $$ "$BUNDLE")"
	hook_refused 'config\.json.*not a regular file'
	[ "$status" -eq 1 ]
	[ "$SECONDS" -lt 5 ]
}

@test "oci-hook direct: a state on stdin that never ends is bounded by --timeout" {
	need_oci
	# the runtime wrote the state but never closes the pipe
	run --separate-stderr bash -c '{ printf "%s\n" "$1"; exec sleep 6; } |
		timeout 20 "$2" oci-hook --timeout 1' _ "$(state_json $$ "$BUNDLE")" "$BPFD_ABS"
	hook_refused 'stdin.*--timeout'
	[ "$status" -eq 1 ]
}

@test "oci-hook direct: null, a number or an array as state: says what it got, never 'success'" {
	need_oci
	run '!' --separate-stderr "$BPFD_ABS" oci-hook <<<'null'
	hook_refused 'not a JSON object: null'
	[[ "$stderr" != *success* ]]
	[ "$status" -eq 1 ]
	run '!' --separate-stderr "$BPFD_ABS" oci-hook <<<'42'
	hook_refused 'not a JSON object: int'
	[[ "$stderr" != *success* ]]
}

@test "oci-hook direct: wrong-typed or unknown bpfdelegate.io/ annotations are errors" {
	need_oci
	local a
	for a in '{"bpfdelegate.io/maps": 5}' '{"bpfdelegate.io/cmds": ["map_create"]}' \
		'{"bpfdelegate.io/preset": null}' '{"bpfdelegate.io/target": {"p": 1}}'; do
		run '!' --separate-stderr "$BPFD_ABS" oci-hook <<<"$(state_ann $$ "$BUNDLE" "$a")"
		hook_refused 'bpfdelegate\.io/[a-z]+. has type [a-z]+, not string'
		[ "$status" -eq 1 ]
	done
	# a typo in our prefix would silently delegate something else
	run '!' --separate-stderr "$BPFD_ABS" oci-hook <<<"$(state_ann $$ "$BUNDLE" '{"bpfdelegate.io/map": "array"}')"
	hook_refused "unknown annotation 'bpfdelegate\.io/map'"
	[ "$status" -eq 1 ]
	# the same checks for the config's annotations (a state without any)
	cfg '.annotations = {"bpfdelegate.io/maps": 5}'
	run '!' --separate-stderr "$BPFD_ABS" oci-hook <<<"$(state_json $$ "$BUNDLE" | jq -c 'del(.annotations)')"
	hook_refused "config\.json: 'bpfdelegate\.io/maps' has type int"
	# other prefixes are not ours: untouched, nothing asked, exit 0
	cfg '.annotations = {"io.example/maps": 5, "bpfdelegate.io.x/maps": 5}'
	run --separate-stderr "$BPFD_ABS" oci-hook <<<"$(state_json $$ "$BUNDLE" | jq -c 'del(.annotations)')"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "oci-hook direct: a NUL in root.path or in an annotation key is refused, never cut" {
	need_oci
	mkdir -p "$BUNDLE/rootfs/sys/fs/bpf"
	p=$("$OCI/userns-sleeper.sh")
	PIDS+=("$p")
	# cut at the NUL, "rootfs\u0000/elsewhere" would be the real rootfs
	cfg '.root.path = "rootfs\u0000/elsewhere"'
	run '!' --separate-stderr "$BPFD_ABS" oci-hook <<<"$(state_json "$p" "$BUNDLE")"
	hook_refused 'config\.json.*NUL'
	[ "$(in_sleeper_bpf_mounts "$p")" = 0 ]
	# json-c cuts object keys at a NUL: "maps\u0000x" would read as maps
	cfg '.root.path = "rootfs"'
	run '!' --separate-stderr "$BPFD_ABS" oci-hook <<<"$(state_ann "$p" "$BUNDLE" \
		'{"bpfdelegate.io/cmds": "map_create", "bpfdelegate.io/maps\u0000x": "array"}')"
	hook_refused 'state.*NUL'
	[ "$(in_sleeper_bpf_mounts "$p")" = 0 ]
}

@test "oci-hook direct: a rootfs path over 4095 bytes is refused, never cut" {
	need_oci
	mkdir -p "$BUNDLE/rootfs/sys/fs/bpf"
	p=$("$OCI/userns-sleeper.sh")
	PIDS+=("$p")
	# rootfs/./././...: cut anywhere, still the rootfs, so a cut path
	# would mount there (exit 0) instead of where config.json says
	local pad
	pad=$(printf '/.%.0s' $(seq 2100))
	cfg --arg r "rootfs$pad/missing" '.root.path = $r'
	run '!' --separate-stderr "$BPFD_ABS" oci-hook <<<"$(state_json "$p" "$BUNDLE")"
	hook_refused 'longer than 4095 bytes'
	[ "$(in_sleeper_bpf_mounts "$p")" = 0 ]
	# root.path itself fits, the bundle + root.path does not
	pad=$(printf '/.%.0s' $(seq 2030))
	cfg --arg r "rootfs$pad/missing" '.root.path = $r'
	[ "$(jq -r '.root.path | length' "$BUNDLE/config.json")" -lt 4096 ]
	run '!' --separate-stderr "$BPFD_ABS" oci-hook <<<"$(state_json "$p" "$BUNDLE")"
	hook_refused 'rootfs.*longer than 4095 bytes'
	[ "$(in_sleeper_bpf_mounts "$p")" = 0 ]
}

@test "oci-hook direct: newlines and ESC in annotation values are escaped, one line" {
	need_oci
	local v=$'array\n\e[31mred'
	run '!' --separate-stderr "$BPFD_ABS" oci-hook <<<"$(state_ann $$ "$BUNDLE" \
		"$(jq -cn --arg v "$v" '{"bpfdelegate.io/cmds": "map_create", "bpfdelegate.io/maps": $v}')")"
	echo "# status $status; stderr: $stderr"
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" != *$'\e'* ]]
	[[ "$stderr" == *"bpfdelegate.io/maps"*"'array\x0a\x1b[31mred'"* ]]
	# a target with them: the message from deeper down is one line too
	v=$'/no/such\n\e[2Jdir'
	p=$("$OCI/userns-sleeper.sh")
	PIDS+=("$p")
	mkdir -p "$BUNDLE/rootfs"
	run '!' --separate-stderr "$BPFD_ABS" oci-hook <<<"$(state_ann "$p" "$BUNDLE" \
		"$(jq -cn --arg v "$v" '{"bpfdelegate.io/cmds": "map_create", "bpfdelegate.io/target": $v}')")"
	echo "# status $status; stderr: $stderr"
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" != *$'\e'* ]]
	[[ "$stderr" == *'\x0a\x1b[2Jdir'* ]]
	[ "$(in_sleeper_bpf_mounts "$p")" = 0 ]
}

@test "oci-hook direct: a pid that is gone" {
	need_oci
	true &
	gone=$!
	wait "$gone"
	run '!' --separate-stderr "$BPFD_ABS" oci-hook <<<"$(state_json "$gone" "$BUNDLE")"
	hook_refused "$gone|process|pid"
	run '!' --separate-stderr "$BPFD_ABS" oci-hook <<<"$(state_json 999999999 "$BUNDLE")"
	hook_refused '999999999|process|pid'
}

# A fake runtime: a process in its own user + mount namespace, the bundle's
# rootfs reachable in its mount namespace as on the host.
@test "oci-hook direct: into a process in its own namespaces; CAP_BPF warning" {
	need_oci
	mkdir -p "$BUNDLE/rootfs/sys/fs/bpf"
	p=$("$OCI/userns-sleeper.sh")
	PIDS+=("$p")
	run --separate-stderr "$BPFD_ABS" oci-hook <<<"$(state_json "$p" "$BUNDLE")"
	echo "# status $status; stderr: $stderr"
	[ "$status" -eq 0 ]
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
	not_mountpoint "$BUNDLE/rootfs/sys/fs/bpf"
	run nsenter -t "$p" -U -m env LIBBPF_BPF_TOKEN_PATH="$BUNDLE/rootfs/sys/fs/bpf" "$PROBE_STATIC"
	echo "$output"
	[[ "$output" == *"token=ok"* ]]
	[[ "$output" == *"map=ok"* ]]
	[[ "$output" == *"prog=EPERM"* ]]
	# no CAP_BPF in the config: refused, one line, nothing mounted ...
	kill -9 "$p"
	p=$("$OCI/userns-sleeper.sh")
	PIDS+=("$p")
	cfg '.process.capabilities |= map_values(map(select(. != "CAP_BPF")))'
	run '!' --separate-stderr "$BPFD_ABS" oci-hook <<<"$(state_json "$p" "$BUNDLE")"
	hook_refused 'CAP_BPF is not in process.capabilities.bounding'
	[ "$(ns_bpf_count "$p")" -eq 0 ]
	# ... and one warning line with --unusable warn, exit 0
	run --separate-stderr "$BPFD_ABS" oci-hook --unusable warn <<<"$(state_json "$p" "$BUNDLE")"
	echo "# status $status; stderr: $stderr"
	[ "$status" -eq 0 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *"warning: container"*"CAP_BPF"* ]]
	[ "$(ns_bpf_count "$p")" -eq 1 ]
	# a bad --unusable is a usage error
	run -2 "$BPFD_ABS" oci-hook --unusable sometimes </dev/null
	[[ "$output" == *"--unusable: 'sometimes' is neither 'fail' nor 'warn'"* ]]
}

# The kernel's names (/sys/kernel/btf/vmlinux, ~0.4 ms of a ~3 ms hook,
# issue 11, or /run/bpfdelegate/kernel-names once root kept them) are read
# only when something goes by name: annotations of "any" with no policy go
# without, as `attach --cmds any ...` does; a named annotation reads them.
@test "oci-hook direct: annotations of any and no policy: the kernel's names are not read; names still read them" {
	need_oci
	command -v strace >/dev/null || {
		[ "${CI:-}" = true ] && { echo "skip is a failure under CI=true: needs strace" >&2; return 1; }
		skip "needs strace"
	}
	# the ASan build: LeakSanitizer cannot work under ptrace
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	mkdir -p "$BUNDLE/rootfs/sys/fs/bpf"
	p=$("$OCI/userns-sleeper.sh")
	PIDS+=("$p")
	any='{"bpfdelegate.io/cmds": "any", "bpfdelegate.io/maps": "any",
	      "bpfdelegate.io/progs": "any", "bpfdelegate.io/attachs": "any"}'
	run strace -f -qq -e trace=openat,open -o "$T/trace" "$BPFD_ABS" oci-hook \
		<<<"$(state_ann "$p" "$BUNDLE" "$any")"
	echo "# status $status; output: $output"
	[ "$status" -eq 0 ]
	[ "$(ns_bpf_count "$p")" -eq 1 ]
	[ "$(grep -cE 'btf/vmlinux|kernel-names' "$T/trace")" -eq 0 ]
	run nsenter -t "$p" -U -m env LIBBPF_BPF_TOKEN_PATH="$BUNDLE/rootfs/sys/fs/bpf" "$PROBE_STATIC"
	echo "$output"
	[[ "$output" == *"token=ok"* ]]
	[[ "$output" == *"prog=ok"* ]]
	kill -9 "$p"
	p=$("$OCI/userns-sleeper.sh")
	PIDS+=("$p")
	run strace -f -qq -e trace=openat,open -o "$T/trace" "$BPFD_ABS" oci-hook \
		<<<"$(state_json "$p" "$BUNDLE")"
	[ "$status" -eq 0 ]
	# the names: from BTF, or as root kept them for the boot
	grep -qE 'btf/vmlinux|kernel-names' "$T/trace"
}

# The same process handed to the hook twice (a runtime retrying, or a
# second hook entry): the second finds the first's bpffs and refuses.
@test "oci-hook direct: a second hook for the same container refuses, nothing stacked" {
	need_oci
	mkdir -p "$BUNDLE/rootfs/sys/fs/bpf"
	p=$("$OCI/userns-sleeper.sh")
	PIDS+=("$p")
	run --separate-stderr "$BPFD_ABS" oci-hook <<<"$(state_json "$p" "$BUNDLE")"
	[ "$status" -eq 0 ]
	run '!' --separate-stderr "$BPFD_ABS" oci-hook <<<"$(state_json "$p" "$BUNDLE")"
	echo "# status $status; stderr: $stderr"
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *"container direct: "*"/sys/fs/bpf: a bpffs is already mounted there"* ]]
	[ "$(new_bpf_mounts /proc/$p/mountinfo | wc -l)" -eq 1 ]
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
}

@test "oci-hook direct: SIGTERM after the mount: undone, one line, exit 143" {
	need_oci
	use_faults
	mkdir -p "$BUNDLE/rootfs/sys/fs/bpf"
	p=$("$OCI/userns-sleeper.sh")
	PIDS+=("$p")
	state_json "$p" "$BUNDLE" >"$T/state.json"
	BPFDELEGATE_TEST_FAULT=child-hang-after-attach "$BPFD_ABS" oci-hook --timeout 30 \
		<"$T/state.json" 2>"$T/err" &
	hook=$!
	for _ in $(seq 200); do
		[ -n "$(new_bpf_mounts "/proc/$p/mountinfo")" ] && break
		sleep 0.05
	done
	[ "$(new_bpf_mounts /proc/$p/mountinfo | wc -l)" -eq 1 ]
	kill -TERM "$hook"
	st=0
	wait "$hook" || st=$?
	echo "# status $st: $(cat "$T/err")"
	[ "$st" -eq 143 ]
	[ "$(wc -l <"$T/err")" -eq 1 ]
	grep -qx "bpfdelegate oci-hook: container direct: interrupted by SIGTERM; nothing left mounted" "$T/err"
	[ "$(new_bpf_mounts /proc/$p/mountinfo | wc -l)" -eq 0 ]
}

@test "oci: a hook hung after mounting, killed by runc's hook timeout: the container fails, nothing left" {
	need_oci
	use_faults
	hook --timeout 30
	cfg --arg m "BPFD_TEST_MARK=$MARK" '.hooks.createRuntime[0].timeout = 2
		| .hooks.createRuntime[0].env = ["BPFDELEGATE_TEST_FAULT=child-hang-after-attach", $m]'
	annotate cmds map_create maps array
	oci_run
	[ "$status" -ne 0 ]
	# runc gave up on the hook (SIGKILL: no "interrupted" line from it)
	[[ "$stderr" == *"hook ran past specified timeout"* ]]
	[[ "$stderr" != *"nothing left mounted"* ]]
	# the spy hook never ran; the engine child died with the hook; the
	# container (and its mount namespace with the bpffs) is gone
	[ ! -e "$SPY.mountinfo" ]
	host_clean
}

@test "oci: attach into a running runc container, token from runc exec" {
	need_oci
	proc_args sleep 600
	id="bpfd-attach-$BATS_TEST_NUMBER-$RANDOM"
	timeout 60 runc --root "$STATE" run -d --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1 3>&-
	pid=$(runc --root "$STATE" state "$id" | jq -r .pid)
	[ "$pid" -gt 0 ]
	run --separate-stderr timeout 60 "$BPFD_ABS" attach --pid "$pid" --cmds map_create --maps array
	echo "# attach: status $status; out: $output; err: $stderr"
	[ "$status" -eq 0 ]
	run --separate-stderr timeout 60 runc --root "$STATE" exec "$id" /tokenprobe
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"token=ok"* ]]
	[[ "$output" == *"map=ok"* ]]
	[[ "$output" == *"prog=EPERM"* ]]
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
	timeout 30 runc --root "$STATE" delete -f "$id"
	[ -z "$(runc --root "$STATE" list -q)" ]
}

@test "oci: attach without statmount (before 6.11): libmount is loaded before joining, never from the container's files" {
	need_oci
	use_faults
	proc_args sleep 600
	id="bpfd-attach-$BATS_TEST_NUMBER-$RANDOM"
	timeout 60 runc --root "$STATE" run -d --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1 3>&-
	pid=$(runc --root "$STATE" state "$id" | jq -r .pid)
	[ "$pid" -gt 0 ]
	# The container's root (busybox, after pivot_root) has no
	# libmount.so.1: a dlopen after setns would find none there.
	[ ! -e "$BUNDLE/rootfs/lib/x86_64-linux-gnu/libmount.so.1" ]
	BPFDELEGATE_TEST_FAULT=no-statmount run --separate-stderr timeout 60 \
		"$BPFD_ABS" attach --pid "$pid" --cmds map_create --maps array --json
	echo "# attach: status $status; out: $output; err: $stderr"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.kept.cmds.list == "map_create" and .kept.maps.list == "array"'
	run --separate-stderr timeout 60 runc --root "$STATE" exec "$id" /tokenprobe
	[[ "$output" == *"map=ok"* ]]
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
	timeout 30 runc --root "$STATE" delete -f "$id"
	[ -z "$(runc --root "$STATE" list -q)" ]
}

# ---- the root hook under the administrator's policy (issue 12) ----------
# The test build (tests/bpfdelegate-faults) reads its policy from
# <build>/tests/etc/bpfdelegate; the release binary's /etc/bpfdelegate is
# never written.  use_policy: the hook is the test build, $POLDIR empty.
use_policy() {
	use_faults || return 1
	POLDIR="$(dirname "$BPFD_FAULTS")/etc/bpfdelegate"
	rm -rf "$POLDIR"
	install -d -m 0755 -o root -g root "$POLDIR"
}

# policy_file NAME: stdin into $POLDIR/NAME, root-owned, 0644.
policy_file() {
	mkdir -p "$(dirname "$POLDIR/$1")"
	cat >"$POLDIR/$1"
	chmod 0644 "$POLDIR/$1"
}

@test "oci policy: an annotation within the container rule: bpffs and token inside" {
	need_oci
	use_policy
	policy_file policy <<-EOF
	user root preset=all
	container id=bpfd-* bundle=$T/* cmds=map_create maps=array,hash paths=/sys/fs/bpf
	EOF
	hook
	annotate cmds map_create maps array
	oci_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"token=ok"* ]]
	[[ "$output" == *"map=ok"* ]]
	[[ "$output" == *"prog=EPERM"* ]]
	[ "$(spy_bpf_mounts)" = "$BUNDLE/rootfs/sys/fs/bpf" ]
	host_clean
}

@test "oci policy: annotations beyond the container rule fail the hook, excess and rule named" {
	need_oci
	use_policy
	policy_file policy <<-EOF
	container id=bpfd-* bundle=$T/* cmds=map_create maps=array
	EOF
	hook
	annotate cmds map_create,prog_load maps array,hash progs socket_filter
	oci_run
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"error running hook"* ]]
	[[ "$stderr" == *"refused by the policy: cmds: prog_load not granted; maps: hash not granted; progs: socket_filter not granted (rule $POLDIR/policy:1)"* ]]
	[ -z "$output" ] # the container's process never ran
	[ ! -e "$SPY.mountinfo" ]
	host_clean
	# preset=all is "any": everything beyond the grant is named
	cfg 'del(.annotations)'
	annotate preset all
	oci_run
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"refused by the policy: cmds: "*"maps: "*"progs: any not granted"* ]]
	host_clean
	# a target outside paths= (default /sys/fs/bpf)
	cfg 'del(.annotations)'
	annotate maps array target /mnt/bpf
	oci_run
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"refused by the policy: target '/mnt/bpf' not granted (paths=/sys/fs/bpf) (rule $POLDIR/policy:1)"* ]]
	host_clean
}

@test "oci policy: a container no rule matches is refused; without annotations it runs" {
	need_oci
	use_policy
	policy_file policy.d/10-ci <<-EOF
	container id=ci-* preset=all
	container bundle=/srv/* preset=all
	EOF
	hook
	annotate cmds map_create maps array
	oci_run
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"refused by the policy: no rule for container 'bpfd-"*"' (bundle '$BUNDLE') (no rule: default deny)"* ]]
	[ -z "$output" ]
	host_clean
	# the policy bounds what annotations ask, not containers that ask nothing
	cfg 'del(.annotations)'
	oci_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"token=EINVAL"* ]]
	host_clean
}

@test "oci policy: no policy file at all: annotations work as before; an unsafe one fails the hook" {
	need_oci
	use_policy
	# the directory and presets.d exist, no policy file
	policy_file presets.d/site <<-EOF
	preset site maps=array
	EOF
	hook
	annotate cmds map_create maps array
	oci_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"token=ok"* ]]
	host_clean
	# a policy another user owns refuses the whole policy: the hook fails
	policy_file policy <<-EOF
	container preset=all
	EOF
	chown 1 "$POLDIR/policy"
	oci_run
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"policy: $POLDIR/policy: owned by uid 1, not root"* ]]
	[ -z "$output" ]
	host_clean
	chown 0 "$POLDIR/policy"
	oci_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"token=ok"* ]]
	host_clean
}
