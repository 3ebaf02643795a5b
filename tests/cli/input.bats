#!/usr/bin/env bats
# What the CLI echoes of its input, and how it names failures of its own
# resources.  (oci-hook's own input: tests/cli/oci.bats.)
bats_require_minimum_version 1.5.0
load helpers

# one_line_escaped: exactly one message line before the usage hint, no raw
# control byte, and the given escaped text in it.
one_line_escaped() {
	echo "# status $status; stderr: $stderr"
	[ "$status" -eq 2 ]
	[ "${#stderr_lines[@]}" -eq 2 ] # the message, then "Try ... --help"
	[[ "${stderr_lines[1]}" == "Try '"* ]]
	[[ "$stderr" != *$'\e'* ]]
	[[ "${stderr_lines[0]}" == *"$1"* ]]
}

# list_escaped: the same for a refused LIST, which on a kernel without
# tokens is exit 4 with the kernel named first (list_error, helpers.bash).
list_escaped() {
	list_error "$status" "${stderr_lines[@]}"
	[[ "$stderr" != *$'\e'* ]]
	[[ "$MSG" == *"$1"* ]]
}

@test "LIST items with a newline or an ESC sequence are quoted and escaped, one line" {
	run --separate-stderr "$BPFD" check --maps $'array:evil\n\e[31mred'
	list_escaped "--maps: unknown map type 'evil\x0a\x1b[31mred'"
	run --separate-stderr "$BPFD" check --cmds $'map_create:\e]0;title\a'
	list_escaped "'\x1b]0;title\x07'"
	run --separate-stderr "$BPFD" check --progs $'1x\n'
	list_escaped "invalid number '1x\x0a'"
	run --separate-stderr "$BPFD" check --preset $'no\nsuch'
	list_escaped "unknown preset 'no\x0asuch'"
	run --separate-stderr "$BPFD" check --attachs $'any::\n'
	list_escaped "empty item in attach type list 'any::\x0a'"
	# any other echoed argument: one line too
	run --separate-stderr "$BPFD" $'frob\nnicate'
	one_line_escaped 'frob\x0anicate'
}

# The lowest open-file limit under which the binary starts at all (the
# dynamic loader, and the ASan runtime in build-asan, need some).
nofile_floor() {
	local n
	for n in $(seq 3 32); do
		prlimit --nofile="$n:$n" "$BPFD" --version >/dev/null 2>&1 && { echo "$n"; return; }
	done
	echo 32
}

# A failure under a low RLIMIT_NOFILE is exit 1 naming the resource, never
# a privilege, user namespace or delegation verdict.
named_as_resource() {
	echo "# nofile $1: status $status; stderr: $stderr"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"out of file descriptors (EMFILE)"* ]]
	[[ "$stderr" != *"CAP_SYS_ADMIN"* ]]
	[[ "$stderr" != *"user namespace"* ]]
	[[ "$stderr" != *"disagree"* ]]
}

@test "attach under a low RLIMIT_NOFILE: exit 1, out of file descriptors, not 'needs CAP_SYS_ADMIN'" {
	need_root_tokens
	local n p ok=0 OCI_DIR left
	OCI_DIR="$(cd "$BATS_TEST_DIRNAME/../oci" && pwd)"
	# every limit from the lowest that starts up to one that works: the
	# failure moves through each step that opens something
	for n in $(seq "$(nofile_floor)" 40); do
		p=$("$OCI_DIR/userns-sleeper.sh")
		run --separate-stderr prlimit --nofile="$n:$n" "$BPFD" attach --pid "$p" \
			--cmds map_create --target /tmp
		# a failure leaves the target as it was: no bpffs left behind
		# (the host's /sys/fs/bpf, seen in its copied namespace, not counted)
		left=$(new_bpf_mounts "/proc/$p/mountinfo" | wc -l)
		kill -9 "$p"
		if [ "$status" -eq 0 ]; then
			ok=1
			break
		fi
		named_as_resource "$n"
		[ "$left" -eq 0 ]
	done
	[ "$ok" -eq 1 ] # and with enough fds it works
}

@test "check under a low RLIMIT_NOFILE: exit 1, out of file descriptors, no probe 'disagrees'" {
	need_root_tokens
	local n ok=0
	for n in $(seq "$(nofile_floor)" 40); do
		run --separate-stderr prlimit --nofile="$n:$n" "$BPFD" check
		if [ "$status" -eq 0 ]; then
			ok=1
			break
		fi
		named_as_resource "$n"
		[[ "$output" != *"DISAGREES"* ]]
	done
	[ "$ok" -eq 1 ]
}

teardown() {
	[ -z "${SLEEPER:-}" ] || kill -9 "$SLEEPER" 2>/dev/null || true
	[ -z "${TDIR:-}" ] || rm -rf "$TDIR"
}

@test "a mount point with a newline and ESC: attach and list --pid print it escaped" {
	need_root_tokens
	local p t
	TDIR=$(mktemp -d /tmp/bpfd-input.XXXXXX)
	chmod 1777 "$TDIR" # the namespace's root (host uid 100000) creates in it
	t="$TDIR/bpfd"$'\n\e[31mred'
	p=$("$BATS_TEST_DIRNAME/../oci/userns-sleeper.sh")
	SLEEPER=$p
	run --separate-stderr "$BPFD" attach --pid "$p" --cmds map_create --target "$t"
	echo "# attach: status $status; out: $output; err: $stderr"
	[ "$status" -eq 0 ]
	[[ "$output" != *$'\e'* ]]
	[[ "$output" == *"Mounted at $TDIR/bpfd"'\x0a\x1b[31mred in the mount namespace'* ]]
	# the mount point as the container made it, read back from mountinfo
	run --separate-stderr "$BPFD" list --pid "$p"
	echo "# list: status $status; out: $output; err: $stderr"
	kill -9 "$p"
	[ "$status" -eq 0 ]
	[[ "$output" != *$'\e'* ]]
	# one of the mounts listed (the host's /sys/fs/bpf may come first)
	local l found=0
	for l in "${lines[@]}"; do
		[ "$l" = "$TDIR/bpfd"'\x0a\x1b[31mred' ] && found=1
	done
	[ "$found" -eq 1 ]
}
