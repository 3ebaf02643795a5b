#!/usr/bin/env bats
# The Debian packages (`make deb`, debian/): built from the tree by
# dpkg-buildpackage, lintian-clean, then installed with dpkg -i and removed
# with dpkg --purge on this machine's root filesystem and dpkg database,
# seen through a copy-on-write overlay (/usr, /etc and /var, upper layers
# under the test's temporary directory) in a private mount namespace: the
# package's files, maintainer scripts and triggers run for real, while the
# host and the tests running beside this one never see them, and nothing is
# left when the test ends (checked).
bats_require_minimum_version 1.5.0
load helpers

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
DEBS=$REPO/build/deb

# Skip, or fail under CI=true, when a tool is missing (`make deps` installs
# them).
need_deb_tools() {
	local t missing=""
	for t in dpkg-buildpackage dh lintian fakeroot man setcap getcap unshare; do
		command -v "$t" >/dev/null || missing="$missing $t"
	done
	[ "$(id -u)" = 0 ] || missing="$missing (root)"
	[ -z "$missing" ] && return 0
	[ "${CI:-}" = true ] && { echo "skip is a failure under CI=true: missing$missing" >&2; return 1; }
	skip "missing$missing: run 'make deps' as root"
}

setup_file() {
	# Once for the file; `make deb` rebuilds only when a file changed, so
	# the second `make test` pass (build-asan) reuses the packages.
	rm -f "$BATS_FILE_TMPDIR/deb.ok"
	if make -C "$REPO" deb BUILD=build >"$BATS_FILE_TMPDIR/deb.log" 2>&1; then
		touch "$BATS_FILE_TMPDIR/deb.ok"
	fi
}

setup() {
	need_deb_tools
	VERSION=$(sed -n 's/^VERSION *:= *//p' "$REPO/Makefile")
	ARCH=$(dpkg --print-architecture)
	MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
	HOST_STATE=$(host_state)
}

# What this machine has of the packages: their dpkg status and files.
host_state() {
	dpkg-query -W -f='${Package} ${Status}\n' bpfdelegate bpfdelegate-helper \
		libbpfdelegate0 libbpfdelegate-dev 2>&1
	ls -l /usr/bin/bpfdelegate /usr/libexec/bpfdelegate /usr/share/containers/oci/hooks.d/bpfdelegate.json \
		/usr/share/bash-completion/completions/bpfdelegate /usr/share/man/man1/bpfdelegate* \
		"/usr/lib/$MA/libbpfdelegate.so.0" /etc/bpfdelegate 2>&1 || true
}

deb() { echo "$DEBS/${1}_${VERSION}_$ARCH.deb"; }

need_debs() {
	if [ ! -e "$BATS_FILE_TMPDIR/deb.ok" ]; then
		tail -40 "$BATS_FILE_TMPDIR/deb.log"
		return 1
	fi
}

# in_overlay SCRIPT: run SCRIPT (bash, set -eu) as root in a private mount
# namespace where /usr, /etc and /var are overlays of the host's.  $DEBS,
# $VERSION, $ARCH, $MA and the test users' names are in its environment.
in_overlay() {
	local top=$BATS_TEST_TMPDIR/overlay
	mkdir -p "$top"
	DEBS=$DEBS VERSION=$VERSION ARCH=$ARCH MA=$MA U1=$BPFD_TEST_USER U2=$BPFD_TEST_USER2 \
		timeout 300 unshare -m --propagation private bash -c '
		set -eu
		top=$1
		for d in usr etc var; do
			mkdir -p "$top/$d.upper" "$top/$d.work"
			mount -t overlay overlay \
				-o "lowerdir=/$d,upperdir=$top/$d.upper,workdir=$top/$d.work" "/$d"
		done
		deb() { echo "$DEBS/${1}_${VERSION}_$ARCH.deb"; }
		as() { u=$1; shift; setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups -- "$@"; }
		export DEBIAN_FRONTEND=noninteractive
		eval "$2"' bash "$top" "$1"
}

teardown() {
	# The overlay went with its mount namespace; its upper layers are
	# under BATS_TEST_TMPDIR.  The host is as it was:
	if [ -n "${HOST_STATE:-}" ]; then
		[ "$(host_state)" = "$HOST_STATE" ] || {
			echo "the host changed:"
			diff <(echo "$HOST_STATE") <(host_state)
			return 1
		}
	fi
}

