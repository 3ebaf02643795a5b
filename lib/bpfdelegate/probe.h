/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Probes: prove that a BPF token really grants what was delegated, and
 * that something not delegated is refused.  Run by a process inside the
 * bpffs's user namespace that holds the token and CAP_BPF, CAP_PERFMON and
 * CAP_NET_ADMIN there.
 */
#ifndef BPFDELEGATE_PROBE_H
#define BPFDELEGATE_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include <bpfdelegate/delegation.h>

#ifdef __cplusplus
extern "C" {
#endif

enum bpfd_probe_verdict {
	BPFD_PROBE_WORKS,      /* the operation succeeded with the token */
	BPFD_PROBE_REFUSED,    /* the kernel refused it (err says how) */
	BPFD_PROBE_UNTESTABLE, /* cannot be exercised here; note says why */
};

struct bpfd_probe_result {
	enum bpfd_kind
	    kind;	/* BPFD_CMDS, BPFD_MAPS, BPFD_PROGS or BPFD_ATTACHS */
	uint32_t value; /* enum value of the command / type */
	bool delegated; /* what the requested delegation says */
	enum bpfd_probe_verdict verdict;
	int err;       /* positive errno of the attempt, 0 on success */
	bool agrees;   /* verdict matches the delegation (or untestable) */
	bool control;  /* the no-token control, not a token probe */
	char note[96]; /* why untestable, or what was tried */
};

#define BPFD_PROBE_MAX 256

/* Plain data, so that a forked child can send it to its parent as bytes. */
struct bpfd_probe_report {
	uint32_t count;
	uint32_t disagreements;	  /* results with agrees == false */
	uint32_t refused_checked; /* undelegated items confirmed refused */
	uint32_t resource_failed; /* failed for lack of fds or memory */
	struct bpfd_probe_result r[BPFD_PROBE_MAX];
};

/*
 * Exercise @token_fd against the delegation @want (the masks that were
 * requested): the commands map_create, prog_load, btf_load (and
 * btf_get_fd_by_id), every map and program type a trivial object can
 * exercise, and the attach types those programs can be loaded with.
 * @names gives the known values per kind (may come from the fallback table).
 * Fills @rep; returns 0, or a negative errno when probing could not run at
 * all (-EINVAL), or when probes failed for lack of the caller's own
 * resources (-EMFILE, -ENFILE, -ENOMEM: such a probe is "untestable" with
 * a note, counted in resource_failed, and never a disagreement; @rep
 * holds what ran).
 */
int bpfd_probe_all(int token_fd, const struct bpfd_delegation *want,
		   const struct bpfd_names *names,
		   struct bpfd_probe_report *rep);

const char *bpfd_probe_verdict_name(enum bpfd_probe_verdict v);

#ifdef __cplusplus
}
#endif
#endif
