#!/usr/bin/env bats
# The file-capability helper (issue 12): a copy of the test build
# (build/tests/bpfdelegate-faults, whose policy directory is
# <build>/tests/etc/bpfdelegate, never /etc) with `setcap cap_sys_admin+p`,
# run by the test users (ensure_test_users / as_user) under policies the
# tests write.  Faults reach the helper only through the root-owned file
# <policy dir>/test-fault: it drops BPFDELEGATE_TEST_FAULT with the rest of
# the caller's environment.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	need_faults
	command -v setcap >/dev/null || skip "needs setcap (libcap2-bin, make deps)"
	ensure_test_users
	POLDIR="$(cd "$(dirname "$BPFD_FAULTS")" && pwd)/etc/bpfdelegate"
	mkdir -p "$POLDIR"
	chmod 0755 "$POLDIR" "$(dirname "$POLDIR")"
	T=$(mktemp -d /tmp/bpfd-rootless.XXXXXX)
	chmod 0755 "$T"
	H="$T/bpfdelegate-helper"
	cp "$BPFD_FAULTS" "$H"
	chmod 0755 "$H"
	setcap cap_sys_admin+p "$H"
	PIDS=()
	HOST_BPF=$(bpf_mount_count)
	# the helper path the test CLI re-executes (Makefile TEST_HELPER_PATH)
	REEXEC="$(cd "$(dirname "$BPFD_FAULTS")" && pwd)/bpfdelegate-helper"
	U1=$(id -u "$BPFD_TEST_USER")
	G1=$(id -g "$BPFD_TEST_USER")
	cd /
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	rm -f "$POLDIR/policy" "$POLDIR/test-fault" "$REEXEC"
	if [ -d "$T/state" ]; then
		for p in $(runc --root "$T/state" list -q 2>/dev/null); do
			timeout 30 runc --root "$T/state" delete -f "$p" >/dev/null 2>&1 || true
		done
	fi
	rm -rf "$T"
}

# A fault for the helper's processes (root-owned file, test builds only).
fault() {
	printf '%s\n' "$1" >"$POLDIR/test-fault"
	chmod 0644 "$POLDIR/test-fault"
}

u1() { as_user "$BPFD_TEST_USER" "$@"; }
# In the background: setpriv itself, so that $! is the process (a shell
# function would run in a subshell of its own).
bg_as() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups -- "$@" &
}
u2() { as_user "$BPFD_TEST_USER2" "$@"; }

# cap_line PID NAME: the hex value of CapNAME in /proc/PID/status.
cap_line() {
	awk -v k="Cap$2:" '$1 == k {print $2}' "/proc/$1/status"
}

CAP_SYS_ADMIN_ONLY=0000000000200000
ZERO=0000000000000000

@test "rootless: the helper copy holds cap_sys_admin+p only; an allowed check works" {
	policy "user $BPFD_TEST_USER preset=socket-filter commands=check"
	[ "$(getcap "$H" | awk '{print $2}')" = "cap_sys_admin=p" ]
	run --separate-stderr u1 "$H" check --preset socket-filter
	echo "$output"; echo "$stderr"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Result: ok"* ]]
	grep -q "^  ok    write uid_map" <<<"$output"
	grep -q "^  ok    token create" <<<"$output"
	[[ "$output" == *"uid=$U1,gid=$G1,delegate_cmds="* ]]
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
}

@test "rootless: run: COMMAND gets a token and a map, its namespace maps the caller's own ids only" {
	policy "user $BPFD_TEST_USER preset=socket-filter commands=run netns=host"
	run --separate-stderr u1 "$H" run --preset socket-filter -- sh -c '
		cat /proc/self/uid_map /proc/self/gid_map
		echo "userns=$(readlink /proc/self/ns/user)"
		echo "LIBBPF_BPF_TOKEN_PATH=$LIBBPF_BPF_TOKEN_PATH"
		exec "$1"' sh "$HELPERS/tokenprobe"
	echo "$output"; echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(awk 'NR <= 2 {print $1, $2, $3}' <<<"$output")" = "0 $U1 1"$'\n'"0 $G1 1" ]
	# the caps COMMAND has belong to a user namespace of its own
	[[ "$output" == *"userns="* ]]
	! grep -qx "userns=$(readlink /proc/self/ns/user)" <<<"$output"
	grep -qx "LIBBPF_BPF_TOKEN_PATH=/sys/fs/bpf" <<<"$output"
	grep -qx "token=ok" <<<"$output"
	grep -qx "map=ok" <<<"$output"
	grep -qx "prog=ok" <<<"$output"
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
}

