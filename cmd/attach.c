// SPDX-License-Identifier: GPL-2.0-or-later
/* bpfdelegate attach: a delegated bpffs inside an existing process. */
#include <errno.h>
#include <signal.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"
#include "rootless.h"
#include "svcclient.h"

static void usage(FILE *out)
{
	fputs(
	    "Usage:\n"
	    " " PROG " attach --pid PID [options]\n"
	    "\n"
	    "Mount a delegated bpffs inside the user and mount namespaces of "
	    "a\n"
	    "running process (a container), at a target resolved inside its "
	    "root,\n"
	    "and verify token creation from inside its user namespace.\n"
	    "Needs root (CAP_SYS_ADMIN in the initial user namespace), or "
	    "the\n"
	    "file-capability helper, a grant in the administrator's policy, "
	    "and a\n"
	    "process whose user namespace you own and may ptrace.\n"
	    "\n"
	    "Delegation (default: any for all four):\n"
	    " -c, --cmds LIST       bpf() commands\n"
	    " -m, --maps LIST       map types\n"
	    " -p, --progs LIST      program types\n"
	    " -a, --attachs LIST    attach types\n"
	    "     --preset NAME     a named set ('--preset list' shows them)\n"
	    "\n"
	    "Options:\n"
	    "     --pid PID         the process (required)\n"
	    "     --target PATH     mount point inside its root (default\n"
	    "                       /sys/fs/bpf; a missing last directory is "
	    "made)\n"
	    "     --replace         detach a bpffs already mounted at the "
	    "target"
	    "\n"
	    "                       first (else refused)\n"
	    "     --no-verify       do not create a token afterwards\n"
	    "     --probe           also run check's probes with the token\n"
	    "     --json            print one JSON document\n"
	    "     --timeout SECS    bound on the handshake (default 10)\n"
	    " -h, --help            display this help\n"
	    " -V, --version         display version\n"
	    "\n"
	    "Exit status: 0 ok, 1 failed (no such process, a process in the\n"
	    "initial user namespace, a bpffs already at the target, a step "
	    "failed),\n"
	    "2 usage, 3 not privileged, 4 kernel lacks BPF tokens, 6 refused "
	    "by\n"
	    "the policy, 128+N stopped\n"
	    "by signal N (SIGTERM, SIGINT, SIGHUP).  Whenever it fails, "
	    "nothing is\n"
	    "left mounted (but see SIGKILL in bpfdelegate(1)).\n"
	    "\n"
	    "See bpfdelegate(1).\n",
	    out);
}

enum {
	OPT_PID = OPT_FIRST_FREE,
	OPT_TARGET,
	OPT_NO_VERIFY,
	OPT_PROBE,
	OPT_REPLACE,
};

struct attach_opts {
	struct cli_common co;
	pid_t pid;
	const char *target;
	bool no_verify, probe, replace;
};

static int parse_pid(const char *s, pid_t *pid)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0 || v > 0x3fffffff) {
		cli_usage_error("--pid: not a process id: '%s'", s);
		return -1;
	}
	*pid = (pid_t)v;
	return 0;
}

static int attach_option(void *ctx, int c, const char *arg)
{
	struct attach_opts *o = ctx;

	switch (c) {
	case OPT_PID:
		return parse_pid(arg, &o->pid) < 0 ? EXIT_USAGE : 0;
	case OPT_TARGET:
		o->target = arg;
		return 0;
	case OPT_NO_VERIFY:
		o->no_verify = true;
		return 0;
	case OPT_PROBE:
		o->probe = true;
		return 0;
	case OPT_REPLACE:
		o->replace = true;
		return 0;
	default:
		return -1;
	}
}

static int parse_args(int argc, char **argv, struct attach_opts *o)
{
	static const struct option longopts[] = {
	    {"pid", required_argument, NULL, OPT_PID},
	    {"target", required_argument, NULL, OPT_TARGET},
	    {"no-verify", no_argument, NULL, OPT_NO_VERIFY},
	    {"probe", no_argument, NULL, OPT_PROBE},
	    {"replace", no_argument, NULL, OPT_REPLACE},
	    {NULL, 0, NULL, 0},
	};
	const struct cli_parser parser = {
	    .cmd = "attach",
	    .flags = CLI_DELEG | CLI_JSON | CLI_TIMEOUT,
	    .longopts = longopts,
	    .usage = usage,
	    .option = attach_option,
	    .ctx = o,
	    .max_operands = 0,
	};
	int first, r = cli_parse(argc, argv, &parser, &o->co, &first);

	if (r)
		return r;
	if (!o->pid) {
		cli_usage_error("attach: --pid PID is required");
		return EXIT_USAGE;
	}
	return 0;
}

