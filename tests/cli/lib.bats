#!/usr/bin/env bats
# The shared library: what it exports, and that a program can use it.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	SO="$(dirname "$BPFD")/libbpfdelegate.so"
	INC="$BATS_TEST_DIRNAME/../../include"
}

# The functions the public headers declare, as the compiler reads them
# (gcc -aux-info), not by the Makefile's grep that builds the version
# script: a name the grep misses or wrongly picks up (one mentioned in a
# comment, say) shows up as a difference.
declared_functions() {
	local dir=$1 h
	for h in "$INC"/bpfdelegate/*.h; do
		echo "#include <bpfdelegate/${h##*/}>"
	done >"$dir/all.c"
	gcc -std=gnu11 -D_GNU_SOURCE -I"$INC" -fsyntax-only \
		-aux-info "$dir/aux" "$dir/all.c" || return 1
	# "/* include/bpfdelegate/x.h:12:NC */ extern int bpfd_f (int);"
	grep -F '/bpfdelegate/' "$dir/aux" | grep -vw static |
		sed -E 's|^/\*[^*]*\*/ ||; s/ \(.*//; s/.*[ *]//' | sort -u
}

@test "libbpfdelegate.so exports the public API and nothing else" {
	[ -f "$SO" ]
	dir=$(mktemp -d)
	exported=$(nm -D --defined-only "$SO" | awk 'NF == 3 {print $3}' | sort)
	declared=$(declared_functions "$dir")
	rm -rf "$dir"
	[ -n "$exported" ]
	[ "$(wc -l <<<"$declared")" -gt 20 ]
	# exactly the declared functions
	run diff <(echo "$declared") <(echo "$exported")
	echo "$output"
	[ "$status" -eq 0 ]
	# internal helpers stay hidden
	[ -z "$(grep -xE 'bpfd_(log|openat2|wait_child|engine_child|report_fail|error_setv)' <<<"$exported")" ]
	grep -qx bpfd_check <<<"$exported"
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
