/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The name tables the names and BTF unit tests share: built-in, and from
 * BTF.  The BTF is never the running kernel's (that is for the integration
 * tests: tests/integration/test_kernel_btf.c): it is built here from the
 * enums of real kernels recorded in kernel_enums.h (6.18, 6.12, 6.1, 5.10),
 * so the unit tests give the same results on every machine.
 */
#ifndef BPFD_NAMES_FIXTURE_H
#define BPFD_NAMES_FIXTURE_H

#include <stdlib.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpfdelegate/delegation.h>

#include "kernel_enums.h"
#include "testutil.h"

/*
 * Write a small BTF file holding @k's four enums, entries in the kernel's
 * order, to a new file under /tmp; @path (at least 32 bytes) receives its
 * name, for the caller to unlink.  0 or -1.
 */
static inline int fixture_btf_file(const struct kernel_fixture *k, char *path)
{
	static const char *const types[] = {"bpf_cmd", "bpf_map_type",
					    "bpf_prog_type", "bpf_attach_type"};
	struct btf *b = btf__new_empty();
	const void *raw;
	uint32_t size;
	int fd, r = -1;

	if (!b)
		return -1;
	for (int t = 0; t < 4; t++) {
		if (btf__add_enum(b, types[t], 4) < 0)
			goto out;
		for (size_t i = 0; i < k->n; i++)
			if (k->e[i].type == t &&
			    btf__add_enum_value(b, k->e[i].name,
						k->e[i].value) < 0)
				goto out;
	}
	raw = btf__raw_data(b, &size);
	strcpy(path, "/tmp/bpfd-fixture-XXXXXX");
	fd = raw ? mkstemp(path) : -1;
	if (fd < 0)
		goto out;
	if (write(fd, raw, size) == (ssize_t)size)
		r = 0;
	close(fd);
	if (r < 0)
		unlink(path);
out:
	btf__free(b);
	return r;
}

/* The names of @k's BTF, as bpfd_names_load() reads them; NULL on error. */
static inline struct bpfd_names *fixture_names(const struct kernel_fixture *k)
{
	struct bpfd_names *n = NULL;
	char path[32];

	if (fixture_btf_file(k, path) < 0)
		return NULL;
	if (bpfd_names_load(&n, path, 0, NULL) < 0 || !bpfd_names_from_btf(n)) {
		bpfd_names_free(n);
		n = NULL;
	}
	unlink(path);
	return n;
}

/* Every recorded kernel, newest first. */
#define KERNEL_FIXTURES                                                        \
	{                                                                      \
		&kernel_6_18, &kernel_6_12, &kernel_6_1, &kernel_5_10          \
	}

struct tables {
	struct bpfd_names *fb;	/* built-in */
	struct bpfd_names *btf; /* BTF of kernel_6_18, the newest recorded */
};

static inline int setup(void **state)
{
	static struct tables t;

	if (bpfd_names_load(&t.fb, NULL, BPFD_NAMES_NO_BTF, NULL) < 0)
		return -1;
	t.btf = fixture_names(&kernel_6_18);
	if (!t.btf)
		return -1;
	*state = &t;
	return 0;
}

static inline int teardown(void **state)
{
	struct tables *t = *state;

	bpfd_names_free(t->fb);
	bpfd_names_free(t->btf);
	return 0;
}

/* 0: the built-in table, 1: the one from the 6.18 fixture's BTF. */
static inline struct bpfd_names *table(void **state, int i)
{
	struct tables *t = *state;

	return i ? t->btf : t->fb;
}

/* The table from BTF (always there: a fixture, not the kernel's). */
static inline struct bpfd_names *need_btf(void **state)
{
	struct tables *t = *state;

	return t->btf;
}

#endif
