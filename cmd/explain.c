// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bpfdelegate explain: the causes of a BPF_TOKEN_CREATE errno (or of a
 * libbpf token message), in the kernel's order, which one applies here
 * (probing the path from the message), what to do, and whether the message
 * is harmless.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpfdelegate/diag.h>

#include "cli.h"
#include "diagfmt.h"
#include "explain_object.h"

static void usage(FILE *out)
{
	fputs(
	    "Usage:\n"
	    " " PROG " explain [options] ERRNO|MESSAGE\n"
	    " " PROG " explain --object OBJ [--path BPFFS] [--json]\n"
	    "\n"
	    "Explain a BPF token error: ERRNO as -22, 22 or EINVAL, or a\n"
	    "whole libbpf line such as\n"
	    "  libbpf: object 'x': failed (-22) to create BPF token from\n"
	    "  '/sys/fs/bpf', skipping optional step...\n"
	    "Prints the causes in the order the kernel checks them, which\n"
	    "one applies on this machine (probing the path), what to do,\n"
	    "and whether the message is harmless.\n"
	    "\n"
	    "Options:\n"
	    "     --path DIR        the bpffs to probe (default: the path in\n"
	    "                       the message, else /sys/fs/bpf)\n"
	    "     --object OBJ      what BPF object OBJ needs that the bpffs\n"
	    "                       at --path (default: LIBBPF_BPF_TOKEN_PATH\n"
	    "                       else /sys/fs/bpf) does not delegate\n"
	    "     --json            print one JSON document\n"
	    " -h, --help            display this help\n"
	    " -V, --version         display version\n"
	    "\n"
	    "Exit status: 0 explained, 1 failure, 2 usage or input not\n"
	    "understood.\n"
	    "\n"
	    "See bpfdelegate(1).\n",
	    out);
}

enum { OPT_PATH = OPT_FIRST_FREE, OPT_OBJECT };

struct explain_opts {
	const char *path;
	const char *object; /* --object OBJ: cmd/explain_object.c */
	bool json;
	char *text; /* the operands joined, malloc'd */
};

struct explained {
	struct bpfd_explain_query q;
	struct bpfd_diag_facts f;
	enum bpfd_cause causes[8];
	size_t n;
	enum bpfd_cause applies;
	char why[512];
};

/* "-22", "-EINVAL", "-einval", "-E2BIG": an operand, not an option. */
static bool errno_like(const char *a)
{
	return a[0] == '-' &&
	       (isdigit((unsigned char)a[1]) ||
		((a[1] == 'E' || a[1] == 'e') && isalnum((unsigned char)a[2])));
}

/*
 * getopt would take "-22" for options; move such words behind "--".
 * Returns a new argv (free() it) with the same strings.
 */
static char **reorder(int argc, char **argv, int *nargc)
{
	char **v = calloc((size_t)argc + 2, sizeof(*v));
	int n = 0, i;

	if (!v)
		return NULL;
	v[n++] = argv[0];
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (errno_like(argv[i]))
			continue;
		v[n++] = argv[i];
		if (strcmp(argv[i], "--path") != 0)
			continue;
		/* Its value must not become the "--" we add below. */
		if (i + 1 >= argc || strcmp(argv[i + 1], "--") == 0) {
			cli_usage_error("explain: --path needs a value");
			free(v);
			return NULL;
		}
		v[n++] = argv[++i];
	}
	v[n++] = "--";
	for (int j = 1; j < argc; j++)
		if (errno_like(argv[j]) && j < i)
			v[n++] = argv[j];
	for (i++; i < argc; i++)
		v[n++] = argv[i];
	*nargc = n;
	return v;
}

