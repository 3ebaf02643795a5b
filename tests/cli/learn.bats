#!/usr/bin/env bats
# `bpfdelegate suggest --learn`: COMMAND runs as under `run`, its bpf() calls
# become seccomp user notifications, and what they needed delegated is
# printed.  tests/helpers/learnbpf makes known raw calls (from the main
# thread, a second thread and a forked child); tests/libbpf/client is the
# real libbpf 1.5 loader of libbpf.bats.
bats_require_minimum_version 1.5.0
load helpers

LEARN="$HELPERS/learnbpf"
CLIENT="$(dirname "$BPFD")/tests/libbpf/client"
OBJ="$(dirname "$BPFD")/tests/libbpf/client.bpf.o"
# What learnbpf's calls with the token need, as the options line.
HELPER_SET="--cmds map_create:prog_load --maps hash:lru_hash:queue --progs sched_cls:xdp --attachs cgroup_inet_ingress:xdp"

setup() {
	need_root_tokens
	MARK=learn-$$-$BATS_TEST_NUMBER
	BEFORE=$(bpf_mount_count)
	TMP=$(mktemp -d)
	chmod 0777 "$TMP" # COMMAND runs as nobody outside
}

teardown() {
	[ -z "${bg:-}" ] || kill "$bg" 2>/dev/null || true
	[ -z "${TMP:-}" ] || rm -rf "$TMP"
}

need_client() {
	if [ ! -x "$CLIENT" ] || [ ! -f "$OBJ" ]; then
		local why="no $CLIENT or $OBJ ('make libbpf-client' fetches Debian trixie's libbpf-dev)"
		[ "${CI:-}" = true ] && { echo "skip is a failure under CI=true: $why" >&2; return 1; }
		skip "$why"
	fi
}

# Nothing left on the host: no bpf mount, no marked process.
no_leftovers() {
	[ "$(bpf_mount_count)" = "$BEFORE" ]
	wait_no_marked "$MARK"
}

# The options line of the default format (the last line not a comment).
options_line() {
	grep -v '^#' <<<"$1" | grep '^--' | tail -1
}

helper_ok() {
	for s in token map_hash prog_xdp link_xdp_lo thread_map_queue child_map_lru_hash child_prog_sched_cls; do
		grep -qx "$s=ok" <<<"$1" || { echo "not ok: $s"; return 1; }
	done
}

@test "learn: the helper's calls (main thread, second thread, forked child) give exactly their set, each item with its call" {
	run --separate-stderr env BPFD_TEST_MARK="$MARK" "$BPFD" suggest --learn --netns new -- "$LEARN"
	echo "$output"
	echo "$stderr"
	[ "$status" -eq 0 ]
	helper_ok "$output"
	# the call without a token ran (and the kernel refused it)
	grep -qx 'prog_no_token=EPERM' <<<"$output"
	[ "$(options_line "$output")" = "$HELPER_SET" ]
	grep -qx '# suggest --learn: 8 bpf() call(s) seen' <<<"$output"
	# each item names the call that needed it, thread and child included
	grep -q "^# maps *queue: BPF_MAP_CREATE map_type=queue name='' (call 5)$" <<<"$output"
	grep -q "^# maps *lru_hash: BPF_MAP_CREATE map_type=lru_hash name='' (call 6)$" <<<"$output"
	grep -q "^# progs *sched_cls: BPF_PROG_LOAD prog_type=sched_cls expected_attach_type=cgroup_inet_ingress name='' insns=2 (call 7)$" <<<"$output"
	grep -q "^# attachs *xdp: BPF_PROG_LOAD prog_type=xdp expected_attach_type=xdp name='' insns=2 (call 3)$" <<<"$output"
	# seen, but gated by no delegation: token create, the link, the load without a token
	grep -qx '# seen, no delegation applies: BPF_TOKEN_CREATE (call 1; takes no token)' <<<"$output"
	grep -qx '# seen, no delegation applies: BPF_LINK_CREATE attach_type=xdp (call 4; takes no token)' <<<"$output"
	grep -qx "# seen, no delegation applies: BPF_PROG_LOAD prog_type=socket_filter expected_attach_type=cgroup_inet_ingress name='' insns=2 (call 8, without a token)" <<<"$output"
	# no delegation given: everything, and it says so
	grep -q '^bpfdelegate: suggest --learn: no delegation given: COMMAND gets everything' <<<"$stderr"
	no_leftovers
}

