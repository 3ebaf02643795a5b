// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bpfdelegate suggest --learn: run COMMAND as `run` does, watch its bpf()
 * calls (lib/learn.c), print what they needed delegated.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"
#include "learn.h"
#include "needsfmt.h"
#include "quote.h"
#include "runhook.h"

static void usage(FILE *out)
{
	fputs(
	    "Usage:\n"
	    " " PROG " suggest --learn [options] -- COMMAND [ARG...]\n"
	    "\n"
	    "Run COMMAND as 'run' does and record what its bpf() calls need\n"
	    "delegated: commands, map types, program types, expected attach\n"
	    "types, each with the call that needed it.  For loaders whose "
	    "objects\n"
	    "are embedded or generated (skeletons, Go and Rust loaders).  "
	    "Only the\n"
	    "calls made in this run are seen: see bpfdelegate(1), LEARN MODE.\n"
	    "\n"
	    "Delegation COMMAND runs with (default: everything, as '--preset "
	    "all',\n"
	    "so that it goes as far as it can):\n"
	    " -c, --cmds LIST       bpf() commands\n"
	    " -m, --maps LIST       map types\n"
	    " -p, --progs LIST      program types\n"
	    " -a, --attachs LIST    attach types\n"
	    "     --preset NAME     a named set ('--preset list' shows them)\n"
	    "\n"
	    "Namespace (as for 'run'; see 'bpfdelegate run --help'):\n"
	    "     --target DIR      mount point inside (default /sys/fs/bpf)\n"
	    "     --map-user UID    outside uid of the namespace root\n"
	    "     --map-group GID   outside gid of the namespace root\n"
	    "     --user UID|NAME   run COMMAND as this user\n"
	    "     --keep-caps LIST  with --user: capabilities kept as ambient\n"
	    "     --no-verify       do not create a token before COMMAND "
	    "starts\n"
	    "     --netns host|new  the host's network namespace (default) or "
	    "a new one\n"
	    "\n"
	    "Output (after COMMAND exits):\n"
	    "     --format FMT      " NEEDSFMT_NAMES "\n"
	    "                       (default options)\n"
	    "     --json            the same as --format json\n"
	    "     --output FILE     write it to FILE instead of stdout\n"
	    "     --timeout SECS    bound on the setup handshake (default 10)\n"
	    " -h, --help            display this help\n"
	    " -V, --version         display version\n"
	    "\n"
	    "Exit status: COMMAND's; 128+N when it was killed by signal N;\n"
	    "126 COMMAND not executable, 127 not found; before COMMAND "
	    "starts:\n"
	    "1 setup failed, 2 usage, 3 not privileged, 4 kernel lacks BPF "
	    "tokens,\n"
	    "5 user namespaces unavailable.  1 when the output cannot be "
	    "written.\n"
	    "\n"
	    "See bpfdelegate(1).\n",
	    out);
}

enum {
	OPT_LEARN = OPT_FIRST_FREE + 32,
	OPT_FORMAT,
	OPT_OUTPUT,
};

struct learn_cli {
	const char *format;
	FILE *out; /* --output, opened before COMMAND starts */
};

static int learn_option(void *ctx, int c, const char *arg)
{
	struct learn_cli *l = ctx;
	enum needs_format f;

	switch (c) {
	case OPT_LEARN:
		return 0;
	case OPT_FORMAT:
		if (needsfmt_parse(arg, &f) < 0) {
			char safe[128];

			cli_usage_error(
			    "suggest --learn: --format: unknown "
			    "format '%s' (one of " NEEDSFMT_NAMES ")",
			    bpfd_escape_line(safe, sizeof(safe), arg));
			return EXIT_USAGE;
		}
		l->format = arg;
		return 0;
	case OPT_OUTPUT:
		if (l->out)
			fclose(l->out);
		/* Opened now: a path we cannot write fails before COMMAND
		 * runs, not after, losing what was learned. */
		l->out = fopen(arg, "we");
		if (!l->out) {
			char safe[128];
			int e = errno;

			cli_usage_error(
			    "suggest --learn: --output: '%s': %s",
			    bpfd_escape_line(safe, sizeof(safe), arg),
			    strerror(e));
			return EXIT_USAGE;
		}
		return 0;
	default:
		return -1;
	}
}

static int learn_check(void *ctx, bool json)
{
	const struct learn_cli *l = ctx;

	if (json && l->format && strcmp(l->format, "json") != 0) {
		cli_usage_error("suggest --learn: --json and --format are "
				"exclusive");
		return EXIT_USAGE;
	}
	return 0;
}

