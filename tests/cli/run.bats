#!/usr/bin/env bats
# End-to-end tests of `bpfdelegate run` on the real kernel.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	PROBE="$HELPERS/tokenprobe"
}

@test "run: COMMAND gets a token, a map, only fds 0-2 and LIBBPF_BPF_TOKEN_PATH" {
	need_root_tokens
	before=$(bpf_mount_count)
	run --separate-stderr "$BPFD" run -- "$PROBE"
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
	run --separate-stderr "$BPFD" run --user 4242 -- "$PROBE"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"uid=4242"* ]]
	# bits 12 (net_admin), 38 (perfmon), 39 (bpf)
	[[ "$output" == *"cap_amb=000000c000001000"* ]]
	[[ "$output" == *"cap_eff=000000c000001000"* ]]
	[[ "$output" == *"token=ok"* ]]
	[[ "$output" == *"map=ok"* ]]
	run --separate-stderr "$BPFD" run --user 4242 --keep-caps bpf -- "$PROBE"
	[[ "$output" == *"cap_amb=0000008000000000"* ]]
	run --separate-stderr "$BPFD" run --user 4242 --keep-caps none -- "$PROBE"
	[[ "$output" == *"cap_amb=0000000000000000"* ]]
	[[ "$output" == *"token=EPERM"* ]]
}

@test "run: --user owns the mount (bpffs uid/gid options)" {
	need_root_tokens
	run --separate-stderr "$BPFD" run --user 4242 -- stat -c '%u %g' /sys/fs/bpf
	[ "$status" -eq 0 ]
	[ "$output" = "4242 4242" ]
}

@test "run: --target mounts there and points LIBBPF_BPF_TOKEN_PATH at it" {
	need_root_tokens
	dir=$(mktemp -d)
	run --separate-stderr "$BPFD" run --target "$dir" -- "$PROBE"
	[ "$status" -eq 0 ]
	[[ "$output" == *"token_path=$dir"* ]]
	[[ "$output" == *"token=ok"* ]]
	grep -q " $dir " /proc/self/mountinfo && false
	rmdir "$dir"
}

@test "run: exit status and signals of COMMAND pass through" {
	need_root_tokens
	run "$BPFD" run -- "$PROBE" --exit 7
	[ "$status" -eq 7 ]
	run "$BPFD" run -- "$PROBE" --raise 9
	[ "$status" -eq 137 ]
	run "$BPFD" run -- "$PROBE" --raise 15
	[ "$status" -eq 143 ]
}

@test "run: SIGTERM, SIGINT and SIGHUP are forwarded to COMMAND" {
	need_root_tokens
	for sig in TERM INT HUP; do
		out=$(mktemp)
		"$BPFD" run -- "$PROBE" --wait-signal >"$out" 2>&1 &
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
	run -127 "$BPFD" run -- no-such-command-anywhere
	[ "$status" -eq 127 ]
	[[ "$output" == *"no-such-command-anywhere"*"command not found"* ]]
	plain=$(mktemp)
	chmod 644 "$plain"
	run -126 "$BPFD" run -- "$plain"
	rm -f "$plain"
	[ "$status" -eq 126 ]
	# like execvp: a script without "#!" runs under /bin/sh
	script=$(mktemp)
	printf 'echo "script ran: $1"\n' > "$script"
	chmod 755 "$script"
	run "$BPFD" run -- "$script" yes
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
	run "$BPFD" run --user no-such-user-here -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"no-such-user-here"* ]]
	run "$BPFD" run --target /etc/hostname -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"not a directory"* ]]
	run "$BPFD" run --target /no/such/dir -- true
	[ "$status" -eq 2 ]
	run "$BPFD" run --keep-caps bpf -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"--keep-caps needs --user"* ]]
	run "$BPFD" run --user 4242 --keep-caps cap_nonsense -- true
	[ "$status" -eq 2 ]
	run "$BPFD" run --maps hsh -- true
	[ "$status" -eq 2 ]
	[ "$(bpf_mount_count)" -eq "$before" ]
}

@test "run: the namespace root is never host root" {
	need_root_tokens
	run --separate-stderr "$BPFD" run -- cat /proc/self/uid_map
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^\ +0\ +65534\ +1$ ]]
	SUDO_UID=4321 SUDO_GID=4321 run --separate-stderr "$BPFD" run -- cat /proc/self/uid_map
	[[ "$output" =~ ^\ +0\ +4321\ +1$ ]]
	run --separate-stderr "$BPFD" run --map-user 5555 -- cat /proc/self/uid_map
	[[ "$output" =~ ^\ +0\ +5555\ +1$ ]]
	run "$BPFD" run --map-user 0 -- true
	[ "$status" -eq 2 ]
}

@test "run: --no-verify skips the token check; --json reports a setup failure" {
	need_faults
	run --separate-stderr "$BPFD" run --no-verify -- "$PROBE"
	[ "$status" -eq 0 ]
	[[ "$output" == *"token=ok"* ]]
	BPFDELEGATE_TEST_FAULT=drop-options run --separate-stderr "$BPFD_FAULTS" run --json -- true
	[ "$status" -eq 4 ]
	echo "$output" | jq -e '.ok == false and .exit_code == 4 and .error.step == "verify delegation"'
}

@test "run: --user ids never collide with the root's, and group 0 is never mapped" {
	need_root_tokens
	run --separate-stderr "$BPFD" run --user nobody -- cat /proc/self/uid_map
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^\ +0\ +65533\ +1$'\n'\ +65534\ +65534\ +1$ ]]
	run "$BPFD" run --user 4242 --map-user 4242 -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"--map-user"* ]]
	user=$(getent passwd | awk -F: '$3 != 0 && $4 == 0 {print $1; exit}')
	if [ -z "$user" ]; then
		useradd -M -u 4343 -g 0 bpfd-gid0-test
		user=bpfd-gid0-test
	fi
	run "$BPFD" run --user "$user" -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"primary group is 0"* ]]
	userdel bpfd-gid0-test 2>/dev/null || true
}
