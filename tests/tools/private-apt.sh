# private-apt.sh: sourced by the scripts that fetch Debian packages of other
# suites for the tests (tests/libbpf/fetch.sh, tests/bpftool/fetch.sh,
# tests/kernels/vm.sh) through a private apt configuration: the system's
# apt sources, lists and status are never touched.
# shellcheck shell=bash

# The mirror this machine's own apt sources use (deb822 first, then a
# one-line "deb URI ..." without [options]), else deb.debian.org.
papt_mirror() {
	local uri
	uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
	[ -n "$uri" ] || uri=$(awk '$1 == "deb" && $2 !~ /^\[/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
	echo "${uri:-http://deb.debian.org/debian}"
}

# papt_setup APT SOURCES LISTS: apt's cache and status under APT (and
# APT/debs for downloads), SOURCES as the only source list, LISTS for the
# package lists; PAPT_OPTS gets the apt-get/apt-cache options that use only
# them (no sources.list.d, no list clean-up, downloads as root).
papt_setup() {
	local apt=$1 sources=$2 lists=$3
	mkdir -p "$lists/partial" "$apt/cache/archives/partial" "$apt/debs"
	touch "$apt/status"
	PAPT_OPTS=(-o "Dir::Etc::sourcelist=$sources" -o Dir::Etc::sourceparts=-
		-o "Dir::State::Lists=$lists" -o "Dir::Cache=$apt/cache"
		-o "Dir::State::status=$apt/status" -o APT::Get::List-Cleanup=false
		-o APT::Sandbox::User=root)
}

# papt_fetch_begin DEST: the opening of a fetch.sh DEST (tests/libbpf,
# tests/bpftool): exits 0 when DEST/ok says it was fetched; else DEST made
# absolute in $dest, one fetch at a time (parallel `make test` runs share
# the default DEST: a lock on fd 9, 300 s at most), and a private apt
# under $dest/apt ($apt, PAPT_OPTS) with $apt/sources.list to write, whose
# entries are signed by $keyring (Debian's archive keyring, required).
papt_fetch_begin() {
	dest=$1
	[ -f "$dest/ok" ] && exit 0
	mkdir -p "$dest"
	dest=$(cd "$dest" && pwd)
	exec 9>"$dest/.lock"
	flock -w 300 9 || { echo "fetch.sh: $dest/.lock: still locked after 300 s" >&2; exit 1; }
	[ -f "$dest/ok" ] && exit 0
	apt=$dest/apt
	keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	[ -r "$keyring" ] || { echo "fetch.sh: no $keyring (apt-get install debian-archive-keyring)" >&2; exit 1; }
	papt_setup "$apt" "$apt/sources.list" "$apt/lists"
}
