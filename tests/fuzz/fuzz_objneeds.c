// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target: the object reader of `suggest` (lib/objneeds.c): our
 * ELF checks, then libbpf's bpf_object__open_mem() and the scan of its
 * programs and maps.  Seeds: the objects tests/bpf/ builds.  Every input
 * is either refused with one line or gives a set that loads a program.
 * Debian 12's libbpf 1.1 crashes on malformed objects within seconds
 * (tests/bpf/libbpf11-crash.elf): the isolated reader (a forked child) is
 * what suggest uses and what is fuzzed; our ELF checks run in this
 * process, libbpf in the child.
 */
#include <linux/bpf.h>

#include "fuzz.h"
#include "objneeds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpfd_needs n = {0};
	struct bpfd_error e = {0};
	int r = bpfd_objneeds_isolated(data, size, "fuzz", &n, &e);

	if (r < 0) {
		FUZZ_CHECK(e.detail[0] && !strchr(e.detail, '\n'));
		FUZZ_CHECK(n.n == 0 || r == -ENOMEM || r == -EINVAL);
	} else {
		FUZZ_CHECK(r == 0);
		FUZZ_CHECK(n.deleg.mask[BPFD_CMDS] & (1ull << BPF_PROG_LOAD));
		FUZZ_CHECK(n.deleg.mask[BPFD_ATTACHS] & 1ull);
		for (size_t i = 0; i < n.n; i++)
			FUZZ_CHECK(!strchr(n.items[i].reason, '\n'));
	}
	bpfd_needs_free(&n);
	return 0;
}
