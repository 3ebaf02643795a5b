// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bpfdelegate suggest: the least delegation BPF objects need to be loaded
 * by libbpf through a token (lib/objneeds.c), each item with its reason,
 * in the format asked for (cmd/needsfmt.c); --verify runs `check` with
 * exactly that delegation.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpfdelegate/probe.h>

#include "cli.h"
#include "needsfmt.h"
#include "objneeds.h"
#include "quote.h"
#include "report.h"

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      " " PROG " suggest [options] OBJECT.bpf.o...\n"
	      " " PROG " suggest --learn [options] -- COMMAND [ARG...]\n"
	      "\n"
	      "Print the least delegation a libbpf loader needs to load the\n"
	      "BPF objects through a token: program and attach types (as\n"
	      "libbpf 1.5 derives them from section names), map types\n"
	      "(inner maps too), the commands, and what libbpf's own probes\n"
	      "need; each item with its reason.  Nothing is loaded and no\n"
	      "privilege is needed (except for --verify).\n"
	      "--learn runs COMMAND and records its bpf() calls instead\n"
	      "(see '" PROG " suggest --learn --help').\n"
	      "\n"
	      "Options:\n"
	      "     --format FMT      options (default), mount, systemd,\n"
	      "                       incus, lxd or json\n"
	      "     --json            the same as --format json\n"
	      "     --verify          run check (as root) with exactly this\n"
	      "                       delegation and show each item works\n"
	      "     --timeout SECS    bound on --verify (default 10)\n"
	      " -h, --help            display this help\n"
	      " -V, --version         display version\n"
	      "\n"
	      "Exit status: 0 ok, 1 --verify failed, 2 usage or an object\n"
	      "that cannot be read, 3 --verify not privileged, 4 kernel\n"
	      "lacks BPF tokens, 5 user namespaces unavailable.\n"
	      "\n"
	      "See bpfdelegate(1).\n",
	      out);
}

enum { OPT_FORMAT = OPT_FIRST_FREE, OPT_VERIFY };

struct suggest_opts {
	enum needs_format format;
	bool format_set, verify;
};

static int suggest_option(void *ctx, int c, const char *arg)
{
	struct suggest_opts *o = ctx;

	if (c == OPT_VERIFY) {
		o->verify = true;
		return 0;
	}
	if (c != OPT_FORMAT)
		return -1;
	if (needsfmt_parse(arg, &o->format) < 0) {
		char safe[128];

		cli_usage_error("suggest: --format: unknown format '%s' "
				"(one of " NEEDSFMT_NAMES ")",
				bpfd_escape_line(safe, sizeof(safe), arg));
		return EXIT_USAGE;
	}
	o->format_set = true;
	return 0;
}

/* Each object's needs into @all; reasons prefixed by the object's name
 * when there are several. */
static int collect(int argc, char **argv, struct bpfd_needs *all)
{
	for (int i = 0; i < argc; i++) {
		struct bpfd_needs one = {0};
		struct bpfd_error e = {0};
		char safe[512];
		int r = bpfd_objneeds_file(argv[i], &one, &e);

		if (r < 0) {
			bpfd_escape_line(safe, sizeof(safe), argv[i]);
			fprintf(stderr, PROG ": suggest: %s: %s\n", safe,
				e.detail[0] ? e.detail : strerror(-r));
			bpfd_needs_free(&one);
			return r == -ENOMEM ? EXIT_FAIL : EXIT_USAGE;
		}
		for (size_t j = 0; j < one.n; j++) {
			const struct bpfd_need *it = &one.items[j];
			const char *base = strrchr(argv[i], '/');

			base = base ? base + 1 : argv[i];
			bpfd_escape_line(safe, sizeof(safe), base);
			r = argc > 1
				? bpfd_needs_add(all, it->kind, it->value,
						 "%.60s: %s", safe, it->reason)
				: bpfd_needs_add(all, it->kind, it->value, "%s",
						 it->reason);
			if (r < 0) {
				bpfd_needs_free(&one);
				fprintf(stderr, PROG ": out of memory\n");
				return EXIT_FAIL;
			}
		}
		bpfd_needs_free(&one);
	}
	return 0;
}

