// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bpfdelegate names: the names the running kernel accepts in delegate_*
 * options (from its BTF), compared with the built-in table.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "cli.h"
#include "diagfmt.h"

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      " " PROG " names [options] [cmds|maps|progs|attachs]\n"
	      "\n"
	      "List the names the running kernel accepts in the delegate_*\n"
	      "options of a bpffs (from its BTF), with systemd's spelling,\n"
	      "and mark any that the built-in table disagrees on.\n"
	      "\n"
	      "Options:\n"
	      "     --json            print one JSON document\n"
	      " -h, --help            display this help\n"
	      " -V, --version         display version\n"
	      "\n"
	      "Exit status: 0 ok, 1 failure, 2 usage.\n"
	      "\n"
	      "See bpfdelegate(1).\n",
	      out);
}

/* How the kernel's name of a value compares with the built-in one. */
enum agreement { SAME, ALIAS, KERNEL_ONLY, BUILTIN_ONLY, DIFFERS, NONE };

static const char *const agreement_id[] = {
    "same", "alias", "kernel-only", "builtin-only", "differs", "none"};
static const char *const agreement_text[] = {"",
					     "",
					     "not in the built-in table",
					     "only in the built-in table",
					     "the built-in table calls it ",
					     ""};

struct names_ctx {
	const struct bpfd_names *kernel;
	const struct bpfd_names *builtin; /* NULL: nothing to compare with */
	bool json;
	unsigned int disagreements;
};

static enum agreement compare(const struct names_ctx *c, enum bpfd_kind k,
			      unsigned int v)
{
	const char *kn = bpfd_names_get(c->kernel, k, v);
	const char *bn = c->builtin ? bpfd_names_get(c->builtin, k, v) : kn;

	if (!kn && !bn)
		return NONE;
	if (!bn)
		return KERNEL_ONLY;
	if (!kn)
		return BUILTIN_ONLY;
	if (strcmp(kn, bn) == 0)
		return SAME;
	/* the kernel also knows the built-in spelling for this value */
	if (bpfd_names_lookup(c->kernel, k, bn) == (int)v)
		return ALIAS;
	return DIFFERS;
}

static unsigned int kind_count(const struct names_ctx *c, enum bpfd_kind k)
{
	unsigned int n = bpfd_names_count(c->kernel, k);
	unsigned int b = c->builtin ? bpfd_names_count(c->builtin, k) : 0;

	return n > b ? n : b;
}

static void print_kind_text(struct names_ctx *c, enum bpfd_kind k)
{
	unsigned int n = kind_count(c, k);

	printf("%s (%s, prefix %s):\n", bpfd_kind_name(k), bpfd_kind_option(k),
	       bpfd_kind_prefix(k));
	for (unsigned int v = 0; v < n; v++) {
		enum agreement a = compare(c, k, v);
		const char *kn = bpfd_names_get(c->kernel, k, v);
		const char *bn =
		    c->builtin ? bpfd_names_get(c->builtin, k, v) : NULL;
		char sd[160] = "";

		if (a == NONE)
			continue;
		if (kn)
			bpfd_name_systemd(k, kn, sd, sizeof(sd));
		printf(" %c%3u  %-30s %s", a >= KERNEL_ONLY ? '*' : ' ', v,
		       kn ? kn : bn, sd);
		if (a >= KERNEL_ONLY) {
			c->disagreements++;
			printf("  [%s%s]", agreement_text[a],
			       a == DIFFERS ? bn : "");
		}
		putchar('\n');
	}
}

static json_object *kind_json(struct names_ctx *c, enum bpfd_kind k)
{
	json_object *a = json_object_new_array();
	unsigned int n = kind_count(c, k);

	for (unsigned int v = 0; v < n; v++) {
		enum agreement ag = compare(c, k, v);
		const char *kn = bpfd_names_get(c->kernel, k, v);
		const char *bn =
		    c->builtin ? bpfd_names_get(c->builtin, k, v) : NULL;
		json_object *o;
		char sd[160] = "";

		if (ag == NONE)
			continue;
		if (ag >= KERNEL_ONLY)
			c->disagreements++;
		if (kn)
			bpfd_name_systemd(k, kn, sd, sizeof(sd));
		o = json_object_new_object();
		json_object_object_add(o, "value", json_object_new_int((int)v));
		json_object_object_add(o, "name", fmt_str_or_null(kn));
		json_object_object_add(o, "systemd", fmt_str_or_null(sd));
		json_object_object_add(o, "builtin", fmt_str_or_null(bn));
		json_object_object_add(
		    o, "agreement",
		    json_object_new_string(c->builtin ? agreement_id[ag]
						      : "not-compared"));
		json_object_array_add(a, o);
	}
	return a;
}

