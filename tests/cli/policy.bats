#!/usr/bin/env bats
# `bpfdelegate policy`: what the administrator's policy lets a user do, and
# the verdict on a request, run by the test users (bpfdtest in group
# bpfdtestgrp, bpfdtest2).  The test build (tests/bpfdelegate-faults)
# reads its policy from <build>/tests/etc/bpfdelegate (Makefile
# TEST_POLICY_DIR), never /etc; each test writes the policy it needs there
# and teardown removes it.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	use_faults || return 1
	ensure_test_users
	POLDIR="$(dirname "$BPFD_FAULTS")/etc/bpfdelegate"
	rm -rf "$POLDIR"
	install -d -m 0755 -o root -g root "$POLDIR"
	T=$(mktemp -d /tmp/bpfd-policy.XXXXXX)
	chmod 0755 "$T"
}

teardown() {
	[ -n "${POLDIR:-}" ] && rm -rf "$POLDIR"
	[ -n "${T:-}" ] && rm -rf "$T"
	return 0
}

# policy_file NAME: stdin into $POLDIR/NAME, root-owned, 0644.
policy_file() {
	mkdir -p "$(dirname "$POLDIR/$1")"
	cat >"$POLDIR/$1"
	chown root:root "$POLDIR/$1"
	chmod 0644 "$POLDIR/$1"
}

# as USER ARGS...: `bpfdelegate ARGS...` as USER, status and output kept.
as() {
	local u=$1
	shift
	run --separate-stderr as_user "$u" "$BPFD_ABS" "$@"
	echo "# as $u: $* -> $status"
	echo "$output" | sed 's/^/# out: /'
	echo "$stderr" | sed 's/^/# err: /'
}

@test "policy: none installed: the user is shown default deny, a request refused (6)" {
	as bpfdtest policy
	[ "$status" -eq 0 ]
	[[ "$output" == *"policy: $POLDIR (0 files)"* ]]
	[[ "$output" == *"user: bpfdtest (uid $(id -u bpfdtest))"* ]]
	[[ "$output" == *"rule: none: no rule for uid $(id -u bpfdtest) or its groups"*"(default deny)"* ]]
	as bpfdtest policy -m array
	[ "$status" -eq 6 ]
	[[ "$output" == *"refused: no rule for uid $(id -u bpfdtest) or its groups"*"(no rule: default deny)" ]]
	# and without the directory at all
	rm -rf "$POLDIR"
	as bpfdtest policy --command run -m array
	[ "$status" -eq 6 ]
	[[ "$output" == *"(0 files)"* ]]
}

@test "policy: a request within the user's grant is allowed, the rule and grant shown" {
	policy_file policy <<-EOF
	# who may do what
	user bpfdtest cmds=map_create maps=hash,array commands=check,run
	EOF
	as bpfdtest policy
	[ "$status" -eq 0 ]
	[[ "$output" == *"rule: $POLDIR/policy:2"* ]]
	[[ "$output" == *"  maps     hash:array"* ]]
	[[ "$output" == *"  cmds     map_create"* ]]
	[[ "$output" == *"  progs    (none)"* ]]
	[[ "$output" == *"commands: check run"* ]]
	[[ "$output" == *"netns: new only"* ]]
	as bpfdtest policy --command run --netns new -c map_create -m array
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = allowed ]
	as bpfdtest policy --json --command check -m hash
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --arg r "$POLDIR/policy:2" \
		'.rule == $r and .request.allowed == true and .grant.maps == "hash:array" and .user.name == "bpfdtest"'
}

@test "policy: a request beyond the grant is refused naming each excess and the rule" {
	policy_file policy <<-EOF
	user bpfdtest cmds=map_create maps=hash,array
	EOF
	as bpfdtest policy -c map_create,prog_load -m hash,lru_hash,ringbuf -p xdp
	[ "$status" -eq 6 ]
	[ "${lines[-1]}" = "refused: cmds: prog_load not granted; maps: lru_hash, ringbuf not granted; progs: xdp not granted (rule $POLDIR/policy:1)" ]
	# run shares the host's netns unless --netns new: not granted here
	as bpfdtest policy --command run -m hash
	[ "$status" -eq 6 ]
	[[ "${lines[-1]}" == "refused: netns host not granted (only --netns new) (rule $POLDIR/policy:1)" ]]
	# attach is not among the default commands
	as bpfdtest policy --command attach -m hash
	[ "$status" -eq 6 ]
	[[ "${lines[-1]}" == "refused: command attach not granted"* ]]
	as bpfdtest policy --json -m lru_hash
	[ "$status" -eq 6 ]
	echo "$output" | jq -e '.request.allowed == false and (.request.reason | test("lru_hash not granted"))'
}

