#!/usr/bin/env bats
# The static bpfdelegate (Makefile STATIC_EXE, cmd/main.c): root's check,
# run, attach and oci-hook run in the static-pie binary itself; everything
# that needs NSS (user and group names) or libmount goes to its dynamically
# linked twin, <build>/bpfdelegate-full, with the same arguments.  Which
# binary ran is read from strace's execve lines.  Against a dynamic build
# (STATIC_EXE=no, the ASan build) the same tests assert that it runs all of
# it itself and never executes a twin.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	BPFD_ABS=$(realpath "$BPFD")
	FULL=$(dirname "$BPFD_ABS")/bpfdelegate-full
	STATIC=yes
	readelf -lW "$BPFD_ABS" | grep -q INTERP && STATIC=no
	# The ASan build: LeakSanitizer cannot work under ptrace (strace).
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	command -v strace >/dev/null || {
		[ "${CI:-}" = true ] && { echo "skip is a failure under CI=true: needs strace" >&2; return 1; }
		skip "needs strace"
	}
	T=$(mktemp -d /tmp/bpfd-static.XXXXXX)
	chmod 0755 "$T"
	PIDS=()
}

teardown() {
	kill_pids_umount_tmp
}

# execs CMD...: CMD under strace (bats' run, stderr apart); $execs: the
# programs it executed, one per line (the first is CMD itself).  strace
# runs with -s 4096 everywhere here: by default it cuts each argv string
# at 32 characters, and in_twin compares whole argument vectors (a
# checkout path longer than that failed five tests in CI and none here).
execs() {
	run --separate-stderr strace -f -qq -s 4096 -e trace=execve -o "$T/trace" "$@"
	echo "# $*: status $status"
	echo "$output" | sed 's/^/# out: /' | head -n 20
	echo "$stderr" | sed 's/^/# err: /' | head -n 5
	execs=$(sed -n 's/^[0-9]* *execve("\([^"]*\)".* = 0$/\1/p' "$T/trace")
	echo "$execs" | sed 's/^/# exec: /'
}

# in_twin ARGS...: the command just traced ran in the twin, with argv[0]
# and ARGS unchanged; in a dynamic build, in bpfdelegate alone.
in_twin() {
	local a q=""
	for a in "$BPFD_ABS" "$@"; do q+="\"$a\", "; done
	if [ "$STATIC" = yes ]; then
		[ "$(sed -n 2p <<<"$execs")" = "$FULL" ] &&
			grep -qF "execve(\"$FULL\", [${q%, }" "$T/trace"
	else
		[ "$(head -n1 <<<"$execs")" = "$BPFD_ABS" ] && ! grep -qF bpfdelegate-full "$T/trace"
	fi
}

@test "static: bpfdelegate is static-pie, its twin bpfdelegate-full a dynamic PIE (a dynamic build: one binary)" {
	if [ "$STATIC" = no ]; then
		run file -L "$BPFD_ABS"
		[[ "$output" == *"dynamically linked"* ]]
		execs "$BPFD_ABS" names
		[ "$status" -eq 0 ]
		[ "$execs" = "$BPFD_ABS" ]
		return
	fi
	run file -L "$BPFD_ABS"
	[[ "$output" == *"static-pie linked"* ]]
	run file -L "$FULL"
	[[ "$output" == *"dynamically linked"* ]]
	[[ "$output" == *"pie executable"* ]]
	# Neither NSS nor dlopen() in the static one: cmd/static/nodynamic.c
	! nm "$BPFD_ABS" | grep -E ' [TtWw] (getpwnam|getgrnam|getpwnam_r|getgrnam_r|getpwuid|getgrouplist|dlopen)$'
	nm "$BPFD_ABS" | grep -q ' [Tt] __wrap_getpwnam$'
}

