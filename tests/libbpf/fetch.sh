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

[ -f "$dest/ok" ] && exit 0
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
# one fetch at a time (parallel `make test` runs share the default DEST)
exec 9>"$dest/.lock"
flock -w 300 9 || { echo "fetch.sh: $dest/.lock: still locked after 300 s" >&2; exit 1; }
[ -f "$dest/ok" ] && exit 0
apt=$dest/apt
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/debs"
touch "$apt/status"

# The mirror this machine's own apt sources use (deb822 first, then one-line).
uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$uri" ] || uri=$(awk '$1 == "deb" && $2 !~ /^\[/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
uri=${uri:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$keyring" ] || { echo "fetch.sh: no $keyring (apt-get install debian-archive-keyring)" >&2; exit 1; }

cat >"$apt/sources.list" <<-SRC
	deb [signed-by=$keyring] $uri $suite main
SRC
o=(-o "Dir::Etc::sourcelist=$apt/sources.list" -o Dir::Etc::sourceparts=-
   -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
   -o "Dir::State::status=$apt/status" -o APT::Get::List-Cleanup=false -o APT::Sandbox::User=root)

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
