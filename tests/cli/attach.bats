#!/usr/bin/env bats
# End-to-end tests of `bpfdelegate attach` against a process the test starts
# in its own user + mount namespace (tests/oci/userns-sleeper.sh: 0 -> host
# 100000, like a container).  The token is then made from inside with nsenter.
bats_require_minimum_version 1.5.0
load helpers


setup() {
	BPFD_ABS=$(realpath "$BPFD")
	PROBE="$HELPERS/tokenprobe"
	PROBE_STATIC="$HELPERS/tokenprobe-static"
	T=$(mktemp -d /tmp/bpfd-attach.XXXXXX)
	chmod 0755 "$T"
	PIDS=()
	HOST_BPF=$(bpf_mount_count)
}

teardown() {
	local p m
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	for m in $(awk -v t="$T" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null || true
	done
	rm -rf "$T"
}

need_attach() {
	need_root_tokens
	local t why=""
	for t in unshare nsenter; do
		command -v "$t" >/dev/null || why="needs $t"
	done
	if [ -n "$why" ]; then
		[ "${CI:-}" = true ] && { echo "skip is a failure under CI=true: $why" >&2; return 1; }
		skip "$why"
	fi
}

# sleeper [ROOT]: start the target process, remember it for teardown.
sleeper() {
	P=$("$OCI/userns-sleeper.sh" "$@")
	PIDS+=("$P")
}

# inside [ENV=VALUE...] CMD...: run CMD in the target's user and mount
# namespaces as its root (host uid 100000, full capabilities there).
inside() {
	nsenter -t "$P" -U -m env "$@"
}

attach() {
	run --separate-stderr timeout 60 "$BPFD_ABS" attach "$@"
	echo "# attach $*: status $status"
	echo "$output" | sed 's/^/# out: /'
	echo "$stderr" | sed 's/^/# err: /'
}

@test "attach: --target DIR in a process's own namespaces, token from inside" {
	need_attach
	sleeper
	mkdir "$T/bpf"
	attach --pid "$P" --maps array --cmds map_create --target "$T/bpf"
	[ "$status" -eq 0 ]
	# not on the host
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
	not_mountpoint "$T/bpf"
	# inside: mounted with these options, a token and a map, no program
	run inside grep " - bpf " /proc/self/mountinfo
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *" $T/bpf "*"delegate_cmds=map_create"*"delegate_maps=array"* ]]
	run inside LIBBPF_BPF_TOKEN_PATH="$T/bpf" "$PROBE"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"token=ok"* ]]
	[[ "$output" == *"map=ok"* ]]
	[[ "$output" == *"prog=EPERM"* ]]
}

@test "attach: default target /sys/fs/bpf, any x4" {
	need_attach
	sleeper
	attach --pid "$P"
	[ "$status" -eq 0 ]
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
	run inside "$PROBE"
	echo "$output"
	[[ "$output" == *"token=ok"* ]]
	[[ "$output" == *"map=ok"* ]]
	[[ "$output" == *"prog=ok"* ]]
}

@test "attach: a missing last directory is created, as the namespace's root" {
	need_attach
	sleeper
	# created with the target's credentials: a host-root directory refuses
	attach --pid "$P" -c map_create -m array --target "$T/new"
	[ "$status" -ne 0 ]
	[ "$status" -lt 126 ]
	[[ "$stderr" == *"Permission denied"* ]]
	[ ! -e "$T/new" ]
	[ "$(nsenter -t "$P" -m grep -c " - bpf " /proc/self/mountinfo || true)" -eq 0 ]
	# a directory the namespace's root (host 100000) owns
	mkdir "$T/ns"
	chown 100000:100000 "$T/ns"
	attach --pid "$P" -c map_create -m array --target "$T/ns/new"
	[ "$status" -eq 0 ]
	[ "$(stat -c %u "$T/ns/new")" -eq 100000 ]
	not_mountpoint "$T/ns/new"
	run inside LIBBPF_BPF_TOKEN_PATH="$T/ns/new" "$PROBE"
	[[ "$output" == *"token=ok"* ]]
	[[ "$output" == *"map=ok"* ]]
	# a missing parent is not created
	attach --pid "$P" -c map_create -m array --target "$T/ns/a/b"
	[ "$status" -ne 0 ]
	[ ! -e "$T/ns/a" ]
}

@test "attach: --json reports the result" {
	need_attach
	sleeper
	attach --pid "$P" -c map_create -m array --target "$T" --json
	[ "$status" -eq 0 ]
	jq -e . <<<"$output" >/dev/null
}

