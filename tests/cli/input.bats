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

@test "LIST items with a newline or an ESC sequence are quoted and escaped, one line" {
	run --separate-stderr "$BPFD" check --maps $'array:evil\n\e[31mred'
	one_line_escaped "--maps: unknown map type 'evil\x0a\x1b[31mred'"
	run --separate-stderr "$BPFD" check --cmds $'map_create:\e]0;title\a'
	one_line_escaped "'\x1b]0;title\x07'"
	run --separate-stderr "$BPFD" check --progs $'1x\n'
	one_line_escaped "invalid number '1x\x0a'"
	run --separate-stderr "$BPFD" check --preset $'no\nsuch'
	one_line_escaped "unknown preset 'no\x0asuch'"
	run --separate-stderr "$BPFD" check --attachs $'any::\n'
	one_line_escaped "empty item in attach type list 'any::\x0a'"
	# any other echoed argument: one line too
	run --separate-stderr "$BPFD" $'frob\nnicate'
	one_line_escaped 'frob\x0anicate'
}