@test "rootless: run: the libbpf 1.5 client loads through the token" {
	local client obj
	client="$(dirname "$BPFD")/tests/libbpf/client"
	obj="$(dirname "$BPFD")/tests/libbpf/client.bpf.o"
	if [ ! -x "$client" ] || [ ! -f "$obj" ]; then
		[ "${CI:-}" = true ] && { echo "no $client (make libbpf-client)" >&2; return 1; }
		skip "no $client (make libbpf-client)"
	fi
	policy "user $BPFD_TEST_USER preset=socket-filter commands=run"
	run u1 "$H" run --preset socket-filter --netns new -- \
		"$client" --only sock_filter --attach "$obj"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^socket filter: counts\[1\] [1-9]' <<<"$output"
	grep -q 'created with a BPF token$' <<<"$output"
	! grep -q 'WITHOUT a token' <<<"$output"
}

@test "rootless: a request beyond the grant is refused with the rule and the excess named (exit 6)" {
	policy "# comment" "user $BPFD_TEST_USER preset=socket-filter commands=check,run"
	run --separate-stderr u1 "$H" check --preset tracing
	echo "$stderr"
	[ "$status" -eq 6 ]
	[[ "$stderr" == *"check: refused by the policy ($POLDIR/policy:2): "*"progs: kprobe"*"not granted"* ]]
	# netns host was not granted: run without --netns new is refused
	run --separate-stderr u1 "$H" run --preset socket-filter -- true
	echo "$stderr"
	[ "$status" -eq 6 ]
	[[ "$stderr" == *"run: refused by the policy ($POLDIR/policy:2): netns host not granted"* ]]
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
}

@test "rootless: a user without a grant is refused (exit 6), also with no policy at all" {
	policy "user $BPFD_TEST_USER preset=socket-filter"
	run --separate-stderr u2 "$H" check --preset socket-filter
	echo "$stderr"
	[ "$status" -eq 6 ]
	[[ "$stderr" == *"refused by the policy (no rule applies): no rule for uid $(id -u "$BPFD_TEST_USER2")"* ]]
	rm -f "$POLDIR/policy"
	run --separate-stderr u1 "$H" check --preset socket-filter
	echo "$stderr"
	[ "$status" -eq 6 ]
}

@test "rootless: the namespace child drops every capability before any namespace; the helper keeps CAP_SYS_ADMIN permitted only" {
	local helper child i
	policy "user $BPFD_TEST_USER preset=socket-filter commands=check"
	fault child-pause-early
	u1 "$H" check --preset socket-filter --timeout 20 >/dev/null 2>&1 &
	PIDS+=($!)
	for i in $(seq 100); do
		helper=$(pgrep -u "$BPFD_TEST_USER" -f "^$H check" -o || true)
		[ -n "$helper" ] && child=$(pgrep -P "$helper" || true)
		[ -n "${child:-}" ] && break
		sleep 0.1
	done
	echo "helper=$helper child=$child"
	[ -n "$child" ]
	PIDS+=("$child" "$helper")
	# the child, still in the initial user namespace
	[ "$(readlink "/proc/$child/ns/user")" = "$(readlink /proc/self/ns/user)" ]
	[ "$(cap_line "$child" Prm)" = "$ZERO" ]
	[ "$(cap_line "$child" Eff)" = "$ZERO" ]
	[ "$(cap_line "$child" Inh)" = "$ZERO" ]
	[ "$(cap_line "$child" Amb)" = "$ZERO" ]
	# the helper, waiting for it: permitted only
	[ "$(cap_line "$helper" Prm)" = "$CAP_SYS_ADMIN_ONLY" ]
	[ "$(cap_line "$helper" Eff)" = "$ZERO" ]
	[ "$(cap_line "$helper" Inh)" = "$ZERO" ]
	[ "$(cap_line "$helper" Amb)" = "$ZERO" ]
}

