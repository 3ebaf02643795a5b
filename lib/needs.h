/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal: what a BPF loader needs delegated, item by item, each with the
 * reason it is needed (issue 10).  Filled by `suggest` from ELF objects
 * (lib/objneeds.c) and by `suggest --learn` from the bpf() calls a command
 * made (lib/learn.c); printed by cmd/needsfmt.c in every output format;
 * compared with a bpffs's delegation by `explain --object`.
 */
#ifndef BPFD_NEEDS_H
#define BPFD_NEEDS_H

#include <stddef.h>

#include <bpfdelegate/delegation.h>

struct bpfd_need {
	enum bpfd_kind kind;
	unsigned int value; /* bit number in that kind's mask */
	char reason[200];   /* one line: "program 'xdp_pass' (SEC(\"xdp\"))" */
};

struct bpfd_needs {
	struct bpfd_delegation deleg; /* the OR of every item */
	struct bpfd_need *items;      /* in the order first seen; one entry
				       * per (kind, value): the first reason */
	size_t n, cap;
};

/*
 * Add one item (kind, value) with its reason; an item already present
 * keeps its first reason.  0 or -ENOMEM; -EINVAL for value >= 64.
 */
int bpfd_needs_add(struct bpfd_needs *n, enum bpfd_kind kind,
		   unsigned int value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void bpfd_needs_free(struct bpfd_needs *n);

#endif
