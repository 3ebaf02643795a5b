#!/usr/bin/env bats
# End-to-end tests of `bpfdelegate run` on the real kernel.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	PROBE="$HELPERS/tokenprobe"
}

teardown() {
	[ -z "${busy:-}" ] || kill "$busy" 2>/dev/null || true
	[ -z "${tcx_left:-}" ] || "$PROBE" --tcx-clear lo >/dev/null || true
}

@test "run: COMMAND gets a token, a map, only fds 0-2 and LIBBPF_BPF_TOKEN_PATH" {
	need_root_tokens
	before=$(bpf_mount_count)
	run --separate-stderr "$BPFD" run --preset all -- "$PROBE"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"token=ok"* ]]
	[[ "$output" == *"map=ok"* ]]
	[[ "$output" == *"fds=0,1,2"$'\n'* ]]
	[[ "$output" == *"token_path=/sys/fs/bpf"* ]]
	[[ "$output" == *"uid=0"* ]]
	[ "$(bpf_mount_count)" -eq "$before" ]
}

@test "run: a narrow delegation lets the map through and refuses the program" {
	need_root_tokens
	run --separate-stderr "$BPFD" run --cmds map_create --maps array -- "$PROBE"
	[ "$status" -eq 0 ]
	[[ "$output" == *"map=ok"* ]]
	[[ "$output" == *"prog=EPERM"* ]]
}

@test "run: --user keeps CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN ambient" {
	need_root_tokens
	run --separate-stderr "$BPFD" run --preset all --user 4242 -- "$PROBE"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"uid=4242"* ]]
	# bits 12 (net_admin), 38 (perfmon), 39 (bpf)
	[[ "$output" == *"cap_amb=000000c000001000"* ]]
	[[ "$output" == *"cap_eff=000000c000001000"* ]]
	[[ "$output" == *"token=ok"* ]]
	[[ "$output" == *"map=ok"* ]]
	run --separate-stderr "$BPFD" run --preset all --user 4242 --keep-caps bpf -- "$PROBE"
	[[ "$output" == *"cap_amb=0000008000000000"* ]]
	run --separate-stderr "$BPFD" run --preset all --user 4242 --keep-caps none -- "$PROBE"
	[[ "$output" == *"cap_amb=0000000000000000"* ]]
	[[ "$output" == *"token=EPERM"* ]]
}

@test "run: --user owns the mount (bpffs uid/gid options)" {
	need_root_tokens
	run --separate-stderr "$BPFD" run --preset all --user 4242 -- stat -c '%u %g' /sys/fs/bpf
	[ "$status" -eq 0 ]
	[ "$output" = "4242 4242" ]
}

@test "run: --target mounts there and points LIBBPF_BPF_TOKEN_PATH at it" {
	need_root_tokens
	dir=$(mktemp -d)
	run --separate-stderr "$BPFD" run --preset all --target "$dir" -- "$PROBE"
	[ "$status" -eq 0 ]
	[[ "$output" == *"token_path=$dir"* ]]
	[[ "$output" == *"token=ok"* ]]
	grep -q " $dir " /proc/self/mountinfo && false
	rmdir "$dir"
}

@test "run: exit status and signals of COMMAND pass through" {
	need_root_tokens
	run "$BPFD" run --preset all -- "$PROBE" --exit 7
	[ "$status" -eq 7 ]
	run "$BPFD" run --preset all -- "$PROBE" --raise 9
	[ "$status" -eq 137 ]
	run "$BPFD" run --preset all -- "$PROBE" --raise 15
	[ "$status" -eq 143 ]
}

