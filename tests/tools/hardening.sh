#!/usr/bin/env bash
# The hardening of the release binaries of a build directory (Makefile,
# HARDEN_CFLAGS / HARDEN_LDFLAGS / -pie), read back with readelf and nm.
# Prints TAP; exit 1 when one is missing.  Debian's gcc and binutils make
# PIEs with a RELRO segment by default: those two checks hold without our
# flags too; BIND_NOW, the canaries and the fortified calls do not.
#   tests/tools/hardening.sh [BUILD]     (default build)
set -u
build=${1:-build}
n=0 failed=0
check() { # DESCRIPTION COMMAND...
	local what=$1
	shift
	n=$((n + 1))
	if "$@" >/dev/null 2>&1; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		failed=$((failed + 1))
	fi
}
# Our own code is looked at in the executables (their static libraries,
# Debian's builds, have canaries and checked calls of their own; the
# static bpfdelegate, Makefile STATIC_EXE, has libc's too):
# bpfd_fd_is_anon (lib/fdpass.c) has local arrays (a canary) and calls
# snprintf (the checked variant under _FORTIFY_SOURCE).
own_calls() { # BINARY FUNCTION: a call of it in bpfd_fd_is_anon's code
	objdump -d --disassemble=bpfd_fd_is_anon "$1" | grep -qE "call.*<_*$2(@plt)?>"
}
bins=("$build/bpfdelegate")
[ -e "$build/bpfdelegate-full" ] && bins+=("$build/bpfdelegate-full")
so=$build/libbpfdelegate.so
echo "1..$((${#bins[@]} * 5 + 3))"
for f in "${bins[@]}"; do
	check "$f is a PIE (-pie)" sh -c "readelf -h '$f' | grep -q 'Type:.*DYN'"
	check "$f binds now (-z now)" sh -c "readelf -d '$f' | grep -q 'BIND_NOW'"
	check "$f has a RELRO segment (-z relro)" sh -c "readelf -lW '$f' | grep -q GNU_RELRO"
	check "$f checks stack canaries (-fstack-protector-strong)" own_calls "$f" __stack_chk_fail
	check "$f calls fortified libc functions (-D_FORTIFY_SOURCE)" own_calls "$f" snprintf_chk
done
check "$so binds now (-z now)" sh -c "readelf -d '$so' | grep -q 'BIND_NOW'"
check "$so has a RELRO segment (-z relro)" sh -c "readelf -lW '$so' | grep -q GNU_RELRO"
# -fstack-protector-strong: functions with local arrays check the canary
check "$so checks stack canaries (-fstack-protector-strong)" \
	sh -c "nm -D '$so' | grep -q ' U __stack_chk_fail'"
[ "$failed" -eq 0 ]