static const char *kernel_release(void)
{
	static struct utsname u;

	return uname(&u) == 0 ? u.release : "unknown";
}

static void print_json(struct names_ctx *c, int only)
{
	json_object *o = json_object_new_object();
	json_object *kinds = json_object_new_object();

	json_object_object_add(o, "kernel",
			       json_object_new_string(kernel_release()));
	json_object_object_add(
	    o, "source",
	    json_object_new_string(c->builtin ? "btf" : "builtin"));
	for (int k = 0; k < BPFD_NKINDS; k++)
		if (only < 0 || only == k)
			json_object_object_add(
			    kinds, bpfd_kind_name((enum bpfd_kind)k),
			    kind_json(c, (enum bpfd_kind)k));
	json_object_object_add(o, "kinds", kinds);
	json_object_object_add(
	    o, "disagreements",
	    c->builtin ? json_object_new_int((int)c->disagreements) : NULL);
	fmt_print_json(o);
}

static void print_text(struct names_ctx *c, int only)
{
	char head[256];

	if (c->builtin) {
		snprintf(head, sizeof(head),
			 "Names from the kernel's BTF (%s); * marks a "
			 "disagreement with the built-in table.",
			 kernel_release());
		fmt_wrap(stdout, 0, 0, head);
		putchar('\n');
	} else
		printf("No kernel BTF: these are the built-in names (Linux "
		       "6.18).  This kernel accepts only\nnumbers in "
		       "delegate_* options; bpfdelegate turns names into "
		       "them.\n\n");
	for (int k = 0; k < BPFD_NKINDS; k++) {
		if (only >= 0 && only != k)
			continue;
		print_kind_text(c, (enum bpfd_kind)k);
		if (only < 0 && k + 1 < BPFD_NKINDS)
			putchar('\n');
	}
	if (c->builtin)
		printf("\n%u disagreement%s with the built-in table.\n",
		       c->disagreements, c->disagreements == 1 ? "" : "s");
}

/* "cmds", "cmd", "maps", ...: the kind, or -1. */
static int parse_kind(const char *arg)
{
	for (int k = 0; k < BPFD_NKINDS; k++) {
		const char *n = bpfd_kind_name((enum bpfd_kind)k);
		size_t len = strlen(n);

		if (strcmp(arg, n) == 0 ||
		    (strncmp(arg, n, len - 1) == 0 && arg[len - 1] == '\0'))
			return k;
	}
	return -1;
}

static int parse_args(int argc, char **argv, bool *json, int *only)
{
	const struct cli_parser parser = {
	    .cmd = "names",
	    .flags = CLI_JSON | CLI_PERMUTE,
	    .usage = usage,
	    .max_operands = 1,
	};
	struct cli_common co = {0};
	int first, r = cli_parse(argc, argv, &parser, &co, &first);

	if (r)
		return r;
	*json = co.json;
	if (first < argc && (*only = parse_kind(argv[first])) < 0) {
		cli_usage_error("names: unknown kind '%s' (cmds, maps, progs "
				"or attachs)",
				argv[first]);
		return EXIT_USAGE;
	}
	return 0;
}

int cmd_names(int argc, char **argv)
{
	struct names_ctx c = {0};
	struct bpfd_names *kernel, *builtin = NULL;
	int only = -1, r;

	r = parse_args(argc, argv, &c.json, &only);
	if (r)
		return r < 0 ? EXIT_OK : r;
	kernel = cli_load_names();
	if (!kernel)
		return EXIT_FAIL;
	if (bpfd_names_from_btf(kernel) &&
	    bpfd_names_load(&builtin, NULL, BPFD_NAMES_NO_BTF, NULL) < 0) {
		fprintf(stderr, PROG ": names: cannot load the built-in "
				     "table\n");
		bpfd_names_free(kernel);
		return EXIT_FAIL;
	}
	c.kernel = kernel;
	c.builtin = builtin;
	if (c.json)
		print_json(&c, only);
	else
		print_text(&c, only);
	bpfd_names_free(builtin);
	bpfd_names_free(kernel);
	return EXIT_OK;
}
