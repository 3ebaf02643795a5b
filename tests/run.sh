#!/usr/bin/env bash
# Run every test: the cmocka binaries of each build dir given (unit and
# integration) and the bats CLI tests against that build's bpfdelegate.
# Prints one TAP stream per suite and ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
# No test reads the harness's stdin: /dev/null whatever it is (a closed
# fd 0 made runc's containers and tokenprobe misbehave: 9 oci and rootless
# tests failed that way).
exec </dev/null
# Nor does any test expect the harness's umask: fixtures are made for
# other uids (containers, the test users) to read.  Under umask 077, 31
# tests failed on their own fixtures (the product refuses an unreadable
# policy.d as it should: docs/policy.md).
umask 022
[ $# -gt 0 ] || set -- build

# The bound on each bats run: 15 minutes on a host; tests/kernels/matrix.sh
# gives a VM more (under TCG on a busy 2-core machine 6.12's suite took
# longer than 900 s).
BATS_TIMEOUT=${BPFD_BATS_TIMEOUT:-900}

passed=0 failed=0 skipped=0 na=0
# Tests the running kernel makes "not applicable" (tests/README.md): the
# token tests on a kernel older than 6.9, tests/cli/oldkernel.bats on 6.9+.
# Not skips, and not failures under CI=true: each such test's reason names
# the tests that assert what this kernel does instead, and na_check below
# makes sure those ran.
na_old=0 oldkernel_ok=0
# The failures, recapped before the last line.
RECAP=$(mktemp /tmp/bpfd-recap.XXXXXX)
trap 'rm -f "$RECAP"' EXIT

# Count a TAP stream read from stdin; a non-zero exit without any
# "not ok" line (a crash, a sanitizer abort) counts as one failure.
count_tap() {
	local name=$1 rc=$2 out=$3
	local ok nok sk n old
	# bats: "ok N NAME # skip not applicable: WHY"; cmocka: a line
	# "# not applicable: WHY" just before "not ok N # SKIP NAME".
	read -r n old < <(awk '
		/^# not applicable: / { pend = $0; next }
		/^(not )?ok / {
			why = ""
			if (match($0, /# skip not applicable: .*/))
				why = substr($0, RSTART)
			else if (pend != "" && $0 ~ /# SKIP/)
				why = pend
			pend = ""
			if (why == "") next
			n++
			if (why ~ /predates BPF tokens/) old++
		}
		END { print n + 0, old + 0 }' "$out")
	# cmocka reports a skip as "not ok N # SKIP", bats as "ok N # skip".
	sk=$(($(grep -ciE '^(not )?ok .*# skip' "$out") - n))
	ok=$(grep -E '^ok ' "$out" | grep -civE '# skip')
	nok=$(grep -E '^not ok ' "$out" | grep -civE '# skip')
	if [ "$rc" -ne 0 ] && [ "$nok" -eq 0 ]; then
		echo "not ok - $name exited with status $rc" | tee -a "$RECAP"
		nok=1
	fi
	# each failure again at the end (recap), with its first lines of
	# diagnostics: CI shows only the head and tail of a long log
	awk -v s="$name" '
		/^not ok / && !/# [Ss][Kk][Ii][Pp]/ { print s ": " $0; d = 4; next }
		/^#/ && d > 0 { print "    " $0; d--; next }
		{ d = 0 }' "$out" >>"$RECAP"
	passed=$((passed + ok))
	failed=$((failed + nok))
	skipped=$((skipped + sk))
	na=$((na + n))
	na_old=$((na_old + old))
	oldkernel_ok=$((oldkernel_ok + $(grep -E '^ok [0-9]+ old kernel: ' "$out" | grep -civ '# skip')))
}

# The CLI tests that look at mount namespaces again, with the opposite of
# what the host has at /sys/fs/bpf: a systemd machine has a bpffs there, a
# build machine often none, and processes started in a copy of the host's
# mount namespace see it.  Both must pass.  In a private mount namespace
# (unshare -m), so neither the host nor tests running concurrently see it.
# Once, for the first build given.
BPFFS_PASS_FILES=(tests/cli/attach.bats tests/cli/oci.bats tests/cli/check.bats
	tests/cli/input.bats tests/cli/run.bats)
bpffs_pass() {
	local build=$1 how out rc
	if [ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" = bpf_fs ]; then
		how=without
	else
		how=with
	fi
	echo "# bats ${BPFFS_PASS_FILES[*]} again, $how a bpffs at /sys/fs/bpf"
	out=$(mktemp)
	if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
		echo "ok 1 # skip bpffs pass: needs root and unshare" >"$out"
		[ "${CI:-}" = true ] && echo "not ok 2 skip is a failure under CI=true" >>"$out"
		rc=0
	else
		BPFDELEGATE="$PWD/$build/bpfdelegate" timeout "$BATS_TIMEOUT" \
			unshare -m --propagation private sh -c '
			how=$1; shift
			if [ "$how" = with ]; then
				mount -t bpf bpf /sys/fs/bpf || exit 1
			else
				while [ "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs ]; do
					umount /sys/fs/bpf || exit 1
				done
			fi
			exec bats --tap "$@"' sh "$how" "${BPFFS_PASS_FILES[@]}" >"$out" 2>&1
		rc=$?
	fi
	cat "$out"
	count_tap "bats $how a bpffs at /sys/fs/bpf ($build)" "$rc" "$out"
	rm -f "$out"
}

for build in "$@"; do
	for t in "$build"/tests/unit/test_* "$build"/tests/integration/test_*; do
		[ -x "$t" ] || continue
		echo "# $t"
		out=$(mktemp)
		CMOCKA_MESSAGE_OUTPUT=TAP timeout 600 "$t" >"$out" 2>&1
		rc=$?
		cat "$out"
		count_tap "$t" "$rc" "$out"
		rm -f "$out"
	done
	if ls tests/cli/*.bats >/dev/null 2>&1; then
		echo "# bats tests/cli against $build/bpfdelegate"
		out=$(mktemp)
		BPFDELEGATE="$PWD/$build/bpfdelegate" timeout "$BATS_TIMEOUT" bats --tap tests/cli >"$out" 2>&1
		rc=$?
		cat "$out"
		count_tap "bats ($build)" "$rc" "$out"
		rm -f "$out"
		[ "$build" = "$1" ] && bpffs_pass "$build"
	fi
done

# ---- compile-time checks (tests/compile/run.sh) ----
echo "# compile-time checks"
out=$(mktemp)
tests/compile/run.sh >"$out" 2>&1
rc=$?
cat "$out"
count_tap "compile checks" "$rc" "$out"
rm -f "$out"
# ---- end compile-time checks ----

# ---- the lib/ call graph has no cycles (tests/tools/callgraph.sh) ----
echo "# lib/ call graph of $1"
out=$(mktemp)
if cg=$(tests/tools/callgraph.sh -q "$1" 2>&1); then
	printf '1..1\nok 1 - %s\n' "$cg" >"$out"
else
	{ echo "1..1"; echo "not ok 1 - a cycle between lib/ files"; echo "$cg" | sed 's/^/# /'; } >"$out"
fi
cat "$out"
count_tap "lib/ call graph" 0 "$out"
rm -f "$out"
# ---- end call graph ----

# ---- the release binaries' hardening (tests/tools/hardening.sh) ----
echo "# hardening of $1/bpfdelegate and $1/libbpfdelegate.so"
out=$(mktemp)
tests/tools/hardening.sh "$1" >"$out" 2>&1
rc=$?
cat "$out"
count_tap "hardening ($1)" "$rc" "$out"
rm -f "$out"
# ---- end hardening ----

# ---- fuzz targets: one test each, FUZZ_SECONDS each over the checked-in
# seeds (set by `make test`; tests/fuzz/run.sh) ----
if [ -n "${FUZZ_BUILD:-}" ]; then
	echo "# fuzz targets in $FUZZ_BUILD, ${FUZZ_SECONDS:-10} s each"
	out=$(mktemp)
	tests/fuzz/run.sh -f -t "${FUZZ_SECONDS:-10}" "$FUZZ_BUILD" >"$out" 2>&1
	rc=$?
	cat "$out"
	count_tap "fuzz targets" "$rc" "$out"
	rm -f "$out"
fi
# ---- end fuzz targets ----

# A token test may be not applicable only where the old-kernel tests
# asserted what the kernel does instead.
if [ "$na_old" -gt 0 ] && [ "$oldkernel_ok" -eq 0 ]; then
	echo "not ok - $na_old tests not applicable on $(uname -r) (predates BPF tokens), but no test of tests/cli/oldkernel.bats passed" | tee -a "$RECAP"
	failed=$((failed + 1))
fi
# Before the last line, which stays "N passed, N failed[, N skipped]".
if [ -s "$RECAP" ]; then
	echo "# the failures again:"
	sed 's/^/# /' "$RECAP"
fi
[ "$na" -gt 0 ] && echo "# $na not applicable on kernel $(uname -r) (tests/README.md, \"Not applicable\")"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
