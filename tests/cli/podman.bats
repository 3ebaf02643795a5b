#!/usr/bin/env bats
# podman end-to-end (issue 13): rootful podman 4.3 from Debian, the runc
# runtime, our hooks.d definition (docs/oci-hooks.d) in a hooks directory
# given with --hooks-dir.  Nothing system-wide is written: containers.conf
# (CONTAINERS_CONF), storage (--root/--runroot) and podman's tmpdir are
# under $T; the image is a busybox-static rootfs with the static tokenprobe,
# `podman import`ed (no registry).  Seen on this machine and handled here:
# root lacks CAP_SYS_RESOURCE, so podman's default rlimits fail
# (default_ulimits = []); crun fails on the hybrid cgroup setup (runc);
# without /dev/log a debug-logged run hangs 20 s (no --log-level debug).
bats_require_minimum_version 1.5.0
load helpers

IMAGE=localhost/bpfd-podman:test

# The real thing or nothing: podman, runc, jq, busybox-static, the static
# tokenprobe (skip, or fail under CI=true, when missing).
need_podman() {
	need_root_tokens
	local why="" t
	for t in podman runc jq; do
		command -v "$t" >/dev/null || why="needs $t (make deps)"
	done
	[ -x /bin/busybox ] || why="needs busybox-static (make deps)"
	[ -x "$HELPERS/tokenprobe-static" ] || why="needs $HELPERS/tokenprobe-static (make test builds it)"
	if [ -n "$why" ]; then
		[ "${CI:-}" = true ] && { echo "skip is a failure under CI=true: $why" >&2; return 1; }
		skip "$why"
	fi
}

setup_file() {
	command -v podman >/dev/null || return 0 # each test skips
	export T RUNC_ROOT_WAS
	T=$(mktemp -d /var/tmp/bpfd-podman.XXXXXX)
	# podman 4.3's clean-up process runs runc without --runtime-flag:
	# runc makes its default root, /run/runc (empty); removed after
	# when it was not there before and is still empty
	RUNC_ROOT_WAS=$([ -e /run/runc ] && echo yes || echo no)
	chmod 0755 "$T"
	mkdir -p "$T/hooks" "$T/tmp" "$T/rootfs/bin"
	podman_conf "$T/events.log"
	podman_fixture "$(realpath "$BPFD")" sh cat grep sleep true id
	cp "$HELPERS/tokenprobe-static" "$T/rootfs/tokenprobe"
	tar -C "$T/rootfs" -cf "$T/image.tar" .
	pm import -q "$T/image.tar" "$IMAGE" >/dev/null
}

