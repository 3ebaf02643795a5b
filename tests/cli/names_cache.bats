#!/usr/bin/env bats
# The kernel's names kept for the boot (lib/btf_cache.c): a delegation by
# name read ~5 MB of BTF each time.  The test build keeps them under its
# build directory ($CACHE), never in /run/bpfdelegate; strace tells
# whether /sys/kernel/btf/vmlinux was read.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	use_faults
	[ -r /sys/kernel/btf/vmlinux ] || {
		[ "${CI:-}" = true ] && { echo "skip is a failure under CI=true: no kernel BTF" >&2; return 1; }
		skip "no /sys/kernel/btf/vmlinux"
	}
	command -v strace >/dev/null || {
		[ "${CI:-}" = true ] && { echo "skip is a failure under CI=true: needs strace" >&2; return 1; }
		skip "needs strace"
	}
	# the ASan build: LeakSanitizer cannot work under ptrace
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	CACHE="$(dirname "$BPFD_ABS")/run/bpfdelegate"
	T=$(mktemp -d /tmp/bpfd-names.XXXXXX)
	rm -rf "$CACHE"
	mkdir -p "$(dirname "$CACHE")"
}

teardown() {
	rm -rf "$CACHE" "$T"
}

# names_run: `names --json` under strace; $reads_btf: 1 if it read BTF.
names_run() {
	run strace -f -qq -e trace=openat,open -o "$T/trace" "$BPFD_ABS" names --json
	[ "$status" -eq 0 ]
	echo "$output" >"$T/out.$1"
	reads_btf=$(grep -c 'btf/vmlinux' "$T/trace" || true)
}

@test "names cache: the first run reads BTF and keeps the names, the next reads only them, the same names" {
	names_run 1
	[ "$reads_btf" -eq 1 ]
	[ -f "$CACHE/kernel-names" ]
	[ "$(stat -c '%u %a' "$CACHE" "$CACHE/kernel-names")" = "0 755
0 644" ]
	names_run 2
	[ "$reads_btf" -eq 0 ]
	grep -q 'kernel-names' "$T/trace"
	cmp "$T/out.1" "$T/out.2"
	grep -q '"map_create"' "$T/out.2"
}

@test "names cache: not trusted unless root's only, nor when corrupt or another kernel's" {
	names_run 1
	cp "$CACHE/kernel-names" "$T/good"
	# another owner, or writable by others: BTF read again, same names
	chown 1 "$CACHE/kernel-names"
	names_run 2
	[ "$reads_btf" -eq 1 ]
	cmp "$T/out.1" "$T/out.2"
	cp "$T/good" "$CACHE/kernel-names"
	chmod 0666 "$CACHE/kernel-names"
	names_run 3
	[ "$reads_btf" -eq 1 ]
	cp "$T/good" "$CACHE/kernel-names"
	chmod 0777 "$CACHE"
	names_run 4
	[ "$reads_btf" -eq 1 ]
	chmod 0755 "$CACHE"
	# a symlink to a good copy is not followed
	rm -f "$CACHE/kernel-names"
	ln -s "$T/good" "$CACHE/kernel-names"
	names_run 5
	[ "$reads_btf" -eq 1 ]
	# truncated, a flipped byte in the key, an entry out of bounds
	rm -f "$CACHE/kernel-names"
	head -c 100 "$T/good" >"$CACHE/kernel-names"
	names_run 6
	[ "$reads_btf" -eq 1 ]
	cmp "$T/out.1" "$T/out.6"
	# (names_run 6 kept a good one again: spoil its key, a release byte)
	printf 'X' | dd of="$CACHE/kernel-names" bs=1 seek=48 conv=notrunc 2>/dev/null
	names_run 7
	[ "$reads_btf" -eq 1 ]
	cmp "$T/out.1" "$T/out.7"
	# the first entry's value byte (after the 144-byte head and the
	# entry's 4-byte name offset and kind) set to 200
	cp "$T/good" "$CACHE/kernel-names"
	printf '\310' | dd of="$CACHE/kernel-names" bs=1 seek=149 conv=notrunc 2>/dev/null
	names_run 8
	[ "$reads_btf" -eq 1 ]
	cmp "$T/out.1" "$T/out.8"
	# and what is kept again is trusted again
	names_run 9
	[ "$reads_btf" -eq 0 ]
	cmp "$T/out.1" "$T/out.9"
}

@test "names cache: a caller other than root reads it, and never writes one" {
	ensure_test_users
	names_run 1
	run strace -f -qq -e trace=openat,open -o "$T/trace" setpriv \
		--reuid="$BPFD_TEST_USER" --regid="$(id -g "$BPFD_TEST_USER")" \
		--init-groups -- "$BPFD_ABS" names --json
	[ "$status" -eq 0 ]
	[ "$(grep -c 'btf/vmlinux' "$T/trace" || true)" -eq 0 ]
	[ "$output" = "$(cat "$T/out.1")" ]
	rm -f "$CACHE/kernel-names"
	run as_user "$BPFD_TEST_USER" "$BPFD_ABS" names --json
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/out.1")" ]
	[ ! -e "$CACHE/kernel-names" ]
}