@test "learn: run with exactly the learned delegation is enough for the helper, and each learned item is needed" {
	run --separate-stderr "$BPFD" suggest --learn --netns new -- "$LEARN"
	[ "$status" -eq 0 ]
	set -- $(options_line "$output")
	[ "$*" = "$HELPER_SET" ]
	run env BPFD_TEST_MARK="$MARK" "$BPFD" run "$@" --netns new -- "$LEARN"
	echo "$output"
	[ "$status" -eq 0 ]
	helper_ok "$output"
	# drop one learned item at a time: the call that needed it fails
	local opt list item rest
	for kv in "--cmds map_create:prog_load" "--maps hash:lru_hash:queue" \
		"--progs sched_cls:xdp" "--attachs cgroup_inet_ingress:xdp"; do
		opt=${kv%% *}
		list=${kv#* }
		for item in ${list//:/ }; do
			rest=$(tr ':' '\n' <<<"$list" | grep -vx "$item" | paste -sd: -)
			args=()
			for kv2 in "--cmds map_create:prog_load" "--maps hash:lru_hash:queue" \
				"--progs sched_cls:xdp" "--attachs cgroup_inet_ingress:xdp"; do
				if [ "${kv2%% *}" = "$opt" ]; then
					[ -z "$rest" ] || args+=("$opt" "$rest")
				else
					args+=(${kv2})
				fi
			done
			run "$BPFD" run "${args[@]}" --netns new -- "$LEARN"
			echo "without $opt $item: status $status"
			[ "$status" -ne 0 ]
			! helper_ok "$output" >/dev/null
		done
	done
	no_leftovers
}

@test "learn: --json is one document with the sets, each item's reason and what no delegation gates" {
	run --separate-stderr "$BPFD" suggest --learn --json --netns new --output "$TMP/out.json" -- "$LEARN"
	echo "$output"
	[ "$status" -eq 0 ]
	helper_ok "$output"
	jq . "$TMP/out.json"
	[ "$(jq -c .maps "$TMP/out.json")" = '["hash","lru_hash","queue"]' ]
	[ "$(jq -c .progs "$TMP/out.json")" = '["sched_cls","xdp"]' ]
	[ "$(jq -c .attachs "$TMP/out.json")" = '["cgroup_inet_ingress","xdp"]' ]
	[ "$(jq -c .cmds "$TMP/out.json")" = '["map_create","prog_load"]' ]
	[ "$(jq .learned.calls "$TMP/out.json")" = 8 ]
	[ "$(jq .learned.exit_status "$TMP/out.json")" = 0 ]
	[ "$(jq -r '.items[] | select(.name == "queue") | .reason' "$TMP/out.json")" = \
		"BPF_MAP_CREATE map_type=queue name='' (call 5)" ]
	[ "$(jq -r '.learned.other[] | select(.kind == "attachs" and (.reason | startswith("BPF_LINK_CREATE"))) | .name' "$TMP/out.json")" = xdp ]
	# stdout had COMMAND's lines only
	! grep -q '^#\|^{' <<<"$output"
	no_leftovers
}

@test "learn: a name COMMAND gives an object cannot inject a line into the output" {
	# The kernel refuses the name (EINVAL) after the learn mode read it.
	run --separate-stderr "$BPFD" suggest --learn --netns new -- "$LEARN" --evil-name
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx 'map_evil_name=EINVAL' <<<"$output"
	! grep -q '^--preset' <<<"$output"
	[ "$(grep -vc '^#\|=' <<<"$output")" -eq 1 ]
	grep -q "name='?--preset?all?' (call 8)$" <<<"$output"
}

@test "learn: the libbpf 1.5 client: the object's needs and libbpf's probes are learned; run with exactly them loads it" {
	need_client
	run --separate-stderr env BPFD_TEST_MARK="$MARK" "$BPFD" suggest --learn --netns new -- "$CLIENT" "$OBJ"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^loaded ' <<<"$output"
	set -- $(options_line "$output")
	echo "learned: $*"
	[ "$1" = --cmds ] && [ "$3" = --maps ] && [ "$5" = --progs ] && [ "$7" = --attachs ]
	# what the object itself needs (libbpf.bats: hash + array maps, a
	# tracepoint, a raw_tp, a socket filter, an XDP program; BTF; attach
	# bit 0 for the loads without an expected attach type) ...
	for c in map_create prog_load btf_load; do grep -q "\(^\|:\)$c\(:\|$\)" <<<"$2"; done
	for m in hash array; do grep -q "\(^\|:\)$m\(:\|$\)" <<<"$4"; done
	for p in socket_filter tracepoint raw_tracepoint xdp; do grep -q "\(^\|:\)$p\(:\|$\)" <<<"$6"; done
	for a in cgroup_inet_ingress xdp; do grep -q "\(^\|:\)$a\(:\|$\)" <<<"$8"; done
	# ... and libbpf's feature probes, recorded as the calls they are:
	# bpf_cookie (a kprobe) and expected attach types (a cgroup_sock
	# program with cgroup_inet_sock_create), each a few instructions
	grep -q "^# progs *kprobe: BPF_PROG_LOAD prog_type=kprobe .* insns=[0-9] (call [0-9]*)$" <<<"$output"
	grep -q "^# attachs *cgroup_inet_sock_create: BPF_PROG_LOAD prog_type=cgroup_sock expected_attach_type=cgroup_inet_sock_create .* insns=[0-9] (call [0-9]*)$" <<<"$output"
	[ "$*" = "--cmds $2 --maps $4 --progs $6 --attachs $8" ]
	# exactly the learned delegation is enough: the whole object loads,
	# attaches and runs through the token
	run env BPFD_TEST_MARK="$MARK" "$BPFD" run "$@" --netns new -- "$CLIENT" --attach "$OBJ"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'created with a BPF token$' <<<"$output")" -eq 9 ]
	! grep -q 'WITHOUT a token' <<<"$output"
	grep -q '^xdp: counts\[2\] [1-9]' <<<"$output"
	no_leftovers
}

@test "learn: COMMAND's exit status passes through; a COMMAND that never calls bpf() learns nothing" {
	run --separate-stderr env BPFD_TEST_MARK="$MARK" "$BPFD" suggest --learn -- sh -c 'exit 7'
	echo "$output"
	[ "$status" -eq 7 ]
	[ "$output" = '# suggest --learn: 0 bpf() call(s) seen' ]
	run --separate-stderr "$BPFD" suggest --learn --preset all -- true
	[ "$status" -eq 0 ]
	[ "$output" = '# suggest --learn: 0 bpf() call(s) seen' ]
	# a delegation was given: no note about the default
	[ -z "$stderr" ]
	run -127 --separate-stderr "$BPFD" suggest --learn -- /nonexistent/command
	[ "$status" -eq 127 ]
	no_leftovers
}

@test "learn: a COMMAND killed by a signal: 128+N, no hang, nothing left" {
	run --separate-stderr timeout -k 5 20 env BPFD_TEST_MARK="$MARK" "$BPFD" suggest --learn -- sh -c 'kill -KILL $$'
	[ "$status" -eq 137 ]
	grep -qx '# suggest --learn: 0 bpf() call(s) seen' <<<"$output"
	# killed in the middle of its calls (a thread blocked in bpf() dies too)
	run --separate-stderr timeout -k 5 20 env BPFD_TEST_MARK="$MARK" "$BPFD" suggest --learn --netns new -- \
		sh -c '"$1" & sleep 0.01; kill -KILL $$' sh "$LEARN"
	[ "$status" -eq 137 ]
	no_leftovers
}

@test "learn: signals are forwarded to COMMAND as run does" {
	BPFD_TEST_MARK="$MARK" "$BPFD" suggest --learn -- sleep 30 >"$TMP/out" 2>&1 &
	bg=$!
	for i in $(seq 50); do
		pgrep -f "^sleep 30$" -P "$bg" >/dev/null && break
		sleep 0.1
	done
	kill -TERM "$bg"
	run timeout 10 sh -c "while kill -0 $bg 2>/dev/null; do sleep 0.1; done"
	[ "$status" -eq 0 ]
	wait "$bg" || st=$?
	bg=
	[ "$st" -eq 143 ]
	no_leftovers
}

@test "learn: a process that outlives COMMAND does not keep it waiting; its later bpf() fails with ENOSYS" {
	run --separate-stderr timeout -k 5 20 env BPFD_TEST_MARK="$MARK" "$BPFD" suggest --learn --netns new -- \
		sh -c '(sleep 1; "$1" >"$2" 2>&1) & exit 3' sh "$LEARN" "$TMP/late"
	echo "$output"
	[ "$status" -eq 3 ]
	grep -qx '# suggest --learn: 0 bpf() call(s) seen' <<<"$output"
	# without a listener, the filter answers bpf() with ENOSYS
	for i in $(seq 50); do
		[ -s "$TMP/late" ] && break
		sleep 0.1
	done
	cat "$TMP/late"
	grep -qx 'token=ENOSYS' "$TMP/late"
	no_leftovers
}

@test "learn: bad input: no COMMAND, an unknown option, a bad --format or --output: exit 2 with one clear line" {
	run --separate-stderr "$BPFD" suggest --learn
	[ "$status" -eq 2 ]
	[ "${lines[0]:-}" = "" ]
	grep -qx 'bpfdelegate: suggest --learn: no COMMAND given (bpfdelegate suggest --learn \[options\] -- COMMAND)' <<<"$stderr"
	run --separate-stderr "$BPFD" suggest --learn --frobnicate -- true
	[ "$status" -eq 2 ]
	grep -q "^bpfdelegate: suggest --learn: unrecognized or incomplete option '--frobnicate'$" <<<"$stderr"
	run --separate-stderr "$BPFD" suggest --learn --format yaml -- true
	[ "$status" -eq 2 ]
	grep -q "^bpfdelegate: suggest --learn: --format: unknown format 'yaml' (one of options, mount, systemd, incus, lxd, json)$" <<<"$stderr"
	run --separate-stderr "$BPFD" suggest --learn --json --format mount -- true
	[ "$status" -eq 2 ]
	grep -q "^bpfdelegate: suggest --learn: --json and --format are exclusive$" <<<"$stderr"
	run --separate-stderr "$BPFD" suggest --learn --output /nonexistent/dir/out -- true
	[ "$status" -eq 2 ]
	grep -q "^bpfdelegate: suggest --learn: --output: '/nonexistent/dir/out': No such file or directory$" <<<"$stderr"
	run --separate-stderr "$BPFD" suggest --learn --maps hsh -- true
	[ "$status" -eq 2 ]
	no_leftovers
}

@test "learn: the other formats print the learned set (mount options, systemd)" {
	run --separate-stderr "$BPFD" suggest --learn --format mount --netns new -- "$LEARN"
	[ "$status" -eq 0 ]
	grep -qx 'delegate_cmds=map_create:prog_load,delegate_maps=hash:lru_hash:queue,delegate_progs=sched_cls:xdp,delegate_attachs=cgroup_inet_ingress:xdp' <<<"$output"
	run --separate-stderr "$BPFD" suggest --learn --format systemd --netns new -- "$LEARN"
	[ "$status" -eq 0 ]
	grep -qx 'BPFDelegateMaps=BPFMapTypeHash,BPFMapTypeLruHash,BPFMapTypeQueue' <<<"$output"
	no_leftovers
}

@test "learn: a caller gone before its attr is read is counted as lost, never recorded from another's memory (fault)" {
	use_faults
	# The fault SIGKILLs the caller once its notification is received:
	# its pid may then be anyone's, so what was read is dropped
	# (SECCOMP_IOCTL_NOTIF_ID_VALID after the read).
	run --separate-stderr env BPFDELEGATE_TEST_FAULT=learn-caller-dies BPFD_TEST_MARK="$MARK" \
		timeout -k 5 20 "$BPFD" suggest --learn --netns new -- sh -c '"$1"; echo "helper: $?"' sh "$LEARN"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx 'helper: 137' <<<"$output"
	grep -qx '# suggest --learn: 1 bpf() call(s) seen, 1 lost (the caller died first)' <<<"$output"
	! grep -q 'TOKEN_CREATE' <<<"$output"
	no_leftovers
}

@test "learn: the libbpf 1.5 client learns what suggest derives from its object, plus what libbpf's probes took with everything delegated" {
	need_client
	run --separate-stderr "$BPFD" suggest --json "$OBJ"
	[ "$status" -eq 0 ]
	echo "$output" >"$TMP/object.json"
	run --separate-stderr "$BPFD" suggest --learn --json --output "$TMP/learned.json" --netns new -- "$CLIENT" "$OBJ"
	[ "$status" -eq 0 ]
	for k in cmds maps progs attachs; do
		echo "$k: object $(jq -c ".$k" "$TMP/object.json"), learned $(jq -c ".$k" "$TMP/learned.json")"
		# everything the object needs was learned
		[ "$(jq -n --slurpfile o "$TMP/object.json" --slurpfile l "$TMP/learned.json" \
			"\$o[0].$k - \$l[0].$k | length")" = 0 ]
	done
	# and the rest comes from libbpf's feature probes, which all succeed
	# with everything delegated: bpf_cookie (a kprobe), expected attach
	# types (cgroup_sock, cgroup_inet_sock_create), after which libbpf
	# also loads the XDP program with expected_attach_type xdp (0 when that
	# probe fails, as under suggest's delegation)
	[ "$(jq -cn --slurpfile o "$TMP/object.json" --slurpfile l "$TMP/learned.json" \
		'[$l[0].progs - $o[0].progs, $l[0].attachs - $o[0].attachs, $l[0].maps - $o[0].maps, $l[0].cmds - $o[0].cmds]')" = \
		'[["kprobe","cgroup_sock"],["cgroup_inet_sock_create","xdp"],[],[]]' ]
	# suggest's narrower set loads the whole object too
	run "$BPFD" run $(jq -r .options "$TMP/object.json") --netns new -- "$CLIENT" --attach "$OBJ"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'created with a BPF token$' <<<"$output")" -eq 9 ]
	no_leftovers
}

