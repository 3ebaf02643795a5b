#!/usr/bin/env bats
# The security steps of every child that works in a namespace, each shown
# from outside (docs/design.md, "What guards each security step", lists
# which test fails when a step is removed):
# - lib/nschild.c bpfd_child_harden: inherited fds closed, cwd /, parent-death
#   signal, non-dumpable;
# - lib/engine_child.c: setgroups(0), MS_PRIVATE on the new mount namespace;
# - lib/userns.c: "deny" written to /proc/PID/setgroups.
# The children are caught in a fault-injected pause (tests/bpfdelegate-faults)
# so that their /proc can be read.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	T=$(mktemp -d /tmp/bpfd-hard.XXXXXX)
	chmod 0755 "$T"
	PIDS=()
	# All delegation options given: run may not default to "any".
	DELEG="--cmds map_create --maps array"
}

teardown() {
	kill_pids_umount_tmp
}

# child_of PID [NS-OF-PID]: print the child of PID once it exists (and, with
# a second pid, once it is in that process's user namespace).
child_of() {
	local i c
	for i in $(seq 300); do
		c=$(pgrep -P "$1" | head -1)
		if [ -n "$c" ]; then
			if [ -z "${2:-}" ] ||
				[ "$(readlink "/proc/$c/ns/user")" = "$(readlink "/proc/$2/ns/user")" ]; then
				echo "$c"
				return 0
			fi
		fi
		sleep 0.05
	done
	echo "no child of $1" >&2
	return 1
}

# fds_except_stdio PID: the fds >= 3 of PID and what they point at.
fds_except_stdio() {
	local f
	for f in /proc/"$1"/fd/*; do
		case ${f##*/} in 0 | 1 | 2) continue ;; esac
		echo "${f##*/} $(readlink "$f")"
	done
}

# gone_after_parent_kill PARENT CHILD: SIGKILL PARENT; CHILD must be gone
# (or a zombie) within 5 s: its parent-death signal killed it.
gone_after_parent_kill() {
	local i st
	kill -9 "$1"
	for i in $(seq 50); do
		st=$(awk '{print $3}' "/proc/$2/stat" 2>/dev/null) || return 0
		[ "$st" = Z ] && return 0
		sleep 0.1
	done
	echo "child $2 still alive (state $st) 5 s after its parent was killed" >&2
	return 1
}

@test "hardening: list --pid's token child in the target's user namespace" {
	need_faults
	command -v nsenter >/dev/null || skip "needs nsenter"
	P=$("$BATS_TEST_DIRNAME/../oci/userns-sleeper.sh")
	PIDS+=("$P")
	mkdir "$T/bpf" "$T/cwd"
	# a bpffs owned by the target's user namespace: the owner lookup then
	# joins that namespace in a child to try a token
	run "$BPFD" attach --pid "$P" --target "$T/bpf" $DELEG
	[ "$status" -eq 0 ]
	cd "$T/cwd"
	# caller fds below and above the ones the child keeps, stdout and
	# stderr on a file, supplementary groups: none of it may reach the child
	exec 7</etc/hostname 100</etc/hostname
	BPFDELEGATE_TEST_FAULT=probe-hang setpriv --groups 4,27 \
		"$BPFD_FAULTS" list --pid "$P" </dev/null >"$T/list.out" 2>&1 3>&- &
	L=$!
	PIDS+=("$L")
	exec 7<&- 100<&-
	cd /
	C=$(child_of "$L" "$P")
	PIDS+=("$C")
	# fds: 0-2 on /dev/null, and only the bpffs root and the userns
	fds=$(fds_except_stdio "$C")
	echo "$fds"
	[ "$(echo "$fds" | wc -l)" -eq 2 ]
	[[ "$fds" != *hostname* ]]
	[[ "$fds" == *"$T/bpf"* ]]
	[[ "$fds" == *"user:["* ]]
	for i in 0 1 2; do [ "$(readlink "/proc/$C/fd/$i")" = /dev/null ]; done
	[ "$(readlink "/proc/$C/cwd")" = / ]
	grep -qE '^Groups:\s*$' "/proc/$C/status"
	# The container's root (host uid 100000, CAP_SYS_PTRACE in that user
	# namespace) may not ptrace a host-root process there: non-dumpable.
	# (Reading /proc/PID/environ would not tell: its owner, host root, is
	# not mapped there, so DAC refuses it anyway.)
	cp "$HELPERS/ptrace-seize" "$T/"
	run nsenter -t "$P" -U "$T/ptrace-seize" "$C"
	echo "$output"
	[ "$output" = "PTRACE_SEIZE: Operation not permitted" ]
	# ... which it may do to a dumpable process of its own namespace
	nsenter -t "$P" -U sleep 60 </dev/null >/dev/null 2>&1 3>&- &
	S=$!
	PIDS+=("$S")
	for i in $(seq 100); do [ "$(cat /proc/$S/comm)" = sleep ] && break; sleep 0.05; done
	run nsenter -t "$P" -U "$T/ptrace-seize" "$S"
	[ "$output" = seized ]
	gone_after_parent_kill "$L" "$C"
}