@test "run: SIGTERM, SIGINT and SIGHUP are forwarded to COMMAND" {
	need_root_tokens
	for sig in TERM INT HUP; do
		out=$(mktemp)
		"$BPFD" run --preset all -- "$PROBE" --wait-signal >"$out" 2>&1 &
		pid=$!
		for i in $(seq 100); do grep -q ready "$out" && break; sleep 0.1; done
		grep -q ready "$out"
		kill -s "$sig" "$pid"
		rc=0
		wait "$pid" || rc=$?
		num=$(kill -l "$sig")
		[ "$rc" -eq $((100 + num)) ]
		rm -f "$out"
	done
}

@test "run: command not found is 127, not executable is 126" {
	need_root_tokens
	run -127 "$BPFD" run --preset all -- no-such-command-anywhere
	[ "$status" -eq 127 ]
	[[ "$output" == *"no-such-command-anywhere"*"command not found"* ]]
	plain=$(mktemp)
	chmod 644 "$plain"
	run -126 "$BPFD" run --preset all -- "$plain"
	rm -f "$plain"
	[ "$status" -eq 126 ]
	# like execvp: a script without "#!" runs under /bin/sh
	script=$(mktemp)
	printf 'echo "script ran: $1"\n' > "$script"
	chmod 755 "$script"
	run "$BPFD" run --preset all -- "$script" yes
	rm -f "$script"
	[ "$status" -eq 0 ]
	[ "$output" = "script ran: yes" ]
}

@test "run: bad input is exit 2 and nothing is mounted" {
	need_root_tokens
	before=$(bpf_mount_count)
	run "$BPFD" run
	[ "$status" -eq 2 ]
	[[ "$output" == *"no COMMAND"* ]]
	run "$BPFD" run --preset all --user no-such-user-here -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"no-such-user-here"* ]]
	run "$BPFD" run --preset all --target /etc/hostname -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"not a directory"* ]]
	run "$BPFD" run --preset all --target /no/such/dir -- true
	[ "$status" -eq 2 ]
	run "$BPFD" run --preset all --keep-caps bpf -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"--keep-caps needs --user"* ]]
	run "$BPFD" run --preset all --user 4242 --keep-caps cap_nonsense -- true
	[ "$status" -eq 2 ]
	run "$BPFD" run --maps hsh -- true
	[ "$status" -eq 2 ]
	[ "$(bpf_mount_count)" -eq "$before" ]
}

@test "run: the namespace root is never host root" {
	need_root_tokens
	run --separate-stderr "$BPFD" run --preset all -- cat /proc/self/uid_map
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^\ +0\ +65534\ +1$ ]]
	SUDO_UID=4321 SUDO_GID=4321 run --separate-stderr "$BPFD" run --preset all -- cat /proc/self/uid_map
	[[ "$output" =~ ^\ +0\ +4321\ +1$ ]]
	run --separate-stderr "$BPFD" run --preset all --map-user 5555 -- cat /proc/self/uid_map
	[[ "$output" =~ ^\ +0\ +5555\ +1$ ]]
	run "$BPFD" run --preset all --map-user 0 -- true
	[ "$status" -eq 2 ]
}

@test "run: --no-verify skips the token check; --json reports a setup failure" {
	need_faults
	run --separate-stderr "$BPFD" run --preset all --no-verify -- "$PROBE"
	[ "$status" -eq 0 ]
	[[ "$output" == *"token=ok"* ]]
	BPFDELEGATE_TEST_FAULT=drop-options run --separate-stderr "$BPFD_FAULTS" run --preset all --json -- true
	[ "$status" -eq 4 ]
	echo "$output" | jq -e '.ok == false and .exit_code == 4 and .error.step == "verify delegation"'
}

@test "run: --user ids never collide with the root's, and group 0 is never mapped" {
	need_root_tokens
	run --separate-stderr "$BPFD" run --preset all --user nobody -- cat /proc/self/uid_map
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^\ +0\ +65533\ +1$'\n'\ +65534\ +65534\ +1$ ]]
	run "$BPFD" run --preset all --user 4242 --map-user 4242 -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"--map-user"* ]]
	user=$(getent passwd | awk -F: '$3 != 0 && $4 == 0 {print $1; exit}')
	if [ -z "$user" ]; then
		useradd -M -u 4343 -g 0 bpfd-gid0-test
		user=bpfd-gid0-test
	fi
	run "$BPFD" run --preset all --user "$user" -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"primary group is 0"* ]]
	userdel bpfd-gid0-test 2>/dev/null || true
}

