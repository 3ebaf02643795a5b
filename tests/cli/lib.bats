#!/usr/bin/env bats
# The shared library: what it exports, and that a program can use it.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	SO="$(dirname "$BPFD")/libbpfdelegate.so"
	INC="$BATS_TEST_DIRNAME/../../include"
}

# The library's global symbols that a program including every public header
# can name: the C compiler decides, not a pattern over the headers (the
# Makefile builds the export list with one, so a test using the same one
# would be true by construction).
public_symbols() {
	local a=$1 src=$BATS_TEST_TMPDIR/decl.c h s
	# C identifiers only: a sanitizer adds globals such as __odr_asan.NAME
	nm -g --defined-only "$a" 2>/dev/null |
		awk 'NF == 3 && $3 ~ /^[A-Za-z_][A-Za-z0-9_]*$/ {print $3}' | sort -u >"$BATS_TEST_TMPDIR/globals"
	for h in "$INC"/bpfdelegate/*.h; do echo "#include <bpfdelegate/${h##*/}>"; done >"$src"
	while read -r s; do echo "void *const p_$s = (void *)&$s;"; done <"$BATS_TEST_TMPDIR/globals" >>"$src"
	LC_ALL=C cc -std=gnu11 -D_GNU_SOURCE -fsyntax-only -I"$INC" "$src" 2>&1 |
		sed -n "s/.*error: '\\([A-Za-z0-9_]*\\)' undeclared.*/\\1/p" | sort -u >"$BATS_TEST_TMPDIR/undeclared"
	comm -23 "$BATS_TEST_TMPDIR/globals" "$BATS_TEST_TMPDIR/undeclared"
}

@test "libbpfdelegate.so exports the public API and nothing else" {
	[ -f "$SO" ]
	exported=$(nm -D --defined-only "$SO" | awk 'NF == 3 {print $3}' | sort)
	public=$(public_symbols "$(dirname "$SO")/libbpfdelegate.a")
	internal=$(comm -13 <(echo "$public") "$BATS_TEST_TMPDIR/globals")
	echo "exported but not public: $(comm -23 <(echo "$exported") <(echo "$public") | tr '\n' ' ')"
	echo "public but not exported: $(comm -13 <(echo "$exported") <(echo "$public") | tr '\n' ' ')"
	[ -n "$exported" ]
	grep -qx bpfd_check <<<"$public"
	# exactly what a program can name is exported ...
	[ "$exported" = "$public" ]
	# ... and the library's internal helpers exist and stay hidden (a
	# negated command does not fail a bats test: test for emptiness)
	for s in bpfd_log bpfd_openat2 bpfd_wait_child bpfd_engine_child \
		bpfd_report_fail bpfd_error_setv bpfd_child_harden bpfd_child_rearm; do
		grep -qx "$s" <<<"$internal"
		[ -z "$(grep -x "$s" <<<"$exported")" ]
	done
}

@test "a program links against libbpfdelegate.so and parses a LIST" {
	dir=$(mktemp -d)
	cp "$SO" "$dir/libbpfdelegate.so.0"
	ln -s libbpfdelegate.so.0 "$dir/libbpfdelegate.so"
	cat >"$dir/t.c" <<'C'
#include <stdio.h>
#include <bpfdelegate/delegation.h>
int main(void)
{
	struct bpfd_names *n;
	uint64_t m = 0;

	if (bpfd_names_load(&n, NULL, BPFD_NAMES_NO_BTF, NULL) ||
	    bpfd_parse_list(n, BPFD_MAPS, "hash:array", &m, NULL))
		return 1;
	printf("0x%llx\n", (unsigned long long)m);
	bpfd_names_free(n);
	return 0;
}
C
	# an ASan/UBSan build of the library needs the runtimes at link time
	san=""
	nm -D "$SO" | grep -q ' U __asan_' && san="-fsanitize=address,undefined"
	cc $san -I"$INC" "$dir/t.c" -L"$dir" -lbpfdelegate -o "$dir/t"
	run env LD_LIBRARY_PATH="$dir" "$dir/t"
	rm -rf "$dir"
	[ "$status" -eq 0 ]
	[ "$output" = "0x6" ]
}
