#!/usr/bin/env bats
# `bpfdelegate serve` (issue 12): the root service that does the privileged
# step for unprivileged users, and the CLI's use of it.  Every test starts
# the service of the test build in the foreground: its socket and policy
# are under the build directory (-DBPFD_SERVICE_SOCKET, -DBPFD_POLICY_DIR
# in the Makefile), never /run or /etc.  Clients are the suite's test users
# (ensure_test_users), with no capability; tests/helpers/svcpoke speaks the
# protocol by hand, well-behaved or hostile.
load helpers

setup() {
	use_faults || return 1
	ensure_test_users
	SVCPOKE="$HELPERS/svcpoke"
	[ -x "$SVCPOKE" ] || skip "no $SVCPOKE (make build/tests/helpers/svcpoke)"
	BUILDT=$(dirname "$BPFD_ABS")
	POLDIR="$BUILDT/etc/bpfdelegate"
	SOCK="$BUILDT/run/bpfdelegate/socket"
	mkdir -p "$POLDIR" "$BUILDT/run"
	chmod 755 "$BUILDT/etc" "$POLDIR" "$BUILDT/run"
	rm -f "$POLDIR/policy"
	T=$(mktemp -d /tmp/bpfd-serve.XXXXXX)
	chmod 755 "$T"
	MARK=serve-$$-$BATS_TEST_NUMBER
	PIDS=()
	SVC=
	U1=$(id -u "$BPFD_TEST_USER")
	BEFORE=$(bpf_mount_count)
}

teardown() {
	[ -n "$SVC" ] && kill "$SVC" 2>/dev/null && wait "$SVC" 2>/dev/null
	[ -n "$SVC" ] && cat "$T/serve.log" 2>/dev/null | sed 's/^/# serve: /'
	rm -f "$POLDIR/policy" "$SOCK"
	kill_pids_umount_tmp
}

# The service's children (workers, namespace children): none once idle.
no_service_children() {
	local i
	for i in $(seq 50); do
		[ -z "$(pgrep -P "$SVC")" ] && return 0
		sleep 0.1
	done
	pgrep -a -P "$SVC"
	return 1
}

# gone PID: exited (a zombie whose parent is gone counts).
gone() {
	[ ! -e "/proc/$1" ] || grep -qE '^State:\s+Z' "/proc/$1/status"
}

# userns_sleeper USER [unshare options]: a process of USER in a user
# namespace of its own; its pid in $SLEEPER.
userns_sleeper() {
	local u=$1
	shift
	as_user "$u" unshare "$@" "${SLEEPER_BIN:-sleep}" 60 3>&- &
	PIDS+=($!)
	local i
	for i in $(seq 50); do
		SLEEPER=$(pgrep -P "$!" -x sleep || true)
		[ -z "$SLEEPER" ] && [ "$(cat /proc/$!/comm 2>/dev/null)" = sleep ] && SLEEPER=$!
		[ -n "$SLEEPER" ] && [ "$(readlink /proc/$SLEEPER/ns/user)" != "$(readlink /proc/self/ns/user)" ] && return 0
		sleep 0.1
	done
	return 1
}

# unreadable_sleeper USER: userns_sleeper USER -Ur with a copy of root's
# sleep, mode 0711: not readable by USER, so not dumpable, and its mm
# belongs to the initial user namespace (the file's owner is not mapped in
# USER's): USER cannot ptrace it.
unreadable_sleeper() {
	cp /bin/sleep "$T/sleep"
	chmod 0711 "$T/sleep"
	SLEEPER_BIN=$T/sleep userns_sleeper "$1" -Ur
}