# A process chrooted into a busybox rootfs: the target is resolved inside
# its root; symlinks and .. must not lead to the host's directory $H.
chroot_setup() {
	need_attach
	[ -x "$PROBE_STATIC" ] || { echo "needs $PROBE_STATIC" >&2; return 1; }
	"$OCI/mkbundle.sh" "$T/bundle" "$PROBE_STATIC"
	R="$T/bundle/rootfs"
	H="$T/host"
	mkdir -p "$H/sub"
	ln -s "$H" "$R/evil"
	sleeper "$R"
	# the target's mount namespace, seen whole (nsenter -m without -r)
	IN_NS_BEFORE=$(nsenter -t "$P" -m grep -c " - bpf " /proc/self/mountinfo || true)
}

chroot_check() {
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
	not_mountpoint "$H"
	not_mountpoint "$H/sub"
	[ "$(find "$H" | wc -l)" -eq 2 ]
	# in the target's namespace: any bpf mount is inside its root
	local m
	for m in $(nsenter -t "$P" -m awk '$0 ~ / - bpf / {print $5}' /proc/self/mountinfo); do
		echo "# bpf mount in the target's namespace: $m"
		[[ "$m" == "$R/"* ]]
	done
	if [ "$status" -eq 0 ]; then
		# success means visible from inside, through the same path
		run nsenter -t "$P" -U -m -r env LIBBPF_BPF_TOKEN_PATH="$1" /tokenprobe
		echo "$output"
		[[ "$output" == *"token=ok"* ]]
	else
		[ "${#stderr_lines[@]}" -ge 1 ]
		[ "$(nsenter -t "$P" -m grep -c " - bpf " /proc/self/mountinfo || true)" -eq "$IN_NS_BEFORE" ]
	fi
}

@test "attach: --target a symlink whose path also exists inside the root: mounted inside" {
	chroot_setup
	mkdir -p "$R$H/sub"
	chown -R 100000:100000 "$R/tmp"
	attach --pid "$P" -c map_create -m array --target /evil/sub
	[ "$status" -eq 0 ]
	chroot_check /evil/sub
	[ "$(nsenter -t "$P" -m awk '$0 ~ / - bpf / {print $5}' /proc/self/mountinfo)" = "$R$H/sub" ]
}

@test "attach: --target a symlink to a host directory: inside the root or refused" {
	chroot_setup
	attach --pid "$P" -c map_create -m array --target /evil
	chroot_check /evil
}

@test "attach: --target through a symlink to a host directory" {
	chroot_setup
	attach --pid "$P" -c map_create -m array --target /evil/sub
	chroot_check /evil/sub
}

@test "attach: --target climbing out with .." {
	chroot_setup
	attach --pid "$P" -c map_create -m array --target "/../../../../../../..$H"
	chroot_check "$H"
}

@test "attach: a process in the initial user namespace is refused, saying so" {
	need_attach
	sleep 600 </dev/null >/dev/null 2>&1 3>&- &
	PIDS+=("$!")
	attach --pid "$!" -c map_create -m array
	[ "$status" -ne 0 ]
	[ "$status" -lt 126 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *"initial user namespace"* ]]
	attach --pid 1 -c map_create -m array
	[ "$status" -ne 0 ]
	[ "$status" -lt 126 ]
	# Some sandboxes make pid 1 unreadable even to root (readlink
	# /proc/1/ns/user: EACCES); then only the refusal can be checked.
	if readlink /proc/1/ns/user >/dev/null 2>&1; then
		[[ "$stderr" == *"initial user namespace"* ]]
	fi
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
}

@test "attach: a user namespace sharing the host's mount namespace is refused" {
	need_attach
	P=$(SLEEPER_NO_MNTNS=1 "$OCI/userns-sleeper.sh")
	PIDS+=("$P")
	[ "$(readlink /proc/$P/ns/mnt)" = "$(readlink /proc/self/ns/mnt)" ]
	attach --pid "$P" -c map_create -m array --target "$T"
	[ "$status" -ne 0 ]
	[ "$status" -lt 126 ]
	[[ "$stderr" == *"mount namespace"* ]]
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
	not_mountpoint "$T"
}

@test "attach: a pid that does not exist: a clear error" {
	need_attach
	attach --pid 999999999 -c map_create -m array
	[ "$status" -ne 0 ]
	[ "$status" -lt 126 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *"999999999"* ]]
	true &
	gone=$!
	wait "$gone"
	attach --pid "$gone" -c map_create -m array
	[ "$status" -ne 0 ]
	[ "$status" -lt 126 ]
	[[ "$stderr" == *"$gone"* ]]
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
}

@test "attach: usage errors exit 2" {
	need_attach
	attach -c map_create
	[ "$status" -eq 2 ]
	attach --pid abc
	[ "$status" -eq 2 ]
}

@test "attach: a failed check leaves nothing mounted in the process" {
	need_attach
	need_faults
	sleeper
	mkdir "$T/bpf"
	BPFD_ABS=$(realpath "$BPFD_FAULTS") BPFDELEGATE_TEST_FAULT=drop-options \
		attach --pid "$P" --target "$T/bpf"
	[ "$status" -eq 4 ]
	run inside grep -c " - bpf " /proc/self/mountinfo
	[ "$output" = "0" ]
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
}
