# bpfdelegate: build, test, bench.  `make help` lists the targets.
VERSION   := 0.1.0
PREFIX    ?= /usr/local
# podman and CRI-O read OCI hook definitions from here (oci-hooks(5)).
HOOKSDIR  ?= /usr/share/containers/oci/hooks.d
BUILD     ?= build
CC        ?= cc
SANITIZE  ?=

PKGS      := libbpf libcap mount json-c libelf zlib
DEB_PKGS  := build-essential pkg-config libbpf-dev libcap-dev libmount-dev \
             libelf-dev zlib1g-dev libjson-c-dev libcmocka-dev scdoc bats \
             runc busybox-static jq
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
              -DBPFD_VERSION='"$(VERSION)"' -Iinclude -Ilib $(PKG_CFLAGS)
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
TEST_BINS := $(UNIT_SRC:tests/%.c=$(BUILD)/tests/%) $(INTEG_SRC:tests/%.c=$(BUILD)/tests/%) \
             $(HELPER_SRC:tests/%.c=$(BUILD)/tests/%) $(BUILD)/tests/helpers/tokenprobe-static
HEADERS   := $(wildcard include/bpfdelegate/*.h lib/*.h cmd/*.h tests/*.h)

.PHONY: all deps deps-kernels run test test-asan test-kernels test-kernels-smoke valgrind bench man \
        clean install format format-check help
all: $(BUILD)/bpfdelegate $(BUILD)/libbpfdelegate.a $(BUILD)/libbpfdelegate.so man

# Install the Debian packages the build and the tests need, when missing.
deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		if [ "$$(id -u)" != 0 ]; then echo "run as root to install: $$missing" >&2; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
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

# Small programs the CLI tests run (no library, no cmocka).
$(BUILD)/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

# tokenprobe for the busybox rootfs of the OCI tests: static, no sanitizers.
$(BUILD)/tests/helpers/tokenprobe-static: tests/helpers/tokenprobe.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -static -o $@ $<

$(BUILD)/tests/%: tests/%.c tests/testutil.h $(BUILD)/libbpfdelegate.a $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests $(LDFLAGS) -o $@ $< $(BUILD)/libbpfdelegate.a $(PKG_LIBS) -lcmocka

# Build, then run the main job.
run: deps
	$(MAKE) all
	./$(BUILD)/bpfdelegate check

# Every test: unit + integration (cmocka), CLI (bats), then the C tests
# again under ASan/UBSan.  Ends with "N passed, N failed".
test: deps
	$(MAKE) all $(TEST_BINS)
	$(MAKE) BUILD=build-asan SANITIZE=1 $(BUILD_ASAN_BINS)
	tests/run.sh $(BUILD) build-asan

# Every test on the host and on Debian's 5.10, 6.1 and 6.12 booted under
# qemu (tests/kernels/matrix.sh; KERNELS="host 5.10 6.1 6.12" to choose).
# Ends with "N passed, N failed".  Slow under TCG: see docs/kernels.md.
test-kernels: deps deps-kernels
	$(MAKE) all $(TEST_BINS)
	tests/kernels/matrix.sh $(BUILD)

# The bounded smoke: each kernel booted once, the CLI's exit codes and
# messages checked against tests/kernels/expected/ (a minute or two).
test-kernels-smoke: deps deps-kernels
	$(MAKE) all
	tests/kernels/smoke.sh $(BUILD)/bpfdelegate

BUILD_ASAN_BINS = $(UNIT_SRC:tests/%.c=build-asan/tests/%) $(INTEG_SRC:tests/%.c=build-asan/tests/%) \
                  $(HELPER_SRC:tests/%.c=build-asan/tests/%) build-asan/bpfdelegate \
                  build-asan/libbpfdelegate.so \
                  build-asan/tests/helpers/tokenprobe-static

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

format:
	clang-format -i $(LIB_SRC) $(CMD_SRC) $(UNIT_SRC) $(INTEG_SRC) $(HEADERS)
format-check:
	clang-format --dry-run --Werror $(LIB_SRC) $(CMD_SRC) $(UNIT_SRC) $(INTEG_SRC) $(HEADERS)

clean:
	rm -rf build build-asan
	$(MAKE) -C bench clean 2>/dev/null || true

help:
	@echo "make [all]   build bpfdelegate, libbpfdelegate.{a,so} and the man page"
	@echo "make run     install missing packages, build, run 'bpfdelegate check'"
	@echo "make test    install missing packages, build, run every test"
	@echo "make test-kernels        every test on the host and on Debian's 5.10, 6.1, 6.12 (qemu)"
	@echo "make test-kernels-smoke  the CLI's exit codes and messages on 5.10, 6.1, 6.12"
	@echo "make bench   benchmark against a minimal syscall-only floor"
