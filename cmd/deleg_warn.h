/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Warnings about delegations that cannot work as asked (check, run). */
#ifndef BPFD_DELEG_WARN_H
#define BPFD_DELEG_WARN_H

#include <json-c/json.h>
#include <stdint.h>

#include <bpfdelegate/delegation.h>

/*
 * One "bpfdelegate: warning: ..." line on stderr per item a libbpf loader
 * will additionally need from @d (bpfd_libbpf_gaps()).  Returns the count.
 */
size_t deleg_warn_libbpf(const struct bpfd_delegation *d);

/* The same as a JSON array of {id, add, why}. */
json_object *deleg_warn_libbpf_json(const struct bpfd_delegation *d);

/*
 * run --user: warn about capabilities COMMAND will lack (@keep_caps, bit
 * 1 << CAP_x): CAP_BPF for any token, CAP_PERFMON / CAP_NET_ADMIN for the
 * program types of @d that need them.  Returns the count.
 */
size_t deleg_warn_caps(const struct bpfd_delegation *d,
		       const struct bpfd_names *names, uint64_t keep_caps);

#endif