@test "deb: make deb builds the packages from the tree, lintian-clean; each has its files" {
	need_debs
	# make deb ran lintian --fail-on error,warning; again, to show it
	run lintian --fail-on error,warning "$DEBS/bpfdelegate_${VERSION}_$ARCH.changes"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$(grep -E '^(E|W): ' <<<"$output")" ]

	files() { dpkg-deb -c "$(deb "$1")" | awk '{print $6}' | sed 's|^\./|/|'; }
	run files bpfdelegate
	grep -qx /usr/bin/bpfdelegate <<<"$output"
	grep -qx /usr/share/bash-completion/completions/bpfdelegate <<<"$output"
	grep -qx /usr/share/containers/oci/hooks.d/bpfdelegate.json <<<"$output"
	grep -qx /usr/share/man/man1/bpfdelegate.1.gz <<<"$output"
	# a page for each command of the binary's table
	for c in $("$BPFD" --help | awk '/^Commands:/ {f = 1; next} f && /^$/ {exit} f {print $1}'); do
		grep -qx "/usr/share/man/man1/bpfdelegate-$c.1.gz" <<<"$output"
	done
	[ -z "$(grep -E 'libexec|\.so(\.|$)|include' <<<"$output")" ]
	run files bpfdelegate-helper
	grep -qx /usr/libexec/bpfdelegate/bpfdelegate-helper <<<"$output"
	run files libbpfdelegate0
	grep -qx "/usr/lib/$MA/libbpfdelegate.so.0" <<<"$output"
	[ -z "$(grep -E '\.so$|\.a$|include' <<<"$output")" ]
	run files libbpfdelegate-dev
	grep -qx "/usr/lib/$MA/libbpfdelegate.so" <<<"$output"
	grep -qx "/usr/lib/$MA/libbpfdelegate.a" <<<"$output"
	grep -qx "/usr/lib/$MA/pkgconfig/libbpfdelegate.pc" <<<"$output"
	grep -q "^/usr/include/bpfdelegate/.*\.h$" <<<"$output"
	# the hook definition runs the packaged binary
	d=$BATS_TEST_TMPDIR/x
	dpkg-deb -x "$(deb bpfdelegate)" "$d"
	[ "$(jq -r .hook.path "$d/usr/share/containers/oci/hooks.d/bpfdelegate.json")" = /usr/bin/bpfdelegate ]
	# the units of `bpfdelegate serve` when the tree has them: installed
	# (not enabled), running the packaged binary
	if [ -f "$REPO/docs/systemd/bpfdelegate.service" ]; then
		[ -f "$d/lib/systemd/system/bpfdelegate.socket" ]
		grep -qx "ExecStart=/usr/bin/bpfdelegate serve" "$d/lib/systemd/system/bpfdelegate.service"
		dpkg-deb -e "$(deb bpfdelegate)" "$BATS_TEST_TMPDIR/ctl"
		# --no-start: never started; --no-enable: enabled again on an
		# upgrade only where the administrator had enabled it
		[ -z "$(grep deb-systemd-invoke "$BATS_TEST_TMPDIR/ctl/postinst")" ]
		grep -q "if deb-systemd-helper debian-installed 'bpfdelegate.socket'" "$BATS_TEST_TMPDIR/ctl/postinst"
	fi
	# and the binary runs the packaged helper
	grep -qa /usr/libexec/bpfdelegate/bpfdelegate-helper "$d/usr/bin/bpfdelegate"
}

@test "deb: dpkg -i, then /usr/bin/bpfdelegate check, man and completion from the package; dpkg --purge leaves nothing" {
	need_root_tokens
	need_debs
	run --separate-stderr in_overlay '
		dpkg -i "$(deb libbpfdelegate0)" "$(deb bpfdelegate)" >/dev/null
		dpkg-query -W -f="\${Package} \${Status}\n" bpfdelegate
		/usr/bin/bpfdelegate --version
		/usr/bin/bpfdelegate check --preset socket-filter; echo "check exit $?"
		echo "man: $(man -w bpfdelegate)"
		echo "man-run: $(man -w bpfdelegate-run)"
		echo "man run: $(man -w bpfdelegate run)"
		MANWIDTH=80 man bpfdelegate-oci-hook 2>/dev/null | grep -m1 "^NAME" -A1 | tail -1
		bash -c ". /usr/share/bash-completion/bash_completion
			_completion_loader bpfdelegate
			complete -p bpfdelegate
			COMP_LINE=\"bpfdelegate check --preset so\"; COMP_POINT=\${#COMP_LINE}
			COMP_WORDS=(bpfdelegate check --preset so); COMP_CWORD=3
			_bpfdelegate; echo \"completion: \${COMPREPLY[*]}\""
		dpkg --purge bpfdelegate libbpfdelegate0 >/dev/null
		dpkg-query -W -f="\${Package} \${Status}\n" bpfdelegate 2>&1 || true
		echo "left: $(ls -d /usr/bin/bpfdelegate /usr/share/man/man1/bpfdelegate* \
			/usr/share/containers/oci/hooks.d/bpfdelegate.json \
			/usr/share/bash-completion/completions/bpfdelegate /usr/lib/$MA/libbpfdelegate* 2>/dev/null | tr "\n" " ")"
	'
	echo "$output"
	echo "$stderr"
	[ "$status" -eq 0 ]
	grep -qx "bpfdelegate install ok installed" <<<"$output"
	grep -qx "bpfdelegate $VERSION" <<<"$output"
	grep -q "^Result: ok" <<<"$output"
	grep -qx "check exit 0" <<<"$output"
	grep -qx "man: /usr/share/man/man1/bpfdelegate.1.gz" <<<"$output"
	grep -qx "man-run: /usr/share/man/man1/bpfdelegate-run.1.gz" <<<"$output"
	grep -qx "man run: /usr/share/man/man1/bpfdelegate-run.1.gz" <<<"$output"
	grep -q "bpfdelegate-oci-hook - OCI createRuntime hook" <<<"$output"
	grep -qx "complete -F _bpfdelegate bpfdelegate" <<<"$output"
	grep -qx "completion: socket-filter" <<<"$output"
	grep -qx "dpkg-query: no packages found matching bpfdelegate" <<<"$output"
	grep -qx "left: " <<<"$output"
}