@test "policy: a user without a grant is refused; a group grant; a user rule before it" {
	policy_file policy <<-EOF
	group bpfdtestgrp preset=tracing
	EOF
	as bpfdtest policy --preset tracing
	[ "$status" -eq 0 ]
	[[ "$output" == *"rule: $POLDIR/policy:1"* ]]
	[ "${lines[-1]}" = allowed ]
	# bpfdtest2 is not in bpfdtestgrp
	as bpfdtest2 policy --preset tracing
	[ "$status" -eq 6 ]
	[[ "${lines[-1]}" == "refused: no rule for uid $(id -u bpfdtest2) or its groups ($(id -g bpfdtest2))"*"(no rule: default deny)" ]]
	# a user rule applies before any group rule, wherever it is written
	policy_file policy.d/50-users <<-EOF
	user $(id -u bpfdtest) maps=array
	EOF
	as bpfdtest policy --preset tracing
	[ "$status" -eq 6 ]
	[[ "${lines[-1]}" == *"(rule $POLDIR/policy.d/50-users:1)" ]]
	as bpfdtest policy -m array
	[ "$status" -eq 0 ]
}

@test "policy: unsafe ownership, mode or a symlink refuses the whole policy (exit 1)" {
	policy_file policy <<-EOF
	user bpfdtest preset=all
	EOF
	as bpfdtest policy -m array
	[ "$status" -eq 0 ]
	# the file owned by the user it would grant
	chown bpfdtest "$POLDIR/policy"
	as bpfdtest policy -m array
	[ "$status" -eq 1 ]
	[ "$stderr" = "bpfdelegate: policy: $POLDIR/policy: owned by uid $(id -u bpfdtest), not root (only root may write the policy: it is refused whole)" ]
	[ -z "$output" ]
	chown root "$POLDIR/policy"
	chmod 0664 "$POLDIR/policy"
	as bpfdtest policy -m array
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$POLDIR/policy: writable by group or others (mode 0664)"* ]]
	chmod 0644 "$POLDIR/policy"
	# a file of policy.d, the directory itself
	policy_file policy.d/10-x <<-EOF
	user bpfdtest2 maps=array
	EOF
	chmod 0646 "$POLDIR/policy.d/10-x"
	as bpfdtest policy
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$POLDIR/policy.d/10-x: writable by group or others (mode 0646)"* ]]
	chmod 0644 "$POLDIR/policy.d/10-x"
	chmod 0777 "$POLDIR/policy.d"
	as bpfdtest policy
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$POLDIR/policy.d: writable by group or others (mode 0777)"* ]]
	chmod 0755 "$POLDIR/policy.d"
	chown bpfdtest "$POLDIR"
	as bpfdtest policy
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$POLDIR: owned by uid $(id -u bpfdtest), not root"* ]]
	chown root "$POLDIR"
	# a symlink to a root-owned, safe file is refused too
	cp -p "$POLDIR/policy" "$T/real"
	ln -s "$T/real" "$POLDIR/policy.d/20-link"
	as bpfdtest policy
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$POLDIR/policy.d/20-link: a symbolic link is not accepted"* ]]
	rm "$POLDIR/policy.d/20-link"
	# presets.d likewise
	policy_file presets.d/site <<-EOF
	preset site maps=hash
	EOF
	chown bpfdtest "$POLDIR/presets.d/site"
	as bpfdtest policy
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$POLDIR/presets.d/site: owned by uid"* ]]
	chown root "$POLDIR/presets.d/site"
	as bpfdtest policy -m array
	[ "$status" -eq 0 ]
}

@test "policy: a malformed policy is one line naming FILE:LINE (exit 1)" {
	policy_file policy <<-EOF
	user bpfdtest maps=array

	group bpfdtestgrp maps=hsh
	EOF
	as bpfdtest policy
	[ "$status" -eq 1 ]
	[ "$stderr" = "bpfdelegate: policy: $POLDIR/policy:3: maps=: unknown map type 'hsh' (closest: hash) (the policy is refused whole)" ]
}

