# bpfdelegate: build, test, bench.  `make help` lists the targets.
VERSION   := 0.1.0
PREFIX    ?= /usr/local
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
DEB_PKGS  := build-essential pkg-config libbpf-dev libcap-dev libmount-dev \
             libelf-dev zlib1g-dev libjson-c-dev libcmocka-dev scdoc bats \
             runc busybox-static jq libcap2-bin
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

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN      := -Wall -Wextra -Wshadow -Wformat=2 -Wno-missing-field-initializers \
             -Werror=implicit-function-declaration -Werror=format-security \
             -Werror=return-type -Werror=incompatible-pointer-types \
             -Werror=int-conversion -Werror=vla
CFLAGS    ?= -O2 -g
ALL_CFLAGS := $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -fPIC \
              -DBPFD_VERSION='"$(VERSION)"' -DBPFD_HELPER_PATH='"$(HELPER_PATH)"' \
              -Iinclude -Ilib $(PKG_CFLAGS)
LDFLAGS   ?=
ifeq ($(SANITIZE),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -O1
LDFLAGS    += -fsanitize=address,undefined
endif

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
HEADERS   := $(wildcard include/bpfdelegate/*.h lib/*.h cmd/*.h tests/*.h)
# suggest's BPF test objects (tests/bpf/, clang -target bpf): read by
# tests/unit/test_objneeds.c and tests/cli/suggest.bats.
BPF_TEST_SRC := $(sort $(wildcard tests/bpf/*.bpf.c))
TEST_BINS += $(BPF_TEST_SRC:tests/%.c=$(BUILD)/tests/%.o)

.PHONY: all deps deps-kernels run test test-asan test-kernels test-kernels-smoke valgrind bench man \
        clean install install-helper format format-check help
.PHONY: fuzz fuzz-build fuzz-seeds libbpf-client
all: $(BUILD)/bpfdelegate $(BUILD)/libbpfdelegate.a $(BUILD)/libbpfdelegate.so man

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

$(BUILD)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libbpfdelegate.a: $(LIB_OBJ)
	ar rcs $@ $^

# The shared library exports the functions of include/bpfdelegate/ only.
$(BUILD)/libbpfdelegate.map: $(wildcard include/bpfdelegate/*.h)
	@mkdir -p $(dir $@)
	@{ echo '{ global:'; grep -ohE '\bbpfd_[a-z0-9_]+\(' $^ | tr -d '(' | sort -u | sed 's/$$/;/'; \
	   echo 'local: *; };'; } > $@

$(BUILD)/libbpfdelegate.so: $(LIB_OBJ) $(BUILD)/libbpfdelegate.map
	$(CC) -shared -Wl,-soname,libbpfdelegate.so.0 \
		-Wl,--version-script,$(BUILD)/libbpfdelegate.map $(LDFLAGS) -o $@ $(LIB_OBJ) $(PKG_LIBS)

$(BUILD)/bpfdelegate: $(CMD_OBJ) $(BUILD)/libbpfdelegate.a
	$(CC) $(LDFLAGS) -o $@ $(CMD_OBJ) $(BUILD)/libbpfdelegate.a $(PKG_LIBS)

# Test builds only: BPFDELEGATE_TEST_FAULT is read by these, never by the
# release binary and libraries above.  Their policy directory (lib/policy.h)
# is under the build directory, so that tests never touch /etc.
TEST_POLICY_DIR := $(abspath $(BUILD))/tests/etc/bpfdelegate
# The test CLI re-executes a helper copy the rootless tests put here.
TEST_HELPER_PATH := $(abspath $(BUILD))/tests/bpfdelegate-helper
# ... and so is the socket of `bpfdelegate serve` (lib/service.h).
TEST_SERVICE_SOCKET := $(abspath $(BUILD))/tests/run/bpfdelegate/socket
$(BUILD)/faults/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DBPFD_TEST_FAULTS -DBPFD_POLICY_DIR='"$(TEST_POLICY_DIR)"' \
		-DBPFD_TEST_HELPER_PATH='"$(TEST_HELPER_PATH)"' \
		-DBPFD_SERVICE_SOCKET='"$(TEST_SERVICE_SOCKET)"' -c $< -o $@

$(FAULT_LIB): $(FAULT_OBJ)
	ar rcs $@ $^

# cmd/rootless.c again, for the test helper path.
FAULT_CMD_OBJ := $(filter-out $(BUILD)/cmd/rootless.o,$(CMD_OBJ)) $(BUILD)/faults/cmd/rootless.o
$(BUILD)/tests/bpfdelegate-faults: $(FAULT_CMD_OBJ) $(FAULT_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(FAULT_CMD_OBJ) $(FAULT_LIB) $(PKG_LIBS)

# Small programs the CLI tests run (no library, no cmocka).
$(BUILD)/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

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

$(BUILD)/tests/%: tests/%.c tests/testutil.h $(BUILD)/libbpfdelegate.a $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests $(LDFLAGS) -o $@ $< $(BUILD)/libbpfdelegate.a $(PKG_LIBS) -lcmocka

$(FAULT_TESTS): $(BUILD)/tests/%: tests/%.c tests/testutil.h $(FAULT_LIB) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests $(LDFLAGS) -o $@ $< $(FAULT_LIB) $(PKG_LIBS) -lcmocka

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
FUZZ_CFLAGS  := -O1 -g $(WARN) -Wno-string-concatenation -Wno-format-nonliteral \
                -std=gnu11 -D_GNU_SOURCE \
                -DBPFD_VERSION='"$(VERSION)"' -Iinclude -Ilib -Itests $(PKG_CFLAGS)

$(FUZZ_BUILD)/lib/%.o: lib/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.h) $(FUZZ_LIB_OBJ) $(HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< \
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
	$(MAKE) -C bench BPFDELEGATE=$(CURDIR)/$(BUILD)/bpfdelegate
	bench/run.sh $(CURDIR)/$(BUILD)/bpfdelegate

man: $(BUILD)/bpfdelegate.1
$(BUILD)/bpfdelegate.1: docs/bpfdelegate.1.scd
	@mkdir -p $(BUILD)
	@if command -v scdoc >/dev/null; then scdoc < $< > $@; else echo "scdoc missing: run 'make deps'" >&2; exit 1; fi

install: all
	install -Dm755 $(BUILD)/bpfdelegate $(DESTDIR)$(PREFIX)/bin/bpfdelegate
	install -Dm644 $(BUILD)/libbpfdelegate.a $(DESTDIR)$(PREFIX)/lib/libbpfdelegate.a
	install -Dm755 $(BUILD)/libbpfdelegate.so $(DESTDIR)$(PREFIX)/lib/libbpfdelegate.so.$(VERSION)
	ln -sf libbpfdelegate.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libbpfdelegate.so.0
	ln -sf libbpfdelegate.so.0 $(DESTDIR)$(PREFIX)/lib/libbpfdelegate.so
	install -Dm644 $(BUILD)/bpfdelegate.1 $(DESTDIR)$(PREFIX)/share/man/man1/bpfdelegate.1
	for h in include/bpfdelegate/*.h; do install -Dm644 $$h $(DESTDIR)$(PREFIX)/$$h; done
	install -d $(DESTDIR)$(HOOKSDIR)
	sed 's|/usr/local/bin/bpfdelegate|$(PREFIX)/bin/bpfdelegate|' docs/oci-hooks.d/bpfdelegate.json \
		> $(DESTDIR)$(HOOKSDIR)/bpfdelegate.json
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	install -m644 docs/systemd/bpfdelegate.socket $(DESTDIR)$(SYSTEMDUNITDIR)/bpfdelegate.socket
	sed 's|/usr/local/bin/bpfdelegate|$(PREFIX)/bin/bpfdelegate|' docs/systemd/bpfdelegate.service \
		> $(DESTDIR)$(SYSTEMDUNITDIR)/bpfdelegate.service

# The helper copy, with CAP_SYS_ADMIN in its permitted set only (never
# effective at exec; it raises it around the delegation alone): see
# docs/design.md, "Rootless use".  Run as root; the plain install above
# stays unprivileged.  setcap comes from libcap2-bin.  The filesystem must
# keep extended attributes and must not be mounted nosuid.
install-helper: all
	install -Dm755 $(BUILD)/bpfdelegate $(DESTDIR)$(HELPER_PATH)
	setcap cap_sys_admin+p $(DESTDIR)$(HELPER_PATH)

format:
	clang-format -i $(LIB_SRC) $(CMD_SRC) $(UNIT_SRC) $(INTEG_SRC) $(HEADERS)
format-check:
	clang-format --dry-run --Werror $(LIB_SRC) $(CMD_SRC) $(UNIT_SRC) $(INTEG_SRC) $(HEADERS)

clean:
	rm -rf build build-asan
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
	@echo "make install-helper  install the file-capability helper (HELPER_PATH, cap_sys_admin+p)"
	@echo "make bench   benchmark against a minimal syscall-only floor"
