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
echo "1..8"
bin=$build/bpfdelegate so=$build/libbpfdelegate.so
check "$bin is a PIE (-pie)" sh -c "readelf -h '$bin' | grep -q 'Type:.*DYN'"
for f in "$bin" "$so"; do
	check "$f binds now (-z now)" sh -c "readelf -d '$f' | grep -q 'BIND_NOW'"
	check "$f has a RELRO segment (-z relro)" sh -c "readelf -lW '$f' | grep -q GNU_RELRO"
	# -fstack-protector-strong: functions with local arrays check the canary
	check "$f checks stack canaries (-fstack-protector-strong)" \
		sh -c "nm -D '$f' | grep -q ' U __stack_chk_fail'"
done
# _FORTIFY_SOURCE: the checked variants of the libc calls (read, memcpy...)
check "$bin calls fortified libc functions (-D_FORTIFY_SOURCE)" \
	sh -c "nm -D '$bin' | grep -qE ' U __[a-z]+_chk@'"
[ "$failed" -eq 0 ]
