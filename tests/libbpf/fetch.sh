#!/usr/bin/env bash
# fetch.sh DEST: download Debian trixie's libbpf-dev (libbpf 1.5: libbpf.a and
# its headers) with a private apt configuration and extract it into DEST/root.
# The system's apt sources, lists and status are not touched: everything apt
# keeps goes under DEST/apt.  Does nothing when DEST/ok already exists.
#
# Needs apt-get, dpkg-deb, the Debian archive keyring and network access to
# the mirror named in /etc/apt/sources.list.d/*.sources (or /etc/apt/sources.list).
set -euo pipefail
dest=${1:?usage: fetch.sh DEST}
suite=trixie pkg=libbpf-dev

# shellcheck source=tests/tools/private-apt.sh
. "$(dirname "$0")/../tools/private-apt.sh"
papt_fetch_begin "$dest"
cat >"$apt/sources.list" <<-SRC
	deb [signed-by=$keyring] $(papt_mirror) $suite main
SRC
o=("${PAPT_OPTS[@]}")

apt-get "${o[@]}" update -qq
(cd "$apt/debs" && rm -f ./*.deb && apt-get "${o[@]}" download "$pkg")
deb=$(ls "$apt/debs/${pkg}"_*.deb)
rm -rf "$dest/root"
dpkg-deb -x "$deb" "$dest/root"
lib=$(find "$dest/root" -name libbpf.a | head -1)
[ -n "$lib" ] && [ -f "$dest/root/usr/include/bpf/libbpf.h" ] ||
	{ echo "fetch.sh: $deb has no libbpf.a or bpf/libbpf.h" >&2; exit 1; }
ln -sfn "${lib%/libbpf.a}" "$dest/lib"
# The version the client reports comes from libbpf itself; this is the package's.
dpkg-deb -f "$deb" Version >"$dest/version"
touch "$dest/ok"
echo "fetch.sh: $(basename "$deb") in $dest"
