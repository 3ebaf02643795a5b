#!/usr/bin/env bats
# The library's interface (docs/library.md): what libbpfdelegate.so
# exports, its public headers alone, and a program built against the
# installed library through pkg-config only.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	B="$(dirname "$BPFD")"
	SO="$B/libbpfdelegate.so"
	ROOT="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
	INC="$ROOT/include"
	# an ASan/UBSan build of the library needs the runtimes at link time
	SAN=""
	if nm -D "$SO" 2>/dev/null | grep -q ' U __asan_'; then
		SAN="-fsanitize=address,undefined"
	fi
}

@test "libbpfdelegate.so exports exactly tests/abi/symbols.txt" {
	[ -f "$SO" ]
	exported=$(nm -D --defined-only "$SO" | awk 'NF == 3 {print $3}' | LC_ALL=C sort)
	want=$(grep -v '^#' "$ROOT/tests/abi/symbols.txt" | LC_ALL=C sort)
	# an ABI change is a deliberate diff of the checked-in list
	diff -u <(echo "$want") <(echo "$exported")
	# every function in one version node
	[ -z "$(grep '^bpfd_' <<<"$exported" | grep -v '@@LIBBPFDELEGATE_0\.1\.0$')" ]
	readelf -d "$SO" | grep -q 'Library soname: \[libbpfdelegate.so.0\]'
}

@test "the exported list is what the public headers declare BPFD_API, and the internals stay hidden" {
	# what the compiler sees declared (not a grep of the headers): a call
	# to each listed function through the umbrella header compiles, and
	# each BPFD_API declaration is in the list
	src=$BATS_TEST_TMPDIR/decl.c
	echo '#include <bpfdelegate/bpfdelegate.h>' >"$src"
	grep '^bpfd_' "$ROOT/tests/abi/symbols.txt" | sed 's/@.*//' |
		while read -r s; do echo "void *const p_$s = (void *)&$s;"; done >>"$src"
	cc -std=c11 -Werror -I"$INC" -fsyntax-only "$src"
	declared=$(cc -std=c11 -E -I"$INC" - <<<'#include <bpfdelegate/bpfdelegate.h>' |
		tr -s ' \t\n' ' ' | grep -oE '__attribute__\(\(visibility\("default"\)\)\)[^;(]*\bbpfd_[a-z0-9_]+ ?\(' |
		grep -oE 'bpfd_[a-z0-9_]+ ?\($' | tr -d ' (' | LC_ALL=C sort -u)
	listed=$(grep '^bpfd_' "$ROOT/tests/abi/symbols.txt" | sed 's/@.*//' | LC_ALL=C sort)
	diff -u <(echo "$listed") <(echo "$declared")
	[ "$(wc -l <<<"$declared")" -ge 30 ]
	# the internal helpers exist in the archive (the CLI links them) but
	# are not exported
	globals=$(nm -g --defined-only "$B/libbpfdelegate.a" 2>/dev/null | awk 'NF == 3 {print $3}')
	exported=$(nm -D --defined-only "$SO" | awk 'NF == 3 {print $3}' | sed 's/@.*//')
	# compiled -fvisibility=hidden: only BPFD_API functions are default
	vis=$(readelf -sW "$B/libbpfdelegate.a" | awk '$7 != "UND" && ($8 == "bpfd_engine_check" || $8 == "bpfd_check") {print $8, $6}' | sort)
	[ "$vis" = "$(printf 'bpfd_check DEFAULT\nbpfd_engine_check HIDDEN')" ]
	for s in bpfd_engine_check bpfd_engine_run bpfd_error_set bpfd_log \
		bpfd_openat2 bpfd_send bpfd_recv bpfd_proc_open bpfd_token_create \
		bpfd_bpffs_delegate bpfd_probe_all bpfd_token_info; do
		grep -qx "$s" <<<"$globals"
		[ -z "$(grep -x "$s" <<<"$exported")" ]
	done
}

@test "each public header compiles alone: C11 -pedantic -Werror, and C++" {
	for h in "$INC"/bpfdelegate/*.h; do
		echo "#include <bpfdelegate/${h##*/}>" >"$BATS_TEST_TMPDIR/h.c"
		cc -std=c11 -pedantic -Wall -Wextra -Werror -I"$INC" -fsyntax-only "$BATS_TEST_TMPDIR/h.c"
		if command -v g++ >/dev/null; then
			cp "$BATS_TEST_TMPDIR/h.c" "$BATS_TEST_TMPDIR/h.cc"
			g++ -std=c++11 -pedantic -Wall -Wextra -Werror -I"$INC" -fsyntax-only "$BATS_TEST_TMPDIR/h.cc"
		fi
	done
	# the umbrella header declares every public header's functions
	cc -std=c11 -pedantic -Werror -I"$INC" -fsyntax-only -x c - <<'C'
