#!/usr/bin/env bash
# matrix.sh: every test on every kernel (make test-kernels).  Runs
# tests/run.sh BUILD (the cmocka unit and integration tests and the bats CLI
# tests) on the host, then inside a VM of each of Debian's kernels with the
# host's / shared read-only (tests/kernels/vm.sh --hostfs: the same build,
# bats, runc, jq).  Prints, per kernel, its failing tests and a line
#   kernel 6.1 (6.1.0-57-amd64): N passed, N failed, N skipped, N not applicable, T s
# (N not applicable: tests the running kernel makes moot, tests/README.md)
# and ends with "N passed, N failed".
#
#   tests/kernels/matrix.sh [BUILD]       (default build; built beforehand)
#
# KERNELS (default "host 5.10 6.1 6.12") chooses; K:nobpffs boots K without
# the systemd-style bpffs on /sys/fs/bpf (the host here has none, the VMs
# have one: both situations are covered by default).  BPFD_VM_TIMEOUT (default
# 5400 s) bounds each VM: TCG on a busy 2-core machine is slow.  CI is
# passed into the VMs as it is set here (CI=true: a skip is a failure).
# Full logs: BUILD/kernels/<kernel>.log; the rows for docs/kernels.md:
# BUILD/kernels/table.md.
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${1:-build}
[ -x "$BUILD/bpfdelegate" ] || { echo "matrix: $BUILD/bpfdelegate is not built" >&2; exit 2; }
KERNELS=${KERNELS:-host 5.10 6.1 6.12}
LOGS=$BUILD/kernels
mkdir -p "$LOGS"
: >"$LOGS/table.md"
total_p=0 total_f=0 total_s=0 total_na=0
day=$(date -u +%Y-%m-%d)

for k in $KERNELS; do
	log=$LOGS/$k.log
	t0=$(date +%s)
	if [ "$k" = host ]; then
		kver=$(uname -r)
		tests/run.sh "$BUILD" >"$log" 2>&1
		rc=$?
	else
		opts=(--hostfs -t "${BPFD_VM_TIMEOUT:-5400}" -C "$PWD")
		[ -n "${CI:-}" ] && opts+=(-e "CI=$CI")
		# tests/run.sh's bound on a bats run: under TCG on a busy 2-core
		# machine 6.12's suite went past its 900 s default
		opts+=(-e "BPFD_BATS_TIMEOUT=${BPFD_BATS_TIMEOUT:-3600}")
		[ "${k#*:}" = nobpffs ] && opts+=(--no-bpffs)
		tests/kernels/vm.sh "${opts[@]}" "${k%%:*}" -- "tests/run.sh $BUILD" >"$log" 2>&1
		rc=$?
		kver=$(sed -n 's/^vm: \([^ ]*\) (\(kvm\|tcg\)).*/\1/p' "$log" | tail -n1)
	fi
	t=$(($(date +%s) - t0))
	# tests/run.sh's last line: "N passed, N failed[, N skipped]"
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
	p=0 f=0 s=0
	# and the line before it: "# N not applicable on kernel ..."
	na=$(sed -n 's/^# \([0-9]*\) not applicable on kernel .*/\1/p' "$log" | tail -n1)
	na=${na:-0}
	if [ -n "$last" ]; then
		read -r p f s < <(sed -E 's/^([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?.*/\1 \2 \4/' <<<"$last")
		s=${s:-0}
	else
		f=1
		echo "not ok - $k: no result line (exit $rc); the end of $log:"
		tail -n 15 "$log" | sed 's/^/#   /'
	fi
	# The VM's report: a leftover mount or process, a kernel warning.
	if grep -qE '^vm: (mounts|left|dmesg): ' "$log"; then
		f=$((f + 1))
		echo "not ok - $k: left behind or warned:"
		grep -E '^vm: (mounts|left|dmesg): ' "$log" | sed 's/^/#   /'
	fi
	grep -E '^not ok ' "$log" | grep -viE '# skip' | sed "s/^/  $k: /"
	echo "kernel $k (${kver:-?}): $p passed, $f failed, $s skipped, $na not applicable, $t s"
	echo "| $k | ${kver:-?} | $p | $f | $s | $na | $t s | $day |" >>"$LOGS/table.md"
	total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + s)) total_na=$((total_na + na))
done

[ $total_na -gt 0 ] && echo "# $total_na not applicable"
if [ $total_s -gt 0 ]; then
	echo "$total_p passed, $total_f failed, $total_s skipped"
else
	echo "$total_p passed, $total_f failed"
fi
[ $total_f -eq 0 ]
