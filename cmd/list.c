// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bpfdelegate list: every bpffs mount visible here (or in a process's mount
 * namespace), its owning user namespace and its delegation, decoded.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include <bpfdelegate/bpffs.h>
#include <bpfdelegate/mounts.h>

#include "cli.h"
#include "diagfmt.h"
#include "quote.h"

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      " " PROG " list [options]\n"
	      "\n"
	      "List every bpffs mount with its owning user namespace (tokens\n"
	      "are impossible from one of the initial user namespace), its\n"
	      "uid, gid and mode, and the four delegate_* sets decoded.\n"
	      "Telling the owner takes a token attempt: it needs CAP_BPF.\n"
	      "\n"
	      "Options:\n"
	      "     --pid PID         the mounts of PID's mount namespace\n"
	      "     --json            print one JSON document\n"
	      "     --format FORMAT   text, json (--json), or bpftool: the\n"
	      "                       JSON of `bpftool -j token list` (each "
	      "bpffs\n"
	      "                       with delegate_* options: token_info,\n"
	      "                       allowed_cmds, allowed_maps, ...)\n"
	      " -h, --help            display this help\n"
	      " -V, --version         display version\n"
	      "\n"
	      "Exit status: 0 ok, 1 failure, 2 usage.\n"
	      "\n"
	      "See bpfdelegate(1).\n",
	      out);
}

enum { OPT_PID = OPT_FIRST_FREE, OPT_FORMAT };

struct list_opts {
	pid_t pid; /* 0: this process */
	bool json;
	bool bpftool; /* --format bpftool */
};

/* A mount with what could be found out about it. */
struct listed {
	const struct bpfd_bpffs_mount *m;
	struct bpfd_owner_info owner;
	const char *tokens; /* "possible", "impossible", "unknown" */
	char reason[160];
};

/* Where the mounts are looked at: this process, or a pinned one. */
struct view {
	pid_t pid;
	int pidfd;
	int root_fd;   /* /proc/PID/root, or -1 */
	int userns_fd; /* /proc/PID/ns/user, or -1 */
	char mountinfo[64];
};

static void judge(struct listed *l)
{
	const struct bpfd_bpffs_mount *m = l->m;
	enum bpfd_owner o = l->owner.owner;

	l->tokens = "impossible";
	if (strcmp(m->root, "/") != 0) {
		snprintf(l->reason, sizeof(l->reason),
			 "a bind mount of %.100s inside a bpffs, not its root",
			 m->root);
	} else if (!m->deleg_ok) {
		l->tokens = "unknown";
		snprintf(l->reason, sizeof(l->reason),
			 "the delegate_* options cannot be decoded");
	} else if (bpfd_delegation_none(&m->deleg)) {
		snprintf(l->reason, sizeof(l->reason), "no delegate_* options");
	} else if (o == BPFD_OWNER_INITIAL) {
		snprintf(l->reason, sizeof(l->reason),
			 "it belongs to the initial user namespace");
	} else if (o == BPFD_OWNER_UNKNOWN) {
		l->tokens = "unknown";
		snprintf(l->reason, sizeof(l->reason),
			 "possible if it belongs to a user namespace other "
			 "than the initial one");
	} else {
		l->tokens = "possible";
		snprintf(l->reason, sizeof(l->reason),
			 "for processes of its user namespace with CAP_BPF%s",
			 o == BPFD_OWNER_NOT_CALLER ? " (not this one)" : "");
	}
}

static void find_owner(const struct view *v, struct listed *l)
{
	int fd, id;

	memset(&l->owner, 0, sizeof(l->owner));
	l->owner.err = -1;
	if (strcmp(l->m->root, "/") != 0) {
		snprintf(l->owner.how, sizeof(l->owner.how),
			 "not asked: the mount is not the bpffs's root");
		return;
	}
	/* Another process's mount points are only ever looked up inside its
	 * root: without that root, the owner stays unknown. */
	if (v->pid && v->root_fd < 0) {
		snprintf(l->owner.how, sizeof(l->owner.how),
			 "not asked: cannot open /proc/%d/root", (int)v->pid);
		return;
	}
	fd = bpfd_open_dir_in_root(v->root_fd, l->m->target);
	id = fd >= 0 ? bpfd_mount_id(fd) : fd;
	if (fd < 0)
		snprintf(l->owner.how, sizeof(l->owner.how),
			 "cannot open the mount point: %s", strerror(-fd));
	else if (id != l->m->mnt_id)
		snprintf(l->owner.how, sizeof(l->owner.how),
			 "the path leads to another mount (over-mounted)");
	else
		bpfd_bpffs_owner(fd, v->userns_fd, &l->owner);
	if (fd >= 0)
		close(fd);
}