#include <bpfdelegate/bpfdelegate.h>
int f(void)
{
	return bpfd_lib_version() && bpfd_step_name(BPFD_STEP_NONE) &&
	       bpfd_parse_list != 0 && bpfd_attach != 0;
}
C
	# C++ links against the C names (extern "C")
	if command -v g++ >/dev/null; then
		printf '#include <bpfdelegate/bpfdelegate.h>\nint main() { return bpfd_lib_version() ? 0 : 1; }\n' >"$BATS_TEST_TMPDIR/m.cc"
		d=$BATS_TEST_TMPDIR/so
		mkdir -p "$d"
		cp "$SO" "$d/libbpfdelegate.so.0"
		ln -s libbpfdelegate.so.0 "$d/libbpfdelegate.so"
		g++ $SAN -I"$INC" "$BATS_TEST_TMPDIR/m.cc" -L"$d" -lbpfdelegate -o "$BATS_TEST_TMPDIR/m"
		LD_LIBRARY_PATH="$d" "$BATS_TEST_TMPDIR/m"
	fi
}

@test "install-lib honours DESTDIR, LIBDIR and INCLUDEDIR" {
	dest=$BATS_TEST_TMPDIR/dest
	make -s -C "$ROOT" BUILD="$B" ${SAN:+SANITIZE=1} install-lib DESTDIR="$dest" \
		PREFIX=/opt/bpfd LIBDIR=/opt/bpfd/lib64 INCLUDEDIR=/opt/bpfd/inc >/dev/null
	L=$dest/opt/bpfd/lib64
	[ "$(readlink "$L/libbpfdelegate.so")" = libbpfdelegate.so.0 ]
	[ -f "$L/libbpfdelegate.so.$(readlink "$L/libbpfdelegate.so.0" | sed 's/libbpfdelegate.so.//')" ]
	[ -f "$L/libbpfdelegate.a" ]
	# the public headers only
	diff <(ls "$INC/bpfdelegate") <(ls "$dest/opt/bpfd/inc/bpfdelegate")
	grep -qx 'libdir=/opt/bpfd/lib64' "$L/pkgconfig/libbpfdelegate.pc"
	grep -qx 'includedir=/opt/bpfd/inc' "$L/pkgconfig/libbpfdelegate.pc"
	grep -qx 'Requires.private: libbpf libcap mount json-c' "$L/pkgconfig/libbpfdelegate.pc"
}

@test "a program built against the installed library (pkg-config only) checks a delegation and prints the token's masks" {
	need_root_tokens
	command -v pkg-config >/dev/null || skip "pkg-config missing"
	dest=$BATS_TEST_TMPDIR/dest
	make -s -C "$ROOT" BUILD="$B" ${SAN:+SANITIZE=1} install-lib DESTDIR="$dest" PREFIX=/usr >/dev/null
	# the installed tree alone: its .pc, with the sysroot prepended to its
	# -I and -L
	flags=$(PKG_CONFIG_PATH="$dest/usr/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest" \
		pkg-config --cflags --libs libbpfdelegate)
	echo "flags: $flags"
	grep -q -- "-I$dest/usr/include" <<<"$flags"
	grep -q -- "-L$dest/usr/lib" <<<"$flags"
	cc $SAN -std=c11 -Wall -Werror "$ROOT/tests/abi/consumer.c" $flags -o "$BATS_TEST_TMPDIR/consumer"
	# linked with the shared library, through its soname
	readelf -d "$BATS_TEST_TMPDIR/consumer" | grep -q 'Shared library: \[libbpfdelegate.so.0\]'
	nm -D "$BATS_TEST_TMPDIR/consumer" | grep -q ' U bpfd_check@LIBBPFDELEGATE_0.1.0'
	run env LD_LIBRARY_PATH="$dest/usr/lib" "$BATS_TEST_TMPDIR/consumer" map_create:btf_load array:hash
	echo "$output"
	[ "$status" -eq 0 ]
	version=$(sed -n 's/^VERSION *:= *//p' "$ROOT/Makefile")
	[ "${lines[0]}" = "library $version headers $version" ]
	[ "${lines[1]}" = "token cmds=map_create:btf_load" ]
	[ "${lines[2]}" = "token maps=hash:array" ]
	[ "${lines[3]}" = "token progs=" ]
	[ "${lines[4]}" = "token attachs=" ]
	# the library it ran with is the installed one
	LD_LIBRARY_PATH="$dest/usr/lib" LD_TRACE_LOADED_OBJECTS=1 "$BATS_TEST_TMPDIR/consumer" |
		grep -q "libbpfdelegate.so.0 => $dest/usr/lib/libbpfdelegate.so.0 "
}