@test "static: the fast paths' code comes first, in .text.bpfd_hot (cmd/static/hot.ld)" {
	if [ "$STATIC" = no ]; then
		! readelf -SW "$BPFD_ABS" | grep -q '\.text\.bpfd_hot'
		return
	fi
	# [Nr] Name Type Address Off Size: the hot section, then .text
	read -r hot size < <(readelf -SW "$BPFD_ABS" | sed -n 's/.*\.text\.bpfd_hot *PROGBITS *\([0-9a-f]*\) [0-9a-f]* \([0-9a-f]*\).*/\1 \2/p')
	text=$(readelf -SW "$BPFD_ABS" | sed -n 's/.* \.text *PROGBITS *\([0-9a-f]*\) .*/\1/p')
	echo "# hot 0x$hot size 0x$size, .text 0x$text"
	[ -n "$hot" ]
	[ -n "$text" ]
	[ $((16#$size)) -gt $((64 * 1024)) ]
	[ $((16#$hot)) -lt $((16#$text)) ]
	for f in main cmd_attach engine_start bpfd_engine_child bpfd_bpffs_delegate_steps __libc_fork malloc; do
		a=$(nm "$BPFD_ABS" | awk -v f="$f" '$3 == f {print $1; exit}')
		echo "# $f 0x$a"
		[ -n "$a" ]
		[ $((16#$a)) -ge $((16#$hot)) ]
		[ $((16#$a)) -lt $((16#$hot + 16#$size)) ]
	done
}

@test "static: root's check, run, attach and oci-hook run in the static binary alone" {
	need_root_tokens
	execs "$BPFD_ABS" check --cmds map_create --maps array
	[ "$status" -eq 0 ]
	[ "$execs" = "$BPFD_ABS" ]
	execs "$BPFD_ABS" run --preset all -- /bin/true
	[ "$status" -eq 0 ]
	[ "$execs" = "$(printf '%s\n/bin/true' "$BPFD_ABS")" ]
	P=$("$OCI/userns-sleeper.sh")
	PIDS+=("$P")
	mkdir "$T/bpf"
	execs "$BPFD_ABS" attach --pid "$P" --cmds map_create --maps array --target "$T/bpf"
	[ "$status" -eq 0 ]
	[ "$execs" = "$BPFD_ABS" ]
	nsenter -t "$P" -m umount "$T/bpf"
	# a container without annotations: read, left alone
	printf '{"ociVersion":"1.0.2","root":{"path":"rootfs"}}\n' >"$T/config.json"
	printf '{"ociVersion":"1.0.2","id":"s","status":"creating","pid":%d,"bundle":"%s"}\n' \
		"$P" "$T" >"$T/state.json"
	run strace -f -qq -s 4096 -e trace=execve -o "$T/trace" "$BPFD_ABS" oci-hook <"$T/state.json"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'execve(' "$T/trace")" -eq 1 ]
}

@test "static: list, names, doctor, explain, suggest and policy run in the twin, with the same arguments and output" {
	execs "$BPFD_ABS" names --json
	[ "$status" -eq 0 ]
	# argv[0] and every argument are passed on unchanged
	in_twin names --json
	[ "$STATIC" = no ] || [ "$output" = "$("$FULL" names --json)" ]
	for c in "list" "doctor" "explain EPERM" "policy" "suggest --help" "--help"; do
		# shellcheck disable=SC2086
		execs "$BPFD_ABS" $c
		# shellcheck disable=SC2086
		in_twin $c || { echo "not through the twin: $c"; false; }
	done
}

@test "static: run --user, --map-user and --map-group (NSS names) run in the twin" {
	need_root_tokens
	execs "$BPFD_ABS" run --cmds map_create --maps array --user nobody -- id -u
	[ "$status" -eq 0 ]
	in_twin run --cmds map_create --maps array --user nobody -- id -u
	[ "${lines[-1]}" = "$(id -u nobody)" ]
	execs "$BPFD_ABS" run --cmds map_create --maps array --map-user nobody --map-group nogroup -- cat /proc/self/uid_map
	[ "$status" -eq 0 ]
	in_twin run --cmds map_create --maps array --map-user nobody
	[[ "$output" == *" $(id -u nobody) "* ]]
}

@test "static: a caller other than root goes through the twin" {
	need_root_tokens
	ensure_test_users
	run strace -f -qq -s 4096 -e trace=execve -o "$T/trace" setpriv --reuid="$BPFD_TEST_USER" \
		--regid="$(id -g "$BPFD_TEST_USER")" --init-groups -- "$BPFD_ABS" check
	echo "$output"
	execs=$(sed -n 's/^[0-9]* *execve("\([^"]*\)".* = 0$/\1/p' "$T/trace" | sed 1d)
	in_twin check
	# the twin's own answer: not privileged (no helper installed here), or
	# the policy's refusal; never a crash of the static binary
	[ "$status" -eq 3 ] || [ "$status" -eq 6 ]
	# root of a user namespace (rootless podman's hooks): the twin too
	run unshare -Ur strace -f -qq -s 4096 -e trace=execve -o "$T/trace" "$BPFD_ABS" check
	echo "$output"
	execs=$(sed -n 's/^[0-9]* *execve("\([^"]*\)".* = 0$/\1/p' "$T/trace")
	in_twin check
}

@test "static: without statmount(2) (before 6.8) the read-back needs libmount: the twin runs" {
	need_root_tokens
	execs "$HELPERS/no-userns" --statmount "$BPFD_ABS" check --cmds map_create --maps array --json
	[ "$status" -eq 0 ]
	execs=$(sed 1d <<<"$execs")
	in_twin check --cmds map_create --maps array --json
	jq -e '.ok and any(.steps[]; .step == "read mountinfo" and .status == "ok")' <<<"$output"
}

@test "static: the root oci-hook under a policy runs in the twin" {
	need_root_tokens
	mkdir -p "$T/up" "$T/work"
	run timeout 60 unshare -m --propagation private bash -c '
		set -eu
		mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1/up,workdir=$1/work" /etc
		mkdir -p /etc/bpfdelegate
		echo "# nothing granted" >/etc/bpfdelegate/policy
		strace -f -qq -s 4096 -e trace=execve -o "$1/trace" "$2" oci-hook </dev/null || true
		rm /etc/bpfdelegate/policy
		strace -f -qq -s 4096 -e trace=execve -o "$1/trace2" "$2" oci-hook </dev/null || true
	' bash "$T" "$BPFD_ABS"
	echo "$output"
	[ "$status" -eq 0 ]
	execs=$(sed -n 's/^[0-9]* *execve("\([^"]*\)".* = 0$/\1/p' "$T/trace")
	in_twin oci-hook
	! grep -qF "$FULL" "$T/trace2"
}

@test "static: the twin cannot be run: one clear error, exit 1, nothing else done" {
	touch "$T/full"
	[ "$STATIC" = yes ] || FULL=$T/full # nothing to take away: list works
	run timeout 60 unshare -m --propagation private bash -c '
		mount --bind /dev/null "$1" && exec "$2" list' bash "$FULL" "$BPFD_ABS"
	echo "$output"
	if [ "$STATIC" = no ]; then
		[ "$status" -eq 0 ]
		return
	fi
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "bpfdelegate: cannot run $FULL (needed for list): Permission denied" ]]
}