@test "serve: an allowed user's run gets a token and a map inside, through the service" {
	policy "user $BPFD_TEST_USER preset=all netns=host"
	start_service
	run as_user "$BPFD_TEST_USER" env BPFD_TEST_MARK="$MARK" "$BPFD" run --preset all -- \
		sh -c 'grep " - bpf " /proc/self/mountinfo; stat -c "bpffs root owner %U" /sys/fs/bpf
			exec "$1"' sh "$HELPERS/tokenprobe"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^token=ok$' <<<"$output"
	grep -q '^map=ok$' <<<"$output"
	grep -q '^prog=ok$' <<<"$output"
	grep -q ' /sys/fs/bpf .* - bpf .*delegate_cmds=any' <<<"$output"
	# COMMAND has no capability of the initial namespace: uid 0 inside only
	grep -q '^uid=0$' <<<"$output"
	# the bpffs root is the namespace root's, as with root's run
	grep -qx 'bpffs root owner root' <<<"$output"
	grep -q "uid $U1 pid [0-9]*: run granted for pid [0-9]* (rule $POLDIR/policy:1)" "$T/serve.log"
	[ "$(bpf_mount_count)" = "$BEFORE" ]
	no_service_children
	wait_no_marked "$MARK"
}

@test "serve: the libbpf 1.5 client loads through the token a service-run delegation gives" {
	local client obj
	client="$(dirname "$BPFD_FAULTS")/libbpf/client"
	obj="$(dirname "$BPFD_FAULTS")/libbpf/client.bpf.o"
	if [ ! -x "$client" ] || [ ! -f "$obj" ]; then
		[ "${CI:-}" = true ] && { echo "skip is a failure under CI=true: no $client" >&2; return 1; }
		skip "no $client ('make libbpf-client')"
	fi
	cp "$client" "$obj" "$T/"
	chmod 755 "$T/client"
	chmod 644 "$T/client.bpf.o"
	policy "user $BPFD_TEST_USER preset=tracing"
	start_service
	run as_user "$BPFD_TEST_USER" env BPFD_TEST_MARK="$MARK" "$BPFD" run --preset tracing --netns new -- \
		"$T/client" --only tp_getppid,raw_sys_enter,sock_filter --attach "$T/client.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^libbpf v1\.5, LIBBPF_BPF_TOKEN_PATH=./sys/fs/bpf.$' <<<"$output"
	grep -q 'created with a BPF token$' <<<"$output"
	! grep -q 'WITHOUT a token' <<<"$output" || false
	grep -q '^raw_tp: .bss raw_tp_hits [1-9]' <<<"$output"
	no_service_children
	wait_no_marked "$MARK"
}

@test "serve: a request beyond the grant is refused, exit 6, what exceeds and the rule named" {
	policy "# test" "user $BPFD_TEST_USER maps=hash,array cmds=map_create progs=socket_filter netns=host"
	start_service
	run as_user "$BPFD_TEST_USER" "$BPFD" run --cmds map_create --maps hash,ringbuf -- true
	echo "$output"
	[ "$status" -eq 6 ]
	grep -q "^bpfdelegate: policy: maps: ringbuf not granted (rule $POLDIR/policy:2)" <<<"$output"
	# --netns new is no less than host; --netns host where only new is
	# granted: refused too
	policy "user $BPFD_TEST_USER maps=hash cmds=map_create"
	run as_user "$BPFD_TEST_USER" "$BPFD" run --cmds map_create --maps hash -- true
	echo "$output"
	[ "$status" -eq 6 ]
	grep -q "netns host not granted" <<<"$output"
	run as_user "$BPFD_TEST_USER" "$BPFD" run --netns new --cmds map_create --maps hash -- true
	echo "$output"
	[ "$status" -eq 0 ]
	# a client that says "--netns new" for a process in the host's
	# network namespace: the kernel's answer counts
	policy "user $BPFD_TEST_USER preset=all"
	userns_sleeper "$BPFD_TEST_USER" -Ur
	run as_user "$BPFD_TEST_USER" "$SVCPOKE" "$SOCK" request run "$SLEEPER" netns-new
	echo "$output"
	grep -q "^verdict: EACCES .*netns host not granted" <<<"$output"
	userns_sleeper "$BPFD_TEST_USER" -Urn
	run as_user "$BPFD_TEST_USER" "$SVCPOKE" "$SOCK" request run "$SLEEPER" netns-new
	echo "$output"
	[ "$output" = "granted: mount fd, fs type 0xcafe4a11" ]
	[ "$(bpf_mount_count)" = "$BEFORE" ]
	no_service_children
}