/* Exit 128 + N when signal N stopped it: the mount was undone. */
static int interrupted(int sig)
{
	if (sig < 0) {
		fprintf(stderr, PROG ": attach: interrupted by a signal; "
				     "nothing left mounted\n");
		return EXIT_FAIL;
	}
	fprintf(stderr,
		PROG ": attach: interrupted by SIG%s; nothing left mounted\n",
		sigabbrev_np(sig));
	return 128 + sig;
}

/* @eo is the caller's: what points into this frame stays in @jo. */
static int attach(const struct attach_opts *o, const struct bpfd_names *names,
		  const struct bpfd_engine_opts *eo,
		  const struct bpfd_preset_skipped *skipped,
		  const sigset_t *stop)
{
	struct bpfd_engine_opts jo = *eo;
	struct bpfd_proc proc;
	struct bpfd_report *rep = bpfd_report_new();
	struct bpfd_error e = {0};
	struct cli_rootless_op ro;
	char where[64];
	struct cli_service svc;
	bool service = cli_service_wanted(false);
	int r, code, sig = 0;

	if (!rep) {
		fprintf(stderr, PROG ": out of memory\n");
		return EXIT_FAIL;
	}
	/* Unprivileged: a process whose user namespace the caller owns and
	 * may ptrace, then the policy, before anything privileged. */
	if (cli_rootless()) {
		code = cli_rootless_target(o->pid, "attach");
		if (!code)
			code = cli_rootless_allow(
			    "attach", BPFD_POLICY_ATTACH, &jo.deleg, false,
			    o->target ? o->target : BPFD_DEFAULT_TARGET, names,
			    &ro, &jo);
		if (code) {
			free(rep);
			return code;
		}
	}
	/* Without the helper: `bpfdelegate serve` (exclusive with helper
	 * mode: see cmd/svcclient.h). */
	r = cli_rootless() || service ? 0 : bpfd_check_privilege(&e);
	if (r == 0)
		r = bpfd_proc_open(o->pid, &proc, &e);
	if (r < 0) {
		code = cli_exit_code(&e);
		if (o->co.json)
			report_print_json(rep, names, &e, skipped, code);
		cli_print_error(&e);
		free(rep);
		return code;
	}
	jo.join = &proc;
	jo.join_root_fd = proc.root_fd;
	jo.stop_signals = stop;
	if (service)
		cli_service_use(&svc, &jo, BPFD_POLICY_ATTACH, proc.pidfd);
	r = bpfd_engine_attach(&jo, names, rep, &e);
	if (r < 0)
		sig = cli_stop_signal(&e, stop);
	code = sig ? interrupted(sig) : r < 0 ? cli_exit_code(&e) : EXIT_OK;
	snprintf(where, sizeof(where), "in the mount namespace of pid %d",
		 (int)o->pid);
	if (o->co.json)
		report_print_json(rep, names, r < 0 ? &e : NULL, skipped, code);
	else if (!sig)
		report_print_text("attach", where, rep, names,
				  r < 0 ? &e : NULL);
	if (!o->co.json && r == 0 && rep->replaced)
		printf("%s: replaced the bpffs found there (--replace; %u "
		       "detached)\n",
		       rep->target, rep->replaced);
	if (!o->co.json && r == 0 && rep->covered)
		printf(
		    "%s: mounted over the bpffs without delegate_* options "
		    "found there (mount id %u, e.g. the host's /sys/fs/bpf); "
		    "hidden in that mount namespace until this one is "
		    "unmounted\n",
		    rep->target, rep->covered);
	if (r < 0 && !sig)
		cli_print_error(&e);
	bpfd_proc_close(&proc);
	free(rep);
	return code;
}

int cmd_attach(int argc, char **argv)
{
	struct attach_opts o = {0};
	struct bpfd_engine_opts eo = {0};
	struct bpfd_names *names;
	struct bpfd_preset_skipped skipped;
	sigset_t stop;
	int r;

	/* From the start: any stop signal then ends in the same clear way,
	 * by the engine (which watches them) or, before it, at its start. */
	cli_stop_signals_block(&stop);
	r = parse_args(argc, argv, &o);
	if (r)
		return r < 0 ? EXIT_OK : r;
	/* --probe and the policy (rootless) go by name. */
	names = !o.probe && !cli_rootless() ? cli_load_names_for(&o.co.deleg)
					    : cli_load_names();
	if (!names)
		return EXIT_FAIL;
	r = cli_deleg_resolve_default(&o.co.deleg, names, &eo.deleg, &skipped,
				      "attach");
	if (r == 0) {
		eo.target = o.target;
		eo.no_verify = o.no_verify;
		eo.probe = o.probe && !o.no_verify;
		eo.replace = o.replace;
		eo.timeout_ms = o.co.timeout_ms;
		r = attach(&o, names, &eo, &skipped, &stop);
	}
	bpfd_names_free(names);
	return r;
}
