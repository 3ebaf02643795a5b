#!/usr/bin/env bash
# smoke.sh: the bounded real-kernel smoke.  Boots each kernel once (minimal
# busybox root with the binary and its libraries), runs the fixed CLI script
# tests/kernels/smoke-vm.sh and checks every command's exit status and
# output against tests/kernels/expected/<kernel>.txt.  One TAP line per
# assertion, then the time taken and "N passed, N failed".
#
#   tests/kernels/smoke.sh [BPFDELEGATE]     (default build/bpfdelegate)
#
# KERNELS="5.10 6.1 6.12" chooses the kernels; BPFD_VM_TIMEOUT (default 600)
# bounds each VM.  Each kernel's full output is kept in
# <dir of BPFDELEGATE>/kernels/smoke-<kernel>.out.
set -u
cd "$(dirname "$0")/../.." || exit 2
BPFD=$(realpath "${1:-build/bpfdelegate}")
[ -x "$BPFD" ] || { echo "smoke: $BPFD is not built (make all)" >&2; exit 2; }
KERNELS=${KERNELS:-5.10 6.1 6.12}
LOGS=$(dirname "$BPFD")/kernels
mkdir -p "$LOGS"
SCRIPT=$PWD/tests/kernels/smoke-vm.sh

n=0 passed=0 failed=0
ok() {
	n=$((n + 1)) passed=$((passed + 1))
	echo "ok $n - $*"
}
not_ok() {
	n=$((n + 1)) failed=$((failed + 1))
	echo "not ok $n - $*"
}
# section OUT NAME: the output of command NAME (between its @@ lines)
section() { sed -n "/^@@ begin $2\$/,/^@@ end $2 /{/^@@ /d;p}" "$1"; }
# first_error OUT NAME: the line that says what went wrong, else the first
first_error() {
	local s
	s=$(section "$1" "$2")
	{ grep -m1 -E '^bpfdelegate: |FAIL|PROBLEM|^Verdict' <<<"$s" || head -n1 <<<"$s"; } | head -n1
}

# libmount is opened with dlopen (lib/libmount_dl.h), so ldd of the binary
# does not name it: the busybox root gets it (and what it links) by hand, as
# every Debian system has it (util-linux).  Without it the 6.12 doctor could
# not read the host bpffs's options (statmount answers only where / shows
# options, and the VM's rootfs shows none).
LIBMOUNT=$(ldconfig -p | awk '/^[[:space:]]*libmount\.so\.1 /{print $NF; exit}')
[ -n "$LIBMOUNT" ] || { echo "smoke: libmount.so.1 not found (ldconfig -p)" >&2; exit 2; }
# The static bpfdelegate (Makefile STATIC_EXE) runs its dynamically linked
# twin for what needs libmount, as on these kernels the read-back before
# 6.11 does: the twin goes in at the same path.
TWIN=()
[ -x "$(dirname "$BPFD")/bpfdelegate-full" ] && TWIN=(-i "$(dirname "$BPFD")/bpfdelegate-full")
T0=$(date +%s)
for k in $KERNELS; do
	exp=tests/kernels/expected/$k.txt
	[ -f "$exp" ] || { not_ok "$k: no $exp"; continue; }
	out=$LOGS/smoke-$k.out err=$LOGS/smoke-$k.err
	t0=$(date +%s)
	tests/kernels/vm.sh -t "${BPFD_VM_TIMEOUT:-600}" -e "BPFD=$BPFD" -i "$BPFD" "${TWIN[@]}" -i "$LIBMOUNT" -i "$SCRIPT" \
		"$k" -- "sh $SCRIPT" >"$out" 2>"$err"
	rc=$?
	t1=$(date +%s)
	kver=$(sed -n 's/^@@ kernel //p' "$out")
	echo "# $k (${kver:-no kernel line}): $((t1 - t0)) s; $(grep -m1 '^vm: .*boot to command' "$err" | sed 's/^vm: [^:]*: //')"
	if [ $rc -ne 0 ] || ! grep -q '^@@ done' "$out"; then
		not_ok "$k: the VM did not finish the script (vm.sh exit $rc): $(grep -E '^vm: (timeout|the VM)' "$err" | head -n1)"
		sed 's/^/#   /' "$err" | tail -n 20
	fi
	# Anything left in the VM after the script: mounts, processes, warnings.
	if grep -qE '^vm: (mounts|left|dmesg): ' "$err"; then
		not_ok "$k: left behind or warned: $(grep -E '^vm: (mounts|left|dmesg): ' "$err" | tr '\n' ';')"
	fi
	kre=$(printf '%s' "$kver" | sed 's/[].[^$*+?(){}|\\]/\\&/g')
	while read -r name kind arg; do
		case $name in '' | '#'*) continue ;; esac
		arg=${arg//@KERNEL@/$kre}
		end=$(grep -m1 "^@@ end $name " "$out")
		if [ -z "$end" ]; then
			not_ok "$k $name $kind $arg (the command did not run)"
			continue
		fi
		got=$(sed 's/.* rc=\([0-9]*\).*/\1/' <<<"$end")
		left=$(sed 's/.* bpf_mounts_left=\(-\{0,1\}[0-9]*\).*/\1/' <<<"$end")
		case $kind in
		exit)
			if [ "$got" = "$arg" ] && [ "$left" = 0 ]; then
				ok "$k $name exit $arg"
			elif [ "$left" != 0 ]; then
				not_ok "$k $name exit $arg (bpf mounts changed by $left)"
			else
				not_ok "$k $name exit $arg (got $got: $(first_error "$out" "$name"))"
			fi
			;;
		grep)
			if section "$out" "$name" | grep -qE -- "$arg"; then
				ok "$k $name grep $arg"
			else
				not_ok "$k $name grep $arg (no line matches; first: $(first_error "$out" "$name"))"
			fi
			;;
		nogrep)
			if section "$out" "$name" | grep -qE -- "$arg"; then
				not_ok "$k $name nogrep $arg (got: $(section "$out" "$name" | grep -m1 -E -- "$arg"))"
			else
				ok "$k $name nogrep $arg"
			fi
			;;
		*) not_ok "$k: $exp: unknown assertion '$kind'" ;;
		esac
	done <"$exp"
done
echo "# smoke: $KERNELS in $(($(date +%s) - T0)) s"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
