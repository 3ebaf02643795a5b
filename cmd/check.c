// SPDX-License-Identifier: GPL-2.0-or-later
/* bpfdelegate check: delegate, create a token, prove it, report. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "deleg_warn.h"
#include "diagfmt.h"
#include "svcclient.h"
#include "report.h"
#include "rootless.h"

static void usage(FILE *out)
{
	fputs(
	    "Usage:\n"
	    " " PROG " check [options]\n"
	    "\n"
	    "Create a user namespace, mount a bpffs delegated to it, create a "
	    "BPF\n"
	    "token inside and prove that it grants exactly what was "
	    "delegated.\n"
	    "Needs root (CAP_SYS_ADMIN in the initial user namespace), or "
	    "the\n"
	    "file-capability helper and a grant in the administrator's "
	    "policy.\n"
	    "\n"
	    "Delegation (default: any for all four):\n"
	    " -c, --cmds LIST       bpf() commands, e.g. map_create:prog_load\n"
	    " -m, --maps LIST       map types, e.g. hash,array,ringbuf\n"
	    " -p, --progs LIST      program types, e.g. xdp:kprobe\n"
	    " -a, --attachs LIST    attach types, e.g. cgroup_inet_ingress\n"
	    "     --preset NAME     a named set ('--preset list' shows them)\n"
	    "   LIST: names separated by ':' or ',' (case-insensitive, kernel\n"
	    "   prefix and systemd spellings accepted), numbers, or 'any'.\n"
	    "\n"
	    "Options:\n"
	    "     --json            print one JSON document\n"
	    "     --timeout SECS    bound on the whole handshake (default 10)\n"
	    " -h, --help            display this help\n"
	    " -V, --version         display version\n"
	    "\n"
	    "Warns on stderr about what a libbpf loader will also need\n"
	    "(attach bit 0, socket_filter, btf_load, array) when the\n"
	    "delegation lacks it; the exit status stays.\n"
	    "\n"
	    "Exit status: 0 ok, 1 check failed, 2 usage, 3 not privileged,\n"
	    "4 kernel lacks BPF tokens (needs 6.9+), 5 user namespaces "
	    "unavailable,\n"
	    "6 refused by the policy (unprivileged callers).\n"
	    "\n"
	    "See bpfdelegate(1).\n",
	    out);
}

int cmd_check(int argc, char **argv)
{
	const struct cli_parser parser = {
	    .cmd = "check",
	    .flags = CLI_DELEG | CLI_JSON | CLI_TIMEOUT,
	    .usage = usage,
	    .max_operands = 0,
	};
	struct cli_common o = {0};
	struct bpfd_engine_opts eo = {0};
	struct bpfd_names *names;
	struct bpfd_report *rep;
	struct bpfd_error e = {0};
	struct bpfd_preset_skipped skipped;
	struct cli_rootless_op ro;
	struct cli_service svc;
	int r, code, first;

	r = cli_parse(argc, argv, &parser, &o, &first);
	if (r)
		return r < 0 ? EXIT_OK : r;
	names = cli_load_names();
	if (!names)
		return EXIT_FAIL;
	r = cli_deleg_resolve_default(&o.deleg, names, &eo.deleg, &skipped,
				      "check");
	if (r) {
		bpfd_names_free(names);
		return r;
	}
	/* a delegation libbpf cannot use still makes a token: warn only */
	deleg_warn_libbpf(&eo.deleg);
	eo.idmap = bpfd_idmap_default(getenv("SUDO_UID"), getenv("SUDO_GID"));
	/* Unprivileged: the policy first; the namespace root is the caller. */
	if (cli_rootless()) {
		r = cli_rootless_allow("check", BPFD_POLICY_CHECK, &eo.deleg,
				       false, NULL, names, &ro, &eo);
		if (r) {
			bpfd_names_free(names);
			return r;
		}
		eo.idmap =
		    (struct bpfd_idmap){.uid = geteuid(), .gid = getegid()};
	}
	eo.timeout_ms = o.timeout_ms;
	eo.probe = true;
	rep = bpfd_report_new();
	if (!rep) {
		bpfd_names_free(names);
		fprintf(stderr, PROG ": out of memory\n");
		return EXIT_FAIL;
	}
	if (cli_service_wanted(false))
		cli_service_use(&svc, &eo, BPFD_POLICY_CHECK, -1);
	r = bpfd_engine_check(&eo, names, rep, &e);
	code = r < 0 ? cli_exit_code(&e) : EXIT_OK;
	if (o.json) {
		json_object *j =
		    report_json(rep, names, r < 0 ? &e : NULL, &skipped, code);

		json_object_object_add(j, "libbpf_warnings",
				       deleg_warn_libbpf_json(&eo.deleg));
		fmt_print_json(j);
	} else if (code != EXIT_NOT_PRIVILEGED || rep->done)
		report_print_text("check", "in a private mount namespace", rep,
				  names, r < 0 ? &e : NULL);
	if (r < 0)
		cli_print_error(&e);
	free(rep);
	bpfd_names_free(names);
	return code;
}