@test "serve: a user without a grant is refused, exit 6, default deny named; check too" {
	policy "user $BPFD_TEST_USER preset=all"
	start_service
	run as_user "$BPFD_TEST_USER2" "$BPFD" run --netns new --preset all -- true
	echo "$output"
	[ "$status" -eq 6 ]
	grep -q "^bpfdelegate: policy: no rule for uid $(id -u "$BPFD_TEST_USER2") .*(no rule applies: default deny)" <<<"$output"
	run as_user "$BPFD_TEST_USER2" "$BPFD" check
	echo "$output"
	[ "$status" -eq 6 ]
	# a group rule grants to the group's members, by SO_PEERGROUPS
	policy "group $BPFD_TEST_GROUP preset=socket-filter commands=check"
	run as_user "$BPFD_TEST_USER" "$BPFD" check --preset socket-filter
	echo "$output"
	[ "$status" -eq 0 ]
	run as_user "$BPFD_TEST_USER2" "$BPFD" check --preset socket-filter
	[ "$status" -eq 6 ]
	no_service_children
}

@test "serve: an unsafe policy file is refused whole, naming the file (exit 6, as the helper)" {
	policy "user $BPFD_TEST_USER preset=all netns=host"
	chmod 666 "$POLDIR/policy"
	start_service
	run as_user "$BPFD_TEST_USER" "$BPFD" run --preset all -- true
	echo "$output"
	[ "$status" -eq 6 ]
	grep -q "$POLDIR/policy" <<<"$output"
	chown "$BPFD_TEST_USER" "$POLDIR/policy"
	chmod 644 "$POLDIR/policy"
	run as_user "$BPFD_TEST_USER" "$BPFD" run --preset all -- true
	echo "$output"
	[ "$status" -eq 6 ]
	grep -q "$POLDIR/policy" <<<"$output"
	chown root "$POLDIR/policy"
	run as_user "$BPFD_TEST_USER" "$BPFD" run --preset all -- true
	[ "$status" -eq 0 ]
}

@test "serve: a pidfd of a root process, or of a namespace of another user's or root's, is refused" {
	policy "user $BPFD_TEST_USER preset=all netns=host commands=check,run,attach"
	start_service
	sleep 60 3>&- &
	PIDS+=($!)
	run as_user "$BPFD_TEST_USER" "$SVCPOKE" "$SOCK" request run "$!"
	echo "$output"
	grep -q "^verdict: EPERM .*pid $!: is in the initial user namespace" <<<"$output" ||
		grep -q "^verdict: EPERM .*pid $! is in the initial user namespace" <<<"$output"
	userns_sleeper "$BPFD_TEST_USER2" -Ur
	run as_user "$BPFD_TEST_USER" "$SVCPOKE" "$SOCK" request run "$SLEEPER"
	echo "$output"
	grep -q "^verdict: EPERM .*pid $SLEEPER: its user namespace is not yours: it is owned by uid $(id -u "$BPFD_TEST_USER2"), you are uid $U1" <<<"$output"
	run as_user "$BPFD_TEST_USER" "$SVCPOKE" "$SOCK" request attach "$SLEEPER"
	grep -q "^verdict: EPERM .*its user namespace is not yours" <<<"$output"
	unshare -U sleep 60 3>&- &
	PIDS+=($!)
	run as_user "$BPFD_TEST_USER" "$SVCPOKE" "$SOCK" request run "$!"
	echo "$output"
	grep -q "^verdict: EPERM .*owned by uid 0, you are uid $U1" <<<"$output"
	# a namespace the user made inside one of root's: others hold
	# capabilities over it
	unshare -U --map-user="$U1" --map-group="$(id -g "$BPFD_TEST_USER")" \
		setpriv --reuid="$U1" --regid="$(id -g "$BPFD_TEST_USER")" --keep-groups \
		unshare -U sleep 60 3>&- &
	PIDS+=($!)
	local nested=$!
	# unshare and setpriv exec each other, then sleep: one pid
	for i in $(seq 50); do
		[ "$(cat /proc/$nested/comm)" = sleep ] && break
		sleep 0.1
	done
	run as_user "$BPFD_TEST_USER" "$SVCPOKE" "$SOCK" request run "$nested"
	echo "$output"
	grep -q "^verdict: EPERM .*owned by uid 0, you are uid $U1" <<<"$output"
	# the user's own namespace: granted
	userns_sleeper "$BPFD_TEST_USER" -Ur
	run as_user "$BPFD_TEST_USER" "$SVCPOKE" "$SOCK" request run "$SLEEPER"
	echo "$output"
	[ "$output" = "granted: mount fd, fs type 0xcafe4a11" ]
	no_service_children
}

