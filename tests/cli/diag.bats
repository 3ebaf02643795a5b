#!/usr/bin/env bats
# End-to-end tests of `bpfdelegate list`, `names`, `doctor` and `explain`.
# Situations on the host are made with `unshare -m --propagation private`
# (nothing stays mounted); situations in a user namespace with `run`.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	D=$(mktemp -d /tmp/bpfd-diag-bats-XXXXXX)
	B=$(mktemp -d /tmp/bpfd-diag-bind-XXXXXX)
	chmod 0755 "$D"
}

teardown() {
	rmdir "$D" "$B" 2>/dev/null || true
}

# $output on one line: human output is word-wrapped.
flat() {
	printf '%s' "$output" | tr -s ' \n' ' '
}

# Run "$@" in a private mount namespace after running the shell line $1.
in_mntns() {
	local prep=$1
	shift
	unshare -m --propagation private sh -c "$prep && exec \"\$@\"" sh "$@"
}

@test "each command has --help, and unknown options are usage errors" {
	for c in list names doctor explain; do
		run "$BPFD" "$c" --help
		[ "$status" -eq 0 ]
		[[ "$output" == *"Usage:"* ]]
		[[ "$output" == *"See bpfdelegate(1)."* ]]
		run "$BPFD" "$c" --bogus
		[ "$status" -eq 2 ]
		[[ "$output" == *"--bogus"* ]]
		[[ "$output" == *"Try 'bpfdelegate --help'"* ]]
	done
	run "$BPFD" --help
	for c in list names doctor explain; do
		[[ "$output" == *" $c "* ]]
	done
	run "$BPFD" doctor --help
	[[ "$output" == *"4 the kernel"* ]]
	run "$BPFD" list --pid abc
	[ "$status" -eq 2 ]
	run "$BPFD" doctor extra
	[ "$status" -eq 2 ]
}

@test "names: the kernel's names with systemd's spelling, one kind, JSON" {
	run "$BPFD" names
	[ "$status" -eq 0 ]
	[[ "$output" == *"map_create"*"BPFMapCreate"* ]]
	[[ "$output" == *"cgroup_inet_ingress"* ]]
	[[ "$output" == *"disagreement"* ]]
	run "$BPFD" names maps
	[ "$status" -eq 0 ]
	[[ "$output" == *"ringbuf"* ]]
	[[ "$output" != *"map_create"* ]]
	run --separate-stderr "$BPFD" names prog --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.kinds | keys == ["progs"]'
	echo "$output" | jq -e '.kinds.progs[] | select(.name == "xdp") | .value == 6 and .systemd == "BPFProgTypeXdp"'
	echo "$output" | jq -e '[.kinds.progs[].agreement] - ["same","alias","kernel-only","builtin-only","differs","not-compared"] == []'
	echo "$output" | jq -e '.source == "btf" and (.disagreements | type) == "number"'
	run "$BPFD" names widgets
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown kind 'widgets'"* ]]
}

@test "explain: -22, 22, EINVAL and einval are the same errno" {
	for e in -22 22 EINVAL einval -EINVAL; do
		run --separate-stderr "$BPFD" explain --json "$e"
		[ "$status" -eq 0 ]
		echo "$output" | jq -e '.errno == "EINVAL" and .code == -22 and .libbpf == false'
		echo "$output" | jq -e '[.causes[].id] == ["kernel-too-old","flags","not-root","not-bpffs"]'
	done
	run "$BPFD" explain -95
	[ "$status" -eq 0 ]
	[[ "$output" == *"EOPNOTSUPP (-95"* ]]
	[[ "$(flat)" == *"initial user namespace"* ]]
	run "$BPFD" explain -1
	[ "$status" -eq 0 ]
	[[ "$(flat)" == *"does not own the bpffs"*"CAP_BPF"* ]]
	run "$BPFD" explain -2
	[ "$status" -eq 0 ]
	[[ "$(flat)" == *"no delegate_* options"* ]]
	# any case, with or without the minus; -E2BIG is an errno, not an option
	for e in -einval einval -Einval; do
		run "$BPFD" explain "$e"
		[ "$status" -eq 0 ]
		[[ "$output" == "EINVAL (-22"* ]]
	done
	run "$BPFD" explain -E2BIG
	[ "$status" -eq 0 ]
	[[ "$output" == "E2BIG (-7"* ]]
	# --path needs a value: it must not swallow the errno
	run "$BPFD" explain EINVAL --path
	[ "$status" -eq 2 ]
	[[ "$output" == *"--path needs a value"* ]]
}

