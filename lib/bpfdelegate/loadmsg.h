/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libbpf's load, create and attach failure messages (libbpf 1.1 to 1.5),
 * read back into what they mean for a BPF token holder: which delegation
 * item, capability or kernel limit is behind each.  Data and matching
 * only: nothing here probes, prints or exits (the caller may compare the
 * delegation items with a bpffs's delegate_* options).
 *
 * The token messages ("failed (-22) to create BPF token from ...") are
 * bpfd_explain_parse()'s (diag.h).
 */
#ifndef BPFDELEGATE_LOADMSG_H
#define BPFDELEGATE_LOADMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bpfdelegate/delegation.h>
#include <bpfdelegate/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What stands behind a cause. */
enum bpfd_lm_kind {
	BPFD_LM_DELEGATION, /* a delegate_* item the bpffs lacks */
	BPFD_LM_CAPABILITY, /* a capability in the token's user namespace */
	BPFD_LM_HOST_PRIV,  /* privilege of the initial user namespace: no
			       token grants it */
	BPFD_LM_NO_TOKEN,   /* the call carried no token */
	BPFD_LM_KERNEL,	    /* the kernel, the verifier, an LSM */
	BPFD_LM_LIBBPF,	    /* libbpf's own behaviour: nothing to fix */
};

/* A message, with its variable parts. */
struct bpfd_load_msg {
	const char *id;	   /* stable, for JSON: "prog-load-failed", ... */
	char name[128];	   /* the program or map name, "" when none */
	char target[256];  /* tracepoint "cat/name", kprobe "func+0x0", an
			      object path, a feature; "" when none */
	int err;	   /* positive errno from the message, 0 when none */
	unsigned int form; /* which known form matched (internal) */
};

struct bpfd_load_cause {
	enum bpfd_lm_kind kind;
	const char *id; /* stable: "prog-type-not-delegated", ... */
	/* the delegation item, when the cause is one and it is known: */
	bool has_item;
	enum bpfd_kind item_kind;
	uint64_t item_mask; /* its bits: any one delegated is enough */
	char item[96];	    /* "delegate_attachs=cgroup_inet_ingress",
			       "CAP_BPF", "CAP_PERFMON (initial namespace)" */
	char text[400];	    /* the cause, one paragraph, names filled in */
	char fix[400];	    /* what to do, "" when nothing */
};

#define BPFD_LOAD_CAUSES_MAX 8

struct bpfd_load_explanation {
	char what[480];	  /* what libbpf was doing, names filled in */
	bool harmless;	  /* libbpf goes on and nothing fails because of it */
	const char *kind; /* "load" (map, program, BTF creation), "attach",
			     "summary" (the cause is on another line),
			     "libbpf" (a warning about libbpf itself) */
	size_t n;
	struct bpfd_load_cause cause[BPFD_LOAD_CAUSES_MAX];
};

/*
 * Recognise one libbpf message in @text (a line as libbpf printed it,
 * with or without "libbpf: " before it).  Variable parts are matched and
 * kept: "prog 'tp_getppid': BPF program load failed: Operation not
 * permitted" gives id "prog-load-failed", name "tp_getppid", err EPERM.
 * Returns 0, -ENOENT when @text is none of the known messages, -EINVAL
 * for NULL arguments.
 */
int bpfd_load_msg_parse(const char *text, struct bpfd_load_msg *m,
			struct bpfd_error *err);

/*
 * The causes of @m, most likely first, with its names filled in.
 * @in_userns: 1 when the message came from a process in a user
 * namespace, 0 from the initial one, -1 unknown (0 leaves out the causes
 * that only a user namespace has).
 */
void bpfd_load_msg_explain(const struct bpfd_load_msg *m, int in_userns,
			   struct bpfd_load_explanation *x);

/* "delegation", "capability", "host-privilege", "no-token", "kernel",
 * "libbpf" */
const char *bpfd_lm_kind_name(enum bpfd_lm_kind kind);

/* ---- what a libbpf loader needs besides its object ---- */

/* One item a delegation lacks for libbpf (1.4+) to load anything. */
struct bpfd_libbpf_gap {
	const char *id;	     /* stable: "attach-zero", "probe-prog-type", ... */
	enum bpfd_kind kind; /* where it is missing */
	uint64_t mask;	     /* any one of these bits would do */
	const char *add;     /* the option that adds it: "--attachs
				cgroup_inet_ingress" */
	const char *why;     /* one line */
};

/*
 * What a libbpf loader will additionally need from delegation @d, whatever
 * its object holds, as libbpf 1.5 was seen to behave: attach bit 0 and a
 * socket_filter (or tracepoint) program type for its first probe when
 * prog_load is delegated, btf_load beside map_create or prog_load (without
 * it libbpf drops the object's BTF), array maps for global data and its
 * probes, and the commands without which delegated types are unusable.
 * Fills up to @max entries of @out; returns how many apply (may be more).
 */
size_t bpfd_libbpf_gaps(const struct bpfd_delegation *d,
			struct bpfd_libbpf_gap *out, size_t max);

/*
 * The program types (a delegate_progs mask) whose loading needs @cap
 * (CAP_NET_ADMIN or CAP_PERFMON, as <linux/capability.h> numbers them) in
 * the token's user namespace besides CAP_BPF: the kernel's
 * is_net_admin_prog_type() and is_perfmon_prog_type().  0 for other
 * capabilities.
 */
uint64_t bpfd_progs_needing_cap(int cap);

#ifdef __cplusplus
}
#endif
#endif
