/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal: `suggest --learn` (issue 10).  COMMAND runs under a seccomp
 * filter that turns each bpf() call into a user notification; the
 * supervisor reads the call's command and union bpf_attr from COMMAND's
 * memory, records what a token must delegate for it, and lets the call go
 * on unchanged (SECCOMP_USER_NOTIF_FLAG_CONTINUE).
 */
#ifndef BPFD_LEARN_H
#define BPFD_LEARN_H

#include <signal.h>
#include <sys/types.h>

#include <bpfdelegate/delegation.h>

#include "needs.h"

/*
 * In the engine's child, before execve: install the filter (bpf() of the
 * native ABI, and on x86_64 of the i386 and x32 ABIs, becomes
 * SECCOMP_RET_USER_NOTIF; everything else is allowed) with
 * SECCOMP_FILTER_FLAG_NEW_LISTENER.  Needs CAP_SYS_ADMIN in the caller's
 * user namespace.  Returns the listener fd (close-on-exec) or -errno.
 */
int bpfd_learn_filter_install(void);

/* What the supervisor saw. */
struct bpfd_learn {
	/* What a token must delegate: each item with the first call that
	 * needed it, e.g. "BPF_PROG_LOAD prog_type=xdp
	 * expected_attach_type=xdp (call 7)". */
	struct bpfd_needs needs;
	/* Seen, but gated by no delegation: commands that take no token
	 * (BPF_LINK_CREATE, BPF_MAP_UPDATE_ELEM, ...), token-taking calls
	 * made without BPF_F_TOKEN_FD, and the attach types of
	 * BPF_LINK_CREATE / BPF_PROG_ATTACH. */
	struct bpfd_needs other;
	unsigned int calls;  /* bpf() calls seen */
	unsigned int lost;   /* the caller died before its attr was read */
	unsigned int unread; /* attr not readable (bad pointer): cmd only */
	int status;	     /* COMMAND's wait status */
};

struct bpfd_learn_opts {
	int notify_fd; /* the listener; the supervisor closes it */
	pid_t pid;     /* COMMAND: our child, unreaped */
	int pidfd;     /* its pidfd, or -1 */
	/* Signals the caller blocked (SIGCHLD among them): SIGCHLD wakes the
	 * supervisor, the others are forwarded to COMMAND. */
	const sigset_t *sigs;
	const struct bpfd_names *names;
};

/*
 * Serve COMMAND's bpf() notifications until COMMAND exits, then answer
 * the ones already queued and close the listener (bpf() calls of
 * processes that outlive COMMAND then fail with ENOSYS, the kernel's
 * answer without a listener).  Forwards the signals in o->sigs but
 * SIGCHLD.  Reaps COMMAND: res->status is its wait status.  0, or -errno
 * with @err (-ENOMEM recording; COMMAND is then killed and reaped).
 * res is zeroed first; free it with bpfd_learn_free().
 */
int bpfd_learn_supervise(const struct bpfd_learn_opts *o,
			 struct bpfd_learn *res, struct bpfd_error *err);

void bpfd_learn_free(struct bpfd_learn *res);

#endif