@test "serve: attach into another user's namespace is refused; into the user's own it mounts" {
	policy "user $BPFD_TEST_USER preset=all netns=host commands=attach"
	start_service
	userns_sleeper "$BPFD_TEST_USER2" -Urm
	run as_user "$BPFD_TEST_USER" "$BPFD" attach --pid "$SLEEPER" --preset all
	echo "$output"
	[ "$status" -ne 0 ]
	[ "$(ns_bpf_count "$SLEEPER")" -eq 0 ]
	userns_sleeper "$BPFD_TEST_USER" -Urm
	run as_user "$BPFD_TEST_USER" "$BPFD" attach --pid "$SLEEPER" --preset all
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^Result: ok' <<<"$output"
	[ "$(ns_bpf_count "$SLEEPER")" -eq 1 ]
	grep -q "uid $U1 pid [0-9]*: attach granted for pid $SLEEPER " "$T/serve.log"
	no_service_children
}

@test "serve: attach to a process the caller could not ptrace is refused; run's pidfd is not ptrace-checked" {
	policy "user $BPFD_TEST_USER preset=all netns=host commands=run,attach"
	start_service
	unreadable_sleeper "$BPFD_TEST_USER"
	local p=$SLEEPER
	run as_user "$BPFD_TEST_USER" "$SVCPOKE" "$SOCK" request attach "$p"
	echo "$output"
	grep -q "^verdict: EPERM .*pid $p: you may not ptrace it" <<<"$output"
	run as_user "$BPFD_TEST_USER" "$SVCPOKE" "$SOCK" request run "$p"
	echo "$output"
	[ "$output" = "granted: mount fd, fs type 0xcafe4a11" ]
	# the same user's ordinary process: attach granted
	userns_sleeper "$BPFD_TEST_USER" -Urm
	run as_user "$BPFD_TEST_USER" "$SVCPOKE" "$SOCK" request attach "$SLEEPER"
	[ "$output" = "granted: mount fd, fs type 0xcafe4a11" ]
}

@test "serve: garbage, an oversized record, no pidfd or another fd each get a verdict, and a good client is served" {
	policy "user $BPFD_TEST_USER preset=all netns=host"
	start_service
	run as_user "$BPFD_TEST_USER2" "$SVCPOKE" "$SOCK" garbage
	echo "$output"
	grep -q '^verdict: EPROTO .*malformed request' <<<"$output"
	run as_user "$BPFD_TEST_USER2" "$SVCPOKE" "$SOCK" oversized
	echo "$output"
	grep -q '^verdict: EPROTO .*malformed request' <<<"$output"
	run as_user "$BPFD_TEST_USER2" "$SVCPOKE" "$SOCK" nopidfd
	echo "$output"
	grep -q '^verdict: EINVAL .*no pidfd' <<<"$output"
	run as_user "$BPFD_TEST_USER2" "$SVCPOKE" "$SOCK" notpidfd
	echo "$output"
	grep -q '^verdict: EBADF .*not a pidfd' <<<"$output"
	run as_user "$BPFD_TEST_USER2" "$SVCPOKE" "$SOCK" badversion "$SVC"
	echo "$output"
	grep -q '^verdict: EPROTO .*protocol version 2 .* not served; this service speaks version 1' <<<"$output"
	kill -0 "$SVC"
	run as_user "$BPFD_TEST_USER" "$BPFD" run --preset all -- true
	echo "$output"
	[ "$status" -eq 0 ]
	no_service_children
}

