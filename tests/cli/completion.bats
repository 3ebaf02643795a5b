#!/usr/bin/env bats
# Bash completion (completion/bpfdelegate.bash), for real: sourced in bash,
# COMP_LINE, COMP_POINT, COMP_WORDS and COMP_CWORD set as bash sets them for
# the line typed, _bpfdelegate called, COMPREPLY read back.  The candidates
# come from the binary under test ($BPFD) and the running kernel's names.
bats_require_minimum_version 1.5.0
load helpers

COMPLETION=$BATS_TEST_DIRNAME/../../completion/bpfdelegate.bash

# complete LINE: COMPREPLY for LINE (cursor at its end), one a line, sorted.
# "bpfdelegate" at the start of LINE is the binary under test.  The words are
# split as bash does: at blanks, and around runs of COMP_WORDBREAKS
# characters (so "--maps=hash:ar" is "--maps" "=" "hash" ":" "ar").
complete_line() {
	local line="$BPFD${1#bpfdelegate}"
	bash -c '
		source "$1"
		COMP_LINE=$2
		COMP_POINT=${#COMP_LINE}
		COMP_WORDS=()
		for chunk in $COMP_LINE; do
			w=""
			for ((i = 0; i < ${#chunk}; i++)); do
				c=${chunk:i:1}
				if [[ $COMP_WORDBREAKS == *"$c"* ]]; then
					[[ -n $w && $w != [$COMP_WORDBREAKS]* ]] && { COMP_WORDS+=("$w"); w=""; }
				else
					[[ -n $w && $w == [$COMP_WORDBREAKS]* ]] && { COMP_WORDS+=("$w"); w=""; }
				fi
				w+=$c
			done
			COMP_WORDS+=("$w")
		done
		[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_bpfdelegate || exit 1
		[[ ${#COMPREPLY[@]} -eq 0 ]] || printf "%s\n" "${COMPREPLY[@]}"
	' bash "$COMPLETION" "$line" | LC_ALL=C sort
}

# The names `bpfdelegate names KIND` lists (the running kernel's).
kernel_names() {
	"$BPFD" names "$1" | awk '$1 ~ /^[0-9]+$/ && $2 ~ /^[a-z]/ {print $2}'
}

@test "completion: registered for bpfdelegate" {
	run bash -c 'source "$1"; complete -p bpfdelegate' bash "$COMPLETION"
	[ "$status" -eq 0 ]
	[ "$output" = "complete -F _bpfdelegate bpfdelegate" ]
}

@test "completion: the commands of the binary's table, and -h/-V" {
	run complete_line "bpfdelegate "
	echo "$output"
	expected=$("$BPFD" --help | awk '/^Commands:/ {f = 1; next} f && /^$/ {exit} f {print $1}')
	[ -n "$expected" ]
	[ "$output" = "$(printf '%s\n' $expected -h --help -V --version | LC_ALL=C sort)" ]
	grep -qx oci-hook <<<"$output"
	run complete_line "bpfdelegate ch"
	[ "$output" = check ]
	run complete_line "bpfdelegate o"
	[ "$output" = oci-hook ]
}

@test "completion: each command's own options" {
	run complete_line "bpfdelegate attach --p"
	echo "$output"
	[ "$output" = "$(printf '%s\n' --pid --preset --probe --progs)" ]
	run complete_line "bpfdelegate list --"
	[ "$output" = "$(printf '%s\n' --format --help --json --pid --version)" ]
	# check has --timeout but no --target (attach's, run's)
	run complete_line "bpfdelegate check --t"
	[ "$output" = --timeout ]
	run complete_line "bpfdelegate oci-hook --s"
	[ "$output" = --strict ]
	run complete_line "bpfdelegate run --n"
	[ "$output" = "$(printf '%s\n' --netns --no-verify)" ]
	run complete_line "bpfdelegate run -"
	grep -qx -- -c <<<"$output"
	grep -qx -- --keep-caps <<<"$output"
	grep -qx -- --map-group <<<"$output"
	[ -z "$(grep -x -- --pid <<<"$output")" ]
	# suggest --learn takes run's namespace options; suggest alone does not
	run complete_line "bpfdelegate suggest --learn --net"
	[ "$output" = --netns ]
	run complete_line "bpfdelegate suggest --net"
	[ -z "$output" ]
	run complete_line "bpfdelegate explain --from-"
	[ "$output" = "$(printf '%s\n' --from-host --from-userns)" ]
}

@test "completion: --preset takes the presets (check --preset list) and 'list'" {
	run complete_line "bpfdelegate run --preset "
	echo "$output"
	expected=$("$BPFD" check --preset list | awk '/^[^ ]/ {print $1}')
	[ "$output" = "$(printf '%s\n' $expected list | LC_ALL=C sort)" ]
	for p in all xdp tc socket-filter cgroup tracing; do grep -qx "$p" <<<"$output"; done
	run complete_line "bpfdelegate check --preset=tr"
	[ "$output" = tracing ]
	run complete_line "bpfdelegate suggest --learn --preset so"
	[ "$output" = socket-filter ]
}

@test "completion: LIST values are the running kernel's names; the item after ':' or ',' is completed" {
	kernel_names maps >"$BATS_TEST_TMPDIR/maps"
	grep -qx array "$BATS_TEST_TMPDIR/maps"
	ar=$(grep '^ar' "$BATS_TEST_TMPDIR/maps" | LC_ALL=C sort)

	run complete_line "bpfdelegate check --maps ar"
	echo "$output"
	[ "$output" = "$ar" ]
	# bash split "hash:ar" at ':': only "ar" is replaced
	run complete_line "bpfdelegate check --maps hash:ar"
	[ "$output" = "$ar" ]
	run complete_line "bpfdelegate check -m hash:percpu_array:ar"
	[ "$output" = "$ar" ]
	# ',' is no word break: the whole word is replaced
	run complete_line "bpfdelegate check --maps hash,ar"
	[ "$output" = "$(sed 's/^/hash,/' <<<"$ar")" ]
	run complete_line "bpfdelegate check --maps=hash:ar"
	[ "$output" = "$ar" ]
	run complete_line "bpfdelegate check --maps=ar"
	[ "$output" = "$ar" ]
	# every kind, and 'any'
	run complete_line "bpfdelegate attach --cmds map_cr"
	[ "$output" = map_create ]
	run complete_line "bpfdelegate run -p xd"
	[ "$output" = xdp ]
	run complete_line "bpfdelegate oci-hook --attachs cgroup_inet_in"
	[ "$output" = cgroup_inet_ingress ]
	run complete_line "bpfdelegate policy --progs an"
	[ "$output" = any ]
	# the whole list of a kind is the kernel's
	run complete_line "bpfdelegate check --progs "
	[ "$output" = "$( (kernel_names progs; echo any) | LC_ALL=C sort)" ]
}

@test "completion: option values from the help (--netns host|new), names' kinds; nothing after run's --" {
	run complete_line "bpfdelegate run --netns "
	[ "$output" = "$(printf '%s\n' host new)" ]
	run complete_line "bpfdelegate policy --netns=n"
	[ "$output" = new ]
	run complete_line "bpfdelegate names m"
	[ "$output" = maps ]
	run complete_line "bpfdelegate run --preset xdp -- --n"
	[ -z "$output" ]
	run complete_line "bpfdelegate run --preset xdp -- ./loader --maps "
	[ -z "$output" ]
	run complete_line "bpfdelegate list --pid $$"
	grep -qx "$$" <<<"$output"
}

@test "completion: --format and policy --command values, each one the binary takes" {
	run complete_line "bpfdelegate suggest --format "
	[ "$output" = "$(printf '%s\n' incus json lxd mount options systemd)" ]
	for f in $output; do
		run "$BPFD" suggest --format "$f" --help
		[ "$status" -eq 0 ]
	done
	run complete_line "bpfdelegate suggest --learn --format=sy"
	[ "$output" = systemd ]
	run complete_line "bpfdelegate policy --command "
	[ "$output" = "$(printf '%s\n' attach check run)" ]
	for c in $output; do
		run "$BPFD" policy --command "$c" --help
		[ "$status" -eq 0 ]
	done
	# the control: a value it does not take
	run "$BPFD" suggest --format bogus --help
	[ "$status" -eq 2 ]
}
