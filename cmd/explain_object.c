// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bpfdelegate explain --object: which delegation items a BPF object needs
 * that a bpffs lacks, and the option that adds each.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpfdelegate/bpffs.h>
#include <bpfdelegate/mounts.h>
#include <bpfdelegate/sysbpf.h>

#include "cli.h"
#include "diagfmt.h"
#include "explain_object.h"
#include "needsfmt.h"
#include "objneeds.h"
#include "quote.h"

/* What the bpffs delegates, and where that was read. */
struct delegated {
	struct bpfd_delegation d;
	const char *source; /* "token", "mount options" */
	char note[320];	    /* why no token, when read from the mount */
};

/* The bpffs mount @fd is on, from this process's mountinfo. */
static int from_mount(int fd, const char *path, const struct bpfd_names *names,
		      struct delegated *out)
{
	struct bpfd_bpffs_mount *m = NULL;
	struct bpfd_error e = {0};
	size_t n = 0;
	int id = bpfd_mount_id(fd), r = -ENOENT;
	char safe[600];

	bpfd_escape_line(safe, sizeof(safe), path);
	if (id >= 0 &&
	    bpfd_bpffs_mounts("/proc/self/mountinfo", names, &m, &n, &e) == 0)
		for (size_t i = 0; i < n; i++) {
			if (m[i].mnt_id != id)
				continue;
			if (!m[i].deleg_ok) {
				fprintf(stderr,
					PROG ": explain: %s: its delegate_* "
					     "options cannot be decoded\n",
					safe);
				r = -EINVAL;
				break;
			}
			out->d = m[i].deleg;
			out->source = "mount options";
			r = 0;
			break;
		}
	free(m);
	if (r == -ENOENT)
		fprintf(stderr, PROG ": explain: %s: not a bpffs mount\n",
			safe);
	return r;
}

/*
 * A token made from @path tells what it allows (as `list` and check do);
 * where none can be made here (the host's bpffs, or no CAP_BPF), the
 * mount's delegate_* options tell what a token would allow.
 */
static int read_delegated(const char *path, const struct bpfd_names *names,
			  struct delegated *out)
{
	char safe[600];
	int fd, tok, r;

	bpfd_escape_line(safe, sizeof(safe), path);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, PROG ": explain: %s: %s\n", safe,
			strerror(errno));
		return -errno;
	}
	tok = bpfd_token_create(fd);
	if (tok >= 0) {
		r = bpfd_token_info(tok, &out->d);
		if (r < 0)
			r = bpfd_token_fdinfo(tok, &out->d);
		close(tok);
		if (r == 0) {
			out->source = "token";
			close(fd);
			return 0;
		}
	}
	snprintf(out->note, sizeof(out->note),
		 "no token could be made from it here (%s%s); what a token "
		 "from it allows is read from its mount options",
		 strerror(tok < 0 ? -tok : EIO),
		 tok == -EOPNOTSUPP ? ": a bpffs of the initial user namespace"
				    : "");
	r = from_mount(fd, path, names, out);
	close(fd);
	return r;
}

static void print_list(const struct bpfd_delegation *d,
		       const struct bpfd_names *names)
{
	for (int k = 0; k < BPFD_NKINDS; k++) {
		char list[4096];

		bpfd_format_list(names, (enum bpfd_kind)k, d->mask[k], list,
				 sizeof(list));
		printf("  %-8s %s\n", bpfd_kind_name((enum bpfd_kind)k),
		       list[0] ? list : "(none)");
	}
}

static bool missing(const struct delegated *dl, const struct bpfd_need *it)
{
	return !(dl->d.mask[it->kind] >> it->value & 1);
}