/* The items no delegation gates, as '#' lines (for the human formats). */
static void print_other(FILE *out, const struct bpfd_learn *res)
{
	fprintf(out, "# suggest --learn: %u bpf() call(s) seen", res->calls);
	if (res->lost)
		fprintf(out, ", %u lost (the caller died first)", res->lost);
	if (res->unread)
		fprintf(out, ", %u with an unreadable attr", res->unread);
	fputs("\n", out);
	/* One call gives several items with the same reason: once each. */
	for (size_t i = 0; i < res->other.n; i++)
		if (i == 0 || strcmp(res->other.items[i].reason,
				     res->other.items[i - 1].reason))
			fprintf(out, "# seen, no delegation applies: %s\n",
				res->other.items[i].reason);
}

static json_object *other_json(const struct bpfd_learn *res,
			       const struct bpfd_names *names)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < res->other.n; i++) {
		const struct bpfd_need *it = &res->other.items[i];
		const char *n = bpfd_names_get(names, it->kind, it->value);
		json_object *o = json_object_new_object();

		if (!o)
			break;
		json_object_object_add(
		    o, "kind",
		    json_object_new_string(bpfd_kind_name(it->kind)));
		json_object_object_add(o, "value",
				       json_object_new_int((int)it->value));
		json_object_object_add(o, "name",
				       n ? json_object_new_string(n) : NULL);
		json_object_object_add(o, "reason",
				       json_object_new_string(it->reason));
		json_object_array_add(a, o);
	}
	return a;
}

static int print_json(FILE *out, const struct bpfd_learn *res,
		      const struct bpfd_names *names, int code)
{
	json_object *j = needsfmt_json(&res->needs, names);
	json_object *l = json_object_new_object();

	if (!j || !l) {
		json_object_put(j);
		json_object_put(l);
		return -ENOMEM;
	}
	json_object_object_add(l, "calls",
			       json_object_new_int((int)res->calls));
	json_object_object_add(l, "lost", json_object_new_int((int)res->lost));
	json_object_object_add(l, "unread",
			       json_object_new_int((int)res->unread));
	json_object_object_add(l, "exit_status", json_object_new_int(code));
	json_object_object_add(l, "other", other_json(res, names));
	json_object_object_add(j, "learned", l);
	fprintf(
	    out, "%s\n",
	    json_object_to_json_string_ext(
		j, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(j);
	return 0;
}

static int exit_code(int st)
{
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

static int supervise(void *ctx, const struct bpfd_child *ch,
		     const sigset_t *sigs, const struct bpfd_names *names,
		     bool json)
{
	struct learn_cli *l = ctx;
	struct bpfd_learn_opts o = {.notify_fd = ch->notify_fd,
				    .pid = ch->pid,
				    .pidfd = ch->pidfd,
				    .sigs = sigs,
				    .names = names};
	struct bpfd_learn res;
	struct bpfd_error e = {0};
	enum needs_format f = NEEDS_FMT_OPTIONS;
	FILE *out = l->out ? l->out : stdout;
	int code, r;

	r = bpfd_learn_supervise(&o, &res, &e);
	code = exit_code(res.status);
	if (r < 0) {
		cli_print_error(&e);
		bpfd_learn_free(&res);
		return EXIT_FAIL;
	}
	if (l->format)
		needsfmt_parse(l->format, &f);
	else if (json)
		f = NEEDS_FMT_JSON;
	fflush(stdout);
	if (f == NEEDS_FMT_JSON) {
		r = print_json(out, &res, names, code);
	} else {
		print_other(out, &res);
		needsfmt_print(out, f, &res.needs, names);
	}
	if (fflush(out) != 0 || ferror(out) || r < 0) {
		fprintf(stderr,
			PROG ": suggest --learn: writing the result: %s\n",
			strerror(r < 0 ? -r : errno));
		code = EXIT_FAIL;
	}
	bpfd_learn_free(&res);
	return code;
}

bool suggest_is_learn(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--learn") == 0)
			return true;
	return false;
}

int cmd_suggest_learn(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"learn", no_argument, NULL, OPT_LEARN},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"output", required_argument, NULL, OPT_OUTPUT},
	    {NULL, 0, NULL, 0},
	};
	struct learn_cli l = {0};
	struct run_hook h = {
	    .cmd = "suggest --learn",
	    .longopts = longopts,
	    .option = learn_option,
	    .usage = usage,
	    .supervise = supervise,
	    .check = learn_check,
	    .ctx = &l,
	    .default_note = "suggest --learn: no delegation given: COMMAND "
			    "gets everything (as --preset all), so that it "
			    "goes as far as it can",
	};
	int r = cmd_run_with(argc, argv, &h);

	if (l.out && l.out != stdout)
		fclose(l.out);
	return r;
}