@test "rootless: after the delegation the helper holds CAP_SYS_ADMIN in its permitted set only (run, waiting for COMMAND)" {
	local helper i
	policy "user $BPFD_TEST_USER preset=socket-filter commands=run"
	u1 "$H" run --preset socket-filter --netns new -- sleep 30 >/dev/null 2>&1 &
	PIDS+=($!)
	for i in $(seq 100); do
		helper=$(pgrep -u "$BPFD_TEST_USER" -f "^$H run" -o || true)
		[ -n "$helper" ] && pgrep -P "$helper" -x sleep >/dev/null && break
		sleep 0.1
	done
	echo "helper=$helper"
	pgrep -P "$helper" -x sleep
	PIDS+=("$helper")
	[ "$(cap_line "$helper" Prm)" = "$CAP_SYS_ADMIN_ONLY" ]
	[ "$(cap_line "$helper" Eff)" = "$ZERO" ]
	[ "$(cap_line "$helper" Amb)" = "$ZERO" ]
}

@test "rootless: a copy installed with more (cap_sys_admin,cap_setgid+ep) is lowered to CAP_SYS_ADMIN permitted only at start" {
	local helper i
	setcap cap_sys_admin,cap_setgid+ep "$H"
	policy "user $BPFD_TEST_USER preset=socket-filter commands=check"
	fault child-pause-early
	u1 "$H" check --preset socket-filter --timeout 20 >/dev/null 2>&1 &
	PIDS+=($!)
	for i in $(seq 100); do
		helper=$(pgrep -u "$BPFD_TEST_USER" -f "^$H check" -o || true)
		[ -n "$helper" ] && pgrep -P "$helper" >/dev/null && break
		sleep 0.1
	done
	echo "helper=$helper"
	[ -n "$helper" ]
	PIDS+=("$helper")
	[ "$(cap_line "$helper" Prm)" = "$CAP_SYS_ADMIN_ONLY" ]
	[ "$(cap_line "$helper" Eff)" = "$ZERO" ]
}

@test "rootless: the environment cannot steer the helper: BPFDELEGATE_*, LIBBPF_*, SUDO_* dropped, the policy fixed" {
	policy "user $BPFD_TEST_USER preset=socket-filter commands=check,run"
	# the test build obeys this variable, but not in the helper
	run --separate-stderr u1 env BPFDELEGATE_TEST_FAULT=old-kernel "$H" check --preset socket-filter
	echo "$stderr"
	[ "$status" -eq 0 ]
	run --separate-stderr u1 env SUDO_UID=0 SUDO_GID=0 LIBBPF_LOG_LEVEL=debug \
		LD_LIBRARY_PATH=/nonexistent BPFDELEGATE_POLICY_DIR=/tmp \
		"$H" run --preset socket-filter --netns new -- sh -c 'env; cat /proc/self/uid_map'
	echo "$output"; echo "$stderr"
	[ "$status" -eq 0 ]
	! grep -Eq '^(SUDO_|LIBBPF_LOG|LD_|BPFDELEGATE_)' <<<"$output"
	grep -qx 'LIBBPF_BPF_TOKEN_PATH=/sys/fs/bpf' <<<"$output"
	grep -Eq "^ +0 +$U1 +1$" <<<"$output"
	# no variable names another policy: bpfdtest2 stays refused by this one
	run --separate-stderr u2 env BPFDELEGATE_POLICY_DIR=/tmp BPFD_POLICY_DIR=/tmp "$H" check --preset socket-filter
	echo "$stderr"
	[ "$status" -eq 6 ]
	[[ "$stderr" == *"no rule for uid"* ]]
}

@test "rootless: run --user and --map-user/--map-group of other ids are refused (exit 2)" {
	policy "user $BPFD_TEST_USER preset=socket-filter commands=run"
	run --separate-stderr u1 "$H" run --preset socket-filter --netns new --map-user "$BPFD_TEST_USER2" -- true
	echo "$stderr"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--map-user: unprivileged, the namespace root can only be your own uid ($U1)"* ]]
	run --separate-stderr u1 "$H" run --preset socket-filter --netns new --map-group 0 -- true
	[ "$status" -eq 2 ]
	run --separate-stderr u1 "$H" run --preset socket-filter --netns new --user "$BPFD_TEST_USER2" -- true
	echo "$stderr"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--user: unprivileged"* ]]
	# the caller's own ids are accepted
	run u1 "$H" run --preset socket-filter --netns new --map-user "$U1" -- cat /proc/self/uid_map
	[ "$status" -eq 0 ]
}