@test "run: without pidfds (seccomp ENOSYS/EPERM) COMMAND's status and signals still pass" {
	need_root_tokens
	for err in ENOSYS EPERM; do
		run timeout -k 5 20 "$HELPERS/no-pidfd" "$err" "$BPFD" run --preset all -- sh -c 'exit 7'
		echo "$err: $status $output"
		[ "$status" -eq 7 ]
		out=$(mktemp)
		BPFD_TEST_MARK=nopidfd-$err timeout -k 5 20 "$HELPERS/no-pidfd" "$err" \
			"$BPFD" run --preset all -- \
			sh -c 'trap "exit 9" TERM; echo ready; while :; do sleep 0.1; done' \
			>"$out" 2>&1 &
		pid=$!
		for i in $(seq 100); do grep -q ready "$out" && break; sleep 0.1; done
		grep -q ready "$out"
		# $pid is timeout(1); its child is bpfdelegate.
		kill -TERM "$(pgrep -P "$pid")"
		rc=0
		wait "$pid" || rc=$?
		echo "$err TERM: $rc $(cat "$out")"
		[ "$rc" -eq 9 ]
		wait_no_marked "nopidfd-$err"
		rm -f "$out"
	done
}

@test "run: a low RLIMIT_NOFILE is a clear error or a correct run, never a hang" {
	need_root_tokens
	for n in 4 5 6 7 8 9 10 12 16; do
		# only fds 0-2 open (bats keeps others), then the limit
		run timeout -k 5 20 bash -c 'for f in /proc/$$/fd/*; do f=${f##*/}; [ "$f" -gt 2 ] && eval "exec $f>&-"; done
			ulimit -n "$1"; exec "$0" run --preset all -- sh -c "exit 7"' "$BPFD" "$n"
		echo "nofile $n: $status $output"
		[ "$status" -ne 124 ]
		if [ "$status" -ne 7 ]; then
			[ "$status" -eq 1 ]
			[[ "$output" == *"out of file descriptors (EMFILE)"* ]]
		fi
	done
}

@test "run: --target is resolved: a symlink or '..' works, the root by any name is refused" {
	need_root_tokens
	before=$(bpf_mount_count)
	dir=$(mktemp -d)
	mkdir "$dir/sub"
	ln -s "$dir" "$dir.lnk"
	run --separate-stderr "$BPFD" run --preset all --target "$dir.lnk" -- "$PROBE"
	echo "$status $output $stderr"
	[ "$status" -eq 0 ]
	[[ "$output" == *"token_path=$dir"$'\n'* ]]
	[[ "$output" == *"token=ok"* ]]
	run --separate-stderr "$BPFD" run --preset all --target "$dir/sub/../" -- "$PROBE"
	[ "$status" -eq 0 ]
	[[ "$output" == *"token_path=$dir"$'\n'* ]]
	for root in / /tmp/.. "$dir/../.." //; do
		run "$BPFD" run --preset all --target "$root" -- true
		echo "$root: $status $output"
		[ "$status" -eq 2 ]
		[[ "$output" == *"is the root directory"* ]]
	done
	ln -s / "$dir/toroot"
	run "$BPFD" run --preset all --target "$dir/toroot" -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"is the root directory"* ]]
	run "$BPFD" run --preset all --target "$dir"$'\n'"x" -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"control character"* ]]
	[[ "$output" != *"$dir"* ]]
	run "$BPFD" run --preset all --target "$dir/sub/nope" -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"No such file or directory"* ]]
	run "$BPFD" run --preset all --target sub -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"not an absolute path"* ]]
	# it becomes LIBBPF_BPF_TOKEN_PATH and travels in the report: never cut
	long="$dir/sub/$(printf 'd%.0s' $(seq 120))/$(printf 'e%.0s' $(seq 120))"
	mkdir -p "$long"
	run "$BPFD" run --preset all --target "$long" -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"longer than 255 bytes"* ]]
	ln -s "$long" "$dir/short"
	run "$BPFD" run --preset all --target "$dir/short" -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"resolves to a path longer than 255 bytes"* ]]
	rm -rf "$dir/sub/d"* "$dir/short"
	rm -f "$dir/toroot" "$dir.lnk"
	rmdir "$dir/sub" "$dir"
	[ "$(bpf_mount_count)" -eq "$before" ]
}