@test "policy: presets.d defines presets the rules name" {
	policy_file presets.d/10-ci <<-EOF
	preset ci cmds=map_create maps=array,ringbuf
	EOF
	policy_file policy <<-EOF
	user bpfdtest preset=ci
	EOF
	as bpfdtest policy -c map_create -m ringbuf
	[ "$status" -eq 0 ]
	as bpfdtest policy -m hash
	[ "$status" -eq 6 ]
	[[ "${lines[-1]}" == "refused: maps: hash not granted (rule $POLDIR/policy:1)" ]]
}

@test "policy: no environment variable or option redirects the policy" {
	# an allowing policy, in a directory the user owns, named every way
	cat >"$T/policy" <<-EOF
	user bpfdtest preset=all commands=check,run,attach netns=host
	EOF
	chmod 0644 "$T/policy"
	chown -R bpfdtest "$T"
	policy_file policy <<-EOF
	user bpfdtest maps=array
	EOF
	run --separate-stderr env BPFDELEGATE_POLICY_DIR="$T" BPFDELEGATE_POLICY="$T/policy" \
		BPFD_POLICY_DIR="$T" BPFDELEGATE_POLICY_FILE="$T/policy" BPFDELEGATE_CONFIG="$T" \
		BPFDELEGATE_ETC="$T" XDG_CONFIG_HOME="$T" HOME="$T" \
		setpriv --reuid=bpfdtest --regid="$(id -g bpfdtest)" --init-groups -- "$BPFD_ABS" policy -m hash
	echo "$output"
	[ "$status" -eq 6 ]
	[[ "$output" == *"policy: $POLDIR (1 file)"* ]]
	[[ "${lines[-1]}" == "refused: maps: hash not granted (rule $POLDIR/policy:1)" ]]
	# and the command has no option for it
	for o in --policy --policy-dir --config; do
		as bpfdtest policy "$o" "$T" -m hash
		[ "$status" -eq 2 ]
	done
	# the release binary reads /etc/bpfdelegate, the test build not
	run "$BPFD_ABS" policy --json
	echo "$output" | jq -e --arg d "$POLDIR" '.policy_dir == $d'
}

@test "policy: --user is root's; bad options are usage errors" {
	policy_file policy <<-EOF
	user bpfdtest2 maps=array
	EOF
	as bpfdtest policy --user bpfdtest2
	[ "$status" -eq 3 ]
	[ "$stderr" = "bpfdelegate: policy: only root may ask about another user" ]
	# asking about oneself is fine
	as bpfdtest policy --user bpfdtest
	[ "$status" -eq 0 ]
	run "$BPFD_ABS" policy --user bpfdtest2 -m array
	[ "$status" -eq 0 ]
	[[ "$output" == *"user: bpfdtest2 (uid $(id -u bpfdtest2))"* ]]
	run "$BPFD_ABS" policy --user "$(id -u bpfdtest2)" -m hash
	[ "$status" -eq 6 ]
	run "$BPFD_ABS" policy --user no-such-user-bpfd
	[ "$status" -eq 1 ]
	run "$BPFD_ABS" policy --command fly
	[ "$status" -eq 2 ]
	run "$BPFD_ABS" policy --netns maybe
	[ "$status" -eq 2 ]
	run "$BPFD_ABS" policy --target /x
	[ "$status" -eq 2 ]
	run "$BPFD_ABS" policy -m hsh
	[ "$status" -eq 2 ]
}

@test "policy: attach targets are bounded by paths=" {
	policy_file policy <<-EOF
	user bpfdtest maps=array commands=attach paths=/run/bpf/*,/sys/fs/bpf
	EOF
	as bpfdtest policy --command attach -m array
	[ "$status" -eq 0 ]
	as bpfdtest policy --command attach --target /run/bpf/x -m array
	[ "$status" -eq 0 ]
	as bpfdtest policy --command attach --target /mnt -m array
	[ "$status" -eq 6 ]
	[[ "${lines[-1]}" == "refused: target '/mnt' not granted (paths=/run/bpf/*,/sys/fs/bpf) (rule $POLDIR/policy:1)" ]]
	as bpfdtest policy --command attach --target /run/bpf/../../etc -m array
	[ "$status" -eq 6 ]
}
