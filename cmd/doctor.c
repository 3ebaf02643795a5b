// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bpfdelegate doctor: check, in order, everything a BPF token depends on,
 * then make a real token attempt from the path and explain its errno.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpfdelegate/diag.h>

#include "cli.h"
#include "diagfmt.h"
#include "doctor_rootless.h"

static void usage(FILE *out)
{
	fputs(
	    "Usage:\n"
	    " " PROG " doctor [options]\n"
	    "\n"
	    "Check what BPF tokens need, in order: the kernel and its\n"
	    "BPF_TOKEN_CREATE, BTF, bpf() limits, user namespaces, the bpffs\n"
	    "at the path (mounted? a bpffs? its root? whose? delegated?),\n"
	    "the caller's capabilities, the LSMs; then try a token from the\n"
	    "path and explain the result.  Needs no privilege; as root it\n"
	    "can tell more (the bpffs's owner).  Run by a user other than "
	    "root it\n"
	    "also checks the file-capability helper: its file capability, "
	    "nosuid,\n"
	    "AppArmor's and the kernel's user namespace limits, the policy.\n"
	    "\n"
	    "Options:\n"
	    "     --path DIR        the bpffs to check (default /sys/fs/bpf)\n"
	    "     --helper PATH     unprivileged callers: the helper copy to "
	    "check\n"
	    "                       (default: the one this build runs)\n"
	    "     --json            print one JSON document\n"
	    " -h, --help            display this help\n"
	    " -V, --version         display version\n"
	    "\n"
	    "Exit status: 0 a token was created, or (initial user namespace)\n"
	    "the machine is ready and the path an ordinary host bpffs;\n"
	    "1 a problem stops tokens at the path; 2 usage; 4 the kernel\n"
	    "lacks BPF tokens (needs 6.9+); 5 user namespaces unavailable.\n"
	    "\n"
	    "See bpfdelegate(1).\n",
	    out);
}

enum { OPT_PATH = OPT_FIRST_FREE, OPT_HELPER };

struct doctor_opts {
	const char *path;
	const char *helper;
};

static int exit_code(enum bpfd_verdict v)
{
	switch (v) {
	case BPFD_VERDICT_TOKEN_OK:
	case BPFD_VERDICT_HOST_READY:
		return EXIT_OK;
	case BPFD_VERDICT_NO_KERNEL:
		return EXIT_NO_KERNEL_SUPPORT;
	case BPFD_VERDICT_NO_USERNS:
		return EXIT_NO_USERNS;
	default:
		return EXIT_FAIL;
	}
}

static const char *status_label(enum bpfd_diag_status s)
{
	switch (s) {
	case BPFD_DIAG_PROBLEM:
		return "PROBLEM";
	case BPFD_DIAG_WARN:
		return "warn";
	default:
		return bpfd_diag_status_name(s);
	}
}

static void print_text(const struct bpfd_diag_facts *f,
		       const struct bpfd_diag_report *r)
{
	char line[512];

	printf(PROG " doctor: %s, kernel %s\n\n", f->path, f->kernel);
	for (int c = 0; c < BPFD_CHECK__MAX; c++) {
		const struct bpfd_diag_item *it = &r->item[c];

		printf("%-8s %-16s ", status_label(it->status),
		       bpfd_diag_check_name(it->check));
		fmt_wrap(stdout, 26, 26, it->detail);
		if (it->fix[0]) {
			printf("%26s", "");
			snprintf(line, sizeof(line), "fix: %s", it->fix);
			fmt_wrap(stdout, 26, 31, line);
		}
	}
	snprintf(line, sizeof(line), "%s: %s", bpfd_verdict_name(r->verdict),
		 r->verdict_text);
	printf("\nVerdict: ");
	fmt_wrap(stdout, 9, 9, line);
}