@test "run: an empty COMMAND name is not found (127), like a shell" {
	need_root_tokens
	run -127 "$BPFD" run --preset all -- ''
	[ "$status" -eq 127 ]
	[[ "$output" == *"command not found"* ]]
}

@test "run: no implicit any: without delegation options it is a usage error naming the presets" {
	need_root_tokens
	before=$(bpf_mount_count)
	run "$BPFD" run -- true
	echo "$output"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 2 ]
	for p in all xdp tc socket-filter cgroup tracing; do
		[[ "${lines[0]}" == *"$p"* ]]
	done
	[[ "${lines[0]}" == *"--preset"* ]]
	run "$BPFD" run --user 4242 --target /tmp -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"--preset NAME"* ]]
	# what "all" means is said where the presets are listed
	run "$BPFD" run --preset list
	[ "$status" -eq 0 ]
	[[ "$output" == *$'all\n    everything (any x4): e.g. raw tracepoints that read kernel memory'* ]]
	run "$BPFD" run --help
	[[ "$output" == *"Delegation (required"* ]]
	[ "$(bpf_mount_count)" -eq "$before" ]
}

@test "run: COMMAND starts in the caller's working directory; ./tool works" {
	need_root_tokens
	dir=$(mktemp -d)
	chmod 755 "$dir"
	cp "$PROBE" "$dir/probe"
	cd "$dir"
	run --separate-stderr "$BPFD" run --preset all -- pwd
	[ "$status" -eq 0 ]
	[ "$output" = "$dir" ]
	run --separate-stderr "$BPFD" run --preset all -- ./probe --exit 3
	[ "$status" -eq 3 ]
	cd /
	rm -rf "$dir"
}

@test "run: --netns new gives COMMAND only lo, up; host (the default) shares the host's interfaces" {
	need_root_tokens
	run --separate-stderr "$BPFD" run --preset all --netns new -- "$PROBE" --netdevs
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "netdev=lo up" ]
	# /proc/net/dev follows the reader's network namespace
	run --separate-stderr "$BPFD" run --preset all --netns new --user 4242 -- \
		awk -F: 'NR > 2 {gsub(/ /, "", $1); print $1}' /proc/net/dev
	[ "$status" -eq 0 ]
	[ "$output" = "lo" ]
	host=$("$PROBE" --netdevs)
	[ "$(echo "$host" | wc -l)" -gt 1 ]
	run --separate-stderr "$BPFD" run --preset all --netns host -- "$PROBE" --netdevs
	[ "$status" -eq 0 ]
	[ "$output" = "$host" ]
	run --separate-stderr "$BPFD" run --preset all -- "$PROBE" --netdevs
	[ "$status" -eq 0 ]
	[ "$output" = "$host" ]
	run "$BPFD" run --preset all --netns other -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"--netns: 'other': expected 'host' or 'new'"* ]]
	# network namespaces refused (seccomp): one clear line, exit 1
	before=$(bpf_mount_count)
	run "$HELPERS/no-userns" --netns "$BPFD" run --preset all --netns new -- true
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"new network namespace"*"CLONE_NEWNET: Operation not permitted (network namespaces are refused"* ]]
	[ "$(bpf_mount_count)" -eq "$before" ]
	run --separate-stderr "$HELPERS/no-userns" --netns "$BPFD" run --preset all -- "$PROBE" --netdevs
	[ "$status" -eq 0 ]
	[ "$output" = "$host" ]
}