@test "hardening: check's namespace child: no caller fd, cwd /, non-dumpable, dies with its parent" {
	need_faults
	mkdir "$T/cwd"
	cd "$T/cwd"
	exec 7</etc/hostname 100</etc/hostname
	BPFD_TEST_MARK=hard-$$ BPFDELEGATE_TEST_FAULT=child-hang \
		"$BPFD_FAULTS" check --timeout 60 </dev/null >/dev/null 2>&1 3>&- &
	L=$!
	PIDS+=("$L")
	exec 7<&- 100<&-
	cd /
	C=$(child_of "$L")
	PIDS+=("$C")
	# the hang comes after the switch to the namespace root (host 65534)
	for i in $(seq 100); do
		awk '/^Uid:/ {exit $2 == 65534 ? 0 : 1}' "/proc/$C/status" && break
		sleep 0.05
	done
	fds=$(fds_except_stdio "$C")
	echo "$fds"
	# only the socket to the parent and its own O_PATH fd of /proc
	[ "$(echo "$fds" | wc -l)" -eq 2 ]
	[[ "$fds" == *"socket:["* ]]
	[[ "$fds" == *" /proc"$'\n'* || "$fds" == *" /proc" ]]
	[[ "$fds" != *hostname* ]]
	[ "$(readlink "/proc/$C/cwd")" = / ]
	# the namespace root's outside user may not ptrace it
	run setpriv --reuid 65534 --regid 65534 --clear-groups "$HELPERS/ptrace-seize" "$C"
	echo "$output"
	[ "$output" = "PTRACE_SEIZE: Operation not permitted" ]
	gone_after_parent_kill "$L" "$C"
}

@test "hardening: attach's clean-up child: no caller fd, in the target's mount namespace only, dies with its parent" {
	need_faults
	S=$("$OCI/userns-sleeper.sh")
	PIDS+=("$S")
	mkdir "$T/bpf"
	exec 7</etc/hostname 100</etc/hostname
	# the engine child hangs once mounted; the parent gives up after 1 s
	# and forks the clean-up child, which pauses in the target's mount ns
	BPFDELEGATE_TEST_FAULT=undo-hang "$BPFD_FAULTS" attach --pid "$S" \
		--cmds map_create --target "$T/bpf" --timeout 1 </dev/null >/dev/null 2>&1 3>&- &
	L=$!
	PIDS+=("$L")
	exec 7<&- 100<&-
	C=
	for i in $(seq 100); do
		for c in $(pgrep -P "$L"); do
			[ "$(readlink "/proc/$c/ns/mnt")" = "$(readlink "/proc/$S/ns/mnt")" ] &&
				[ "$(readlink "/proc/$c/ns/user")" = "$(readlink /proc/self/ns/user)" ] &&
				C=$c
		done
		[ -n "$C" ] && break
		sleep 0.05
	done
	[ -n "$C" ]
	PIDS+=("$C")
	fds=$(fds_except_stdio "$C")
	echo "$fds"
	# only the target's pidfd and the mount fd to detach
	[ "$(echo "$fds" | wc -l)" -eq 2 ]
	[[ "$fds" == *"anon_inode:[pidfd]"* ]]
	[[ "$fds" != *hostname* ]]
	gone_after_parent_kill "$L" "$C"
}

