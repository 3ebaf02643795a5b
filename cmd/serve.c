// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bpfdelegate serve: the root service for unprivileged callers (issue 12),
 * in the foreground or socket-activated by systemd (LISTEN_FDS, read here
 * without libsystemd).  The work is in lib/service.c.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "policy.h"
#include "service.h"

/* systemd's first passed fd (sd_listen_fds(3)) */
#define LISTEN_FDS_START 3
#define ACTIVATED_IDLE_S 60

static void usage(FILE *out)
{
	fprintf(out,
		"Usage:\n"
		" " PROG " serve [options]\n"
		"\n"
		"Serve unprivileged users the privileged step of check, run "
		"and attach\n"
		"(and rootless oci-hook) under the administrator's policy, on "
		"the\n"
		"socket %s.\n"
		"Runs in the foreground, or socket-activated by systemd "
		"(bpfdelegate.socket).\n"
		"Needs root.\n"
		"\n"
		"Options:\n"
		"     --idle SECS       exit after SECS without a request (0: "
		"never;\n"
		"                       default %d socket-activated, 0 in the "
		"foreground)\n"
		"     --timeout SECS    bound on one request (default %d)\n"
		"     --per-user N      requests at once per user (default "
		"%d)\n"
		" -h, --help            display this help\n"
		" -V, --version         display version\n"
		"\n"
		"Exit status: 0 stopped (signal or idle), 1 failure, 2 usage, "
		"3 not root.\n"
		"\n"
		"See bpfdelegate(1).\n",
		bpfd_service_socket(), ACTIVATED_IDLE_S,
		BPFD_SERVE_TIMEOUT_MS / 1000, BPFD_SERVE_PER_UID);
}

enum { OPT_IDLE = OPT_FIRST_FREE, OPT_PER_USER };

struct serve_cli {
	struct cli_common co;
	int idle_ms; /* -1: not given */
	unsigned per_user;
};

static int serve_option(void *ctx, int c, const char *arg)
{
	struct serve_cli *o = ctx;
	char *end;
	long v;

	switch (c) {
	case OPT_IDLE:
		if (strcmp(arg, "0") == 0) {
			o->idle_ms = 0;
			return 0;
		}
		o->idle_ms = cli_parse_timeout(arg);
		if (o->idle_ms > 0)
			return 0;
		cli_usage_error("serve: --idle: invalid number of seconds '%s'",
				arg);
		return EXIT_USAGE;
	case OPT_PER_USER:
		errno = 0;
		v = strtol(arg, &end, 10);
		if (!errno && end != arg && !*end && v >= 1 &&
		    v <= BPFD_SERVE_MAX) {
			o->per_user = (unsigned)v;
			return 0;
		}
		cli_usage_error("serve: --per-user: a number from 1 to %d, not "
				"'%s'",
				BPFD_SERVE_MAX, arg);
		return EXIT_USAGE;
	default:
		return -1;
	}
}

/*
 * sd_listen_fds(): LISTEN_PID must be us (else the variables were meant
 * for another process); exactly one fd.  -1 when not activated, -2 on an
 * error (printed).
 */
static int activated_fd(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	char *end;
	long p, n;

	if (!pid || !fds)
		return -1;
	errno = 0;
	p = strtol(pid, &end, 10);
	if (errno || *end || p != (long)getpid())
		return -1;
	n = strtol(fds, &end, 10);
	if (errno || *end || n != 1) {
		fprintf(stderr,
			PROG ": serve: LISTEN_FDS=%s: exactly one socket is "
			     "expected\n",
			fds);
		return -2;
	}
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return LISTEN_FDS_START;
}

static void log_stderr(enum bpfd_log_level level, const char *fmt, va_list ap)
{
	(void)level;
	fputs(PROG ": serve: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int cmd_serve(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"idle", required_argument, NULL, OPT_IDLE},
	    {"per-user", required_argument, NULL, OPT_PER_USER},
	    {NULL, 0, NULL, 0},
	};
	struct serve_cli o = {.idle_ms = -1};
	const struct cli_parser parser = {
	    .cmd = "serve",
	    .flags = CLI_TIMEOUT,
	    .longopts = longopts,
	    .usage = usage,
	    .option = serve_option,
	    .ctx = &o,
	    .max_operands = 0,
	};
	struct bpfd_serve_opts so = {0};
	struct bpfd_error e = {0};
	struct bpfd_names *names;
	sigset_t stop;
	int first, r, lfd;

	o.co.timeout_ms = BPFD_SERVE_TIMEOUT_MS;
	r = cli_parse(argc, argv, &parser, &o.co, &first);
	if (r)
		return r < 0 ? EXIT_OK : r;
	lfd = activated_fd();
	if (lfd == -2)
		return EXIT_FAIL;
	names = cli_load_names();
	if (!names)
		return EXIT_FAIL;
	/* Line by line into the journal (or the terminal). */
	setvbuf(stderr, NULL, _IOLBF, 0);
	bpfd_set_print(log_stderr);
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	/* A client that closes early must not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	so.listen_fd = lfd;
	so.socket_path = bpfd_service_socket();
	so.idle_ms = o.idle_ms >= 0 ? o.idle_ms
		     : lfd >= 0	    ? ACTIVATED_IDLE_S * 1000
				    : 0;
	so.timeout_ms = o.co.timeout_ms;
	so.per_uid = o.per_user;
	so.policy_dir = bpfd_policy_dir();
	so.names = names;
	so.stop_signals = &stop;
	r = bpfd_serve(&so, &e);
	bpfd_names_free(names);
	if (r < 0) {
		cli_print_error(&e);
		return e.step == BPFD_STEP_PRIVILEGE && e.err == EPERM
			   ? EXIT_NOT_PRIVILEGED
			   : EXIT_FAIL;
	}
	return EXIT_OK;
}