# sleeper USER: a process of USER in a user + mount namespace of its own.
sleeper() {
	bg_as "$1" unshare -U -m -r --propagation private sleep 60
	PIDS+=($!)
	SLEEPER=$!
	local i
	for i in $(seq 50); do
		[ "$(readlink "/proc/$SLEEPER/ns/user" 2>/dev/null)" != "$(readlink /proc/self/ns/user)" ] &&
			[ "$(cat "/proc/$SLEEPER/comm")" = sleep ] && return 0
		sleep 0.1
	done
	return 1
}

@test "rootless: attach into the caller's own namespace works; a token is made there" {
	policy "user $BPFD_TEST_USER preset=socket-filter commands=attach paths=/sys/fs/bpf"
	sleeper "$BPFD_TEST_USER"
	run --separate-stderr u1 "$H" attach --pid "$SLEEPER" --preset socket-filter
	echo "$output"; echo "$stderr"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Result: ok"* ]]
	nsenter -t "$SLEEPER" -m cat /proc/self/mountinfo | grep -q " /sys/fs/bpf .* - bpf .*delegate_progs=socket_filter"
	# another target path than the grant's: refused
	run --separate-stderr u1 "$H" attach --pid "$SLEEPER" --preset socket-filter --target /mnt/bpf
	echo "$stderr"
	[ "$status" -eq 6 ]
	[[ "$stderr" == *"target '/mnt/bpf' not granted (paths=/sys/fs/bpf)"* ]]
}

@test "rootless: attach into another user's namespace is refused (may not ptrace it)" {
	policy "user $BPFD_TEST_USER preset=socket-filter commands=attach"
	sleeper "$BPFD_TEST_USER2"
	run --separate-stderr u1 "$H" attach --pid "$SLEEPER" --preset socket-filter
	echo "$stderr"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"attach: join namespaces: pid $SLEEPER: you may not ptrace it, so you may not delegate into its namespaces"* ]]
	[ "$(nsenter -t "$SLEEPER" -m cat /proc/self/mountinfo | grep -c ' - bpf ')" -eq 0 ]
}

@test "rootless: attach into a namespace the caller may ptrace but does not own is refused (NS_GET_OWNER_UID)" {
	local other=1999001 pid i
	policy "user $BPFD_TEST_USER preset=socket-filter commands=attach"
	mkfifo "$T/go"
	chmod 0666 "$T/go"
	# A: the caller's namespace, which root maps a second id into; B: a
	# namespace created in A by that id (owner uid 1999001 on the host)
	bg_as "$BPFD_TEST_USER" unshare -U sh -c "read x <$T/go; exec setpriv --reuid=1 --regid=1 --clear-groups unshare -U -m --propagation private sleep 60"
	pid=$!
	PIDS+=($pid)
	for i in $(seq 50); do
		[ "$(readlink "/proc/$pid/ns/user" 2>/dev/null)" != "$(readlink /proc/self/ns/user)" ] && break
		sleep 0.1
	done
	# one write(2) each, as the kernel wants (bash writes line by line)
	printf '0 %s 1\n1 %s 1\n' "$U1" "$other" |
		dd of="/proc/$pid/uid_map" bs=4096 count=1 iflag=fullblock status=none
	printf '0 %s 1\n1 %s 1\n' "$G1" "$other" |
		dd of="/proc/$pid/gid_map" bs=4096 count=1 iflag=fullblock status=none
	echo go >"$T/go"
	for i in $(seq 50); do
		[ "$(cat "/proc/$pid/comm")" = sleep ] && break
		sleep 0.1
	done
	[ "$(cat "/proc/$pid/comm")" = sleep ]
	run --separate-stderr u1 "$H" attach --pid "$pid" --preset socket-filter
	echo "$stderr"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"pid $pid: its user namespace belongs to uid $other, not to you (uid $U1)"* ]]
	[ "$(nsenter -t "$pid" -m cat /proc/self/mountinfo | grep -c ' - bpf ')" -eq 0 ]
}

