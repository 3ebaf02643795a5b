#!/usr/bin/env bats
# `list --format bpftool` against the real bpftool: both run on the same
# mounts, their JSON compared with `jq -S`.  The bpftool is Debian's
# (trixie-backports, the first with `token list`; trixie's 7.5 has none),
# fetched by tests/bpftool/fetch.sh (make test does it) into
# /var/tmp/bpfdelegate-bpftool, or $BPFTOOL.
bats_require_minimum_version 1.5.0
load helpers

BPFTOOL=${BPFTOOL:-/var/tmp/bpfdelegate-bpftool/bpftool}

setup() {
	BPFD_ABS=$(realpath "$BPFD")
	T=$(mktemp -d /tmp/bpfd-bpftool.XXXXXX)
	PIDS=()
}

teardown() {
	kill_pids_umount_tmp
}

need_bpftool() {
	need_root_tokens
	local why=""
	command -v jq >/dev/null || why="needs jq (make deps)"
	[ -x "$BPFTOOL" ] || why="needs $BPFTOOL (tests/bpftool/fetch.sh; make test fetches it)"
	if [ -n "$why" ]; then
		[ "${CI:-}" = true ] && { echo "skip is a failure under CI=true: $why" >&2; return 1; }
		skip "$why"
	fi
}

# same_json: $T/ours.json and $T/bpftool.json are the same document.
same_json() {
	jq -S . "$T/ours.json" >"$T/ours.sorted"
	jq -S . "$T/bpftool.json" >"$T/bpftool.sorted"
	cat "$T/bpftool.sorted"
	diff -u "$T/bpftool.sorted" "$T/ours.sorted"
}

@test "list --format bpftool: a run's delegated bpffs, the same JSON as bpftool -j token list" {
	need_bpftool
	# inside, root of the run's user namespace cannot write to $T: both
	# documents go to stdout, split at a line of ours
	"$BPFD" run --preset tracing --cmds any -- sh -c \
		"'$BPFTOOL' -j token list; echo; echo ===; '$BPFD_ABS' list --format bpftool" >"$T/both" 2>/dev/null
	sed '/^===$/,$d' "$T/both" >"$T/bpftool.json"
	sed '1,/^===$/d' "$T/both" >"$T/ours.json"
	same_json
	# (the run's mount namespace is a copy of the host's: delegated
	# mounts other tests made there are listed too, by both)
	jq -e '[.[] | select(.token_info == "/sys/fs/bpf")] | length == 1 and .[0].allowed_cmds == ["any"]
		and (.[0].allowed_progs | index("kprobe")) != null' "$T/ours.json"
}

@test "list --format bpftool: several mounts (empty sets, none delegated, a bind mount, a space, a bit the kernel drops) as bpftool lists them" {
	need_bpftool
	mkdir -p "$T/a" "$T/b" "$T/c" "$T/d" "$T/with space"
	# root in the initial namespace may set delegate_* (no token is
	# possible there; listing does not care)
	unshare -m sh -c '
		mount -t bpf -o delegate_cmds=map_create:prog_load,delegate_progs=xdp:kprobe none "$1/a"
		mount -t bpf -o delegate_maps=any none "$1/b"
		mount -t bpf none "$1/c"
		mkdir "$1/a/sub" 2>/dev/null; mount --bind "$1/a" "$1/d"
		mount -t bpf -o delegate_attachs=0x8000000000000001 none "$1/with space"
		"$2" -j token list >"$1/bpftool.json"
		"$3" list --format bpftool >"$1/ours.json"' sh "$T" "$BPFTOOL" "$BPFD_ABS"
	same_json
	# the delegated ones, the undelegated one left out (like bpftool)
	jq -e --arg t "$T" '[.[].token_info | select(startswith($t))] ==
		[$t + "/a", $t + "/b", $t + "/d", $t + "/with space"]' "$T/ours.json"
	jq -e --arg t "$T" '.[] | select(.token_info == $t + "/b") | .allowed_maps == ["any"] and .allowed_cmds == []' "$T/ours.json"
}

@test "list --pid --format bpftool: a container's mounts, the same as bpftool inside its mount namespace" {
	need_bpftool
	"$BPFD" run --preset xdp -- sleep 60 2>/dev/null &
	PIDS+=($!)
	local p i
	for i in $(seq 50); do
		p=$(pgrep -P "$!" -x sleep || true)
		[ -z "$p" ] && [ "$(cat /proc/$!/comm 2>/dev/null)" = sleep ] && p=$!
		[ -n "$p" ] && grep -q ' - bpf .*delegate_' "/proc/$p/mountinfo" 2>/dev/null && break
		p=
		sleep 0.1
	done
	[ -n "$p" ]
	nsenter -t "$p" -m "$BPFTOOL" -j token list >"$T/bpftool.json"
	"$BPFD" list --pid "$p" --format bpftool >"$T/ours.json"
	same_json
	jq -e '[.[] | select(.token_info == "/sys/fs/bpf")] | length == 1 and (.[0].allowed_progs | index("xdp")) != null' "$T/ours.json"
}

@test "list --format: a bad format is a usage error; no delegated bpffs is []" {
	run -2 "$BPFD" list --format yaml
	[[ "$output" == *"--format: 'yaml' is not text, json or bpftool"* ]]
	need_bpftool
	# a mount namespace without any bpffs (other tests' are in the host's)
	unshare -m --propagation private sh -c '
		for m in $(sed -n "s/^[^ ]* [^ ]* [^ ]* [^ ]* \([^ ]*\) .* - bpf .*/\1/p" /proc/self/mountinfo | sort -r); do
			umount -l "$m" || exit 1
		done
		"$1" -j token list >"$2/bpftool.json"; "$3" list --format bpftool >"$2/ours.json"' \
		sh "$BPFTOOL" "$T" "$BPFD_ABS"
	same_json
	jq -e '. == []' "$T/ours.json"
}
