// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The engine's report and deadline helpers, used by both its parent
 * (lib/engine.c) and its child (lib/engine_child.c): kept apart so that
 * neither side depends on the other (tests/tools/callgraph.sh).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpfdelegate/engine.h>

#include "engine_proto.h"
#include "internal.h"

void bpfd_deadline_init(struct deadline *d, int timeout_ms)
{
	clock_gettime(CLOCK_MONOTONIC, &d->end);
	d->end.tv_sec += timeout_ms / 1000;
	d->end.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (d->end.tv_nsec >= 1000000000L) {
		d->end.tv_sec++;
		d->end.tv_nsec -= 1000000000L;
	}
}

int bpfd_deadline_left_ms(const struct deadline *d)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (d->end.tv_sec - now.tv_sec) * 1000L +
	     (d->end.tv_nsec - now.tv_nsec) / 1000000L;
	return ms < 0 ? 0 : (int)ms;
}

int bpfd_report_fail(struct bpfd_report *rep, enum bpfd_step step, int err,
		     const char *fmt, ...)
{
	struct bpfd_error e;
	va_list ap;

	va_start(ap, fmt);
	err = bpfd_error_setv(&e, step, err, fmt, ap);
	va_end(ap);
	bpfd_report_from_error(rep, &e);
	return err;
}

void bpfd_report_from_error(struct bpfd_report *rep, const struct bpfd_error *e)
{
	/* Called for failures only: an error record left empty by a callee
	 * that failed must not make the report read as success. */
	rep->err = e->err ? e->err : BPFD_ERR_NO_ERRNO;
	rep->step = e->step;
	snprintf(rep->detail, sizeof(rep->detail), "%s", e->detail);
}

void bpfd_report_error(const struct bpfd_report *rep, struct bpfd_error *err)
{
	if (!err)
		return;
	err->step = (enum bpfd_step)rep->step;
	err->err = rep->err ? rep->err : BPFD_ERR_NO_ERRNO;
	snprintf(err->detail, sizeof(err->detail), "%s", rep->detail);
	err->hint = rep->err ? bpfd_error_hint(err->step, err->err)
			     : BPFD_HINT_NO_ERRNO;
	/* A policy refusal is a sentence (lib/policy.h), not a syscall. */
	err->refused = err->step == BPFD_STEP_POLICY;
}

/* @size bytes, the first @head of them zeroed; NULL when out of memory. */
static void *alloc_head_zeroed(size_t size, size_t head)
{
	void *p = malloc(size);

	if (p)
		memset(p, 0, head);
	return p;
}

void *bpfd_alloc_msg_ctx(size_t size, size_t msg_off)
{
	return alloc_head_zeroed(size, msg_off + CHILD_MSG_HEAD);
}

struct bpfd_report *bpfd_report_new(void)
{
	return alloc_head_zeroed(sizeof(struct bpfd_report),
				 offsetof(struct bpfd_report, probes.r));
}
