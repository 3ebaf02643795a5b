// SPDX-License-Identifier: LGPL-2.1-or-later
/* What a BPF loader needs delegated, item by item (lib/needs.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "needs.h"

static struct bpfd_need *find(struct bpfd_needs *n, enum bpfd_kind kind,
			      unsigned int value)
{
	for (size_t i = 0; i < n->n; i++)
		if (n->items[i].kind == kind && n->items[i].value == value)
			return &n->items[i];
	return NULL;
}

int bpfd_needs_add(struct bpfd_needs *n, enum bpfd_kind kind,
		   unsigned int value, const char *fmt, ...)
{
	struct bpfd_need *it;
	va_list ap;

	if (!n || (unsigned int)kind >= BPFD_NKINDS || value >= 64)
		return -EINVAL;
	if (find(n, kind, value))
		return 0;
	if (n->n == n->cap) {
		size_t cap = n->cap ? n->cap * 2 : 16;
		struct bpfd_need *p = realloc(n->items, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		n->items = p;
		n->cap = cap;
	}
	it = &n->items[n->n++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->value = value;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(it->reason, sizeof(it->reason), fmt, ap);
		va_end(ap);
	}
	/* One line: a reason built from an ELF section name must not break
	 * the output formats that put it in a comment. */
	for (char *c = it->reason; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	n->deleg.mask[kind] |= 1ull << value;
	return 0;
}

void bpfd_needs_free(struct bpfd_needs *n)
{
	if (!n)
		return;
	free(n->items);
	memset(n, 0, sizeof(*n));
}