teardown_file() {
	[ -n "${T:-}" ] || return 0
	pm rm -fa >/dev/null 2>&1 || true
	local m
	for m in $(awk -v t="$T" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null || true
	done
	rm -rf "$T"
	[ "$RUNC_ROOT_WAS" = yes ] || rmdir /run/runc 2>/dev/null || true
}

setup() {
	HOST_BPF=$(bpf_mount_count)
	SUBID_ADDED=
}

teardown() {
	pm rm -fa >/dev/null 2>&1 || true
	if [ -n "$SUBID_ADDED" ]; then
		sed -i "/^$SUBID_ADDED\$/d" /etc/subuid /etc/subgid
	fi
}

# pm ARGS...: podman with the test's configuration only.
pm() {
	CONTAINERS_CONF="$T/containers.conf" timeout 120 podman \
		--root "$T/root" --runroot "$T/runroot" --tmpdir "$T/tmp" \
		--runtime-flag root="$T/runc" \
		--storage-driver overlay --hooks-dir "$T/hooks" "$@"
}

# pm_run ARGS...: `podman run --rm --network none ARGS`, stdout (the
# container's) in $output, stderr (podman's) in $stderr.
pm_run() {
	run --separate-stderr pm run --rm --network none "$@"
	echo "# podman run: status $status"
	echo "$output" | sed 's/^/# out: /'
	echo "$stderr" | sed 's/^/# err: /'
}

MAPPED=(--uidmap 0:100000:65536 --gidmap 0:100000:65536)
SHOW='grep " - bpf " /proc/self/mountinfo; exec /tokenprobe'

@test "podman: annotations, --cap-add BPF and a seccomp profile allowing bpf(): a delegated bpffs and a working token inside" {
	need_podman
	pm_run "${MAPPED[@]}" --cap-add BPF --security-opt seccomp="$T/seccomp-bpf.json" \
		--annotation bpfdelegate.io/cmds=map_create --annotation bpfdelegate.io/maps=array \
		"$IMAGE" sh -c "$SHOW"
	[ "$status" -eq 0 ]
	grep -q ' /sys/fs/bpf .* - bpf .*delegate_cmds=map_create,delegate_maps=array$' <<<"$output"
	grep -qx 'token=ok' <<<"$output"
	grep -qx 'map=ok' <<<"$output"
	grep -qx 'prog=EPERM' <<<"$output" # not delegated
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
}

@test "podman: the preset annotation with --cap-add BPF,PERFMON loads a tracing program" {
	need_podman
	pm_run "${MAPPED[@]}" --cap-add BPF,PERFMON --security-opt seccomp="$T/seccomp-bpf.json" \
		--annotation bpfdelegate.io/preset=tracing "$IMAGE" sh -c "$SHOW"
	[ "$status" -eq 0 ]
	grep -q 'delegate_progs=socket_filter:kprobe:tracepoint' <<<"$output"
	grep -qx 'token=ok' <<<"$output"
	grep -qx 'prog=ok' <<<"$output"
}

@test "podman: a container without annotations is left alone" {
	need_podman
	pm_run "${MAPPED[@]}" --cap-add BPF --security-opt seccomp="$T/seccomp-bpf.json" \
		"$IMAGE" sh -c "$SHOW"
	[ "$status" -eq 0 ]
	! grep -q ' - bpf ' <<<"$output"
	# /sys/fs/bpf is sysfs's empty directory: no bpffs, no token
	grep -qx 'token=EINVAL' <<<"$output"
	# an annotation of another prefix does not run the hook either
	pm_run "${MAPPED[@]}" --annotation example.com/bpf=any "$IMAGE" sh -c "$SHOW"
	[ "$status" -eq 0 ]
	! grep -q ' - bpf ' <<<"$output"
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
}

@test "podman: podman's default seccomp profile denies bpf(): the container does not start, the hook names the rule" {
	need_podman
	# The documented example of old: delegated, but EPERM at token
	# creation inside (Debian's seccomp.json allows bpf() only with
	# CAP_SYS_ADMIN).  The hook now says so and podman shows it.
	pm_run "${MAPPED[@]}" --cap-add BPF --annotation bpfdelegate.io/cmds=map_create \
		--annotation bpfdelegate.io/maps=array "$IMAGE" sh -c "$SHOW"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"bpfdelegate oci-hook: refused: container "*" could never use its token: its seccomp profile denies bpf(BPF_TOKEN_CREATE): linux.seccomp.syscalls["*"] makes bpf() SCMP_ACT_ERRNO, errno 1 EPERM"* ]]
	[ -z "$output" ]
	# what the hook foretold is what the kernel does: with the warning
	# only, the bpffs is there and token creation fails with EPERM
	pm_run "${MAPPED[@]}" --cap-add BPF --annotation bpfdelegate.io/cmds=map_create \
		--annotation bpfdelegate.io/maps=array --annotation bpfdelegate.io/unusable=warn \
		"$IMAGE" sh -c "$SHOW"
	[ "$status" -eq 0 ]
	grep -q ' /sys/fs/bpf .* - bpf .*delegate_cmds=map_create' <<<"$output"
	grep -qx 'token=EPERM' <<<"$output"
	# --cap-add SYS_ADMIN also lifts podman's rule (it resolves the
	# profile's includes.caps against the bounding set), but gives the
	# container far more than bpf(); seccomp=unconfined drops the filter
	pm_run "${MAPPED[@]}" --cap-add BPF,SYS_ADMIN --annotation bpfdelegate.io/cmds=map_create \
		--annotation bpfdelegate.io/maps=array "$IMAGE" sh -c "$SHOW"
	[ "$status" -eq 0 ]
	grep -qx 'token=ok' <<<"$output"
	pm_run "${MAPPED[@]}" --cap-add BPF --security-opt seccomp=unconfined \
		--annotation bpfdelegate.io/cmds=map_create --annotation bpfdelegate.io/maps=array \
		"$IMAGE" sh -c "$SHOW"
	[ "$status" -eq 0 ]
	grep -qx 'token=ok' <<<"$output"
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
}

