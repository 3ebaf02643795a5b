#!/usr/bin/env bats
# Rootless podman end-to-end through `bpfdelegate serve` (issue 12's last
# test): podman 4.3 run by the test user bpfdtest with the runc runtime,
# --network none (slirp4netns needs /dev/net/tun, 0600 here), its own
# XDG_RUNTIME_DIR (0700) and HOME, storage and containers.conf under $T.
# Its hooks run inside its rootless user namespace, where the user is uid 0
# with capabilities that count for nothing on the host: `oci-hook` there
# asks the service, which identifies the real user by SO_PEERCRED and
# applies the policy.  The test build's service socket and policy are under
# the build directory (as in serve.bats), so the hook is the test CLI.
bats_require_minimum_version 1.5.0
load helpers

IMAGE=localhost/bpfd-podman-rl:test

setup() {
	use_faults || return 1
	need_root_tokens
	local why="" t
	for t in podman runc jq newuidmap newgidmap; do
		command -v "$t" >/dev/null || why="needs $t (make deps: podman uidmap)"
	done
	[ -x /bin/busybox ] || why="needs busybox-static (make deps)"
	[ -x "$HELPERS/tokenprobe-static" ] || why="needs $HELPERS/tokenprobe-static"
	if [ -n "$why" ]; then
		[ "${CI:-}" = true ] && { echo "skip is a failure under CI=true: $why" >&2; return 1; }
		skip "$why"
	fi
	ensure_test_users
	U=$BPFD_TEST_USER
	U1=$(id -u "$U")
	BUILDT=$(dirname "$BPFD_ABS")
	POLDIR="$BUILDT/etc/bpfdelegate"
	SOCK="$BUILDT/run/bpfdelegate/socket"
	mkdir -p "$POLDIR" "$BUILDT/run"
	chmod 755 "$BUILDT/etc" "$POLDIR" "$BUILDT/run"
	rm -f "$POLDIR/policy"
	SVC=
	SUBID_ADDED=
	HOST_BPF=$(bpf_mount_count)
	T=$(mktemp -d /var/tmp/bpfd-podman-rl.XXXXXX)
	chmod 0755 "$T"
	mkdir -p "$T/home" "$T/xdg" "$T/tmp" "$T/hooks" "$T/rootfs/bin" "$T/storage" "$T/runroot"
	chmod 0700 "$T/xdg"
	# newuidmap gives rootless podman the user's /etc/subuid range: added
	# for the test when the user has none, removed after.
	if ! grep -q "^$U:" /etc/subuid || ! grep -q "^$U:" /etc/subgid; then
		grep -q "^$U:" /etc/subuid /etc/subgid && skip "$U has a partial subordinate id range; not touched"
		SUBID_ADDED="$U:300000:65536"
		echo "$SUBID_ADDED" >>/etc/subuid
		echo "$SUBID_ADDED" >>/etc/subgid
	fi
	podman_conf "$T/tmp/events.log"
	cat >"$T/storage.conf" <<-EOF
		[storage]
		driver = "overlay"
		runroot = "$T/runroot"
		graphroot = "$T/storage"
		rootless_storage_path = "$T/storage"
	EOF
	podman_fixture "$BPFD_ABS" sh cat grep true
	cp "$HELPERS/tokenprobe-static" "$T/rootfs/tokenprobe"
	tar -C "$T/rootfs" -cf "$T/image.tar" .
	chown -R "$U" "$T/home" "$T/xdg" "$T/tmp" "$T/storage" "$T/runroot"
	chmod 644 "$T/image.tar" "$T/seccomp-bpf.json"
	upm import -q "$T/image.tar" "$IMAGE" >/dev/null
}