@test "rootless: doctor for an unprivileged caller: the helper's file capability, nosuid, the policy" {
	policy "user $BPFD_TEST_USER preset=socket-filter"
	run u1 "$H" doctor --helper "$H"
	echo "$output"
	grep -Eq "^ok +helper-cap +$H: cap_sys_admin=p$" <<<"$output"
	grep -Eq "^ok +helper-nosuid " <<<"$output"
	grep -Eq "^ok +policy +a rule applies to you: $POLDIR/policy:1" <<<"$output"
	grep -Eq "^ok +max-userns +user.max_user_namespaces = [1-9]" <<<"$output"
	# lost on a copy
	cp "$H" "$T/copy"
	run u1 "$H" doctor --helper "$T/copy"
	grep -Eq "^PROBLEM +helper-cap +$T/copy has no file capability" <<<"$output"
	# a user without a grant
	run u2 "$H" doctor --helper "$H"
	grep -Eq "^PROBLEM +policy +$POLDIR: no rule for uid" <<<"$output"
	# a nosuid filesystem hides the capability
	mkdir "$T/nosuid"
	mount -t tmpfs -o nosuid,mode=0755 bpfd-rootless "$T/nosuid"
	cp "$H" "$T/nosuid/h"
	setcap cap_sys_admin+p "$T/nosuid/h"
	run u1 "$H" doctor --helper "$T/nosuid/h" --json
	umount "$T/nosuid"
	echo "$output"
	[ "$(jq -r '.rootless[] | select(.check == "helper-nosuid") | .status' <<<"$output")" = PROBLEM ]
}

@test "rootless: root running the helper copy is the root tool (no policy asked)" {
	rm -f "$POLDIR/policy"
	run --separate-stderr "$H" check --preset socket-filter
	echo "$output"; echo "$stderr"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Result: ok"* ]]
	[[ "$output" == *"uid=65534,gid=65534,delegate_cmds="* ]]
}

@test "rootless: the plain CLI re-executes the helper at its build-time path for an unprivileged caller" {
	policy "user $BPFD_TEST_USER preset=socket-filter commands=check"
	# not installed: the plain CLI is not privileged (exit 3)
	run --separate-stderr u1 "$BPFD_FAULTS" check --preset socket-filter
	echo "$stderr"
	[ "$status" -eq 3 ]
	cp "$H" "$REEXEC"
	setcap cap_sys_admin+p "$REEXEC"
	run --separate-stderr u1 "$BPFD_FAULTS" check --preset socket-filter
	echo "$stderr"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Result: ok"* ]]
	run --separate-stderr u1 "$BPFD_FAULTS" check --preset tracing
	[ "$status" -eq 6 ]
	# a copy that lost its capability: no loop, exit 3
	cp "$H" "$REEXEC.new"
	mv "$REEXEC.new" "$REEXEC"
	run --separate-stderr timeout 20 env -u BPFDELEGATE_TEST_FAULT setpriv --reuid="$BPFD_TEST_USER" --regid="$G1" --init-groups "$REEXEC" check --preset socket-filter
	echo "$stderr"
	[ "$status" -eq 3 ]
}

@test "rootless: attach's clean-up child joins the caller's user namespace to undo a mount (fault child-hang-after-attach)" {
	policy "user $BPFD_TEST_USER preset=socket-filter commands=attach"
	sleeper "$BPFD_TEST_USER"
	fault child-hang-after-attach
	run --separate-stderr u1 "$H" attach --pid "$SLEEPER" --preset socket-filter --timeout 2
	echo "$stderr"
	[ "$status" -eq 1 ]
	[[ "$stderr" != *"undo mount"* ]]
	[ "$(nsenter -t "$SLEEPER" -m cat /proc/self/mountinfo | grep -c ' - bpf ')" -eq 0 ]
}