static const struct bpfd_probe_result *
find_probe(const struct bpfd_probe_report *p, enum bpfd_kind k, unsigned int v)
{
	for (uint32_t i = 0; i < p->count && i < BPFD_PROBE_MAX; i++)
		if (!p->r[i].control && p->r[i].kind == k && p->r[i].value == v)
			return &p->r[i];
	return NULL;
}

/* A probe that worked and exercised @it along the way: prog_load of
 * that program type, or with that attach type ("eat=NAME"). */
static const struct bpfd_probe_result *
seen_working(const struct bpfd_probe_report *p, const struct bpfd_need *it,
	     const struct bpfd_names *names)
{
	const char *nm = bpfd_names_get(names, it->kind, it->value);
	char want[96];

	if (!nm || (it->kind != BPFD_PROGS && it->kind != BPFD_ATTACHS))
		return NULL;
	snprintf(want, sizeof(want),
		 it->kind == BPFD_PROGS ? "prog_load %s " : "eat=%s", nm);
	for (uint32_t i = 0; i < p->count && i < BPFD_PROBE_MAX; i++) {
		const struct bpfd_probe_result *r = &p->r[i];
		const char *at = strstr(r->note, want);
		size_t l = strlen(want);

		if (r->control || r->verdict != BPFD_PROBE_WORKS || !at)
			continue;
		if (it->kind == BPFD_ATTACHS && at[l] != '\0' && at[l] != ' ' &&
		    at[l] != ':')
			continue;
		return r;
	}
	return NULL;
}

/*
 * What check's probes saw for a suggested item: "works" (its own probe,
 * or another probe that used it worked), "refused", "not testable here",
 * "not probed alone" (check loads that program type only with an attach
 * type the suggestion lacks, e.g. xdp with attach type xdp), or
 * "not probed".
 */
static const char *item_result(const struct bpfd_report *rep,
			       const struct bpfd_need *it,
			       const struct bpfd_names *names,
			       const struct bpfd_probe_result **pp)
{
	const struct bpfd_probe_result *p =
	    rep->probed ? find_probe(&rep->probes, it->kind, it->value) : NULL;
	const struct bpfd_probe_result *w;

	*pp = p;
	if (!p)
		return "not probed";
	if (p->verdict == BPFD_PROBE_WORKS)
		return "works";
	w = seen_working(&rep->probes, it, names);
	if (w) {
		*pp = w;
		return "works";
	}
	if (p->verdict == BPFD_PROBE_UNTESTABLE)
		return "not testable here";
	return p->delegated ? "refused" : "not probed alone";
}

static void print_verified(FILE *out, const struct bpfd_needs *n,
			   const struct bpfd_report *rep,
			   const struct bpfd_names *names)
{
	fputs("\nEach suggested item, as check's probes saw it:\n", out);
	for (size_t i = 0; i < n->n; i++) {
		const struct bpfd_need *it = &n->items[i];
		const struct bpfd_probe_result *p;
		const char *what = item_result(rep, it, names, &p);
		const char *nm = bpfd_names_get(names, it->kind, it->value);

		fprintf(out, "  %-7s %-28s %-18s %s\n",
			bpfd_kind_name(it->kind), nm ? nm : "?", what,
			p ? p->note : "");
	}
}

static json_object *verified_json(const struct bpfd_needs *n,
				  const struct bpfd_report *rep,
				  const struct bpfd_names *names,
				  const struct bpfd_error *e, int code)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	char buf[768];

	for (size_t i = 0; a && i < n->n; i++) {
		const struct bpfd_need *it = &n->items[i];
		const struct bpfd_probe_result *p;
		const char *what = item_result(rep, it, names, &p);
		const char *nm = bpfd_names_get(names, it->kind, it->value);
		json_object *j = json_object_new_object();

		json_object_object_add(
		    j, "kind",
		    json_object_new_string(bpfd_kind_name(it->kind)));
		json_object_object_add(j, "name",
				       nm ? json_object_new_string(nm) : NULL);
		json_object_object_add(j, "result",
				       json_object_new_string(what));
		json_object_object_add(
		    j, "note", p ? json_object_new_string(p->note) : NULL);
		json_object_array_add(a, j);
	}
	json_object_object_add(o, "ok", json_object_new_boolean(code == 0));
	json_object_object_add(o, "exit_code", json_object_new_int(code));
	json_object_object_add(
	    o, "error",
	    e ? json_object_new_string(bpfd_error_format(e, buf, sizeof(buf)))
	      : NULL);
	json_object_object_add(o, "items", a);
	return o;
}