static void print_text(const char *obj, const char *path,
		       const struct bpfd_needs *n, const struct delegated *dl,
		       const struct bpfd_names *names)
{
	struct bpfd_delegation with = dl->d;
	char safe_o[600], safe_p[600], opts[4 * 4096];
	size_t nmiss = 0;

	bpfd_escape_line(safe_o, sizeof(safe_o), obj);
	bpfd_escape_line(safe_p, sizeof(safe_p), path);
	printf("%s needs %zu items; the bpffs at %s delegates (read from "
	       "%s):\n",
	       safe_o, n->n, safe_p,
	       strcmp(dl->source, "token") ? "its mount options"
					   : "a token made from it");
	print_list(&dl->d, names);
	if (dl->note[0]) {
		putchar('\n');
		fmt_wrap(stdout, 0, 0, dl->note);
	}
	for (size_t i = 0; i < n->n; i++)
		nmiss += missing(dl, &n->items[i]);
	if (!nmiss) {
		printf("\nNothing is missing: it delegates every item %s "
		       "needs.\n",
		       safe_o);
		return;
	}
	printf("\nMissing, %zu of %zu:\n", nmiss, n->n);
	for (size_t i = 0; i < n->n; i++) {
		const struct bpfd_need *it = &n->items[i];
		const char *nm = bpfd_names_get(names, it->kind, it->value);
		const char *k = bpfd_kind_name(it->kind);
		char num[16];

		if (!missing(dl, it))
			continue;
		snprintf(num, sizeof(num), "%u", it->value);
		printf("  %-7s %s: %s\n", k, nm ? nm : num, it->reason);
		printf("          add: --%s %s (mount option %s=%s)\n", k,
		       nm ? nm : num, bpfd_kind_option(it->kind),
		       nm ? nm : num);
		with.mask[it->kind] |= 1ull << it->value;
	}
	needsfmt_options(&with, names, opts, sizeof(opts));
	printf("\nWith them, the whole delegation:\n  %s\n", opts);
	needsfmt_options(&n->deleg, names, opts, sizeof(opts));
	printf("The least %s needs (bpfdelegate suggest):\n  %s\n", safe_o,
	       opts);
}

static json_object *missing_json(const struct bpfd_needs *n,
				 const struct delegated *dl,
				 const struct bpfd_names *names)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < n->n; i++) {
		const struct bpfd_need *it = &n->items[i];
		const char *nm = bpfd_names_get(names, it->kind, it->value);
		const char *k = bpfd_kind_name(it->kind);
		json_object *j;
		char buf[160];

		if (!missing(dl, it))
			continue;
		j = json_object_new_object();
		json_object_object_add(j, "kind", json_object_new_string(k));
		json_object_object_add(j, "value",
				       json_object_new_int((int)it->value));
		json_object_object_add(j, "name", fmt_str_or_null(nm));
		json_object_object_add(j, "reason",
				       json_object_new_string(it->reason));
		if (nm) {
			snprintf(buf, sizeof(buf), "--%s %s", k, nm);
			json_object_object_add(j, "option",
					       json_object_new_string(buf));
			snprintf(buf, sizeof(buf), "%s=%s",
				 bpfd_kind_option(it->kind), nm);
			json_object_object_add(j, "mount_option",
					       json_object_new_string(buf));
		}
		json_object_array_add(a, j);
	}
	return a;
}

static void print_json(const char *obj, const char *path,
		       const struct bpfd_needs *n, const struct delegated *dl,
		       const struct bpfd_names *names)
{
	json_object *o = json_object_new_object(), *d, *miss;
	struct bpfd_needs got = {0};

	json_object_object_add(o, "object", json_object_new_string(obj));
	json_object_object_add(o, "path", json_object_new_string(path));
	json_object_object_add(o, "source", json_object_new_string(dl->source));
	json_object_object_add(o, "note",
			       fmt_str_or_null(dl->note[0] ? dl->note : NULL));
	/* the delegated masks as lists, through the same formatter */
	got.deleg = dl->d;
	d = needsfmt_json(&got, names);
	json_object_object_add(o, "delegated", d);
	json_object_object_add(o, "needs", needsfmt_json(n, names));
	miss = missing_json(n, dl, names);
	json_object_object_add(
	    o, "complete",
	    json_object_new_boolean(json_object_array_length(miss) == 0));
	json_object_object_add(o, "missing", miss);
	fmt_print_json(o);
}

int explain_object(const char *obj, const char *path, bool json)
{
	const char *env = getenv("LIBBPF_BPF_TOKEN_PATH");
	struct bpfd_needs n = {0};
	struct bpfd_error e = {0};
	struct delegated dl = {0};
	struct bpfd_names *names;
	char safe[600];
	int r;

	if (!path)
		path = env && *env ? env : BPFD_DEFAULT_TARGET;
	r = bpfd_objneeds_file(obj, &n, &e);
	if (r < 0) {
		bpfd_escape_line(safe, sizeof(safe), obj);
		fprintf(stderr, PROG ": explain: %s: %s\n", safe,
			e.detail[0] ? e.detail : strerror(-r));
		bpfd_needs_free(&n);
		return r == -ENOMEM ? EXIT_FAIL : EXIT_USAGE;
	}
	names = cli_load_names();
	if (!names) {
		bpfd_needs_free(&n);
		return EXIT_FAIL;
	}
	r = read_delegated(path, names, &dl);
	if (r == 0) {
		if (json)
			print_json(obj, path, &n, &dl, names);
		else
			print_text(obj, path, &n, &dl, names);
	}
	bpfd_names_free(names);
	bpfd_needs_free(&n);
	return r == 0 ? EXIT_OK : EXIT_FAIL;
}