teardown() {
	[ -n "${T:-}" ] || return 0
	upm rm -fa >/dev/null 2>&1 || true
	# rootless podman's pause process, which holds its user namespace
	[ -s "$T/tmp/pause.pid" ] && kill -9 "$(cat "$T/tmp/pause.pid")" 2>/dev/null
	if [ -n "$SVC" ]; then
		kill "$SVC" 2>/dev/null && wait "$SVC" 2>/dev/null
		sed 's/^/# serve: /' "$T/serve.log"
	fi
	rm -f "$POLDIR/policy"
	if [ -n "$SUBID_ADDED" ]; then
		sed -i "/^$SUBID_ADDED\$/d" /etc/subuid /etc/subgid
	fi
	local m
	for m in $(awk -v t="$T" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null || true
	done
	rm -rf "$T"
}

# upm ARGS...: podman as the test user, with the test's configuration.
upm() {
	(cd "$T" && as_user "$U" env HOME="$T/home" XDG_RUNTIME_DIR="$T/xdg" \
		CONTAINERS_CONF="$T/containers.conf" CONTAINERS_STORAGE_CONF="$T/storage.conf" \
		timeout 120 podman --tmpdir "$T/tmp" --hooks-dir "$T/hooks" "$@")
}

# upm_run ARGS...: `podman run --rm --network none ARGS` as the user.
upm_run() {
	run --separate-stderr upm run --rm --network none "$@"
	echo "# podman run: status $status"
	echo "$output" | sed 's/^/# out: /'
	echo "$stderr" | sed 's/^/# err: /'
}

SHOW='cat /proc/self/uid_map; grep " - bpf " /proc/self/mountinfo; exec /tokenprobe'

@test "rootless podman --userns=auto through bpfdelegate serve: a delegated bpffs and a working token inside" {
	policy "user $U preset=all commands=attach"
	SERVE_TIMEOUT=5 start_service
	upm_run --userns=auto --cap-add BPF,PERFMON --security-opt seccomp="$T/seccomp-bpf.json" \
		--annotation bpfdelegate.io/preset=tracing "$IMAGE" sh -c "$SHOW"
	[ "$status" -eq 0 ]
	grep -q ' /sys/fs/bpf .* - bpf .*delegate_progs=socket_filter:kprobe:tracepoint' <<<"$output"
	grep -qx 'token=ok' <<<"$output"
	grep -qx 'map=ok' <<<"$output"
	grep -qx 'prog=ok' <<<"$output"
	# the service saw the real user (SO_PEERCRED), not podman's uid 0
	grep -q "uid $U1 pid [0-9]*: attach granted for pid [0-9]* (rule $POLDIR/policy:1)" "$T/serve.log"
	# nothing on the host
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
	# without annotations: left alone, the service not asked
	upm_run --userns=auto --cap-add BPF "$IMAGE" sh -c "$SHOW"
	[ "$status" -eq 0 ]
	! grep -q ' - bpf ' <<<"$output"
	[ "$(grep -c 'attach granted' "$T/serve.log")" -eq 1 ]
}

@test "rootless podman: a request beyond the user's grant fails the container, the rule named" {
	policy "user $U preset=socket-filter commands=attach"
	SERVE_TIMEOUT=5 start_service
	upm_run --userns=auto --cap-add BPF,PERFMON --security-opt seccomp="$T/seccomp-bpf.json" \
		--annotation bpfdelegate.io/preset=tracing "$IMAGE" sh -c "$SHOW"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"bpfdelegate oci-hook: "*"$POLDIR/policy:1"* ]]
	[ -z "$output" ]
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
}

@test "rootless podman: no service to ask, or no --userns: the hook fails with the reason" {
	policy "user $U preset=all commands=attach"
	# no service running: podman shows the hook's line
	upm_run --userns=auto --cap-add BPF --security-opt seccomp="$T/seccomp-bpf.json" \
		--annotation bpfdelegate.io/preset=socket-filter "$IMAGE" sh -c "$SHOW"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"exit status 3"*"only bpfdelegate serve can delegate, and nothing listens at $SOCK"* ]]
	SERVE_TIMEOUT=5 start_service
	# without --userns the container is in podman's own user namespace
	upm_run --cap-add BPF --security-opt seccomp="$T/seccomp-bpf.json" \
		--annotation bpfdelegate.io/preset=socket-filter "$IMAGE" sh -c "$SHOW"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"shares the runtime's user namespace (rootless podman without --userns)"*"--userns=auto"* ]]
	# podman's default seccomp profile: the same verdict as rootful
	upm_run --userns=auto --cap-add BPF --annotation bpfdelegate.io/preset=socket-filter \
		"$IMAGE" sh -c "$SHOW"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"its seccomp profile denies bpf(BPF_TOKEN_CREATE)"* ]]
	! grep -q 'attach granted' "$T/serve.log"
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
}
