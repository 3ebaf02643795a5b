#!/bin/sh
# oci-run.sh STATE BUNDLE: one container start for bench/run.sh: `runc run`
# of BUNDLE under a fresh id (runc removes it when its process exits; a
# failed run is deleted here), exit status of runc.
state=${1:?usage: oci-run.sh STATE BUNDLE}
bundle=${2:?usage: oci-run.sh STATE BUNDLE}
id="bench-$$-$(date +%s%N)"
timeout 60 runc --root "$state" run --bundle "$bundle" "$id" </dev/null
rc=$?
[ "$rc" -eq 0 ] || runc --root "$state" delete -f "$id" >/dev/null 2>&1
exit "$rc"