@test "podman: without --cap-add BPF the hook refuses, naming the capability set" {
	need_podman
	pm_run "${MAPPED[@]}" --security-opt seccomp="$T/seccomp-bpf.json" \
		--annotation bpfdelegate.io/preset=tracing "$IMAGE" sh -c "$SHOW"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"could never use its token: CAP_BPF is not in process.capabilities.bounding"* ]]
	# CAP_BPF but not CAP_PERFMON, for a tracing preset
	pm_run "${MAPPED[@]}" --cap-add BPF --security-opt seccomp="$T/seccomp-bpf.json" \
		--annotation bpfdelegate.io/progs=kprobe --annotation bpfdelegate.io/cmds=prog_load \
		"$IMAGE" sh -c "$SHOW"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"without CAP_PERFMON in process.capabilities (bounding and effective) it can never load any of its program types (kprobe)"* ]]
	# and CAP_NET_ADMIN for a networking one
	pm_run "${MAPPED[@]}" --cap-add BPF --security-opt seccomp="$T/seccomp-bpf.json" \
		--annotation bpfdelegate.io/progs=xdp --annotation bpfdelegate.io/cmds=prog_load \
		"$IMAGE" sh -c "$SHOW"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"without CAP_NET_ADMIN in process.capabilities (bounding and effective) it can never load any of its program types (xdp)"* ]]
	# the xdp preset has socket_filter too: usable in part, a warning
	# only (runc hides it), and the socket filter loads
	pm_run "${MAPPED[@]}" --cap-add BPF --security-opt seccomp="$T/seccomp-bpf.json" \
		--annotation bpfdelegate.io/preset=xdp "$IMAGE" sh -c "$SHOW"
	[ "$status" -eq 0 ]
	grep -qx 'prog=ok' <<<"$output"
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
}

@test "podman: no user namespace (podman's default): the hook refuses" {
	need_podman
	pm_run --cap-add BPF --security-opt seccomp="$T/seccomp-bpf.json" \
		--annotation bpfdelegate.io/preset=tracing "$IMAGE" sh -c "$SHOW"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"has no user namespace of its own"* ]]
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
}

@test "podman: --userns=auto: a delegated bpffs and a working token inside" {
	need_podman
	# --userns=auto takes ids from the "containers" range of /etc/subuid
	# and /etc/subgid: added for this test when missing, removed after.
	if ! grep -q '^containers:' /etc/subuid || ! grep -q '^containers:' /etc/subgid; then
		grep -q '^containers:' /etc/subuid /etc/subgid && skip "a partial containers range exists; not touched"
		SUBID_ADDED="containers:2000000:200000"
		echo "$SUBID_ADDED" >>/etc/subuid
		echo "$SUBID_ADDED" >>/etc/subgid
	fi
	pm_run --userns=auto --cap-add BPF,PERFMON --security-opt seccomp="$T/seccomp-bpf.json" \
		--annotation bpfdelegate.io/preset=tracing "$IMAGE" \
		sh -c 'cat /proc/self/uid_map; grep " - bpf " /proc/self/mountinfo; exec /tokenprobe'
	[ "$status" -eq 0 ]
	# a user namespace podman chose, not the host's identity map
	! grep -qE '^ *0 +0 ' <<<"$output"
	grep -q ' /sys/fs/bpf .* - bpf .*delegate_progs=socket_filter:kprobe:tracepoint' <<<"$output"
	grep -qx 'token=ok' <<<"$output"
	grep -qx 'prog=ok' <<<"$output"
	# without annotations under --userns=auto: left alone
	pm_run --userns=auto --cap-add BPF "$IMAGE" sh -c "$SHOW"
	[ "$status" -eq 0 ]
	! grep -q ' - bpf ' <<<"$output"
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
}
