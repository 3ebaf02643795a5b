#!/usr/bin/env bats
# Each command's --help lists exactly the options it takes (its own, not
# another command's), within 80 columns, ending with a pointer to the
# manual; and one manual page per command, bpfdelegate-CMD(1), installed by
# `make install` where `man` finds it (also as `man bpfdelegate CMD`),
# documenting every option its --help lists.
bats_require_minimum_version 1.5.0
load helpers

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

commands() {
	"$BPFD" --help | awk '/^Commands:/ {f = 1; next} f && /^$/ {exit} f {print $1}'
}

# The options a help text lists, "OPT<TAB>METAVAR", read as the bash
# completion reads them (completion/bpfdelegate.bash: one parser of --help).
# shellcheck source=completion/bpfdelegate.bash
. "$REPO/completion/bpfdelegate.bash"
help_options() {
	local COMP_WORDS=("$BPFD")
	_bpfdelegate_help_table "$@"
}

# accepts CMD... -- OPT METAVAR: true when the command's parser takes OPT
# (whatever it then says of the value "x").  The --help after it stops the
# command before it does anything.
accepts() {
	local cmd=() o v a err
	while [ "$1" != -- ]; do cmd+=("$1"); shift; done
	o=$2 v=$3
	if [ -z "$v" ]; then a=$o; elif [[ $o == --* ]]; then a=$o=x; else a=${o}x; fi
	err=$(cd "$BATS_TEST_TMPDIR" && "$BPFD" "${cmd[@]}" "$a" --help 2>&1 >/dev/null </dev/null)
	! grep -qE "unrecognized or incomplete option|invalid or incomplete option|unrecognized option" <<<"$err"
}

# Every command, and suggest --learn (a command line of its own).
each_help() {
	commands | while read -r c; do echo "$c"; done
	echo "suggest --learn"
}

@test "help: each command's --help lists exactly the options it takes" {
	each_help >"$BATS_TEST_TMPDIR/helps"
	while read -r h; do help_options $h; done <"$BATS_TEST_TMPDIR/helps" |
		awk -F '\t' '$1 != "-h" && $1 != "-V" && $1 != "--help" && $1 != "--version"' |
		sort -u >"$BATS_TEST_TMPDIR/all"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/all")" -gt 30 ]
	bad=""
	while read -r h; do
		help_options $h | cut -f1 >"$BATS_TEST_TMPDIR/mine"
		# each lists -h/--help and -V/--version
		for o in -h --help -V --version; do
			grep -qx -- "$o" "$BATS_TEST_TMPDIR/mine" || bad="$bad; $h: no $o"
		done
		while IFS=$'\t' read -r o v; do
			listed=no
			grep -qx -- "$o" "$BATS_TEST_TMPDIR/mine" && listed=yes
			if accepts $h -- "$o" "$v"; then
				[ $listed = yes ] || bad="$bad; $h takes $o, its help does not list it"
			else
				[ $listed = no ] || bad="$bad; $h lists $o, it does not take it"
			fi
		done <"$BATS_TEST_TMPDIR/all"
	done <"$BATS_TEST_TMPDIR/helps"
	echo "${bad#; }"
	[ -z "$bad" ]
}

@test "help: within 80 columns, ending with the manual page; the main help names the command pages" {
	while read -r h; do
		run "$BPFD" $h --help
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = "Usage:" ]
		echo "$h: ${lines[-1]}"
		[ "${lines[-1]}" = "See bpfdelegate(1)." ]
		[ -z "$(awk 'length > 80' <<<"$output")" ]
	done < <(each_help)
	run "$BPFD" --help
	[[ "$output" == *"'man bpfdelegate-<command>'"* ]]
}

@test "man: make install puts bpfdelegate-CMD(1) for each command where man finds it, each documenting its --help's options" {
	command -v man >/dev/null || skip "no man (make deps installs man-db)"
	build=$(dirname "$BPFD")
	# the sanitizer build's objects are up to date: say so, or make would
	# relink them without
	san=""
	nm "$BPFD" 2>/dev/null | grep -q __asan_init && san=SANITIZE=1
	dest=$BATS_TEST_TMPDIR/root
	run make -s -C "$REPO" install BUILD="$build" $san DESTDIR="$dest"
	echo "$output"
	[ "$status" -eq 0 ]
	mandir=$dest/usr/local/share/man
	[ "$(MANPATH=$mandir man -w bpfdelegate)" = "$mandir/man1/bpfdelegate.1" ]
	n=0
	for c in $(commands); do
		page=$mandir/man1/bpfdelegate-$c.1
		[ "$(MANPATH=$mandir man -w "bpfdelegate-$c")" = "$page" ]
		# man-db reads "bpfdelegate run" as bpfdelegate-run
		[ "$(MANPATH=$mandir man -w bpfdelegate "$c")" = "$page" ]
		text=$(MANWIDTH=1000 man -l "$page" 2>/dev/null | col -b)
		grep -q "^ *bpfdelegate-$c - " <<<"$text"
		for o in $(help_options "$c" | cut -f1) $([ "$c" = suggest ] && help_options suggest --learn | cut -f1); do
			grep -q -- "$o" <<<"$text" || { echo "bpfdelegate-$c(1) lacks $o"; return 1; }
		done
		n=$((n + 1))
	done
	[ "$n" -ge 10 ]
	# the main page names each command's page
	main=$(MANWIDTH=1000 man -l "$mandir/man1/bpfdelegate.1" 2>/dev/null | col -b | sed -n '/^SEE ALSO/,$p')
	for c in $(commands); do
		grep -q "bpfdelegate-$c(1)" <<<"$main" || { echo "bpfdelegate(1) SEE ALSO lacks bpfdelegate-$c(1)"; return 1; }
	done
	# and the completion
	[ -f "$dest/usr/local/share/bash-completion/completions/bpfdelegate" ]
}
