#!/bin/sh
# man-split.sh SCD CMD "SUMMARY" "CMD..." > bpfdelegate-CMD.1.scd
#
# One scdoc page per command, bpfdelegate-CMD(1), cut from the one source
# docs/bpfdelegate.1.scd, so that `man bpfdelegate-run` (and man-db's
# `man bpfdelegate run`) shows that command alone and the words are never
# written twice:
#   NAME         bpfdelegate-CMD - SUMMARY (the command table's, cmd/main.c)
#   SYNOPSIS     the lines "*bpfdelegate CMD..." of SYNOPSIS
#   DESCRIPTION  the command's entries ("*CMD*..." at column 0, followed by
#                an indented body), wherever they are in the source
#   the option sections the command takes (table below), without the
#   entries of other commands, then EXIT STATUS and SEE ALSO.
# The last argument lists every command, to tell an entry from a term.
set -eu
[ $# -eq 4 ] || { echo "usage: $0 SCD CMD SUMMARY 'CMD...'" >&2; exit 2; }
scd=$1 cmd=$2 all=$4
# scdoc markup in the summary ("delegate_*") is text
summary=$(printf '%s\n' "$3" | sed 's/[*_\\]/\\&/g')

case $cmd in
check) sections="DELEGATION OPTIONS|OPTIONS" ;;
run) sections="DELEGATION OPTIONS|RUN OPTIONS|OPTIONS" ;;
attach | oci-hook) sections="DELEGATION OPTIONS|ATTACH AND OCI-HOOK OPTIONS|OPTIONS" ;;
suggest) sections="LEARN MODE|DELEGATION OPTIONS|RUN OPTIONS|OPTIONS" ;;
policy) sections="DELEGATION OPTIONS|POLICY|FILES|OPTIONS" ;;
serve) sections="SERVE|POLICY|OPTIONS" ;;
*) sections="OPTIONS" ;;
esac

awk -v cmd="$cmd" -v summary="$summary" -v all="$all" -v sections="$sections" '
{ line[NR] = $0 }
# The command an entry starts with ("*run* [_options_]", "*suggest --learn*",
# "*attach* *--pid*"), or "" when line i does not start one.
function entry(i,    w) {
	if (line[i] !~ /^\*[a-z-]+[* ]/ || line[i + 1] !~ /^\t/)
		return ""
	w = substr(line[i], 2)
	sub(/[* ].*/, "", w)
	return (w in cmds) ? w : ""
}
END {
	n = split(all, a, " ")
	for (k = 1; k <= n; k++)
		cmds[a[k]] = 1
	if (!(cmd in cmds)) {
		print "man-split: " cmd " is not a command" > "/dev/stderr"
		exit 1
	}
	m = split(sections, s, "|")
	for (k = 1; k <= m; k++)
		want[s[k]] = k
	# Sections and entries.
	for (i = 1; i <= NR; i++) {
		if (line[i] ~ /^# /) {
			sec = substr(line[i], 3)
			start[sec] = i
			cur = ""
			continue
		}
		e = entry(i)
		if (e != "")
			cur = e
		else if (line[i] ~ /^[^\t]/)
			cur = ""
		owner[i] = cur
		section[i] = sec
	}
	printf "bpfdelegate-%s(1)\n\n# NAME\n\nbpfdelegate-%s - %s\n\n", cmd, cmd, summary
	print "# SYNOPSIS\n"
	for (i = 1; i <= NR; i++)
		if (section[i] == "SYNOPSIS" && index(line[i], "*bpfdelegate " cmd) == 1 &&
		    substr(line[i], length(cmd) + 14, 1) ~ /[* ]/)
			print line[i] "\n"
	print "# DESCRIPTION\n"
	for (i = 1; i <= NR; i++)
		if (owner[i] == cmd) {
			print line[i]
			found = 1
		}
	if (!found) {
		print "man-split: no entry for " cmd > "/dev/stderr"
		exit 1
	}
	print "\tThe whole manual is *bpfdelegate*(1)."
	for (k = 1; k <= m; k++) {
		if (!(s[k] in start)) {
			print "man-split: no section " s[k] > "/dev/stderr"
			exit 1
		}
		printf "\n# %s\n", s[k]
		for (i = start[s[k]] + 1; i <= NR && line[i] !~ /^# /; i++)
			if (owner[i] == "")
				print line[i]
	}
	printf "\n# EXIT STATUS\n"
	for (i = start["EXIT STATUS"] + 1; i <= NR && line[i] !~ /^# /; i++)
		print line[i]
	print "\n# SEE ALSO\n"
	print "*bpfdelegate*(1) (security, the policy, rootless use, JSON output, examples)"
}' "$scd"