static void print_text(const struct listed *l, size_t n,
		       const struct bpfd_names *names, const struct view *v)
{
	if (n == 0)
		printf("No bpffs is mounted (%s).\n", v->mountinfo);
	for (size_t i = 0; i < n; i++) {
		const struct bpfd_bpffs_mount *m = l[i].m;
		char line[1024], t[2048], r[1024], src[256];

		/*
		 * The mount point, root and source are chosen by whoever
		 * mounted (a container's root, for --pid): no raw newline or
		 * ESC reaches the terminal.  The options are the kernel's,
		 * numbers and names.
		 */
		printf("%s%s\n", i ? "\n" : "",
		       bpfd_escape_line(t, sizeof(t), m->target));
		snprintf(line, sizeof(line),
			 "id %d, root %s, source %s, uid %u, gid %u, mode %04o",
			 m->mnt_id, bpfd_escape_line(r, sizeof(r), m->root),
			 bpfd_escape_line(src, sizeof(src), m->source),
			 (unsigned int)m->uid, (unsigned int)m->gid, m->mode);
		printf("  %-9s", "mount");
		fmt_wrap(stdout, 11, 11, line);
		snprintf(line, sizeof(line), "%s (%s)",
			 bpfd_owner_text(l[i].owner.owner), l[i].owner.how);
		printf("  %-9s", "owner");
		fmt_wrap(stdout, 11, 11, line);
		for (int k = 0; k < BPFD_NKINDS && m->deleg_ok; k++) {
			char list[4096];

			bpfd_format_list(names, (enum bpfd_kind)k,
					 m->deleg.mask[k], list, sizeof(list));
			printf("  %-9s", bpfd_kind_name((enum bpfd_kind)k));
			fmt_wrap(stdout, 11, 11, list[0] ? list : "(none)");
		}
		if (!m->deleg_ok) {
			printf("  %-9s", "options");
			fmt_wrap(stdout, 11, 11, m->options);
		}
		snprintf(line, sizeof(line), "%s: %s", l[i].tokens,
			 l[i].reason);
		printf("  %-9s", "tokens");
		fmt_wrap(stdout, 11, 11, line);
	}
}

static json_object *mount_json(const struct listed *l,
			       const struct bpfd_names *names)
{
	const struct bpfd_bpffs_mount *m = l->m;
	json_object *o = json_object_new_object(), *own;
	char mode[8];

	snprintf(mode, sizeof(mode), "%04o", m->mode);
	json_object_object_add(o, "path", json_object_new_string(m->target));
	json_object_object_add(o, "mount_id", json_object_new_int(m->mnt_id));
	json_object_object_add(o, "root", json_object_new_string(m->root));
	json_object_object_add(o, "source", json_object_new_string(m->source));
	json_object_object_add(o, "uid", json_object_new_int64(m->uid));
	json_object_object_add(o, "gid", json_object_new_int64(m->gid));
	json_object_object_add(o, "mode", json_object_new_string(mode));
	json_object_object_add(o, "options",
			       json_object_new_string(m->options));
	own = fmt_owner_json(&l->owner);
	json_object_object_add(o, "owner", own);
	json_object_object_add(o, "delegation",
			       m->deleg_ok ? fmt_masks_json(names, &m->deleg)
					   : NULL);
	json_object_object_add(o, "tokens", json_object_new_string(l->tokens));
	json_object_object_add(o, "tokens_reason",
			       json_object_new_string(l->reason));
	return o;
}

static void print_json(const struct listed *l, size_t n,
		       const struct bpfd_names *names, const struct view *v)
{
	json_object *o = json_object_new_object();
	json_object *a = json_object_new_array();

	json_object_object_add(o, "pid",
			       v->pid ? json_object_new_int(v->pid) : NULL);
	json_object_object_add(o, "mountinfo",
			       json_object_new_string(v->mountinfo));
	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, mount_json(&l[i], names));
	json_object_object_add(o, "mounts", a);
	fmt_print_json(o);
}

/*
 * The values of option @key ("delegate_cmds") in the raw options @opts, as
 * bpftool's `token list` splits them: the text after "key=" up to the
 * next ',', each ':'-separated item a string.  bpftool prints the kernel's
 * own option text, names or hex numbers alike, so this does too (never
 * our names for the masks: those may differ on another kernel).
 */
static json_object *bpftool_items(const char *opts, const char *key)
{
	json_object *a = json_object_new_array();
	size_t klen = strlen(key);
	const char *p = opts;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			const char *v = p + klen + 1, *vend = p + n;

			while (v < vend) {
				const char *c =
				    memchr(v, ':', (size_t)(vend - v));
				size_t len =
				    c ? (size_t)(c - v) : (size_t)(vend - v);

				if (len)
					json_object_array_add(
					    a, json_object_new_string_len(
						   v, (int)len));
				v += len + 1;
			}
			break;
		}
		p = end ? end + 1 : NULL;
	}
	return a;
}

/*
 * bpftool -j token list (bpftool 7.8 read on this machine): an array with
 * one object per bpffs whose options name any delegate_*, in mount order
 * (bind mounts too: bpftool reads /proc/mounts, which has no mount root).
 */
