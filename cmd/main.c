// SPDX-License-Identifier: GPL-2.0-or-later
/* bpfdelegate: the command table, --help and --version. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpfdelegate/error.h>
#include <bpfdelegate/userns.h>

#include "cli.h"
#include "mountopts.h"
#include "policy.h"
#include "rootless.h"

static const struct cli_command commands[] = {
    {"check", cmd_check,
     "delegate a bpffs in a new user namespace and prove the token works"},
    {"run", cmd_run,
     "run a command in a user namespace with a delegated bpffs"},
    {"attach", cmd_attach,
     "mount a delegated bpffs into a running process's namespaces"},
    {"oci-hook", cmd_oci_hook,
     "OCI createRuntime hook: delegate a bpffs into a container"},
#ifndef BPFD_FULL_PATH
    /* Not in the static binary, which leaves them (and --help) to its
     * twin: linked from an archive, it then carries none of their code
     * nor libbpf's (2.0 instead of 2.8 MB, faster to start). */
    {"list", cmd_list,
     "list bpffs mounts: owner user namespace, delegation decoded"},
    {"names", cmd_names, "the delegate_* names the running kernel accepts"},
    {"doctor", cmd_doctor,
     "check what BPF tokens need here and try one from a path"},
    {"explain", cmd_explain,
     "explain a token errno or libbpf message; what to do"},
    {"suggest", cmd_suggest,
     "the least delegation BPF objects need, in several formats"},
    {"policy", cmd_policy,
     "what the administrator's policy lets this user do, and why"},
    {"serve", cmd_serve,
     "root service: the privileged step for unprivileged users"},
#endif
};

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      " " PROG " <command> [options]\n"
	      "\n"
	      "Make BPF token delegation work for containers and user "
	      "namespaces.\n"
	      "\n"
	      "Commands:\n",
	      out);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, " %-10s %s\n", commands[i].name,
			commands[i].summary);
	fputs("\n"
	      "Options:\n"
	      " -h, --help     display this help\n"
	      " -V, --version  display version\n"
	      "\n"
	      "Exit status:\n"
	      " 0 ok, 1 failure, 2 usage error, 3 not privileged,\n"
	      " 4 kernel lacks BPF tokens (needs 6.9+), 5 user namespaces "
	      "unavailable,\n"
	      " 6 refused by the administrator's policy\n"
	      "\n"
	      "Run '" PROG " <command> --help' for a command's options, and\n"
	      "'man " PROG "-<command>' for its manual page.\n"
	      "See bpfdelegate(1).\n",
	      out);
}

/* The library's warnings (bpfd_log): failures that change no result. */
__attribute__((format(printf, 2, 0))) static void
print_warning(enum bpfd_log_level level, const char *fmt, va_list ap)
{
	if (level != BPFD_LOG_WARN)
		return;
	fputs(PROG ": warning: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

#ifdef BPFD_FULL_PATH
/*
 * The static-pie bpfdelegate (Makefile STATIC_EXE): with libc linked in it
 * starts and forks ~0.15-0.3 ms faster than a dynamically linked binary
 * (docs/performance.md), but a static glibc can neither run NSS modules
 * (getpwnam of a user only libnss_systemd knows crashed a static test
 * program here) nor dlopen() libmount.  So it serves root's check, run,
 * attach and oci-hook, where neither is needed, and hands everything else
 * to its dynamically linked twin BPFD_FULL_PATH (the same code), with the
 * same arguments and environment, before it has done anything.
 * cmd/static/nodynamic.c makes the NSS and dlopen() calls fail in this
 * binary instead of crashing it, should one ever be reached.
 */
static char **saved_argv;

void cli_need_dynamic(const char *why)
{
	execv(BPFD_FULL_PATH, saved_argv);
	fprintf(stderr, PROG ": cannot run %s (needed for %s): %s\n",
		BPFD_FULL_PATH, why, strerror(errno));
	exit(EXIT_FAIL);
}

/*
 * What this binary does itself; NULL, or why the twin is needed.  Nothing
 * here needs an fd: a caller at its RLIMIT_NOFILE must get EMFILE from
 * the step that needs one, not from the twin's dynamic loader.
 */
static const char *needs_dynamic(const char *cmd)
{
	bool ours = false;

	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0)
		return NULL;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		ours |= strcmp(cmd, commands[i].name) == 0;
	if (!ours)
		return cmd;
	/* Rootless (the helper, the service, a user namespace's root):
	 * policies with user and group names. */
	if (getuid() != 0 || geteuid() != 0 || bpfd_in_child_userns())
		return "a caller other than root";
	/* Before 6.11 the mount's options come from libmount. */
	if (!bpfd_statmount_has_options())
		return "reading mount options with libmount";
	/* The root hook checks containers against a policy, which may name
	 * users and groups. */
	if (strcmp(cmd, "oci-hook") == 0 &&
	    bpfd_policy_present(bpfd_policy_dir()))
		return "the policy";
	return NULL;
}
#else
void cli_need_dynamic(const char *why)
{
	(void)why;
}
#endif

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;
	int r;

	/* This process never leaves its user and mount namespaces (the
	 * engine's and the probes' children do): each is stat'ed once. */
	bpfd_ns_fixed();
#ifdef BPFD_FULL_PATH
	const char *why = cmd ? needs_dynamic(cmd) : "the usage";

	saved_argv = argv;
	if (why)
		cli_need_dynamic(why);
#endif
	r = cli_rootless_init(argc, argv);

	bpfd_set_print(print_warning);
	if (r)
		return r;
	if (!cmd) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
		printf(PROG " %s\n", BPFD_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].handler(argc - 1, argv + 1);
	if (cmd[0] == '-')
		cli_usage_error("unrecognized option '%s'", cmd);
	else
		cli_usage_error("unknown command '%s'", cmd);
	return EXIT_USAGE;
}
