# bash completion for bpfdelegate(1)                       -*- shell-script -*-
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Everything comes from the bpfdelegate being completed, so that it never
# disagrees with it: the commands from `bpfdelegate --help`, a command's
# options from `bpfdelegate CMD --help` (`suggest --learn --help` under
# --learn), the presets from `bpfdelegate check --preset list`, and the
# names a LIST takes (--cmds, --maps, --progs, --attachs) from
# `bpfdelegate names KIND`, the running kernel's.  LIST items are separated
# by ':' or ','; only the item being typed is completed.  Needs nothing
# from the bash-completion package.

# _bpfdelegate_run ARGS...: the bpfdelegate being completed, stderr dropped.
_bpfdelegate_run()
{
	local bin=${COMP_WORDS[0]}
	[[ $bin == "~/"* ]] && bin=$HOME/${bin#"~/"}
	"$bin" "$@" 2>/dev/null </dev/null
}

# The options a `--help` text lists, one a line with its value's
# metavariable if it takes one: "--target\tPATH", "-c\tLIST", "--json\t".
# A help line is " -c, --cmds LIST   text" or "     --json   text": the
# metavariable follows the option after one space, the text after several.
_bpfdelegate_help_table()
{
	_bpfdelegate_run "$@" --help | awk '
		/^ +-/ {
			l = $0
			sub(/^ +/, "", l)
			n = 0
			while (match(l, /^--?[A-Za-z0-9][A-Za-z0-9-]*/)) {
				o[++n] = substr(l, 1, RLENGTH)
				l = substr(l, RLENGTH + 1)
				if (substr(l, 1, 2) != ", ")
					break
				l = substr(l, 3)
			}
			v = ""
			if (l ~ /^ [^ ]/) {
				v = substr(l, 2)
				sub(/ .*/, "", v)
			}
			for (i = 1; i <= n; i++)
				printf "%s\t%s\n", o[i], v
		}'
}

_bpfdelegate_help_options()
{
	_bpfdelegate_help_table "$@" | cut -f1 | sort -u
}

# True when OPT takes a value in the help of the command ARGS...
_bpfdelegate_takes_value()
{
	local opt=$1
	shift
	_bpfdelegate_help_table "$@" | awk -F '\t' -v o="$opt" \
		'$1 == o && $2 != "" {f = 1} END {exit !f}'
}

# The value words of OPT's metavariable: "host new" for "--netns host|new",
# none for "--target PATH".
_bpfdelegate_value_words()
{
	local opt=$1
	shift
	_bpfdelegate_help_table "$@" | awk -F '\t' -v o="$opt" '
		$1 == o {
			n = split($2, v, "|")
			for (k = 1; k <= n; k++)
				if (v[k] ~ /^[a-z][a-z0-9-]*$/)
					print v[k]
		}'
}

_bpfdelegate_presets()
{
	_bpfdelegate_run check --preset list | awk '/^[^ ]/ {print $1}'
}

# The names the running kernel takes for KIND (cmds, maps, progs, attachs),
# and "any".
_bpfdelegate_names()
{
	echo any
	_bpfdelegate_run names "$1" | awk '$1 ~ /^[0-9]+$/ && $2 ~ /^[a-z]/ {print $2}'
}

# Complete the last item of a LIST: "hash:ar" -> "hash:array", ...
_bpfdelegate_list()
{
	local kind=$1 cur=$2 head item
	head=${cur%"${cur##*[:,]}"}
	item=${cur##*[:,]}
	local -a names
	mapfile -t names < <(_bpfdelegate_names "$kind")
	mapfile -t COMPREPLY < <(compgen -P "$head" -W "${names[*]}" -- "$item")
}

_bpfdelegate()
{
	local line cur prev cmd opt value i learn=""
	local -a words

	# The words as typed, from the line: bash splits "--maps=hash:ar" at
	# '=' and ':' (COMP_WORDBREAKS); the LIST is completed whole.
	if [[ -n ${COMP_LINE-} ]]; then
		line=${COMP_LINE:0:${COMP_POINT:-${#COMP_LINE}}}
		read -r -a words <<<"$line"
		[[ $line =~ [[:space:]]$ || ${#words[@]} -eq 0 ]] && words+=("")
	else
		words=("${COMP_WORDS[@]:0:COMP_CWORD+1}")
	fi
	cur=${words[${#words[@]} - 1]}
	prev=""
	[[ ${#words[@]} -ge 2 ]] && prev=${words[${#words[@]} - 2]}
	COMPREPLY=()

	if [[ ${#words[@]} -le 2 ]]; then
		local -a cmds
		mapfile -t cmds < <(_bpfdelegate_run --help |
			awk '/^Commands:/ {f = 1; next} f && /^$/ {exit} f {print $1}')
		mapfile -t COMPREPLY < <(compgen -W "${cmds[*]} -h --help -V --version" -- "$cur")
		_bpfdelegate_trim "$cur"
		return 0
	fi
	cmd=${words[1]}
	# run's and suggest --learn's COMMAND: after "--", a command line.
	for ((i = 2; i < ${#words[@]} - 1; i++)); do
		[[ ${words[i]} == -- ]] && return 0
		[[ $cmd == suggest && ${words[i]} == --learn ]] && learn=--learn
	done

	# "--opt=value", or "--opt value" / "-c value"
	if [[ $cur == --*=* ]]; then
		opt=${cur%%=*}
		value=${cur#*=}
	elif [[ $prev == -* ]] && _bpfdelegate_takes_value "$prev" "$cmd" $learn; then
		opt=$prev
		value=$cur
	fi
	if [[ -n ${opt-} ]]; then
		case $opt in
		-c | --cmds) _bpfdelegate_list cmds "$value" ;;
		-m | --maps) _bpfdelegate_list maps "$value" ;;
		-p | --progs) _bpfdelegate_list progs "$value" ;;
		-a | --attachs) _bpfdelegate_list attachs "$value" ;;
		--preset)
			mapfile -t COMPREPLY < <(compgen -W "$(_bpfdelegate_presets) list" -- "$value")
			;;
		--pid)
			mapfile -t COMPREPLY < <(compgen -W "$(cd /proc && echo [0-9]*)" -- "$value")
			;;
		--user | --map-user) mapfile -t COMPREPLY < <(compgen -u -- "$value") ;;
		--map-group) mapfile -t COMPREPLY < <(compgen -g -- "$value") ;;
		--path | --target) mapfile -t COMPREPLY < <(compgen -d -- "$value") ;;
		--object | --helper | --output) mapfile -t COMPREPLY < <(compgen -f -- "$value") ;;
		# the help names them in its text, not in the metavariable
		--format) mapfile -t COMPREPLY < <(compgen -W "options mount systemd incus lxd json" -- "$value") ;;
		--command) mapfile -t COMPREPLY < <(compgen -W "check run attach" -- "$value") ;;
		*)
			mapfile -t COMPREPLY < <(compgen -W "$(_bpfdelegate_value_words "$opt" "$cmd" $learn)" -- "$value")
			;;
		esac
		[[ $cur == --*=* ]] && COMPREPLY=("${COMPREPLY[@]/#/$opt=}")
		_bpfdelegate_trim "$cur"
		return 0
	fi

	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_bpfdelegate_help_options "$cmd" $learn)" -- "$cur")
	elif [[ $cmd == names ]]; then
		mapfile -t COMPREPLY < <(compgen -W "cmds maps progs attachs" -- "$cur")
	elif [[ $cmd == suggest || $cmd == explain ]]; then
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	fi
	_bpfdelegate_trim "$cur"
	return 0
}

# Bash replaces only what follows the last COMP_WORDBREAKS character of the
# word being typed ("hash:ar" -> "ar"): drop that part from each reply.
_bpfdelegate_trim()
{
	local cur=$1 keep="" i c
	for ((i = ${#cur} - 1; i >= 0; i--)); do
		c=${cur:i:1}
		if [[ $c != [[:space:]] && $COMP_WORDBREAKS == *"$c"* ]]; then
			keep=${cur:0:i+1}
			break
		fi
	done
	[[ -n $keep ]] && COMPREPLY=("${COMPREPLY[@]#"$keep"}")
	return 0
}

complete -F _bpfdelegate bpfdelegate