static void print_bpftool(const struct bpfd_bpffs_mount *m, size_t n)
{
	static const char *const keys[][2] = {
	    {"allowed_cmds", "delegate_cmds"},
	    {"allowed_maps", "delegate_maps"},
	    {"allowed_progs", "delegate_progs"},
	    {"allowed_attachs", "delegate_attachs"},
	};
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		json_object *o;

		if (!strstr(m[i].options, "delegate_"))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "token_info",
				       json_object_new_string(m[i].target));
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			json_object_object_add(
			    o, keys[k][0],
			    bpftool_items(m[i].options, keys[k][1]));
		json_object_array_add(a, o);
	}
	fmt_print_json(a);
}

/* Pin PID and open what is needed of it. */
static int view_open(pid_t pid, struct view *v)
{
	char path[64];

	v->pid = pid;
	v->pidfd = v->root_fd = v->userns_fd = -1;
	snprintf(v->mountinfo, sizeof(v->mountinfo), "/proc/self/mountinfo");
	if (!pid)
		return 0;
	v->pidfd = pidfd_open(pid, 0);
	if (v->pidfd < 0) {
		fprintf(stderr, PROG ": list: pid %d: %s\n", (int)pid,
			strerror(errno));
		return -1;
	}
	snprintf(v->mountinfo, sizeof(v->mountinfo), "/proc/%d/mountinfo",
		 (int)pid);
	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	v->root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	v->userns_fd = open(path, O_RDONLY | O_CLOEXEC);
	return 0;
}

static void view_close(struct view *v)
{
	int *fds[] = {&v->pidfd, &v->root_fd, &v->userns_fd};

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* Everything read from /proc/PID came from the process pinned first. */
static int view_still_valid(const struct view *v)
{
	/* EPERM (another user's process, for a non-root caller) means alive. */
	if (v->pidfd < 0 || pidfd_send_signal(v->pidfd, 0, NULL, 0) == 0 ||
	    errno != ESRCH)
		return 0;
	fprintf(stderr, PROG ": list: pid %d exited while being inspected\n",
		(int)v->pid);
	return -1;
}

static int list_option(void *ctx, int c, const char *arg)
{
	struct list_opts *o = ctx;
	char *end;
	long v;

	if (c == OPT_FORMAT) {
		o->bpftool = strcmp(arg, "bpftool") == 0;
		if (strcmp(arg, "json") == 0)
			o->json = true;
		else if (!o->bpftool && strcmp(arg, "text") != 0) {
			cli_usage_error("list: --format: '%s' is not text, "
					"json or bpftool",
					arg);
			return EXIT_USAGE;
		}
		return 0;
	}
	if (c != OPT_PID)
		return -1;
	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || *end || end == arg || v <= 0 || v > INT_MAX) {
		cli_usage_error("list: --pid: invalid pid '%s'", arg);
		return EXIT_USAGE;
	}
	o->pid = (pid_t)v;
	return 0;
}

static int parse_args(int argc, char **argv, struct list_opts *o)
{
	static const struct option longopts[] = {
	    {"pid", required_argument, NULL, OPT_PID},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {NULL, 0, NULL, 0},
	};
	const struct cli_parser parser = {
	    .cmd = "list",
	    .flags = CLI_JSON,
	    .longopts = longopts,
	    .usage = usage,
	    .option = list_option,
	    .ctx = o,
	    .max_operands = 0,
	};
	struct cli_common co = {0};
	int first, r = cli_parse(argc, argv, &parser, &co, &first);

	o->json |= co.json;
	return r;
}

static int list_mounts(const struct list_opts *o,
		       const struct bpfd_names *names, struct view *v)
{
	struct bpfd_bpffs_mount *m = NULL;
	struct listed *l = NULL;
	struct bpfd_error e = {0};
	size_t n = 0;
	int code = EXIT_FAIL;

	if (bpfd_bpffs_mounts(v->mountinfo, names, &m, &n, &e) < 0) {
		cli_print_error(&e);
		return EXIT_FAIL;
	}
	if (o->bpftool) {
		/* No owner probe: bpftool's schema has no place for it. */
		if (view_still_valid(v) == 0) {
			print_bpftool(m, n);
			code = EXIT_OK;
		}
		free(m);
		return code;
	}
	l = calloc(n ? n : 1, sizeof(*l));
	if (!l) {
		fprintf(stderr, PROG ": out of memory\n");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		l[i].m = &m[i];
		find_owner(v, &l[i]);
		judge(&l[i]);
	}
	if (view_still_valid(v) < 0)
		goto out;
	if (o->json)
		print_json(l, n, names, v);
	else
		print_text(l, n, names, v);
	code = EXIT_OK;
out:
	free(l);
	free(m);
	return code;
}

int cmd_list(int argc, char **argv)
{
	struct list_opts o = {0};
	struct bpfd_names *names;
	struct view v;
	int r;

	r = parse_args(argc, argv, &o);
	if (r)
		return r < 0 ? EXIT_OK : r;
	names = cli_load_names();
	if (!names)
		return EXIT_FAIL;
	if (view_open(o.pid, &v) < 0) {
		bpfd_names_free(names);
		return EXIT_FAIL;
	}
	r = list_mounts(&o, names, &v);
	view_close(&v);
	bpfd_names_free(names);
	return r;
}