@test "deb: bpfdelegate-helper: its postinst sets cap_sys_admin+p; a user the policy grants runs check through it" {
	need_root_tokens
	need_debs
	ensure_test_users
	run --separate-stderr in_overlay '
		dpkg -i "$(deb libbpfdelegate0)" "$(deb bpfdelegate)" >/dev/null
		mkdir -p /etc/bpfdelegate
		echo "user $U1 preset=socket-filter commands=check" >/etc/bpfdelegate/policy
		chmod 0644 /etc/bpfdelegate/policy
		rc=0; as "$U1" /usr/bin/bpfdelegate check --preset socket-filter >/dev/null 2>&1 || rc=$?
		echo "without helper: $rc"
		dpkg -i "$(deb bpfdelegate-helper)" >/dev/null
		echo "caps: $(getcap /usr/libexec/bpfdelegate/bpfdelegate-helper)"
		rc=0; as "$U1" /usr/bin/bpfdelegate check --preset socket-filter || rc=$?
		echo "granted: $rc"
		rc=0; as "$U2" /usr/bin/bpfdelegate check --preset socket-filter >/dev/null 2>&1 || rc=$?
		echo "not granted: $rc"
		dpkg --purge bpfdelegate-helper >/dev/null
		echo "left: $(ls -A /usr/libexec/bpfdelegate 2>&1)"
	'
	echo "$output"
	echo "$stderr"
	[ "$status" -eq 0 ]
	# the plain package is unprivileged: 3, not privileged
	grep -qx "without helper: 3" <<<"$output"
	grep -qx "caps: /usr/libexec/bpfdelegate/bpfdelegate-helper cap_sys_admin=p" <<<"$output"
	grep -q "^Result: ok" <<<"$output"
	grep -qx "granted: 0" <<<"$output"
	# no rule for that user: 6, refused by the policy
	grep -qx "not granted: 6" <<<"$output"
	grep -q "^left: ls: cannot access '/usr/libexec/bpfdelegate'" <<<"$output"
}

@test "deb: libbpfdelegate-dev: a program builds with pkg-config alone and runs with the packaged library" {
	need_debs
	cat >"$BATS_TEST_TMPDIR/t.c" <<'C'
#include <stdio.h>
#include <bpfdelegate/delegation.h>
int main(void)
{
	struct bpfd_names *n;
	uint64_t m = 0;

	if (bpfd_names_load(&n, NULL, BPFD_NAMES_NO_BTF, NULL) ||
	    bpfd_parse_list(n, BPFD_MAPS, "hash:array", &m, NULL))
		return 1;
	printf("0x%llx\n", (unsigned long long)m);
	bpfd_names_free(n);
	return 0;
}
C
	run --separate-stderr in_overlay '
		cd "'"$BATS_TEST_TMPDIR"'"
		dpkg -i "$(deb libbpfdelegate0)" "$(deb libbpfdelegate-dev)" >/dev/null
		pkg-config --modversion libbpfdelegate
		cc -std=c11 -o t t.c $(pkg-config --cflags --libs libbpfdelegate)
		echo "needs: $(objdump -p t | awk "\$1 == \"NEEDED\" && /bpfdelegate/ {print \$2}")"
		echo "shared: $(./t)"
		cc -std=c11 -o ts t.c $(pkg-config --cflags libbpfdelegate) \
			-Wl,-Bstatic -lbpfdelegate -Wl,-Bdynamic \
			$(pkg-config --libs --static libbpfdelegate | sed "s/-lbpfdelegate//")
		echo "static needs: $(objdump -p ts | awk "\$1 == \"NEEDED\" && /bpfdelegate/ {print \$2}")"
		echo "static: $(./ts)"
		dpkg --purge libbpfdelegate-dev libbpfdelegate0 >/dev/null
	'
	echo "$output"
	echo "$stderr"
	[ "$status" -eq 0 ]
	grep -qx "$VERSION" <<<"$output"
	grep -qx "needs: libbpfdelegate.so.0" <<<"$output"
	grep -qx "shared: 0x6" <<<"$output"
	grep -qx "static needs: " <<<"$output"
	grep -qx "static: 0x6" <<<"$output"
}