@test "serve: a silent connection is closed at its deadline and delays nobody else" {
	policy "user $BPFD_TEST_USER preset=all netns=host"
	start_service
	as_user "$BPFD_TEST_USER2" "$SVCPOKE" "$SOCK" silent 10 >"$T/silent" 3>&- &
	PIDS+=($!)
	local silent=$!
	sleep 0.3
	local t0=$SECONDS
	run as_user "$BPFD_TEST_USER" "$BPFD" run --preset all -- true
	[ "$status" -eq 0 ]
	[ $((SECONDS - t0)) -le 1 ]
	wait "$silent"
	cat "$T/silent"
	grep -q '^verdict: ETIMEDOUT .*no request within 2000 ms' "$T/silent"
	no_service_children
}

@test "serve: many connections from one uid: the excess is told busy, another user is served" {
	policy "user $BPFD_TEST_USER preset=all netns=host"
	start_service
	as_user "$BPFD_TEST_USER2" "$SVCPOKE" "$SOCK" hold 12 3 >"$T/hold" 3>&- &
	PIDS+=($!)
	local hold=$!
	for i in $(seq 50); do [ -s "$T/hold" ] && break; sleep 0.1; done
	cat "$T/hold"
	# 4 served at once per uid (BPFD_SERVE_PER_UID), the 8 others told
	grep -qx '8 of 12 answered at once' "$T/hold"
	grep -c "uid $(id -u "$BPFD_TEST_USER2") pid [0-9]*: busy: too many requests from uid" "$T/serve.log"
	run as_user "$BPFD_TEST_USER" "$BPFD" run --preset all -- true
	echo "$output"
	[ "$status" -eq 0 ]
	wait "$hold"
	no_service_children
}

@test "serve: killing a client mid-request leaves nothing mounted and no service process" {
	policy "user $BPFD_TEST_USER preset=all netns=host commands=attach"
	SERVE_TIMEOUT=6 start_service BPFDELEGATE_TEST_FAULT=serve-slow
	userns_sleeper "$BPFD_TEST_USER" -Urm
	as_user "$BPFD_TEST_USER" env BPFD_TEST_MARK="$MARK" "$BPFD" attach --pid "$SLEEPER" --preset all \
		>"$T/attach" 2>&1 3>&- &
	local client=$!
	# the worker is in its slow step once the service's namespace child
	# has sent the context (the worker then holds it)
	for i in $(seq 50); do
		[ -n "$(pgrep -P "$SVC")" ] && break
		sleep 0.1
	done
	sleep 0.5
	grep -q 'attach granted' "$T/serve.log" && false
	# the client and its namespace child (as_user is a shell function:
	# $client is only the subshell around them)
	local p
	for p in $(marked_procs "$MARK" | cut -d/ -f3); do
		kill -9 "$p" 2>/dev/null || true
	done
	wait "$client" || true
	# the worker sees the client go, and ends long before its deadline
	local t0=$SECONDS
	no_service_children
	[ $((SECONDS - t0)) -le 2 ]
	! grep -q 'killed' "$T/serve.log" || false
	wait_no_marked "$MARK"
	[ "$(ns_bpf_count "$SLEEPER")" -eq 0 ]
	[ "$(bpf_mount_count)" = "$BEFORE" ]
	kill -0 "$SVC"
	# and the service goes on serving
	run as_user "$BPFD_TEST_USER" "$BPFD" attach --pid "$SLEEPER" --preset all
	[ "$status" -eq 0 ]
	[ "$(ns_bpf_count "$SLEEPER")" -eq 1 ]
}

@test "serve: no service to ask: exit 3; a socket nobody answers: exit 3, the socket named" {
	run as_user "$BPFD_TEST_USER" "$BPFD" run --preset all -- true
	echo "$output"
	[ "$status" -eq 3 ]
	[ "${#lines[@]}" -eq 1 ]
	grep -q "CAP_SYS_ADMIN" <<<"$output"
	# a socket left by a service that was killed
	start_service
	kill -9 "$SVC"
	wait "$SVC" || true
	SVC=
	[ -S "$SOCK" ]
	run as_user "$BPFD_TEST_USER" "$BPFD" run --preset all -- true
	echo "$output"
	rm -f "$SOCK"
	[ "$status" -eq 3 ]
	grep -q "^bpfdelegate: service connect $SOCK: Connection refused" <<<"$output"
}

