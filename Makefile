# bpfdelegate: build, test, bench.  `make help` lists the targets.
VERSION   := 0.1.0
PREFIX    ?= /usr/local
# Where `make install` puts the library, its pkg-config file and headers
# (Debian: LIBDIR=/usr/lib/$(DEB_HOST_MULTIARCH)).  DESTDIR is prepended.
LIBDIR    ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
# The shared library's soname: libbpfdelegate.so.$(SOVERSION).
SOVERSION := 0
# The file-capability helper (make install-helper): a copy of bpfdelegate
# with cap_sys_admin+p, which the plain unprivileged bpfdelegate re-executes
# for check/run/attach/oci-hook.  Fixed at build time.
HELPER_PATH ?= $(PREFIX)/libexec/bpfdelegate/bpfdelegate-helper
# podman and CRI-O read OCI hook definitions from here (oci-hooks(5)).
HOOKSDIR  ?= /usr/share/containers/oci/hooks.d
# bpfdelegate.socket and bpfdelegate.service (`bpfdelegate serve`).
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
BUILD     ?= build
CC        ?= cc
SANITIZE  ?=

PKGS      := libbpf libcap mount json-c libelf zlib
# What lib/ calls directly, for the .pc file's Requires.private (libbpf's own
# .pc brings libelf and zlib).
LIB_PKGS  := libbpf libcap mount json-c
DEB_PKGS  := build-essential pkg-config libbpf-dev libcap-dev libmount-dev \
             libelf-dev zlib1g-dev libjson-c-dev libcmocka-dev scdoc bats \
             runc busybox-static jq libcap2-bin
# ---- the Debian package (make deb, tests/cli/deb.bats) and its man/completion tests ----
DEB_PKGS  += dpkg-dev debhelper fakeroot lintian man-db bash-completion
# ---- end Debian package ----
# tests/cli/podman.bats: rootful and rootless podman with runc; uidmap for
# rootless podman's newuidmap.  Without recommends (crun, slirp4netns,
# buildah... are not used): 14 packages, 9 s to install here after
# `apt-get update` (Debian 12, podman 4.3.1).
DEB_PKGS_NOREC := podman uidmap
# ---- fuzzing: clang and its libFuzzer runtime (libclang_rt.fuzzer) ----
DEB_PKGS  += clang libclang-rt-14-dev
# ---- end fuzzing ----
# What the real-kernel tests add (tests/kernels/): qemu, and xz/zstd to
# unpack the kernels' modules.  Installed without recommends.
DEB_PKGS_KERNELS := qemu-system-x86 busybox-static xz-utils zstd

# A missing package is an error, not empty flags and a confusing compiler
# failure later (`make deps` installs them).  Asked once, when a recipe
# first needs the flags: `make deps`, `make test` on a fresh machine (it
# runs deps first) and `make clean` do not ask.  $(2): the packages.
pkg_config = $(foreach w,$(shell pkg-config $(1) $(2) || echo __pkg_config_failed__),$(if $(filter __pkg_config_failed__,$(w)),$(error pkg-config $(1) failed for: $(2) (its message is above; run 'make deps')),$(w)))
PKG_CFLAGS = $(eval PKG_CFLAGS := $(call pkg_config,--cflags,$(PKGS)))$(PKG_CFLAGS)
# libmount is opened with dlopen() where needed (lib/libmount_dl.h): its
# header only, never linked.
PKG_LIBS   = $(eval PKG_LIBS := $(call pkg_config,--libs,$(filter-out mount,$(PKGS))))$(PKG_LIBS)

WARN      := -Wall -Wextra -Wshadow -Wformat=2 -Wno-missing-field-initializers \
             -Werror=implicit-function-declaration -Werror=format-security \
             -Werror=return-type -Werror=incompatible-pointer-types \
             -Werror=int-conversion -Werror=vla
# WERROR=1 (or `make werror`): every warning is an error (CI).
ifeq ($(WERROR),1)
WARN      += -Werror
endif
CFLAGS    ?= -O2 -g
# Hardening for a tool that runs as root: fortified libc calls (level 3
# needs glibc 2.34 and -O1 or more, which every build here has), stack
# protector, position-independent executables (-fPIC objects, -pie links),
# full RELRO.  Link flags stay in LDFLAGS, whose other parts h-perf owns.
HARDEN_CFLAGS := -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3 -fstack-protector-strong
HARDEN_LDFLAGS := -Wl,-z,relro,-z,now
ALL_CFLAGS  = $(CFLAGS) $(WARN) $(HARDEN_CFLAGS) -std=gnu11 -D_GNU_SOURCE -fPIC -fvisibility=hidden \
              -DBPFD_VERSION='"$(VERSION)"' -DBPFD_HELPER_PATH='"$(HELPER_PATH)"' \
              -Iinclude -Ilib $(PKG_CFLAGS)
