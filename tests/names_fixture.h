/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The name tables the names and BTF tests share: built-in and from BTF. */
#ifndef BPFD_NAMES_FIXTURE_H
#define BPFD_NAMES_FIXTURE_H

#include <unistd.h>

#include <bpfdelegate/delegation.h>

#include "testutil.h"

#define VMLINUX "/sys/kernel/btf/vmlinux"

struct tables {
	struct bpfd_names *fb;	/* built-in */
	struct bpfd_names *btf; /* kernel BTF, NULL without it */
};

static inline int setup(void **state)
{
	static struct tables t;

	if (bpfd_names_load(&t.fb, NULL, BPFD_NAMES_NO_BTF, NULL) < 0)
		return -1;
	if (access(VMLINUX, R_OK) == 0 &&
	    bpfd_names_load(&t.btf, NULL, 0, NULL) < 0)
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

/* Both tables when there is BTF, else the built-in one twice. */
static inline struct bpfd_names *table(void **state, int i)
{
	struct tables *t = *state;

	return i && t->btf ? t->btf : t->fb;
}

static inline struct bpfd_names *need_btf(void **state)
{
	struct tables *t = *state;

	if (!t->btf)
		bpfd_skip("no %s (kernel without CONFIG_DEBUG_INFO_BTF)",
			  VMLINUX);
	return t->btf;
}

#endif
