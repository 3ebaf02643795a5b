// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * attach and oci-hook put a mount into another process's namespace: a
 * signal meant to stop them must not kill them half-way (the engine child
 * may have attached it already).  They block the usual stop signals and
 * let the engine watch them; it gives up, undoes, and says it stopped.
 */
#include <errno.h>
#include <signal.h>
#include <time.h>

#include "cli.h"

void cli_stop_signals_block(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigprocmask(SIG_BLOCK, set, NULL);
}

int cli_stop_signal(const struct bpfd_error *e, const sigset_t *set)
{
	const struct timespec now = {0, 0};
	int sig;

	if (e->step != BPFD_STEP_WAIT || e->err != EINTR)
		return 0;
	/* The engine only polled its signalfd: the signal is still pending. */
	sig = sigtimedwait(set, NULL, &now);
	return sig > 0 ? sig : -1;
}
