#!/usr/bin/env bats
# Test-only fault injection (lib/fault.h) stays out of what ships: only the
# test build (-DBPFD_TEST_FAULTS: tests/bpfdelegate-faults, and the engine's
# integration test) reads BPFDELEGATE_TEST_FAULT.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	DIR="$(dirname "$BPFD")"
	INC="$BATS_TEST_DIRNAME/../../include"
}

@test "faults: the release binary and libraries carry no trace of fault injection" {
	# the test build does (so that the check below can see it) ...
	if [ -x "$BPFD_FAULTS" ]; then
		strings "$BPFD_FAULTS" | grep -q BPFDELEGATE_TEST_FAULT
		nm "$BPFD_FAULTS" | grep -qw bpfd_fault
	fi
	# ... the release build does not
	for f in "$BPFD" "$DIR/libbpfdelegate.so" "$DIR/libbpfdelegate.a"; do
		[ -f "$f" ]
		run -1 grep -c -e BPFDELEGATE_TEST_FAULT -e child-hang -e drop-options <(strings "$f")
		run -1 grep -c -w bpfd_fault <(nm "$f" 2>/dev/null)
	done
	# and the public API has no fault in it
	run -1 grep -rnw -i -e bpfd_fault -e "BPFD_FAULT_[A-Z_]*" -e BPFDELEGATE_TEST_FAULT "$INC/bpfdelegate"
}

@test "faults: the release binary ignores BPFDELEGATE_TEST_FAULT" {
	need_faults
	mark=$$-$RANDOM
	BPFD_TEST_MARK=$mark BPFDELEGATE_TEST_FAULT=child-hang \
		run timeout 30 "$BPFD" check --timeout 5 --maps array --cmds map_create
	[ "$status" -eq 0 ]
	BPFDELEGATE_TEST_FAULT=drop-options run "$BPFD" check --maps array --cmds map_create
	[ "$status" -eq 0 ]
	# the test build obeys the same variable
	BPFD_TEST_MARK=$mark BPFDELEGATE_TEST_FAULT=child-hang \
		run timeout 30 "$BPFD_FAULTS" check --timeout 0.5
	[ "$status" -eq 1 ]
	[[ "$output" == *"did not answer within 500 ms"* ]]
	wait_no_marked "$mark"
}

@test "faults: a child whose guards fail is a failure with its reason, never success" {
	need_faults
	# run: the guards fail just before the exec; COMMAND never starts
	BPFDELEGATE_TEST_FAULT=exec-rearm-fail \
		run --separate-stderr "$BPFD_FAULTS" run --cmds map_create --maps array -- sh -c 'echo RAN'
	echo "$output"; echo "$stderr"
	[ "$status" -eq 1 ]
	[[ "$output" != *RAN* ]]
	[[ "$stderr" == *"switch user parent-death signal, non-dumpable: Operation not permitted"* ]]
	# check: they fail after the switch to the namespace root
	BPFDELEGATE_TEST_FAULT=child-rearm-fail \
		run --separate-stderr "$BPFD_FAULTS" check --cmds map_create --maps array
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"become namespace root parent-death signal, non-dumpable: Operation not permitted"* ]]
}