# A rootless runc bundle (`runc spec --rootless`) of the test user:
# busybox-static and the static tokenprobe, the container's root is the
# user, CAP_BPF/PERFMON/NET_ADMIN; the helper as its createRuntime hook.
rootless_bundle() {
	local b="$T/bundle" a x args='[]' caps='["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE","CAP_BPF","CAP_PERFMON","CAP_NET_ADMIN"]'
	mkdir -p "$b/rootfs"/{bin,proc,sys,dev,tmp,etc,root,mnt} "$T/state"
	cp /bin/busybox "$b/rootfs/bin/busybox"
	for a in sh cat grep; do ln -sf busybox "$b/rootfs/bin/$a"; done
	cp "$HELPERS/tokenprobe-static" "$b/rootfs/tokenprobe"
	chown -R "$U1:$G1" "$b" "$T/state"
	(cd "$b" && rm -f config.json && u1 runc spec --rootless)
	# (jq 1.6 would take options after --args as its own)
	for x in "$@"; do args=$(jq -cn --argjson a "$args" --arg x "$x" '$a + [$x]'); done
	jq --argjson caps "$caps" --arg h "$H" --argjson a "$args" '
		.process.terminal = false
		| .process.args = ["sh", "-c", "grep \" - bpf \" /proc/self/mountinfo; exec /tokenprobe"]
		| .process.capabilities = {bounding: $caps, effective: $caps, permitted: $caps,
		                          inheritable: $caps, ambient: $caps}
		| .root = {path: "rootfs", readonly: false}
		| .hooks.createRuntime = [{path: $h, args: (["bpfdelegate-helper", "oci-hook"] + $a), timeout: 10}]' \
		"$b/config.json" >"$T/config.json"
	cp "$T/config.json" "$b/config.json"
	chown "$U1:$G1" "$b/config.json"
}

@test "rootless: a rootless runc (run by the test user) starts with a delegated bpffs and a working token, the helper as its hook" {
	command -v runc >/dev/null && command -v jq >/dev/null && [ -x /bin/busybox ] &&
		[ -x "$HELPERS/tokenprobe-static" ] || skip "needs runc, jq, busybox-static, tokenprobe-static"
	policy "user $BPFD_TEST_USER preset=socket-filter commands=attach"
	rootless_bundle --preset socket-filter
	run --separate-stderr u1 env -u XDG_RUNTIME_DIR timeout 60 runc --root "$T/state" run --bundle "$T/bundle" "rl-$BATS_TEST_NUMBER"
	echo "$output"; echo "$stderr"
	[ "$status" -eq 0 ]
	grep -q " /sys/fs/bpf .* - bpf .*delegate_progs=socket_filter" <<<"$output"
	grep -qx "token=ok" <<<"$output"
	grep -qx "map=ok" <<<"$output"
	grep -qx "prog=ok" <<<"$output"
	[ "$(bpf_mount_count)" -eq "$HOST_BPF" ]
	# beyond the grant: the hook fails, so does the container's start
	rootless_bundle --preset tracing
	run --separate-stderr u1 env -u XDG_RUNTIME_DIR timeout 60 runc --root "$T/state" run --bundle "$T/bundle" "rl2-$BATS_TEST_NUMBER"
	echo "$stderr"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"oci-hook: refused by the policy ($POLDIR/policy:1)"*"not granted"* ]]
	[[ "$output" != *"token=ok"* ]]
}

@test "rootless: other commands run by the helper copy (list) hold no capability at all" {
	local lp i
	sleeper "$BPFD_TEST_USER"
	mkdir "$T/bpf"
	chmod 0777 "$T/bpf"
	# root's attach: a bpffs owned by the sleeper's user namespace, so
	# that list --pid tries a token there from a child (fault: it pauses)
	run "$BPFD" attach --pid "$SLEEPER" --target "$T/bpf" --preset socket-filter
	[ "$status" -eq 0 ]
	fault probe-hang
	u1 "$H" list --pid "$SLEEPER" >/dev/null 2>&1 &
	PIDS+=($!)
	for i in $(seq 100); do
		lp=$(pgrep -u "$BPFD_TEST_USER" -f "^$H list" -o || true)
		[ -n "$lp" ] && pgrep -P "$lp" >/dev/null && break
		sleep 0.1
	done
	echo "list=$lp"
	pgrep -P "$lp"
	PIDS+=("$lp")
	[ "$(cap_line "$lp" Prm)" = "$ZERO" ]
	[ "$(cap_line "$lp" Eff)" = "$ZERO" ]
}