@test "serve: foreground: one service per socket, the socket removed on SIGTERM; --idle exits" {
	start_service
	run "$BPFD" serve
	echo "$output"
	[ "$status" -eq 1 ]
	grep -q "another service listens there" <<<"$output"
	kill -TERM "$SVC"
	wait "$SVC"
	SVC=
	[ ! -e "$SOCK" ]
	run timeout 10 "$BPFD" serve --idle 0.5
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "idle for 500 ms: exiting" <<<"$output"
	[ ! -e "$SOCK" ]
	run as_user "$BPFD_TEST_USER" "$BPFD" serve
	echo "$output"
	[ "$status" -eq 3 ]
}

@test "serve: socket activation (LISTEN_FDS): serves, then exits when idle" {
	command -v systemd-socket-activate >/dev/null || skip "no systemd-socket-activate"
	policy "user $BPFD_TEST_USER preset=all netns=host"
	rm -f "$SOCK"
	mkdir -p "$(dirname "$SOCK")"
	systemd-socket-activate --seqpacket -l "$SOCK" \
		"$BPFD" serve --idle 1 >"$T/serve.log" 2>&1 3>&- &
	SVC=$!
	for i in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
	chmod 666 "$SOCK"
	run as_user "$BPFD_TEST_USER" "$BPFD" run --preset all -- true
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q 'serving on the activated socket' "$T/serve.log"
	for i in $(seq 50); do grep -q 'exiting' "$T/serve.log" && break; sleep 0.1; done
	grep -q 'idle for 1000 ms: exiting' "$T/serve.log"
	rm -f "$SOCK"
}

@test "serve: the unit's capability bounding set is enough: run, attach and the ptrace check work with only those four" {
	policy "user $BPFD_TEST_USER preset=all netns=host commands=run,attach"
	grep -qx 'CapabilityBoundingSet=CAP_SYS_ADMIN CAP_SYS_PTRACE CAP_SETUID CAP_SETGID' \
		"$BATS_TEST_DIRNAME/../../docs/systemd/bpfdelegate.service"
	SERVE_PREFIX="setpriv --bounding-set -all,+sys_admin,+sys_ptrace,+setuid,+setgid" start_service
	# CAP_SYS_ADMIN, CAP_SYS_PTRACE, CAP_SETGID, CAP_SETUID, nothing else
	grep -qx 'CapEff:	00000000002800c0' "/proc/$SVC/status"
	run as_user "$BPFD_TEST_USER" "$BPFD" run --preset all -- true
	[ "$status" -eq 0 ]
	userns_sleeper "$BPFD_TEST_USER" -Urm
	run as_user "$BPFD_TEST_USER" "$BPFD" attach --pid "$SLEEPER" --preset all
	echo "$output"
	[ "$status" -eq 0 ]
	unreadable_sleeper "$BPFD_TEST_USER"
	local p=$SLEEPER
	run as_user "$BPFD_TEST_USER" "$SVCPOKE" "$SOCK" request attach "$p"
	echo "$output"
	grep -q "^verdict: EPERM .*pid $p: you may not ptrace it" <<<"$output"
}

@test "serve: a request still running at its deadline is killed, with what it made, and the client told" {
	policy "user $BPFD_TEST_USER preset=all netns=host"
	# serve-slow: the worker takes 3 s, the deadline is 1 s (+1 s grace)
	SERVE_TIMEOUT=1 start_service BPFDELEGATE_TEST_FAULT=serve-slow
	run as_user "$BPFD_TEST_USER" "$BPFD" run --preset all -- true
	echo "$output"
	[ "$status" -eq 1 ]
	grep -q "^bpfdelegate: service the reply of $SOCK" <<<"$output"
	grep -q "request still running at its deadline: killed" "$T/serve.log"
	no_service_children
	[ "$(bpf_mount_count)" = "$BEFORE" ]
}