static int verify(const struct bpfd_needs *n, const struct bpfd_names *names,
		  int timeout_ms, json_object *json)
{
	struct bpfd_engine_opts eo = {0};
	struct bpfd_error e = {0};
	struct bpfd_report *rep = bpfd_report_new();
	int r, code;

	if (!rep) {
		fprintf(stderr, PROG ": out of memory\n");
		return EXIT_FAIL;
	}
	eo.deleg = n->deleg;
	eo.idmap = bpfd_idmap_default(getenv("SUDO_UID"), getenv("SUDO_GID"));
	eo.timeout_ms = timeout_ms;
	eo.probe = true;
	r = bpfd_engine_check(&eo, names, rep, &e);
	code = r < 0 ? cli_exit_code(&e) : EXIT_OK;
	if (json) {
		json_object_object_add(
		    json, "verify",
		    verified_json(n, rep, names, r < 0 ? &e : NULL, code));
	} else {
		if (code != EXIT_NOT_PRIVILEGED || rep->done)
			report_print_text("suggest --verify",
					  "in a private mount namespace", rep,
					  names, r < 0 ? &e : NULL);
		print_verified(stdout, n, rep, names);
	}
	if (r < 0)
		cli_print_error(&e);
	free(rep);
	return code;
}

int cmd_suggest(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"verify", no_argument, NULL, OPT_VERIFY},
	    {NULL, 0, NULL, 0},
	};
	struct suggest_opts so = {0};
	const struct cli_parser parser = {
	    .cmd = "suggest",
	    .flags = CLI_JSON | CLI_TIMEOUT | CLI_PERMUTE,
	    .longopts = longopts,
	    .usage = usage,
	    .option = suggest_option,
	    .ctx = &so,
	    .max_operands = -1,
	};
	struct cli_common co = {0};
	struct bpfd_needs n = {0};
	struct bpfd_names *names;
	int r, first;

	if (suggest_is_learn(argc, argv))
		return cmd_suggest_learn(argc, argv);
	r = cli_parse(argc, argv, &parser, &co, &first);
	if (r)
		return r < 0 ? EXIT_OK : r;
	if (co.json) {
		if (so.format_set && so.format != NEEDS_FMT_JSON) {
			cli_usage_error("suggest: --json and --format are "
					"exclusive");
			return EXIT_USAGE;
		}
		so.format = NEEDS_FMT_JSON;
	}
	if (first >= argc) {
		cli_usage_error("suggest: a BPF object file is needed");
		return EXIT_USAGE;
	}
	r = collect(argc - first, argv + first, &n);
	if (r) {
		bpfd_needs_free(&n);
		return r;
	}
	names = cli_load_names();
	if (!names) {
		bpfd_needs_free(&n);
		return EXIT_FAIL;
	}
	if (so.format == NEEDS_FMT_JSON) {
		json_object *j = needsfmt_json(&n, names);

		r = so.verify && j ? verify(&n, names, co.timeout_ms, j)
				   : EXIT_OK;
		printf("%s\n", j ? json_object_to_json_string_ext(
				       j, JSON_C_TO_STRING_PRETTY |
					      JSON_C_TO_STRING_NOSLASHESCAPE)
				 : "null");
		json_object_put(j);
	} else {
		needsfmt_print(stdout, so.format, &n, names);
		fflush(stdout);
		r = so.verify ? verify(&n, names, co.timeout_ms, NULL)
			      : EXIT_OK;
	}
	bpfd_needs_free(&n);
	bpfd_names_free(names);
	return r;
}
