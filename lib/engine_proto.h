/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal: the protocol between the engine's parent (lib/engine.c) and
 * child (lib/engine_child.c), and the report helpers both use (lib/report.c).
 */
#ifndef BPFD_ENGINE_PROTO_H
#define BPFD_ENGINE_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <bpfdelegate/engine.h>

enum msg_type {
	MSG_HELLO = 1, /* child: namespaces created */
	MSG_MAPPED,    /* parent: id maps written */
	MSG_FSFD,      /* child: fs context fd attached */
	MSG_MNTFD,     /* parent: mount fd attached */
	MSG_REPORT,    /* child: final report */
	MSG_EXEC_ERR,  /* child (run): execvp failed, report says how */
};

/* Every record the child sends has this shape, so sizes always match. */
struct child_msg {
	uint32_t type;
	struct bpfd_report rep;
};

/*
 * The parent writes the child's id maps (a new user namespace, root):
 * only then do they exchange MSG_HELLO and MSG_MAPPED.  Joining an
 * existing namespace, or rootless (the child writes its own), there is
 * nothing to wait for, and that round trip (two cross-CPU wake-ups) is
 * left out: the child's first message is its fs fd, or its report.
 */
static inline bool parent_writes_maps(const struct bpfd_engine_opts *o)
{
	return !o->join && !o->privop;
}

/* The record up to the probe results: what every child message carries. */
#define CHILD_MSG_HEAD offsetof(struct child_msg, rep.probes.r)

/*
 * A context that ends in a child_msg (at @msg_off, sizeof @size), zeroed
 * but for the probe results, which are defined up to probes.count only:
 * clearing them would fault in ~30 KB of pages, in parent and child, that
 * a command without probes never uses.  NULL when out of memory.
 */
void *bpfd_alloc_msg_ctx(size_t size, size_t msg_off);

/*
 * A child message on the wire: the head and the probe results it has,
 * not the whole array (BPFD_PROBE_MAX of them, ~30 KB that would be
 * copied, and page-faulted in on both sides, with every message).
 */
static inline size_t child_msg_len(const struct child_msg *m)
{
	uint32_t n = m->rep.probes.count;

	return CHILD_MSG_HEAD + (n <= BPFD_PROBE_MAX ? n : BPFD_PROBE_MAX) *
				    sizeof(m->rep.probes.r[0]);
}

struct parent_msg {
	uint32_t type;
};

/* One bound for a whole handshake. */
struct deadline {
	struct timespec end;
};

void bpfd_deadline_init(struct deadline *d, int timeout_ms);
int bpfd_deadline_left_ms(const struct deadline *d);

/* Record a failure in @rep; returns -err. */
int bpfd_report_fail(struct bpfd_report *rep, enum bpfd_step step, int err,
		     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void bpfd_report_from_error(struct bpfd_report *rep,
			    const struct bpfd_error *e);

/* struct bpfd_report.done has a bit per step. */
_Static_assert(BPFD_STEP__MAX <= 64, "too many steps for bpfd_report.done");

static inline void bpfd_report_mark(struct bpfd_report *rep,
				    enum bpfd_step step)
{
	rep->done |= 1ull << step;
}

/* The child: never returns. */
void bpfd_engine_child(const struct bpfd_engine_opts *opts,
		       const struct bpfd_names *names, int sock, pid_t parent)
    __attribute__((noreturn));

#endif