@test "serve: a SIGKILL of the service takes its workers and their children with it; nothing stays mounted" {
	policy "user $BPFD_TEST_USER preset=all netns=host commands=attach"
	SERVE_TIMEOUT=6 start_service BPFDELEGATE_TEST_FAULT=serve-slow BPFD_TEST_MARK="$MARK-svc"
	userns_sleeper "$BPFD_TEST_USER" -Urm
	as_user "$BPFD_TEST_USER" "$BPFD" attach --pid "$SLEEPER" --preset all >"$T/attach" 2>&1 3>&- &
	local client=$!
	for i in $(seq 50); do
		[ -n "$(pgrep -P "$SVC")" ] && break
		sleep 0.1
	done
	[ -n "$(pgrep -P "$SVC")" ]
	sleep 0.5
	kill -9 "$SVC"
	wait "$SVC" || true
	SVC=
	# the worker (and any child of it) carries the service's environment
	wait_no_marked "$MARK-svc"
	wait "$client" || true
	cat "$T/attach"
	grep -q "^bpfdelegate: service the reply of $SOCK" "$T/attach"
	[ "$(ns_bpf_count "$SLEEPER")" -eq 0 ]
	[ "$(bpf_mount_count)" = "$BEFORE" ]
}

@test "serve: the namespace child holds only its two fds, cwd /, no group, the user cannot ptrace it, it dies with its worker" {
	policy "user $BPFD_TEST_USER preset=all netns=host"
	# with supplementary groups, which the child must drop
	SERVE_PREFIX="setpriv --groups 4,27" start_service BPFDELEGATE_TEST_FAULT=serve-ns-hang
	grep -qE '^Groups:\s+4 27\s*$' "/proc/$SVC/status"
	userns_sleeper "$BPFD_TEST_USER" -Ur
	as_user "$BPFD_TEST_USER" "$SVCPOKE" "$SOCK" request run "$SLEEPER" >"$T/poke" 3>&- &
	PIDS+=($!)
	local w= c=
	for i in $(seq 50); do
		w=$(pgrep -P "$SVC" || true)
		[ -n "$w" ] && c=$(pgrep -P "$w" || true)
		[ -n "$c" ] && [ "$(readlink /proc/$c/ns/user)" = "$(readlink /proc/$SLEEPER/ns/user)" ] && break
		sleep 0.1
	done
	# in the user's namespace (the one checked), as its root (the user)
	[ "$(readlink /proc/$c/ns/user)" = "$(readlink /proc/$SLEEPER/ns/user)" ]
	grep -qE "^Uid:\s+$U1\s" "/proc/$c/status"
	grep -qE '^Groups:\s*$' "/proc/$c/status"
	[ "$(readlink "/proc/$c/cwd")" = / ]
	local fds
	fds=$(ls -l "/proc/$c/fd" | awk 'NR > 1 && $9 > 2 {print $11}')
	echo "$fds"
	[ "$(echo "$fds" | wc -l)" -eq 2 ]
	grep -q '^user:\[' <<<"$fds"
	grep -q '^socket:\[' <<<"$fds"
	# the user owns that namespace (CAP_SYS_PTRACE there) and may seize
	# their own process in it, but not the service's child
	cp "$HELPERS/ptrace-seize" "$T/"
	run as_user "$BPFD_TEST_USER" "$T/ptrace-seize" "$c"
	echo "$output"
	[ "$output" = "PTRACE_SEIZE: Operation not permitted" ]
	run as_user "$BPFD_TEST_USER" "$T/ptrace-seize" "$SLEEPER"
	[ "$output" = seized ]
	# it dies with its worker
	kill -9 "$w"
	for i in $(seq 20); do gone "$c" && break; sleep 0.1; done
	gone "$c"
	no_service_children
	cat "$T/poke"
	grep -qx 'closed without an answer' "$T/poke"
	# without the kill, the worker gives up at its deadline (2 s)
	as_user "$BPFD_TEST_USER" "$SVCPOKE" "$SOCK" request run "$SLEEPER" >"$T/poke" 3>&-
	no_service_children
	cat "$T/poke"
	grep -q "^verdict: ETIMEDOUT .*the service's namespace child" "$T/poke"
}

