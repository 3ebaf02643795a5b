#!/usr/bin/env bash
# Compile-time checks: code that must compile and code that must not.
# Prints TAP.  Uses $CC (default cc), and clang too when it is installed.
#   tests/compile/run.sh
set -u
cd "$(dirname "$0")/../.."

seq_csv() { seq -s, 0 $(($1 - 1)); }
max=$(sed -n 's/^#define BPFD_PROBE_MAX_ATTACH \([0-9]*\)$/\1/p' lib/probe_table.h)
compilers=("${CC:-cc}")
command -v clang >/dev/null && [ "${CC:-cc}" != clang ] && compilers+=(clang)

echo "1..$((2 * ${#compilers[@]}))"
n=0 failed=0
for cc in "${compilers[@]}"; do
	log=$(mktemp)
	n=$((n + 1))
	if "$cc" -std=gnu11 -Wall -Ilib -c tests/compile/att_overflow.c \
		-DATTACHS="$(seq_csv "$max")" -o /dev/null >"$log" 2>&1; then
		echo "ok $n - $cc: ATT() with $max attach types compiles"
	else
		echo "not ok $n - $cc: ATT() with $max attach types does not compile"
		sed 's/^/# /' "$log"
		failed=$((failed + 1))
	fi
	n=$((n + 1))
	if "$cc" -std=gnu11 -Wall -Ilib -c tests/compile/att_overflow.c \
		-DATTACHS="$(seq_csv $((max + 1)))" -o /dev/null >"$log" 2>&1; then
		echo "not ok $n - $cc: ATT() with $((max + 1)) attach types compiles"
		sed 's/^/# /' "$log"
		failed=$((failed + 1))
	elif ! grep -q 'more than.*BPFD_PROBE_MAX_ATTACH attach types' "$log"; then
		echo "not ok $n - $cc: ATT() with $((max + 1)) fails, not on the assertion"
		sed 's/^/# /' "$log"
		failed=$((failed + 1))
	else
		echo "ok $n - $cc: ATT() with $((max + 1)) attach types is a compile error"
	fi
	rm -f "$log"
done
[ "$failed" -eq 0 ]
