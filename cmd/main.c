// SPDX-License-Identifier: GPL-2.0-or-later
/* bpfdelegate: the command table, --help and --version. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
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
	      "Run '" PROG " <command> --help' for a command's options.\n"
	      "See bpfdelegate(1).\n",
	      out);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;
	int r = cli_rootless_init(argc, argv);

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
