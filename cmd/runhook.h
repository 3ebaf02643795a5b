/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `run` with a different end: suggest --learn runs COMMAND exactly as run
 * does (same options, same engine) and serves its bpf() notifications
 * instead of only waiting for it.
 */
#ifndef BPFD_RUNHOOK_H
#define BPFD_RUNHOOK_H

#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include <bpfdelegate/delegation.h>
#include <bpfdelegate/engine.h>

struct run_hook {
	const char *cmd;	       /* "suggest --learn", in messages */
	const struct option *longopts; /* its own (OPT_FIRST_FREE + 32 up) */
	int (*option)(void *ctx, int c, const char *arg); /* as cli_parser's */
	void (*usage)(FILE *out);
	/*
	 * COMMAND runs (exec->notify_bpf set, so ch->notify_fd is the
	 * seccomp listener, closed by the callee); @sigs are blocked, SIGCHLD
	 * among them.  Reap COMMAND and return the exit code.  No delegation
	 * option means everything.
	 */
	int (*supervise)(void *ctx, const struct bpfd_child *ch,
			 const sigset_t *sigs, const struct bpfd_names *names,
			 bool json);
	/* After parsing (NULL: none): 0, or an exit code (message
	 * printed).  @json: the shared --json was given. */
	int (*check)(void *ctx, bool json);
	/* Said on stderr when no delegation option is given. */
	const char *default_note;
	void *ctx;
};

/* cmd_run() with @hook (NULL: plain run). */
int cmd_run_with(int argc, char **argv, const struct run_hook *hook);

#endif
