#!/bin/sh
# spyhook.sh OUT: an OCI hook placed after bpfdelegate's in createRuntime.
# Records what the container's mount namespace holds at that moment (before
# pivot_root, so mount points are host paths) and the environment the runtime
# gave the hooks: OUT.mountinfo, OUT.env, OUT.state.
out=${1:?usage: spyhook.sh OUT}
# (Containers started at once each write their own files, then rename.)
state=$(cat)
pid=$(echo "$state" | sed -n 's/.*"pid": *\([0-9][0-9]*\).*/\1/p')
[ -n "$pid" ] || { echo "spyhook: no pid in the state" >&2; exit 1; }
echo "$state" >"$out.state.$$"
cat "/proc/$pid/mountinfo" >"$out.mountinfo.$$"
env >"$out.env.$$"
for f in state mountinfo env; do mv "$out.$f.$$" "$out.$f"; done
