#!/usr/bin/env bash
# userns-sleeper.sh [ROOT]: start `sleep 600` in its own user and mount
# namespaces (private propagation), its user namespace mapping 0-65535 to
# host $OCI_HOST_ID (default 100000) like a container, optionally chrooted
# into ROOT (whose /bin/sleep must run there, e.g. a busybox rootfs).
# SLEEPER_NO_MNTNS=1: a user namespace only, the host's mount namespace.
# Prints the pid once the maps are written; the caller kills it.
# No newuidmap needed: root writes the maps from outside.
set -eu
hostid=${OCI_HOST_ID:-100000}
root=${1:-}
self_ns=$(readlink /proc/self/ns/user)

if [ -n "${SLEEPER_NO_MNTNS:-}" ]; then
	unshare -U sleep 600 </dev/null >/dev/null 2>&1 3>&- &
elif [ -n "$root" ]; then
	unshare -U -m --propagation private --root="$root" /bin/sleep 600 \
		</dev/null >/dev/null 2>&1 3>&- &
else
	unshare -U -m --propagation private sleep 600 </dev/null >/dev/null 2>&1 3>&- &
fi
pid=$!
for _ in $(seq 200); do
	ns=$(readlink "/proc/$pid/ns/user" 2>/dev/null) || { echo "sleeper: $pid died" >&2; exit 1; }
	[ "$ns" != "$self_ns" ] && [ "$(cat "/proc/$pid/comm")" = sleep ] && break
	sleep 0.02
done
[ "$(readlink "/proc/$pid/ns/user")" != "$self_ns" ] || { kill "$pid"; echo "sleeper: no user namespace" >&2; exit 1; }
echo "0 $hostid 65536" >"/proc/$pid/uid_map"
echo "0 $hostid 65536" >"/proc/$pid/gid_map"
echo "$pid"
