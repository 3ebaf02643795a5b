// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Warnings about delegations that cannot work as asked.  They never change
 * the exit status: the token is created and grants exactly what was asked,
 * and a loader other than libbpf, or one that gains a capability itself
 * (file capabilities inside the namespace), may not need the item.
 */
#include <linux/capability.h>
#include <stdio.h>

#include <bpfdelegate/loadmsg.h>

#include "cli.h"
#include "deleg_warn.h"

#define GAPS_MAX 8

size_t deleg_warn_libbpf(const struct bpfd_delegation *d)
{
	struct bpfd_libbpf_gap g[GAPS_MAX];
	size_t n = bpfd_libbpf_gaps(d, g, GAPS_MAX);

	for (size_t i = 0; i < n && i < GAPS_MAX; i++)
		fprintf(stderr,
			PROG ": warning: a libbpf loader also needs %s: %s\n",
			g[i].add, g[i].why);
	return n;
}

json_object *deleg_warn_libbpf_json(const struct bpfd_delegation *d)
{
	struct bpfd_libbpf_gap g[GAPS_MAX];
	size_t n = bpfd_libbpf_gaps(d, g, GAPS_MAX);
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < n && i < GAPS_MAX; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "id",
				       json_object_new_string(g[i].id));
		json_object_object_add(o, "add",
				       json_object_new_string(g[i].add));
		json_object_object_add(o, "why",
				       json_object_new_string(g[i].why));
		json_object_array_add(a, o);
	}
	return a;
}

static size_t warn_cap(const struct bpfd_delegation *d,
		       const struct bpfd_names *names, uint64_t keep, int cap,
		       const char *capname)
{
	uint64_t need = d->mask[BPFD_PROGS] & bpfd_progs_needing_cap(cap);
	char list[512];

	if (!need || (keep >> cap) & 1)
		return 0;
	bpfd_format_list(names, BPFD_PROGS, need, list, sizeof(list));
	fprintf(stderr,
		PROG ": warning: --keep-caps lacks %s: COMMAND cannot load "
		     "%s programs with the token\n",
		capname, list);
	return 1;
}

size_t deleg_warn_caps(const struct bpfd_delegation *d,
		       const struct bpfd_names *names, uint64_t keep_caps)
{
	if (!((keep_caps >> CAP_BPF) & 1) &&
	    !((keep_caps >> CAP_SYS_ADMIN) & 1)) {
		/* BPF_TOKEN_CREATE needs CAP_BPF in the bpffs's namespace */
		fprintf(stderr,
			PROG ": warning: --keep-caps without bpf: COMMAND "
			     "cannot create a BPF token (BPF_TOKEN_CREATE "
			     "needs CAP_BPF in the namespace) unless it gains "
			     "CAP_BPF itself\n");
		return 1;
	}
	return warn_cap(d, names, keep_caps, CAP_PERFMON, "perfmon") +
	       warn_cap(d, names, keep_caps, CAP_NET_ADMIN, "net_admin");
}