@test "hardening: run's COMMAND has no supplementary group and setgroups deny" {
	need_root_tokens
	command -v setpriv >/dev/null || skip "needs setpriv"
	# a caller with supplementary groups, so that keeping them would show
	run --separate-stderr setpriv --groups 4,27,100 "$BPFD" run $DELEG -- \
		sh -c 'cat /proc/self/setgroups; grep "^Groups:" /proc/self/status; cat /proc/self/gid_map'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = deny ]
	[[ "${lines[1]}" =~ ^Groups:[[:space:]]*$ ]]
	# and nothing can add groups back: setgroups(2) is refused inside
	run --separate-stderr "$BPFD" run $DELEG -- \
		sh -c 'setpriv --groups 0 true 2>&1; echo "rc=$?"'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"setgroups failed: Operation not permitted"* ]]
	[[ "$output" != *"rc=0"* ]]
}

@test "hardening: run's mount namespace is private, also under shared propagation" {
	need_root_tokens
	command -v unshare >/dev/null || skip "needs unshare"
	mkdir "$T/host" "$T/inner"
	# for COMMAND, which is host uid 65534
	mkdir -m 0777 "$T/sync"
	# Around the tool, a mount namespace whose mounts are all shared, as on
	# a systemd host: without MS_PRIVATE the tool's namespace would be a
	# slave of it and receive the mounts made here later.
	cat >"$T/script" <<EOF
set -e
grep -q ' shared:' /proc/self/mountinfo
"$BPFD" run $DELEG -- sh -c '
	grep -E "shared:|master:" /proc/self/mountinfo && echo PROPAGATES
	mount -t tmpfs inner "$T/inner" && echo inner-mounted
	touch "$T/sync/ready"
	for i in \$(seq 100); do [ -e "$T/sync/host-mounted" ] && break; sleep 0.05; done
	grep -q " $T/host " /proc/self/mountinfo && echo SEEN-INSIDE
	exit 0' &
r=\$!
for i in \$(seq 200); do [ -e "$T/sync/ready" ] && break; sleep 0.05; done
mount -t tmpfs host "$T/host"
touch "$T/sync/host-mounted"
wait \$r
grep -q " $T/inner " /proc/self/mountinfo && echo SEEN-OUTSIDE
umount "$T/host"
echo done
EOF
	run --separate-stderr unshare -m --propagation shared sh "$T/script"
	echo "$output"
	echo "$stderr"
	[ "$status" -eq 0 ]
	# both mounts were made, neither crossed
	[ "$output" = $'inner-mounted\ndone' ]
	[ -e "$T/sync/ready" ] && [ -e "$T/sync/host-mounted" ]
}

@test "hardening: run's COMMAND gets none of the caller's fds and starts in its cwd" {
	need_root_tokens
	mkdir "$T/cwd"
	cd "$T/cwd"
	exec 7</etc/hostname
	run --separate-stderr "$BPFD" run $DELEG -- sh -c 'ls /proc/self/fd; pwd'
	exec 7<&-
	cd /
	echo "$output"
	[ "$status" -eq 0 ]
	# ls's own directory fd is 3
	[ "$(echo "$output" | head -4 | tr '\n' ' ')" = "0 1 2 3 " ]
	[ "${lines[4]}" = "$T/cwd" ]
}

@test "hardening: run's COMMAND dies with bpfdelegate, also after --user's id switch" {
	need_root_tokens
	for user in "" "--user 4242"; do
		"$BPFD" run $DELEG $user -- sleep 60 </dev/null >/dev/null 2>&1 3>&- &
		L=$!
		PIDS+=("$L")
		C=$(child_of "$L")
		PIDS+=("$C")
		for i in $(seq 100); do [ "$(cat "/proc/$C/comm")" = sleep ] && break; sleep 0.05; done
		[ "$(cat "/proc/$C/comm")" = sleep ]
		gone_after_parent_kill "$L" "$C"
	done
}
