#!/usr/bin/env bats
# The shared library: what it exports, and that a program can use it.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	SO="$(dirname "$BPFD")/libbpfdelegate.so"
	INC="$BATS_TEST_DIRNAME/../../include"
}

@test "libbpfdelegate.so exports the public API and nothing else" {
	[ -f "$SO" ]
	exported=$(nm -D --defined-only "$SO" | awk 'NF == 3 {print $3}' | sort)
	declared=$(grep -ohE '\bbpfd_[a-z0-9_]+\(' "$INC"/bpfdelegate/*.h | tr -d '(' | sort -u)
	[ -n "$exported" ]
	# every export is declared in a public header ...
	[ -z "$(comm -23 <(echo "$exported") <(echo "$declared"))" ]
	# ... and internal helpers stay hidden
	! grep -qxE 'bpfd_(log|openat2|wait_child|engine_child|report_fail|error_setv)' <<<"$exported"
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