@test "explain: a libbpf line gives errno and path, and says it is harmless" {
	line="libbpf: object 'x': failed (-22) to create BPF token from '/sys/fs/bpf', skipping optional step..."
	run --separate-stderr "$BPFD" explain --json "$line"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.errno == "EINVAL" and .path == "/sys/fs/bpf" and .libbpf and .harmless'
	run "$BPFD" explain "$line"
	[[ "$(flat)" == *"Harmless: libbpf"*"goes on loading without"* ]]
	# unquoted, as pasted into a shell
	run "$BPFD" explain libbpf: object "'x'": failed "(-22)" to create BPF token from "'/sys/fs/bpf',"
	[ "$status" -eq 0 ]
	[[ "$output" == *"EINVAL (-22"* ]]
	[[ "$output" == *"Not harmless"* ]]
	run --separate-stderr "$BPFD" explain --json "libbpf: object 'x': failed (-1) to create BPF token from '/run/x'"
	echo "$output" | jq -e '.errno == "EPERM" and .path == "/run/x" and .harmless == false'
}

@test "explain: bad input is one line and exit 2" {
	for bad in EFOO garbage 9999 "failed (zz) to create BPF token from '/x'"; do
		run "$BPFD" explain "$bad"
		[ "$status" -eq 2 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "${lines[0]}" == "bpfdelegate: explain: "* ]]
	done
	run "$BPFD" explain
	[ "$status" -eq 2 ]
}

@test "a host bpffs with delegation: EOPNOTSUPP, initial user namespace, exit 1" {
	need_root_tokens
	run --separate-stderr in_mntns "mount -t bpf -o delegate_cmds=any bpf $D" \
		"$BPFD" doctor --path "$D" --json
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.token.errno == "EOPNOTSUPP" and .token.cause == "initial-userns"'
	echo "$output" | jq -e '.owner.userns == "initial" and .verdict == "problem" and .exit_code == 1'
	echo "$output" | jq -e '.checks[] | select(.check == "delegation") | .status == "problem"'
	run in_mntns "mount -t bpf -o delegate_cmds=any bpf $D" \
		"$BPFD" explain "libbpf: object 'x': failed (-95) to create BPF token from '$D', skipping optional step..."
	[ "$status" -eq 0 ]
	[[ "$(flat)" == *"-> 1. the caller is in the initial user namespace"* ]]
	[[ "$(flat)" == *"initial-userns applies: $D belongs to the initial user namespace"* ]]
}

@test "an ordinary host bpffs from the host: host-ready, exit 0" {
	need_root_tokens
	run --separate-stderr in_mntns "mount -t bpf bpf $D" "$BPFD" doctor --path "$D" --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.verdict == "host-ready" and .token.errno == "EOPNOTSUPP"'
}

@test "a subdirectory of a bpffs: EINVAL, not its root" {
	need_root_tokens
	run --separate-stderr in_mntns "mount -t bpf -o delegate_cmds=any bpf $D && mkdir $D/sub" \
		"$BPFD" doctor --path "$D/sub" --json
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.token.errno == "EINVAL" and .token.cause == "not-root"'
	run in_mntns "mount -t bpf bpf $D && mkdir $D/sub" "$BPFD" explain --path "$D/sub" -22
	[[ "$(flat)" == *"-> 3. the path is a directory inside a bpffs"* ]]
	[[ "$(flat)" == *"not-root applies"* ]]
}

@test "a tmpfs at the path, and nothing mounted: EINVAL, not a bpffs" {
	need_root_tokens
	run --separate-stderr in_mntns "mount -t tmpfs -o size=64k tmpfs $D" \
		"$BPFD" doctor --path "$D" --json
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.token.errno == "EINVAL" and .token.cause == "not-bpffs"'
	echo "$output" | jq -e '.checks[] | select(.check == "path is bpffs") | .status == "problem" and (.detail | contains("tmpfs"))'
	run --separate-stderr "$BPFD" doctor --path "$D" --json
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.token.cause == "not-bpffs"'
	echo "$output" | jq -e '.checks[] | select(.check == "path mounted") | .status == "problem" and (.detail | contains("nothing is mounted"))'
	run "$BPFD" doctor --path "$D/missing"
	[ "$status" -eq 1 ]
	[[ "$(flat)" == *"cannot be opened: No such file or directory"* ]]
}