@test "serve: --netns new does not confine the user: their own process in the host's network namespace takes the token and loads XDP with it" {
	# what the kernel does (docs/kernel-facts.md): the owner of a user
	# namespace has its capabilities from the initial one, and a token
	# checks capabilities in its namespace, wherever it is used
	policy "user $BPFD_TEST_USER preset=all"
	start_service
	cp "$HELPERS/tokentake" "$T/"
	as_user "$BPFD_TEST_USER" "$BPFD" run --netns new --preset all -- "$T/tokentake" hold /sys/fs/bpf \
		>"$T/hold" 2>&1 3>&- &
	PIDS+=($!)
	local h= fd=
	for i in $(seq 50); do
		h=$(pgrep -u "$U1" -x tokentake || true)
		grep -q '^token fd ' "$T/hold" && [ -n "$h" ] && break
		sleep 0.1
	done
	cat "$T/hold"
	fd=$(awk '/^token fd / {print $3}' "$T/hold")
	[ "$(readlink /proc/$h/ns/net)" != "$(readlink /proc/self/ns/net)" ]
	run as_user "$BPFD_TEST_USER" "$T/tokentake" use "$h" "$fd"
	echo "$output"
	grep -qx 'took: ok' <<<"$output"
	grep -qx 'map_notoken: EPERM' <<<"$output"
	grep -qx 'map: ok' <<<"$output"
	grep -qx 'xdp: ok' <<<"$output"
	kill "$h"
}

@test "serve: oci-hook run inside the user's own user namespace (as rootless podman runs hooks) is served as that user" {
	command -v jq >/dev/null || skip "needs jq"
	policy "user $BPFD_TEST_USER preset=all commands=attach"
	start_service
	mkdir -p "$T/bundle/rootfs/sys/fs/bpf"
	jq -n --argjson u "$U1" '{ociVersion: "1.0.2", root: {path: "rootfs"},
		process: {args: ["sh"], capabilities: {bounding: ["CAP_BPF"],
			effective: ["CAP_BPF"], permitted: ["CAP_BPF"]}},
		linux: {namespaces: [{type: "user"}, {type: "mount"}],
			uidMappings: [{containerID: 0, hostID: $u, size: 1}]}}' >"$T/bundle/config.json"
	chown -R "$BPFD_TEST_USER" "$T/bundle"
	# the runtime's user namespace (uid 0 there, every capability of
	# it), the container in a user namespace below it; the hook runs in
	# the runtime's, with the container's state on stdin
	cat >"$T/runtime.sh" <<-EOF
	#!/bin/sh
	unshare -U -r -m --propagation private sleep 60 &
	c=\$!
	for i in \$(seq 50); do [ "\$(readlink /proc/\$c/ns/user)" != "\$(readlink /proc/self/ns/user)" ] && break; sleep 0.1; done
	echo "hook in \$(readlink /proc/self/ns/user), container \$c in \$(readlink /proc/\$c/ns/user)"
	printf '{"ociVersion":"1.0.2","id":"rl","status":"creating","pid":%d,"bundle":"%s","annotations":{"bpfdelegate.io/preset":"all"}}' \
		"\$c" "$T/bundle" | "$BPFD" oci-hook
	echo "hook exit \$?"
	grep " - bpf " /proc/\$c/mountinfo
	kill \$c
	EOF
	chmod 755 "$T/runtime.sh"
	run as_user "$BPFD_TEST_USER" unshare -Ur "$T/runtime.sh"
	echo "$output"
	grep -qx 'hook exit 0' <<<"$output"
	grep -q " $T/bundle/rootfs/sys/fs/bpf .* - bpf .*delegate_cmds=any" <<<"$output"
	! grep -q "hook in $(readlink /proc/self/ns/user)" <<<"$output" || false
	# SO_PEERCRED showed the real user, not the namespace's root
	grep -q "uid $U1 pid [0-9]*: attach granted" "$T/serve.log"
	no_service_children
}
