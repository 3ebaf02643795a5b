// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bpfdelegate explain for libbpf's load, create and attach failures: the
 * message with its names, its causes (lib/loadmsg.c), and, for the causes
 * that are one known delegation item, whether the bpffs at the path
 * delegates it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpfdelegate/diag.h>
#include <bpfdelegate/loadmsg.h>

#include "cli.h"
#include "diagfmt.h"
#include "explain_load.h"

struct load_ctx {
	struct bpfd_load_msg m;
	struct bpfd_load_explanation x;
	struct bpfd_diag_facts f;
	bool deleg; /* f.deleg is a bpffs's delegation worth comparing */
	struct bpfd_names *names;
};

/* -1: not known here; 0: the item is missing at the path; 1: delegated. */
static int delegated_here(const struct load_ctx *c,
			  const struct bpfd_load_cause *ca)
{
	if (!ca->has_item || !c->deleg)
		return -1;
	return (c->f.deleg.mask[ca->item_kind] & ca->item_mask) != 0;
}

static const char *here_text(const struct load_ctx *c,
			     const struct bpfd_load_cause *ca, char *buf,
			     size_t len)
{
	int d = delegated_here(c, ca);

	if (d < 0)
		return NULL;
	snprintf(buf, len,
		 d ? "delegated at %s: not this one"
		   : "missing at %s: this applies",
		 c->f.path);
	return buf;
}

static void print_text(const struct load_ctx *c)
{
	char line[1024], here[600];

	if (c->m.err)
		printf("%s (-%d, %s) from libbpf: %s\n", fmt_errname(c->m.err),
		       c->m.err, strerror(c->m.err), c->m.id);
	else
		printf("libbpf: %s\n", c->m.id);
	putchar('\n');
	fmt_wrap(stdout, 0, 0, c->x.what);
	if (c->x.harmless) {
		putchar('\n');
		fmt_wrap(stdout, 0, 0,
			 "Harmless: libbpf goes on, and nothing fails "
			 "because of it.");
	}
	printf("\nCauses, most likely first:\n");
	for (size_t i = 0; i < c->x.n; i++) {
		const struct bpfd_load_cause *ca = &c->x.cause[i];
		const char *h = here_text(c, ca, here, sizeof(here));

		snprintf(line, sizeof(line), "[%s%s%s] %s",
			 bpfd_lm_kind_name(ca->kind), ca->item[0] ? ": " : "",
			 ca->item, ca->text);
		printf("%s %zu. ", delegated_here(c, ca) == 0 ? "->" : "  ",
		       i + 1);
		fmt_wrap(stdout, 6, 6, line);
		if (h) {
			printf("      ");
			fmt_wrap(stdout, 6, 6, h);
		}
		if (ca->fix[0]) {
			snprintf(line, sizeof(line), "fix: %s", ca->fix);
			printf("      ");
			fmt_wrap(stdout, 6, 11, line);
		}
	}
}

static void print_json(const struct load_ctx *c, const char *input)
{
	json_object *o = json_object_new_object();
	json_object *a = json_object_new_array();

	json_object_object_add(o, "input", json_object_new_string(input));
	json_object_object_add(o, "message", json_object_new_string(c->m.id));
	json_object_object_add(o, "kind", json_object_new_string(c->x.kind));
	json_object_object_add(o, "name", fmt_str_or_null(c->m.name));
	json_object_object_add(o, "target", fmt_str_or_null(c->m.target));
	json_object_object_add(o, "errno", fmt_errno_json(c->m.err));
	json_object_object_add(
	    o, "code", c->m.err ? json_object_new_int(-c->m.err) : NULL);
	json_object_object_add(o, "what", json_object_new_string(c->x.what));
	json_object_object_add(o, "harmless",
			       json_object_new_boolean(c->x.harmless));
	json_object_object_add(o, "path", json_object_new_string(c->f.path));
	json_object_object_add(o, "delegation",
			       c->deleg ? fmt_masks_json(c->names, &c->f.deleg)
					: NULL);
	for (size_t i = 0; i < c->x.n; i++) {
		const struct bpfd_load_cause *ca = &c->x.cause[i];
		json_object *j = json_object_new_object();
		int d = delegated_here(c, ca);

		json_object_object_add(j, "id", json_object_new_string(ca->id));
		json_object_object_add(
		    j, "kind",
		    json_object_new_string(bpfd_lm_kind_name(ca->kind)));
		json_object_object_add(j, "item", fmt_str_or_null(ca->item));
		json_object_object_add(j, "cause",
				       json_object_new_string(ca->text));
		json_object_object_add(j, "fix", fmt_str_or_null(ca->fix));
		json_object_object_add(j, "delegated_here",
				       d < 0 ? NULL
					     : json_object_new_boolean(d));
		json_object_array_add(a, j);
	}
	json_object_object_add(o, "causes", a);
	fmt_print_json(o);
}

int explain_load(const char *text, const char *path, int from_userns, bool json)
{
	static struct load_ctx c;
	const char *env = getenv("LIBBPF_BPF_TOKEN_PATH");

	memset(&c, 0, sizeof(c));
	if (bpfd_load_msg_parse(text, &c.m, NULL) < 0)
		return EXIT_USAGE;
	if (!path)
		path = env && *env ? env : BPFD_DEFAULT_TARGET;
	c.names = cli_load_names();
	if (!c.names)
		return EXIT_FAIL;
	bpfd_diag_collect(path, -1, c.names, &c.f);
	/* compare with a bpffs that delegates something; a host bpffs
	 * without delegate_* options says nothing about the loader's */
	c.deleg = c.f.is_bpffs && c.f.deleg_known &&
		  (c.f.deleg.mask[BPFD_CMDS] | c.f.deleg.mask[BPFD_MAPS] |
		   c.f.deleg.mask[BPFD_PROGS] | c.f.deleg.mask[BPFD_ATTACHS]);
	bpfd_load_msg_explain(
	    &c.m, from_userns >= 0 ? from_userns : !c.f.init_userns, &c.x);
	if (json)
		print_json(&c, text);
	else
		print_text(&c);
	bpfd_names_free(c.names);
	return EXIT_OK;
}