@test "run: threat model: --preset all/tracing read kernel memory on every host process's syscalls, in any netns" {
	need_root_tokens
	[ "$(uname -m)" = x86_64 ] || skip "the probe reads x86_64 pt_regs"
	# a host process that keeps making system calls
	( while sleep 0.05; do :; done ) &
	busy=$!
	for args in "--preset all" "--preset tracing" "--preset all --netns new" \
		"--preset tracing --user 4242"; do
		run --separate-stderr "$BPFD" run $args -- "$PROBE" --raw-tp "$busy"
		echo "$args: $status $output $stderr"
		[ "$status" -eq 0 ]
		[[ "$output" == *"raw_tp=ok"* ]]
		[[ "$output" == *"raw_tp_attach=ok"* ]]
		# syscall numbers of $busy, read from the kernel's pt_regs
		n=$(echo "$output" | sed -n 's/^seen_syscalls=//p')
		[ "$n" -gt 0 ]
	done
	# a delegation without raw_tracepoint does not allow it
	run --separate-stderr "$BPFD" run --preset xdp -- "$PROBE" --raw-tp "$busy"
	[[ "$output" == *"raw_tp=EPERM"* ]]
	kill "$busy"
	busy=
}

@test "run: threat model: --preset tc/xdp attach to host interfaces, a prog_attach outlives COMMAND; --netns new keeps them out of reach" {
	need_root_tokens
	before=$("$PROBE" --tcx-count lo)
	[[ "$before" == tcx_progs=* ]]
	# a program that returns TCX_NEXT: traffic on the host's lo is unchanged
	run --separate-stderr "$BPFD" run --preset tc -- "$PROBE" --tcx lo
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"tcx_link=ok"* ]]
	[ "$("$PROBE" --tcx-count lo)" = "$before" ]
	tcx_left=1
	run --separate-stderr "$BPFD" run --preset tc -- "$PROBE" --tcx-keep lo
	[ "$status" -eq 0 ]
	[[ "$output" == *"tcx_attach=ok"* ]]
	# COMMAND and run have exited; the program is still attached on the host
	[ "$("$PROBE" --tcx-count lo)" = "tcx_progs=$((${before#tcx_progs=} + 1))" ]
	"$PROBE" --tcx-clear lo
	tcx_left=
	[ "$("$PROBE" --tcx-count lo)" = "tcx_progs=0" ]
	# in a network namespace of its own, the host's interfaces do not exist
	host_if=$("$PROBE" --netdevs | sed -n 's/^netdev=\([^ ]*\) .*/\1/p' | grep -vx lo | head -1)
	[ -n "$host_if" ]
	run --separate-stderr "$BPFD" run --preset tc --netns new -- "$PROBE" --tcx "$host_if"
	[ "$status" -ne 0 ]
	[[ "$output" == *"tcx=ENODEV"* ]]
	# a delegation without sched_cls/tcx_ingress does not allow it
	run --separate-stderr "$BPFD" run --preset xdp -- "$PROBE" --tcx lo
	[[ "$output" == *"tcx_prog=EPERM"* ]]
	# XDP likewise (an XDP_PASS program, through a link closed at once)
	run --separate-stderr "$BPFD" run --preset xdp -- "$PROBE" --xdp lo
	[ "$status" -eq 0 ]
	[[ "$output" == *"xdp_link=ok"* ]]
	run --separate-stderr "$BPFD" run --preset xdp --netns new -- "$PROBE" --xdp "$host_if"
	[[ "$output" == *"xdp=ENODEV"* ]]
}