static char *join(int argc, char **argv)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	for (int i = 0; s && i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static int explain_option(void *ctx, int c, const char *arg)
{
	if (c == OPT_OBJECT) {
		((struct explain_opts *)ctx)->object = arg;
		return 0;
	}
	if (c != OPT_PATH)
		return -1;
	if (!*arg || strlen(arg) >= BPFD_DIAG_PATH_MAX) {
		cli_usage_error("explain: --path: %s",
				*arg ? "longer than 511 bytes" : "empty path");
		return EXIT_USAGE;
	}
	((struct explain_opts *)ctx)->path = arg;
	return 0;
}

static int parse_opts(int argc, char **argv, struct explain_opts *o)
{
	static const struct option longopts[] = {
	    {"path", required_argument, NULL, OPT_PATH},
	    {"object", required_argument, NULL, OPT_OBJECT},
	    {NULL, 0, NULL, 0},
	};
	const struct cli_parser parser = {
	    .cmd = "explain",
	    .flags = CLI_JSON | CLI_PERMUTE,
	    .longopts = longopts,
	    .usage = usage,
	    .option = explain_option,
	    .ctx = o,
	    .max_operands = -1,
	};
	struct cli_common co = {0};
	int first, r = cli_parse(argc, argv, &parser, &co, &first);

	if (r)
		return r;
	o->json = co.json;
	if (o->object && first < argc) {
		cli_usage_error("explain: --object takes no errno or message");
		return EXIT_USAGE;
	}
	if (o->object)
		return 0;
	if (first >= argc) {
		cli_usage_error("explain: an errno or a libbpf message is "
				"needed");
		return EXIT_USAGE;
	}
	o->text = join(argc - first, argv + first);
	return o->text ? 0 : EXIT_FAIL;
}

static int parse_args(int argc, char **argv, struct explain_opts *o)
{
	int nargc, r;
	char **v = reorder(argc, argv, &nargc);

	if (!v)
		return EXIT_USAGE;
	r = parse_opts(nargc, v, o);
	free(v);
	return r;
}

static void explain(const char *path, const struct bpfd_names *names,
		    struct explained *x)
{
	bpfd_diag_collect(path, -1, names, &x->f);
	if (x->q.open_step) {
		x->causes[0] = BPFD_CAUSE_OPEN;
		x->n = 1;
		x->applies = bpfd_diag_decide_open(x->q.err, &x->f, x->why,
						   sizeof(x->why));
		return;
	}
	x->n = bpfd_token_causes(x->q.err, x->causes,
				 sizeof(x->causes) / sizeof(x->causes[0]));
	x->applies = bpfd_diag_decide(x->q.err, &x->f, x->why, sizeof(x->why));
}

static const char *harmless_text(const struct bpfd_explain_query *q)
{
	if (!q->libbpf)
		return NULL;
	if (q->optional)
		return "Harmless: libbpf tried its default path, could not "
		       "get a token and goes on loading without one "
		       "(\"skipping optional step\"). Only unprivileged "
		       "loading in a user namespace needs the token; "
		       "LIBBPF_BPF_TOKEN_PATH= (empty) stops the attempt.";
	return "Not harmless: the token was asked for (LIBBPF_BPF_TOKEN_PATH "
	       "or the bpf_token_path option), so libbpf fails the load.";
}

static void print_text(const struct explained *x)
{
	const char *h = harmless_text(&x->q);
	char line[1024];

	printf("%s (-%d, %s) from %s on %s\n", fmt_errname(x->q.err), x->q.err,
	       strerror(x->q.err),
	       x->q.open_step ? "opening the path" : "BPF_TOKEN_CREATE",
	       x->f.path);
	if (h) {
		putchar('\n');
		fmt_wrap(stdout, 0, 0, h);
	}
	printf("\nCauses, in the order the kernel checks them:\n");
	for (size_t i = 0; i < x->n; i++) {
		const struct bpfd_cause_info *ci =
		    bpfd_cause_info(x->causes[i]);

		printf("%s %zu. ", x->causes[i] == x->applies ? "->" : "  ",
		       i + 1);
		fmt_wrap(stdout, 6, 6, ci->text);
		snprintf(line, sizeof(line), "fix: %s", ci->fix);
		printf("      ");
		fmt_wrap(stdout, 6, 11, line);
	}
	if (x->applies)
		snprintf(line, sizeof(line), "%s applies: %s",
			 bpfd_cause_info(x->applies)->id, x->why);
	else
		snprintf(line, sizeof(line), "no single cause applies: %s",
			 x->why);
	printf("\nHere: ");
	fmt_wrap(stdout, 6, 6, line);
}

static void print_json(const struct explained *x, const char *input)
{
	json_object *o = json_object_new_object();
	json_object *a = json_object_new_array();
	const char *h = harmless_text(&x->q);

	json_object_object_add(o, "input", json_object_new_string(input));
	json_object_object_add(o, "errno", fmt_errno_json(x->q.err));
	json_object_object_add(o, "code", json_object_new_int(-x->q.err));
	json_object_object_add(o, "message",
			       json_object_new_string(strerror(x->q.err)));
	json_object_object_add(
	    o, "step",
	    json_object_new_string(x->q.open_step ? "open" : "token_create"));
	json_object_object_add(o, "libbpf",
			       json_object_new_boolean(x->q.libbpf));
	json_object_object_add(o, "path", json_object_new_string(x->f.path));
	json_object_object_add(
	    o, "harmless",
	    x->q.libbpf ? json_object_new_boolean(bpfd_explain_harmless(&x->q))
			: NULL);
	json_object_object_add(o, "harmless_text", fmt_str_or_null(h));
	for (size_t i = 0; i < x->n; i++) {
		const struct bpfd_cause_info *ci =
		    bpfd_cause_info(x->causes[i]);
		json_object *c = json_object_new_object();

		json_object_object_add(c, "id", json_object_new_string(ci->id));
		json_object_object_add(c, "cause",
				       json_object_new_string(ci->text));
		json_object_object_add(c, "fix",
				       json_object_new_string(ci->fix));
		json_object_object_add(
		    c, "applies",
		    json_object_new_boolean(x->causes[i] == x->applies));
		json_object_array_add(a, c);
	}
	json_object_object_add(o, "causes", a);
	json_object_object_add(
	    o, "applies",
	    x->applies ? json_object_new_string(bpfd_cause_info(x->applies)->id)
		       : NULL);
	json_object_object_add(o, "why", json_object_new_string(x->why));
	fmt_print_json(o);
}

int cmd_explain(int argc, char **argv)
{
	static struct explained x;
	struct explain_opts o = {0};
	struct bpfd_error e = {0};
	struct bpfd_names *names;
	const char *path;
	int r;

	r = parse_args(argc, argv, &o);
	if (r)
		return r < 0 ? EXIT_OK : r;
	if (o.object)
		return explain_object(o.object, o.path, o.json);
	if (bpfd_explain_parse(o.text, &x.q, &e) < 0) {
		/* one line: what was not understood */
		fprintf(stderr, PROG ": explain: %s\n", e.detail);
		free(o.text);
		return EXIT_USAGE;
	}
	path = o.path ? o.path : x.q.path[0] ? x.q.path : BPFD_DEFAULT_TARGET;
	names = cli_load_names();
	if (!names) {
		free(o.text);
		return EXIT_FAIL;
	}
	explain(path, names, &x);
	if (o.json)
		print_json(&x, o.text);
	else
		print_text(&x);
	bpfd_names_free(names);
	free(o.text);
	return EXIT_OK;
}