# Header dependencies: each object lists the headers it read (build/**/*.d).
DEPFLAGS   = -MMD -MP
LDFLAGS   ?=
ifeq ($(SANITIZE),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -O1
LDFLAGS    += -fsanitize=address,undefined
endif
# Executables: PIE and the hardening link flags.
EXE_LDFLAGS = -pie $(HARDEN_LDFLAGS) $(LDFLAGS)

LIB_SRC   := $(sort $(wildcard lib/*.c))
CMD_SRC   := $(sort $(wildcard cmd/*.c))
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
INTEG_SRC := $(sort $(wildcard tests/integration/test_*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
CMD_OBJ   := $(CMD_SRC:%.c=$(BUILD)/%.o)
HELPER_SRC := $(sort $(wildcard tests/helpers/*.c))
# The library again with the test-only fault injection (lib/fault.h), for
# build/tests/bpfdelegate-faults and the C tests that inject faults.
FAULT_OBJ := $(LIB_SRC:%.c=$(BUILD)/faults/%.o)
FAULT_LIB := $(BUILD)/faults/libbpfdelegate.a
FAULT_TESTS := $(BUILD)/tests/integration/test_engine
TEST_BINS := $(UNIT_SRC:tests/%.c=$(BUILD)/tests/%) $(INTEG_SRC:tests/%.c=$(BUILD)/tests/%) \
             $(HELPER_SRC:tests/%.c=$(BUILD)/tests/%) $(BUILD)/tests/helpers/tokenprobe-static \
             $(BUILD)/tests/bpfdelegate-faults
# suggest's BPF test objects (tests/bpf/, clang -target bpf): read by
# tests/unit/test_objneeds.c and tests/cli/suggest.bats.
BPF_TEST_SRC := $(sort $(wildcard tests/bpf/*.bpf.c))
TEST_BINS += $(BPF_TEST_SRC:tests/%.c=$(BUILD)/tests/%.o)

.PHONY: all deps deps-kernels run test test-asan test-kernels test-kernels-smoke valgrind bench man \
        clean install install-lib install-man install-completion install-helper deb format FORCE format-check help
.PHONY: fuzz fuzz-build fuzz-seeds libbpf-client callgraph werror analyze
all: $(BUILD)/bpfdelegate $(BUILD)/libbpfdelegate.a $(BUILD)/libbpfdelegate.so \
     $(BUILD)/libbpfdelegate.pc man

# Install the Debian packages the build and the tests need, when missing.
deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		if [ "$$(id -u)" != 0 ]; then echo "run as root to install: $$missing" >&2; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@missing=$$(for p in $(DEB_PKGS_NOREC); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing (without recommends):" $$missing; \
		if [ "$$(id -u)" != 0 ]; then echo "run as root to install: $$missing" >&2; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

deps-kernels:
	@missing=$$(for p in $(DEB_PKGS_KERNELS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		if [ "$$(id -u)" != 0 ]; then echo "run as root to install: $$missing" >&2; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# An object without its .d (built before -MMD) is rebuilt once: a .d named
# as a target with no recipe counts as changed while it is missing.
DEP_FILES := $(patsubst %.o,%.d,$(LIB_OBJ) $(CMD_OBJ) $(FAULT_OBJ) $(BUILD)/faults/cmd/rootless.o \
	       $(BUILD)/static/main.o $(BUILD)/static/nodynamic.o)
$(DEP_FILES):
$(BUILD)/%.o: %.c $(BUILD)/%.d
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/libbpfdelegate.a: $(LIB_OBJ)
	ar rcs $@ $^

# The shared library exports the BPFD_API functions of include/bpfdelegate/
# (everything is compiled -fvisibility=hidden), in the version node of the
# checked-in lib/libbpfdelegate.map; tests/abi/symbols.txt is the list
# tests/cli/lib.bats compares `nm -D` with (docs/library.md).
$(BUILD)/libbpfdelegate.so: $(LIB_OBJ) lib/libbpfdelegate.map
	$(CC) -shared -Wl,-soname,libbpfdelegate.so.$(SOVERSION) \
		-Wl,--version-script,lib/libbpfdelegate.map -Wl,-z,defs $(HARDEN_LDFLAGS) $(LDFLAGS) -o $@ $(LIB_OBJ) $(PKG_LIBS)

# The pkg-config file, for the install directories given now: rewritten
# when they (or the version) change.
$(BUILD)/libbpfdelegate.pc: lib/libbpfdelegate.pc.in FORCE
	@mkdir -p $(dir $@)
	@sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
		-e 's|@REQUIRES_PRIVATE@|$(LIB_PKGS)|' $< > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
FORCE:

# The CLI links libbpf, libcap, json-c, libelf and zlib statically (Debian's
# .a files): loading and relocating them cost every command, the OCI hook
# first, ~0.3 ms at start; libc stays shared (NSS, and dlopen of libmount).
# -z now: binding every symbol at start is cheaper than lazy binding here
# (~0.4 ms less for the untouched oci-hook: fewer page faults, no lazy
# resolver per first call).  docs/performance.md has the numbers.
# LINK_STATIC=no links the libraries shared, for distributions that want it.
LINK_STATIC ?= yes
ifeq ($(LINK_STATIC),yes)
CLI_LIBS   = -Wl,-Bstatic $(PKG_LIBS) -Wl,-Bdynamic
else
CLI_LIBS   = $(PKG_LIBS)
endif

# STATIC_EXE=yes (the default with LINK_STATIC=yes, except under SANITIZE):
# build/bpfdelegate is a static-pie executable, libc included, which starts
# and forks ~0.15-0.3 ms faster than the binary above (docs/performance.md).
# A static glibc can neither run NSS modules nor dlopen() libmount, so it
# serves root's check, run, attach and oci-hook and re-executes its
# dynamically linked twin, build/bpfdelegate-full (the binary above), for
# anything else (cmd/main.c).  cmd/static/nodynamic.c makes the NSS and
# dlopen() calls fail in it rather than crash.  `make install` relinks it
# with the twin at FULL_PATH.  STATIC_EXE=no: build/bpfdelegate is the
# dynamic binary itself, and there is no twin.
STATIC_EXE ?= $(if $(filter yes,$(LINK_STATIC)),$(if $(filter 1,$(SANITIZE)),no,yes),no)
FULL_PATH  ?= $(PREFIX)/libexec/bpfdelegate/bpfdelegate-full
NODYN_WRAP := $(foreach f,getpwnam getpwuid getgrnam getpwnam_r getgrnam_r getgrouplist dlopen,-Wl,--wrap=$(f))
# The commands from an archive: the static binary's main.c names only the
# four it serves, so only what they need is linked (no libbpf).
STATIC_OBJ := $(BUILD)/static/nodynamic.o $(BUILD)/static/libcmd.a
ifeq ($(STATIC_EXE),yes)
$(BUILD)/bpfdelegate-full: $(CMD_OBJ) $(BUILD)/libbpfdelegate.a
	$(CC) $(EXE_LDFLAGS) -o $@ $(CMD_OBJ) $(BUILD)/libbpfdelegate.a $(CLI_LIBS)
$(BUILD)/static/libcmd.a: $(filter-out $(BUILD)/cmd/main.o,$(CMD_OBJ))
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^
$(BUILD)/static/nodynamic.o: cmd/static/nodynamic.c $(BUILD)/static/nodynamic.d
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c $< -o $@
# main.c again, with the twin's path (BPFD_FULL_PATH).
$(BUILD)/static/main.o: cmd/main.c $(BUILD)/static/main.d
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -DBPFD_FULL_PATH='"$(abspath $(BUILD))/bpfdelegate-full"' -c $< -o $@
# static_link OUT MAIN_OBJ.  -z pack-relative-relocs (DT_RELR, glibc 2.36
# relocates it): the static-pie's 2136 relative relocations in 0x220 bytes
# instead of 51 KB of .rela.dyn read at every start (docs/performance.md).
# cmd/static/hot.ld (bench/hot-text.sh): the code of the fast paths first,
# contiguous, so that each process maps fewer pages of text (docs/
# performance.md); ld's own script otherwise (INSERT BEFORE .text).
static_link = $(CC) -static-pie -Wl,-z,pack-relative-relocs $(HARDEN_LDFLAGS) $(LDFLAGS) $(NODYN_WRAP) \
	-Wl,-T,cmd/static/hot.ld -o $(1) $(2) $(STATIC_OBJ) $(BUILD)/libbpfdelegate.a $(PKG_LIBS)
$(BUILD)/bpfdelegate: $(STATIC_OBJ) $(BUILD)/static/main.o $(BUILD)/libbpfdelegate.a $(BUILD)/bpfdelegate-full cmd/static/hot.ld
	$(call static_link,$@,$(BUILD)/static/main.o)
else
$(BUILD)/bpfdelegate: $(CMD_OBJ) $(BUILD)/libbpfdelegate.a
	$(CC) $(EXE_LDFLAGS) -o $@ $(CMD_OBJ) $(BUILD)/libbpfdelegate.a $(CLI_LIBS)
endif

# Test builds only: BPFDELEGATE_TEST_FAULT is read by these, never by the
# release binary and libraries above.  Their policy directory (lib/policy.h)
# is under the build directory, so that tests never touch /etc.
TEST_POLICY_DIR := $(abspath $(BUILD))/tests/etc/bpfdelegate
# ... and so is the socket of `bpfdelegate serve` (lib/service.h).
TEST_SERVICE_SOCKET := $(abspath $(BUILD))/tests/run/bpfdelegate/socket
# ... and keeps the kernel's names there (lib/btf_cache.c)
TEST_CACHE_DIR := $(abspath $(BUILD))/tests/run/bpfdelegate
# The test CLI re-executes a helper copy the rootless tests put here.
TEST_HELPER_PATH := $(abspath $(BUILD))/tests/bpfdelegate-helper
$(BUILD)/faults/%.o: %.c $(BUILD)/faults/%.d
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -DBPFD_TEST_FAULTS -DBPFD_POLICY_DIR='"$(TEST_POLICY_DIR)"' \
		-DBPFD_SERVICE_SOCKET='"$(TEST_SERVICE_SOCKET)"' \
		-DBPFD_CACHE_DIR='"$(TEST_CACHE_DIR)"' \
		-DBPFD_TEST_HELPER_PATH='"$(TEST_HELPER_PATH)"' -c $< -o $@

$(FAULT_LIB): $(FAULT_OBJ)
	ar rcs $@ $^

# cmd/rootless.c again, for the test helper path.
FAULT_CMD_OBJ := $(filter-out $(BUILD)/cmd/rootless.o,$(CMD_OBJ)) $(BUILD)/faults/cmd/rootless.o
$(BUILD)/tests/bpfdelegate-faults: $(FAULT_CMD_OBJ) $(FAULT_LIB)
	@[ "$$(printf %s '$(TEST_SERVICE_SOCKET)' | wc -c)" -le 107 ] || { \
		echo "the test service socket $(TEST_SERVICE_SOCKET) is longer than a unix socket's 107 bytes: check out at a path of 72 characters at most (tests/README.md)" >&2; exit 1; }
	@mkdir -p $(dir $@)
	$(CC) $(EXE_LDFLAGS) -o $@ $(FAULT_CMD_OBJ) $(FAULT_LIB) $(PKG_LIBS)

# Small programs the CLI tests run (no library, no cmocka).
$(BUILD)/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) $(EXE_LDFLAGS) -o $@ $<

# suggest's test objects: UAPI headers and Debian's libbpf-dev bpf_helpers.h
# (no vmlinux.h); nobtf.bpf.c without -g, so without BTF.
$(BUILD)/tests/bpf/%.bpf.o: tests/bpf/%.bpf.c
	@mkdir -p $(dir $@)
	$(BPF_CLANG) -target bpf -O2 $(if $(filter nobtf,$*),,-g) -Wall \
		-I/usr/include/$(shell $(CC) -dumpmachine) -c $< -o $@

# tokenprobe for the busybox rootfs of the OCI tests: static, no sanitizers.
$(BUILD)/tests/helpers/tokenprobe-static: tests/helpers/tokenprobe.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -static -o $@ $<

$(BUILD)/tests/%: tests/%.c $(BUILD)/libbpfdelegate.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -Itests $(EXE_LDFLAGS) -o $@ $< $(BUILD)/libbpfdelegate.a $(PKG_LIBS) -lcmocka

$(FAULT_TESTS): $(BUILD)/tests/%: tests/%.c $(FAULT_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -Itests $(EXE_LDFLAGS) -o $@ $< $(FAULT_LIB) $(PKG_LIBS) -lcmocka

# ---- fuzzing (libFuzzer) -------------------------------------------------
# Every tests/fuzz/fuzz_NAME.c is a libFuzzer target linked with every lib/
# object, all built by clang with the fuzzer and ASan/UBSan instrumentation
# in $(FUZZ_BUILD)/; its seed corpus is tests/fuzz/corpus/NAME/.  `make fuzz`
# runs each for FUZZ_SECONDS, new inputs kept in $(FUZZ_BUILD)/corpus/NAME/
# (never in the tree); `make test` runs each for FUZZ_TEST_SECONDS over the
# seeds only (tests/fuzz/run.sh).
FUZZ_CC      ?= clang
FUZZ_BUILD   := build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TEST_SECONDS ?= 10
FUZZ_SRC     := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer
FUZZ_CFLAGS   = -O1 -g $(WARN) -Wno-string-concatenation -Wno-format-nonliteral \
                -std=gnu11 -D_GNU_SOURCE \
                -DBPFD_VERSION='"$(VERSION)"' -Iinclude -Ilib -Itests $(PKG_CFLAGS)

$(FUZZ_BUILD)/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(DEPFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_OBJ)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(DEPFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< \
		$(FUZZ_LIB_OBJ) $(PKG_LIBS)

# keep the objects: make would delete them as intermediates
.SECONDARY: $(FUZZ_LIB_OBJ)
fuzz-build: $(FUZZ_BINS)

fuzz: deps
	$(MAKE) fuzz-build
	tests/fuzz/run.sh -t $(FUZZ_SECONDS) $(FUZZ_BUILD)

# The BTF seeds: the four enums of this machine's kernel BTF (libbpf).
$(FUZZ_BUILD)/gen_btf_seeds: tests/fuzz/gen_btf_seeds.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(PKG_LIBS)
fuzz-seeds: $(FUZZ_BUILD)/gen_btf_seeds
	$(FUZZ_BUILD)/gen_btf_seeds tests/fuzz/corpus/btf_enums
# ---- end fuzzing ---------------------------------------------------------

# ---- real libbpf client (tests/libbpf/, tests/cli/libbpf.bats) -----------
# A loader linked statically with Debian trixie's libbpf 1.5 and the BPF
# object it loads (clang -target bpf, UAPI headers, no vmlinux.h).
# tests/libbpf/fetch.sh downloads libbpf-dev once into LIBBPF15 through a
# private apt configuration (the system's sources are not touched).  No
# sanitizers: build-asan/ gets the same static client.
LIBBPF15      ?= /var/tmp/bpfdelegate-libbpf
# A bpftool with `token list` (trixie-backports', run with trixie's libc)
# for tests/cli/bpftool.bats: tests/bpftool/fetch.sh, like libbpf above.
BPFTOOL_DIR   ?= /var/tmp/bpfdelegate-bpftool
BPF_CLANG     ?= clang
LIBBPF_CLIENT  = $(BUILD)/tests/libbpf/client $(BUILD)/tests/libbpf/client.bpf.o \
		 $(BUILD)/tests/libbpf/explain.bpf.o

$(LIBBPF15)/ok:
	tests/libbpf/fetch.sh $(LIBBPF15)

$(BUILD)/tests/libbpf/%.bpf.o: tests/libbpf/%.bpf.c $(LIBBPF15)/ok
	@mkdir -p $(dir $@)
	$(BPF_CLANG) -target bpf -O2 -g -Wall -I$(LIBBPF15)/root/usr/include \
		-I/usr/include/$(shell $(CC) -dumpmachine) -c $< -o $@

$(BUILD)/tests/libbpf/client: tests/libbpf/client.c tests/libbpf/isoc23.c $(LIBBPF15)/ok
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -I$(LIBBPF15)/root/usr/include \
		-static -Wl,--wrap=syscall -o $@ tests/libbpf/client.c tests/libbpf/isoc23.c \
		$(LIBBPF15)/lib/libbpf.a -lelf -lz

libbpf-client: $(LIBBPF_CLIENT)
# ---- end real libbpf client ------------------------------------------------

# Build, then run the main job.
run: deps
	$(MAKE) all
	./$(BUILD)/bpfdelegate check

# Every test: unit + integration (cmocka), CLI (bats), then the C tests
# again under ASan/UBSan.  Ends with "N passed, N failed".
test: deps
	$(MAKE) all $(TEST_BINS)
	$(MAKE) BUILD=build-asan SANITIZE=1 $(BUILD_ASAN_BINS)
	$(MAKE) fuzz-build
	@tests/libbpf/fetch.sh $(LIBBPF15) || echo "libbpf 1.5 not fetched: tests/cli/libbpf.bats will skip" >&2
	if [ -f $(LIBBPF15)/ok ]; then $(MAKE) libbpf-client && $(MAKE) BUILD=build-asan libbpf-client; fi
	@tests/bpftool/fetch.sh $(BPFTOOL_DIR) || echo "bpftool not fetched: tests/cli/bpftool.bats will skip" >&2
	BPFTOOL=$(BPFTOOL_DIR)/bpftool FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_TEST_SECONDS) tests/run.sh $(BUILD) build-asan

# Every test on the host and on Debian's 5.10, 6.1 and 6.12 booted under
# qemu (tests/kernels/matrix.sh; KERNELS="host 5.10 6.1 6.12" to choose).
# Ends with "N passed, N failed".  Slow under TCG: see docs/kernels.md.
test-kernels: deps deps-kernels
	$(MAKE) all $(TEST_BINS)
	@tests/libbpf/fetch.sh $(LIBBPF15) || echo "libbpf 1.5 not fetched: tests/cli/libbpf.bats will skip" >&2
	if [ -f $(LIBBPF15)/ok ]; then $(MAKE) libbpf-client; fi
	tests/kernels/matrix.sh $(BUILD)

# The bounded smoke: each kernel booted once, the CLI's exit codes and
# messages checked against tests/kernels/expected/ (a minute or two).
test-kernels-smoke: deps deps-kernels
	$(MAKE) all
	tests/kernels/smoke.sh $(BUILD)/bpfdelegate

BUILD_ASAN_BINS = $(UNIT_SRC:tests/%.c=build-asan/tests/%) $(INTEG_SRC:tests/%.c=build-asan/tests/%) \
                  $(HELPER_SRC:tests/%.c=build-asan/tests/%) build-asan/bpfdelegate \
                  build-asan/libbpfdelegate.so build-asan/tests/bpfdelegate-faults \
                  build-asan/tests/helpers/tokenprobe-static \
                  $(BPF_TEST_SRC:tests/%.c=build-asan/tests/%.o)

test-asan: deps
	$(MAKE) BUILD=build-asan SANITIZE=1 $(BUILD_ASAN_BINS)
	tests/run.sh build-asan

# The unit tests under valgrind (3.19 cannot follow fsopen & co, so the
# integration tests run under ASan/UBSan instead).
valgrind: all $(UNIT_SRC:tests/%.c=$(BUILD)/tests/%)
	@for t in $(UNIT_SRC:tests/%.c=$(BUILD)/tests/%); do \
		valgrind -q --leak-check=full --error-exitcode=9 $$t >/dev/null || exit 1; echo "valgrind ok: $$t"; done

bench: deps
	$(MAKE) all
	$(MAKE) -C bench LIBBPFD=$(CURDIR)/$(BUILD)/libbpfdelegate.a
	bench/run.sh $(CURDIR)/$(BUILD)/bpfdelegate

man: $(BUILD)/bpfdelegate.1 $(BUILD)/man/stamp
$(BUILD)/bpfdelegate.1: docs/bpfdelegate.1.scd
	@mkdir -p $(BUILD)
	@if command -v scdoc >/dev/null; then scdoc < $< > $@; else echo "scdoc missing: run 'make deps'" >&2; exit 1; fi

# One page per command, bpfdelegate-CMD(1) (`man bpfdelegate-run`, and
# man-db's `man bpfdelegate run`), cut from docs/bpfdelegate.1.scd by
# tools/man-split.sh: the commands and their summaries are those of the
# binary's command table (`bpfdelegate --help`).
$(BUILD)/man/stamp: docs/bpfdelegate.1.scd tools/man-split.sh $(BUILD)/bpfdelegate
	@rm -rf $(BUILD)/man && mkdir -p $(BUILD)/man
	@$(BUILD)/bpfdelegate --help | awk '/^Commands:/ {f = 1; next} f && /^$$/ {exit} \
		f {n = $$1; $$1 = ""; sub(/^ +/, ""); print n "\t" $$0}' > $(BUILD)/man/commands
	@test -s $(BUILD)/man/commands || { echo "no commands in '$(BUILD)/bpfdelegate --help'" >&2; exit 1; }
	@all=$$(cut -f1 $(BUILD)/man/commands | tr '\n' ' '); \
	while IFS='	' read -r c s; do \
		tools/man-split.sh docs/bpfdelegate.1.scd "$$c" "$$s" "$$all" > $(BUILD)/man/bpfdelegate-$$c.1.scd && \
		scdoc < $(BUILD)/man/bpfdelegate-$$c.1.scd > $(BUILD)/man/bpfdelegate-$$c.1 || exit 1; \
	done < $(BUILD)/man/commands
	@touch $@

install: all install-lib install-man install-completion
ifeq ($(STATIC_EXE),yes)
	@mkdir -p $(BUILD)/static-install
	$(CC) $(ALL_CFLAGS) -DBPFD_FULL_PATH='"$(FULL_PATH)"' -c cmd/main.c -o $(BUILD)/static-install/main.o
	$(call static_link,$(BUILD)/static-install/bpfdelegate,$(BUILD)/static-install/main.o)
	install -Dm755 $(BUILD)/static-install/bpfdelegate $(DESTDIR)$(PREFIX)/bin/bpfdelegate
	install -Dm755 $(BUILD)/bpfdelegate-full $(DESTDIR)$(FULL_PATH)
else
	install -Dm755 $(BUILD)/bpfdelegate $(DESTDIR)$(PREFIX)/bin/bpfdelegate
endif
	install -Dm644 $(BUILD)/bpfdelegate.1 $(DESTDIR)$(PREFIX)/share/man/man1/bpfdelegate.1
	install -d $(DESTDIR)$(HOOKSDIR)
	sed 's|/usr/local/bin/bpfdelegate|$(PREFIX)/bin/bpfdelegate|' docs/oci-hooks.d/bpfdelegate.json \
		> $(DESTDIR)$(HOOKSDIR)/bpfdelegate.json
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	install -m644 docs/systemd/bpfdelegate.socket $(DESTDIR)$(SYSTEMDUNITDIR)/bpfdelegate.socket
	sed 's|/usr/local/bin/bpfdelegate|$(PREFIX)/bin/bpfdelegate|' docs/systemd/bpfdelegate.service \
		> $(DESTDIR)$(SYSTEMDUNITDIR)/bpfdelegate.service

# The library alone: the .so (soname libbpfdelegate.so.$(SOVERSION) and its
# links), the .a, the public headers and the pkg-config file.
install-lib: $(BUILD)/libbpfdelegate.a $(BUILD)/libbpfdelegate.so $(BUILD)/libbpfdelegate.pc
	install -Dm755 $(BUILD)/libbpfdelegate.so $(DESTDIR)$(LIBDIR)/libbpfdelegate.so.$(VERSION)
	ln -sf libbpfdelegate.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libbpfdelegate.so.$(SOVERSION)
	ln -sf libbpfdelegate.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libbpfdelegate.so
	install -Dm644 $(BUILD)/libbpfdelegate.a $(DESTDIR)$(LIBDIR)/libbpfdelegate.a
	install -Dm644 $(BUILD)/libbpfdelegate.pc $(DESTDIR)$(LIBDIR)/pkgconfig/libbpfdelegate.pc
	install -d $(DESTDIR)$(INCLUDEDIR)/bpfdelegate
	install -m644 include/bpfdelegate/*.h $(DESTDIR)$(INCLUDEDIR)/bpfdelegate/

# The command pages (the main one is installed above) and bash completion.
MANDIR            ?= $(PREFIX)/share/man
BASHCOMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
install-man: man
	install -d $(DESTDIR)$(MANDIR)/man1
	install -m644 $(BUILD)/man/bpfdelegate-*.1 $(DESTDIR)$(MANDIR)/man1/
install-completion:
	install -Dm644 completion/bpfdelegate.bash $(DESTDIR)$(BASHCOMPLETIONDIR)/bpfdelegate

# The helper copy, with CAP_SYS_ADMIN in its permitted set only (never
# effective at exec; it raises it around the delegation alone): see
# docs/design.md, "Rootless use".  Run as root; the plain install above
# stays unprivileged.  setcap comes from libcap2-bin.  The filesystem must
# keep extended attributes and must not be mounted nosuid.
# SETCAP=true installs the file alone (debian/rules: the package's postinst
# sets the capability).
SETCAP ?= setcap
install-helper: all
	install -Dm755 $(BUILD)/$(if $(filter yes,$(STATIC_EXE)),bpfdelegate-full,bpfdelegate) $(DESTDIR)$(HELPER_PATH)
	$(SETCAP) cap_sys_admin+p $(DESTDIR)$(HELPER_PATH)

# ---- Debian package (debian/) ----------------------------------------------
# `make deb`: the .debs in $(DEB_OUT), built by dpkg-buildpackage from a copy
# of the tree (the build directories and .git left out), then lintian, which
# must report no error or warning (DEB_LINTIAN= to skip it).  Rebuilt only
# when a file of the tree changed.
DEB_OUT     ?= $(BUILD)/deb
DEB_LINTIAN ?= lintian
DEB_TREE    := $(shell find Makefile cmd lib include docs debian completion tools \
		       -type f 2>/dev/null)
DEB_DEBVER  := $(shell dpkg-parsechangelog -l debian/changelog -S Version 2>/dev/null)
DEB_ARCH    := $(shell dpkg --print-architecture 2>/dev/null)
DEB_CHANGES := $(DEB_OUT)/bpfdelegate_$(DEB_DEBVER)_$(DEB_ARCH).changes
deb: $(DEB_CHANGES)
$(DEB_CHANGES): $(DEB_TREE)
	@[ "$(DEB_DEBVER)" = "$(VERSION)" ] || \
		{ echo "debian/changelog has $(DEB_DEBVER), the Makefile $(VERSION)" >&2; exit 1; }
	rm -rf $(DEB_OUT) && mkdir -p $(DEB_OUT)/src
	tar -c --exclude=./.git --exclude='./build*' --exclude=./$(BUILD) --exclude=./$(FUZZ_BUILD) . | \
		tar -x -C $(DEB_OUT)/src
	cd $(DEB_OUT)/src && DEB_BUILD_OPTIONS="nocheck parallel=$$(nproc)" \
		dpkg-buildpackage -b -us -uc > ../build.log 2>&1 || { tail -40 ../build.log >&2; exit 1; }
	rm -rf $(DEB_OUT)/src
	if [ -n "$(DEB_LINTIAN)" ]; then $(DEB_LINTIAN) --fail-on error,warning $@; fi
# ---- end Debian package ----------------------------------------------------

# Every warning an error, in its own build directory (CI: .ci/run).
werror:
	$(MAKE) BUILD=build-werror WERROR=1 all $(TEST_BINS:$(BUILD)/%=build-werror/%)

# gcc's static analyzer over lib/ and cmd/ (CI: .ci/run).  Clean, or each
# finding left is explained in a comment next to the code it names.
analyze:
	$(MAKE) BUILD=build-analyze CFLAGS='-O1' \
		WARN='$(WARN) -fanalyzer -Werror' build-analyze/libbpfdelegate.a \
		$(CMD_SRC:%.c=build-analyze/%.o) build-analyze/static/main.o build-analyze/static/nodynamic.o

# The call graph between lib/ files (from nm), failing on a cycle; tests/run.sh
# runs it too.
callgraph: $(LIB_OBJ)
	tests/tools/callgraph.sh $(BUILD)

# Every C file of lib/ cmd/ include/ tests/ (.clang-format: no comment
# reflow, so hand-laid comments and message examples stay as written).
FORMAT_SRC = $(sort $(shell find lib cmd include tests -name '*.[ch]'))
format:
	clang-format -i $(FORMAT_SRC)
format-check:
	clang-format --dry-run --Werror $(FORMAT_SRC)

clean:
	rm -rf build build-asan build-werror build-analyze
	rm -rf $(FUZZ_BUILD)
	$(MAKE) -C bench clean 2>/dev/null || true

help:
	@echo "make [all]   build bpfdelegate, libbpfdelegate.{a,so} and the man page"
	@echo "make run     install missing packages, build, run 'bpfdelegate check'"
	@echo "make test    install missing packages, build, run every test"
	@echo "make fuzz    run each libFuzzer target FUZZ_SECONDS (default 60)"
	@echo "make test-kernels        every test on the host and on Debian's 5.10, 6.1, 6.12 (qemu)"
	@echo "make test-kernels-smoke  the CLI's exit codes and messages on 5.10, 6.1, 6.12"
	@echo "make libbpf-client  fetch libbpf 1.5 (Debian trixie), build tests/libbpf/"
	@echo "make install [PREFIX= LIBDIR= INCLUDEDIR= DESTDIR=]  the CLI, man page, hooks.d JSON and install-lib"
	@echo "make install-lib  libbpfdelegate.{so,a}, its headers and libbpfdelegate.pc"
	@echo "make install-helper  install the file-capability helper (HELPER_PATH, cap_sys_admin+p)"
	@echo "make deb     the Debian packages in build/deb (dpkg-buildpackage, lintian)"
	@echo "make bench   benchmark against a minimal syscall-only floor"
	@echo "make werror  build everything with -Werror (build-werror/)"
	@echo "make analyze gcc -fanalyzer over lib/ and cmd/ (build-analyze/)"
	@echo "make callgraph  the calls between lib/ files; fails on a cycle"
	@echo "make format-check  clang-format --dry-run over lib/ cmd/ include/ tests/"

# The header dependencies -MMD wrote (none before the first build).
-include $(shell find $(BUILD) $(FUZZ_BUILD) -name '*.d' 2>/dev/null)
