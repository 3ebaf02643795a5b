#!/usr/bin/env bash
# fetch.sh DEST: download a bpftool that has `token list` with a private apt
# configuration and extract it into DEST/root; DEST/bpftool runs it.
# Trixie's own bpftool (7.5.0, from Linux 6.12) has no `token` command: it
# came with bpftool 7.6.  trixie-backports' bpftool (7.8 when written) has
# it; it needs glibc 2.38 (Debian 12 has 2.36), so trixie's libc6 and the
# libraries it links are extracted beside it and DEST/bpftool runs it with
# their dynamic loader.  Nothing is installed: the system's apt sources,
# lists and status are not touched; everything apt keeps is in DEST/apt.
# Does nothing when DEST/ok exists.
#
# Needs apt-get, dpkg-deb, the Debian archive keyring and network access to
# the mirror named in /etc/apt/sources.list.d/*.sources (or sources.list).
set -euo pipefail
dest=${1:?usage: fetch.sh DEST}
libs="libc6 libelf1t64 libcap2 zlib1g libzstd1 libssl3t64"

# shellcheck source=tests/tools/private-apt.sh
. "$(dirname "$0")/../tools/private-apt.sh"
papt_fetch_begin "$dest"
uri=$(papt_mirror)
cat >"$apt/sources.list" <<-SRC
	deb [signed-by=$keyring] $uri trixie main
	deb [signed-by=$keyring] $uri trixie-backports main
SRC
o=("${PAPT_OPTS[@]}")

apt-get "${o[@]}" update -qq
# shellcheck disable=SC2086
(cd "$apt/debs" && rm -f ./*.deb && apt-get "${o[@]}" download bpftool/trixie-backports $libs)
rm -rf "$dest/root"
for deb in "$apt"/debs/*.deb; do dpkg-deb -x "$deb" "$dest/root"; done
cat >"$dest/bpftool" <<-SH
	#!/bin/sh
	# trixie-backports' bpftool with trixie's libraries (tests/bpftool/fetch.sh)
	r=$dest/root
	exec "\$r/usr/lib64/ld-linux-x86-64.so.2" --library-path "\$r/usr/lib/x86_64-linux-gnu" "\$r/usr/sbin/bpftool" "\$@"
SH
chmod 755 "$dest/bpftool"
help=$("$dest/bpftool" token help 2>&1 || true)
grep -q 'token { show | list }' <<<"$help" ||
	{ echo "fetch.sh: $(ls "$apt"/debs/bpftool_*.deb) has no 'token' command" >&2; exit 1; }
dpkg-deb -f "$apt"/debs/bpftool_*.deb Version >"$dest/version"
touch "$dest/ok"
echo "fetch.sh: bpftool $(cat "$dest/version") in $dest"