@test "list: host mounts decoded (names and hex), owner, bind mount of a subdirectory" {
	need_root_tokens
	run --separate-stderr in_mntns \
		"mount -t bpf -o delegate_maps=0x6,delegate_cmds=map_create,uid=65534,mode=0700 bpf $D && mkdir $D/d && mount --bind $D/d $B" \
		"$BPFD" list --json
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --arg d "$D" '.mounts[] | select(.path == $d) | .delegation.maps.list == "hash:array" and .delegation.cmds.list == "map_create" and .uid == 65534 and .mode == "0700"'
	echo "$output" | jq -e --arg d "$D" '.mounts[] | select(.path == $d) | .owner.userns == "initial" and .tokens == "impossible"'
	echo "$output" | jq -e --arg b "$B" '.mounts[] | select(.path == $b) | .root == "/d" and .tokens == "impossible"'
	run in_mntns "mount -t bpf -o delegate_progs=xdp bpf $D" "$BPFD" list
	[ "$status" -eq 0 ]
	[[ "$output" == *"progs    xdp"* ]]
	[[ "$(flat)" == *"owner the initial user namespace"* ]]
}

@test "in a delegated user namespace (run): doctor token-ok, list owner caller" {
	need_root_tokens
	run --separate-stderr "$BPFD" run --preset all -- "$BPFD" doctor --json
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.verdict == "token-ok" and .token.created and .owner.userns == "caller"'
	run --separate-stderr "$BPFD" run --maps hash -- "$BPFD" list --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.mounts[] | select(.path == "/sys/fs/bpf") | .owner.userns == "caller" and .tokens == "possible" and .delegation.maps.list == "hash"'
}

@test "no CAP_BPF in its namespace (run --user): EPERM, no-cap-bpf" {
	need_root_tokens
	run --separate-stderr "$BPFD" run --preset all --user 1000 --keep-caps none -- "$BPFD" doctor --json
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.token.errno == "EPERM" and .token.cause == "no-cap-bpf"'
	echo "$output" | jq -e '.checks[] | select(.check == "caller") | .status == "problem"'
}

@test "a token attempt from another user namespace: EPERM, wrong-userns" {
	need_root_tokens
	run --separate-stderr "$BPFD" run --preset all -- unshare -U -r "$BPFD" doctor --json
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.token.errno == "EPERM" and .token.cause == "wrong-userns" and .owner.userns == "not-caller"'
}

@test "list --pid: a process's bpffs, owned by its user namespace" {
	need_root_tokens
	before=$(bpf_mount_count)
	pidfile=$D/pid
	# written by the namespace root, which is not host root
	install -m 0666 /dev/null "$pidfile"
	"$BPFD" run --preset all -- sh -c "echo \$\$ > $pidfile; exec sleep 30" &
	runner=$!
	for i in $(seq 100); do [ -s "$pidfile" ] && break; sleep 0.1; done
	pid=$(cat "$pidfile")
	run --separate-stderr "$BPFD" list --pid "$pid" --json
	kill "$pid" 2>/dev/null || true
	wait "$runner" || true
	rm -f "$pidfile"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --argjson p "$pid" '.pid == $p'
	echo "$output" | jq -e '.mounts[] | select(.path == "/sys/fs/bpf") | .owner.userns == "target" and .tokens == "possible"'
	[ "$(bpf_mount_count)" -eq "$before" ]
	run "$BPFD" list --pid 999999999
	[ "$status" -eq 1 ]
}

@test "list --pid as an unprivileged user lists another user's process" {
	need_root_tokens
	sleep 30 &
	pid=$!
	run setpriv --reuid 65534 --regid 65534 --clear-groups "$BPFD" list --pid "$pid"
	kill "$pid"
	[ "$status" -eq 0 ]
	[[ "$output" != *"exited"* ]]
}

@test "JSON output is valid UTF-8 whatever the bytes in a path" {
	run --separate-stderr "$BPFD" explain --json "libbpf: failed (-22) to create BPF token from '/tmp/$(printf '\377')x', skipping optional step"
	[ "$status" -eq 0 ]
	printf '%s' "$output" | iconv -f UTF-8 -t UTF-8 >/dev/null
	echo "$output" | jq -e '.path | startswith("/tmp/")'
}

@test "paths that do not fit are refused, never cut" {
	long=/$(head -c 600 /dev/zero | tr '\0' a)
	run "$BPFD" doctor --path "$long"
	[ "$status" -eq 2 ]
	[[ "$output" == *"longer than 511 bytes"* ]]
	run "$BPFD" explain "libbpf: failed (-22) to create BPF token from '$long', skipping optional step"
	[ "$status" -eq 2 ]
	[[ "$output" == *"longer than 511 bytes"* ]]
	run "$BPFD" explain "libbpf: failed (-22) to create BPF token from '/tmp/x"
	[ "$status" -eq 2 ]
	[[ "$output" == *"no closing quote"* ]]
}