static json_object *checks_json(const struct bpfd_diag_report *r)
{
	json_object *a = json_object_new_array();

	for (int c = 0; c < BPFD_CHECK__MAX; c++) {
		const struct bpfd_diag_item *it = &r->item[c];
		json_object *o = json_object_new_object();

		json_object_object_add(
		    o, "check",
		    json_object_new_string(bpfd_diag_check_name(it->check)));
		json_object_object_add(
		    o, "status",
		    json_object_new_string(bpfd_diag_status_name(it->status)));
		json_object_object_add(o, "detail",
				       json_object_new_string(it->detail));
		json_object_object_add(o, "fix", fmt_str_or_null(it->fix));
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *token_json(const struct bpfd_diag_facts *f,
			       const struct bpfd_diag_report *r)
{
	json_object *o = json_object_new_object();
	const struct bpfd_cause_info *ci = bpfd_cause_info(r->cause);

	json_object_object_add(o, "tried",
			       json_object_new_boolean(f->token_err >= 0));
	json_object_object_add(o, "created",
			       json_object_new_boolean(f->token_err == 0));
	json_object_object_add(o, "errno", fmt_errno_json(f->token_err));
	json_object_object_add(
	    o, "cause", r->cause ? json_object_new_string(ci->id) : NULL);
	return o;
}

static void print_json(const struct bpfd_diag_facts *f,
		       const struct bpfd_diag_report *r,
		       const struct bpfd_names *names, int code,
		       const char *helper)
{
	json_object *o = json_object_new_object();
	json_object *rl = NULL;

	if (getuid() != 0) {
		rl = json_object_new_array();
		doctor_rootless(helper, names, rl);
	}

	json_object_object_add(o, "version",
			       json_object_new_string(BPFD_VERSION));
	json_object_object_add(o, "kernel", json_object_new_string(f->kernel));
	json_object_object_add(o, "path", json_object_new_string(f->path));
	json_object_object_add(o, "checks", checks_json(r));
	json_object_object_add(o, "owner", fmt_owner_json(&f->owner));
	json_object_object_add(o, "delegation",
			       f->deleg_known ? fmt_masks_json(names, &f->deleg)
					      : NULL);
	json_object_object_add(o, "token", token_json(f, r));
	json_object_object_add(
	    o, "verdict",
	    json_object_new_string(bpfd_verdict_name(r->verdict)));
	json_object_object_add(o, "verdict_text",
			       json_object_new_string(r->verdict_text));
	json_object_object_add(o, "rootless", rl);
	json_object_object_add(o, "exit_code", json_object_new_int(code));
	fmt_print_json(o);
}

static int doctor_option(void *ctx, int c, const char *arg)
{
	struct doctor_opts *o = ctx;

	if (c == OPT_HELPER) {
		o->helper = arg;
		return 0;
	}
	if (c != OPT_PATH)
		return -1;
	if (!*arg || strlen(arg) >= BPFD_DIAG_PATH_MAX) {
		cli_usage_error("doctor: --path: %s",
				*arg ? "longer than 511 bytes" : "empty path");
		return EXIT_USAGE;
	}
	o->path = arg;
	return 0;
}

static int parse_args(int argc, char **argv, struct doctor_opts *path,
		      bool *json)
{
	static const struct option longopts[] = {
	    {"path", required_argument, NULL, OPT_PATH},
	    {"helper", required_argument, NULL, OPT_HELPER},
	    {NULL, 0, NULL, 0},
	};
	const struct cli_parser parser = {
	    .cmd = "doctor",
	    .flags = CLI_JSON,
	    .longopts = longopts,
	    .usage = usage,
	    .option = doctor_option,
	    .ctx = path,
	    .max_operands = 0,
	};
	struct cli_common co = {0};
	int first, r = cli_parse(argc, argv, &parser, &co, &first);

	*json = co.json;
	return r;
}

int cmd_doctor(int argc, char **argv)
{
	static struct bpfd_diag_facts f;
	static struct bpfd_diag_report r;
	struct doctor_opts o = {.path = BPFD_DEFAULT_TARGET,
				.helper = doctor_helper_default()};
	struct bpfd_names *names;
	bool json = false;
	int code;

	code = parse_args(argc, argv, &o, &json);
	if (code)
		return code < 0 ? EXIT_OK : code;
	names = cli_load_names();
	if (!names)
		return EXIT_FAIL;
	bpfd_diag_collect(o.path, -1, names, &f);
	bpfd_diag_evaluate(&f, names, &r);
	code = exit_code(r.verdict);
	if (json)
		print_json(&f, &r, names, code, o.helper);
	else
		print_text(&f, &r);
	if (!json && getuid() != 0)
		doctor_rootless(o.helper, names, NULL);
	bpfd_names_free(names);
	return code;
}