@test "learn: --user: the filter is installed before the switch, and COMMAND's calls are read all the same" {
	ensure_test_users
	run --separate-stderr env BPFD_TEST_MARK="$MARK" "$BPFD" suggest --learn --preset all --user "$BPFD_TEST_USER" --netns new -- "$LEARN"
	echo "$output"
	[ "$status" -eq 0 ]
	helper_ok "$output"
	[ "$(options_line "$output")" = "$HELPER_SET" ]
	no_leftovers
}

@test "learn: an attr COMMAND's memory does not hold is counted as unread and needs nothing" {
	run --separate-stderr "$BPFD" suggest --learn --netns new -- "$LEARN" --bad-attr
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx 'map_bad_attr=EFAULT' <<<"$output"
	grep -qx '# suggest --learn: 9 bpf() call(s) seen, 1 with an unreadable attr' <<<"$output"
	grep -qx "# seen, no delegation applies: BPF_MAP_CREATE map_type=unspec name='' (call 8, without a token)" <<<"$output"
	[ "$(options_line "$output")" = "$HELPER_SET" ]
}

@test "learn: bpfdelegate killed (SIGKILL) while COMMAND runs: COMMAND dies with it, nothing left" {
	BPFD_TEST_MARK="$MARK" "$BPFD" suggest --learn -- sleep 30 >/dev/null 2>&1 &
	bg=$!
	for i in $(seq 50); do
		pgrep -x sleep -P "$bg" >/dev/null && break
		sleep 0.1
	done
	pgrep -x sleep -P "$bg" >/dev/null
	kill -KILL "$bg"
	wait "$bg" || true
	bg=
	no_leftovers
}

@test "learn: COMMAND gets fds 0-2 only: the seccomp listener stays with bpfdelegate" {
	run --separate-stderr "$BPFD" suggest --learn --preset all -- "$HELPERS/tokenprobe"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx 'fds=0,1,2' <<<"$output"
	grep -qx 'token=ok' <<<"$output"
	grep -qx 'map=ok' <<<"$output"
	no_leftovers
}
