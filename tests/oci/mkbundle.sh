#!/usr/bin/env bash
# mkbundle.sh BUNDLE [TOKENPROBE]: build an OCI bundle for runc in BUNDLE (an
# empty or missing directory):
#   BUNDLE/rootfs       busybox-static + applet links, TOKENPROBE as /tokenprobe
#                       (it must be a static binary), owned by the mapped root
#   BUNDLE/config.json  `runc spec`, then edited with jq: no terminal, process
#                       /tokenprobe (/bin/true without TOKENPROBE), user namespace (container 0 -> host
#                       $OCI_HOST_ID, size 65536) + pid, ipc, uts, mount,
#                       network namespaces, CAP_BPF/CAP_PERFMON/CAP_NET_ADMIN
#                       in every capability set, no hooks, no annotations.
# Tests edit config.json further with jq (hooks, annotations, args).
# Needs runc, jq and /bin/busybox from busybox-static.
set -eu
bundle=${1:?usage: mkbundle.sh BUNDLE [TOKENPROBE]}
probe=${2:-}
hostid=${OCI_HOST_ID:-100000}
busybox=${BUSYBOX:-/bin/busybox}

for t in runc jq; do
	command -v "$t" >/dev/null || { echo "mkbundle: $t not found (make deps)" >&2; exit 1; }
done
[ -x "$busybox" ] || { echo "mkbundle: $busybox not found (busybox-static)" >&2; exit 1; }
if [ -n "$probe" ]; then
	[ -x "$probe" ] || { echo "mkbundle: $probe not found (make the test binaries)" >&2; exit 1; }
	# A dynamic binary would fail inside with a confusing ENOENT.
	if head -c 4096 "$probe" | grep -qa 'ld-linux'; then
		echo "mkbundle: $probe is not static" >&2
		exit 1
	fi
fi

mkdir -p "$bundle"
bundle=$(cd "$bundle" && pwd)
# The container's root (host uid $hostid) must be able to reach the rootfs.
chmod 0755 "$bundle"
root=$bundle/rootfs
mkdir -p "$root"/bin "$root"/proc "$root"/sys "$root"/dev "$root"/tmp "$root"/etc \
	"$root"/root "$root"/mnt
cp "$busybox" "$root/bin/busybox"
for a in sh cat ls mount umount sleep true false stat grep cut awk echo mkdir readlink test env id; do
	ln -sf busybox "$root/bin/$a"
done
[ -z "$probe" ] || cp "$probe" "$root/tokenprobe"
echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"
chmod 1777 "$root/tmp"
chown -R "$hostid:$hostid" "$root"

(cd "$bundle" && rm -f config.json && runc spec)
caps='["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE","CAP_BPF","CAP_PERFMON","CAP_NET_ADMIN"]'
jq --argjson id "$hostid" --argjson caps "$caps" --arg arg0 "${probe:+/tokenprobe}" '
	.process.terminal = false
	| .process.args = [if $arg0 == "" then "/bin/true" else $arg0 end]
	| .process.capabilities = {bounding: $caps, effective: $caps, permitted: $caps,
	                          inheritable: $caps, ambient: $caps}
	| .root = {path: "rootfs", readonly: false}
	| .hostname = "bpfd-oci"
	| .linux.namespaces = [{type: "pid"}, {type: "network"}, {type: "ipc"},
	                       {type: "uts"}, {type: "mount"}, {type: "user"}]
	| .linux.uidMappings = [{containerID: 0, hostID: $id, size: 65536}]
	| .linux.gidMappings = [{containerID: 0, hostID: $id, size: 65536}]
	# sysfs can be mounted here because the network namespace belongs to the
	# container user namespace; the cgroup v1 mount is not needed.
	| .mounts |= map(select(.destination != "/sys/fs/cgroup"))
' "$bundle/config.json" >"$bundle/config.json.new"
mv "$bundle/config.json.new" "$bundle/config.json"
