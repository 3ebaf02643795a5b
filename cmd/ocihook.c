// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bpfdelegate oci-hook: an OCI createRuntime (or prestart) hook.  It runs
 * in the runtime's namespaces, after the container's namespaces and mounts
 * exist and before pivot_root, with the state JSON on stdin.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli.h"

#define STATE_MAX (1 << 20)  /* OCI state: a few hundred bytes in practice */
#define CONFIG_MAX (8 << 20) /* config.json */
#define ANNOTATION_PREFIX "bpfdelegate.io/"

static void usage(FILE *out)
{
	fputs(
	    "Usage:\n"
	    " " PROG " oci-hook [options] < STATE\n"
	    "\n"
	    "OCI runtime hook (createRuntime; prestart accepted too): mount a\n"
	    "delegated bpffs into the container at its rootfs + target, "
	    "resolved\n"
	    "inside the rootfs, and verify token creation in its user "
	    "namespace.\n"
	    "Per-container delegation comes from the annotations\n"
	    "bpfdelegate.io/{cmds,maps,progs,attachs,preset,target}; the "
	    "options\n"
	    "below are the defaults.  A container with no such annotations, "
	    "under\n"
	    "a hook with no delegation options, is left untouched.\n"
	    "\n"
	    "Delegation defaults:\n"
	    " -c, --cmds LIST       bpf() commands\n"
	    " -m, --maps LIST       map types\n"
	    " -p, --progs LIST      program types\n"
	    " -a, --attachs LIST    attach types\n"
	    "     --preset NAME     a named set\n"
	    "\n"
	    "Options:\n"
	    "     --target PATH     mount point inside the rootfs (default\n"
	    "                       /sys/fs/bpf)\n"
	    "     --strict          refuse, not just warn, when the "
	    "container's\n"
	    "                       capabilities lack CAP_BPF\n"
	    "     --timeout SECS    bound on the handshake (default 10)\n"
	    " -h, --help            display this help\n"
	    " -V, --version         display version\n"
	    "\n"
	    "Exit status: 0 delegated, or nothing asked; 1 refused or failed "
	    "(one\n"
	    "line on stderr, which the runtime shows); 2 usage; 3 not "
	    "privileged;\n"
	    "4 kernel lacks BPF tokens.\n"
	    "\n"
	    "See bpfdelegate(1).\n",
	    out);
}

enum { OPT_TARGET = OPT_FIRST_FREE, OPT_STRICT };

struct hook_opts {
	struct cli_common co;	      /* the hook's arguments */
	struct bpfd_delegation deleg; /* their delegation, resolved */
	const char *target;
	bool strict;
};

/* What the state and config.json say about the container. */
struct container {
	const char *id;
	pid_t pid;
	char rootfs[4096];
	bool has_userns;
	bool caps_known, has_cap_bpf;
	struct cli_deleg deleg; /* from annotations */
	const char *target;
};

static void hook_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static void hook_error(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG " oci-hook: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Read at most @max bytes of @fd; NULL (with errno, E2BIG) otherwise. */
static char *read_bounded(int fd, size_t max, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);

	while (buf) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r < 0) {
				free(buf);
				return NULL;
			}
			buf[n] = '\0';
			*len = n;
			return buf;
		}
		n += (size_t)r;
		if (n > max) {
			free(buf);
			errno = E2BIG;
			return NULL;
		}
		if (n == cap) {
			char *nb = realloc(buf, cap * 2 + 1);

			if (!nb)
				free(buf);
			buf = nb;
			cap *= 2;
		}
	}
	return NULL;
}

static json_object *parse_json(const char *text, size_t len, const char *what)
{
	json_tokener *tok = json_tokener_new();
	enum json_tokener_error err;
	json_object *o;
	size_t end;

	if (!tok)
		return NULL;
	o = json_tokener_parse_ex(tok, text, (int)len);
	err = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	/* Nothing but white space may follow the document. */
	while (o && end < len && strchr(" \t\r\n", text[end]))
		end++;
	if (!o || err != json_tokener_success ||
	    !json_object_is_type(o, json_type_object) || end < len) {
		/* "continue" is json-c's word for input that ended early. */
		hook_error("%s is not a JSON object: %s", what,
			   !o	       ? (err == json_tokener_continue
					      ? "empty or truncated"
					      : json_tokener_error_desc(err))
			   : end < len ? "text after the object"
				       : "another JSON value");
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

static const char *get_string(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The annotations of one object into the container's settings. */
static int take_annotations(json_object *parent, struct container *c)
{
	static const struct {
		const char *key;
		int opt;
	} keys[] = {{"cmds", 'c'},
		    {"maps", 'm'},
		    {"progs", 'p'},
		    {"attachs", 'a'},
		    {"preset", OPT_PRESET}};
	json_object *ann;

	if (!json_object_object_get_ex(parent, "annotations", &ann) ||
	    !json_object_is_type(ann, json_type_object))
		return 0;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char name[64];
		const char *v;

		snprintf(name, sizeof(name), ANNOTATION_PREFIX "%s",
			 keys[i].key);
		v = get_string(ann, name);
		if (v && keys[i].opt == OPT_PRESET && strcmp(v, "list") == 0) {
			hook_error("annotation %s: 'list' is not a preset",
				   name);
			return -1;
		}
		if (v && cli_deleg_option(&c->deleg, keys[i].opt, v) < 0)
			return -1;
	}
	if (get_string(ann, ANNOTATION_PREFIX "target"))
		c->target = get_string(ann, ANNOTATION_PREFIX "target");
	return 0;
}

static bool has_string(json_object *arr, const char *s)
{
	if (!arr || !json_object_is_type(arr, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		const char *v =
		    json_object_get_string(json_object_array_get_idx(arr, i));

		if (v && strcmp(v, s) == 0)
			return true;
	}
	return false;
}

/* linux.namespaces has a "user" entry; process.capabilities has CAP_BPF. */
static void take_linux_process(json_object *cfg, struct container *c)
{
	json_object *linux_, *ns, *proc, *caps, *eff;

	if (json_object_object_get_ex(cfg, "linux", &linux_) &&
	    json_object_object_get_ex(linux_, "namespaces", &ns) &&
	    json_object_is_type(ns, json_type_array))
		for (size_t i = 0; i < json_object_array_length(ns); i++) {
			const char *t = get_string(
			    json_object_array_get_idx(ns, i), "type");

			if (t && strcmp(t, "user") == 0)
				c->has_userns = true;
		}
	if (json_object_object_get_ex(cfg, "process", &proc) &&
	    json_object_object_get_ex(proc, "capabilities", &caps)) {
		c->caps_known = true;
		json_object_object_get_ex(caps, "effective", &eff);
		c->has_cap_bpf = has_string(eff, "CAP_BPF");
	}
}

/* The state on stdin: pid, bundle, id, annotations. */
static json_object *read_state(struct container *c, const char **bundle)
{
	size_t len;
	char *text = read_bounded(STDIN_FILENO, STATE_MAX, &len);
	json_object *st, *pid;

	if (!text) {
		hook_error("cannot read the OCI state on stdin: %s",
			   errno == E2BIG ? "larger than 1 MiB"
					  : strerror(errno));
		return NULL;
	}
	st = parse_json(text, len, "the OCI state on stdin");
	free(text);
	if (!st)
		return NULL;
	c->id = get_string(st, "id");
	*bundle = get_string(st, "bundle");
	if (!json_object_object_get_ex(st, "pid", &pid) ||
	    !json_object_is_type(pid, json_type_int) ||
	    json_object_get_int64(pid) <= 0 ||
	    json_object_get_int64(pid) > 0x3fffffff || !*bundle ||
	    (*bundle)[0] != '/') {
		hook_error("the OCI state lacks a valid %s",
			   !*bundle || (*bundle)[0] != '/'
			       ? "absolute \"bundle\""
			       : "\"pid\"");
		json_object_put(st);
		return NULL;
	}
	c->pid = (pid_t)json_object_get_int64(pid);
	if (!c->id)
		c->id = "?";
	return st;
}

/* BUNDLE/config.json: root.path, namespaces, capabilities. */
static json_object *read_config(const char *bundle, struct container *c)
{
	int dfd = open(bundle, O_PATH | O_DIRECTORY | O_CLOEXEC), fd = -1;
	json_object *cfg, *root;
	const char *path;
	size_t len = 0;
	char *text;

	if (dfd >= 0)
		fd = openat(dfd, "config.json",
			    O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	text = fd >= 0 ? read_bounded(fd, CONFIG_MAX, &len) : NULL;
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	if (!text) {
		hook_error("cannot read %s/config.json: %s", bundle,
			   errno == E2BIG ? "larger than 8 MiB"
					  : strerror(errno));
		return NULL;
	}
	cfg = parse_json(text, len, "config.json");
	free(text);
	if (!cfg)
		return NULL;
	path = json_object_object_get_ex(cfg, "root", &root)
		   ? get_string(root, "path")
		   : NULL;
	if (!path || !*path) {
		hook_error("config.json lacks root.path");
		json_object_put(cfg);
		return NULL;
	}
	/* Both are the runtime's own paths; a relative root is under the
	 * bundle. */
	snprintf(c->rootfs, sizeof(c->rootfs), "%s%s%s",
		 path[0] == '/' ? "" : bundle, path[0] == '/' ? "" : "/", path);
	take_linux_process(cfg, c);
	return cfg;
}

/* Annotation values into masks; a bad one is the container's error. */
static int resolve_annotations(const struct cli_deleg *d,
			       const struct bpfd_names *names,
			       struct bpfd_delegation *out)
{
	static const char *const key[BPFD_NKINDS] = {"cmds", "maps", "progs",
						     "attachs"};
	struct bpfd_error e = {0};
	int bad = cli_deleg_masks(d, names, out, &e);

	if (bad >= 0) {
		hook_error("annotation " ANNOTATION_PREFIX "%s: %s",
			   d->item[bad].kind < 0 ? "preset"
						 : key[d->item[bad].kind],
			   e.detail);
		return -1;
	}
	for (int k = 0; k < BPFD_NKINDS; k++)
		if (out->mask[k])
			return 0;
	hook_error("the annotations delegate nothing: every mask is 0");
	return -1;
}

/* Refusals that need no privilege: no user namespace, no CAP_BPF. */
static int vet(const struct hook_opts *o, const struct container *c)
{
	if (!c->has_userns) {
		hook_error(
		    "container %s has no user namespace of its own: a BPF "
		    "token can never be created there (add a \"user\" "
		    "namespace with uid/gid mappings to linux.namespaces)",
		    c->id);
		return -1;
	}
	if (!c->caps_known || !c->has_cap_bpf) {
		hook_error(
		    "%s: container %s lacks CAP_BPF in process.capabilities"
		    ".effective: token creation will fail inside",
		    o->strict ? "refused" : "warning", c->id);
		if (o->strict)
			return -1;
	}
	return 0;
}

static int delegate(const struct hook_opts *o, const struct container *c,
		    struct bpfd_engine_opts *eo, const struct bpfd_names *names)
{
	struct bpfd_report *rep = calloc(1, sizeof(*rep));
	struct bpfd_error e = {0};
	struct bpfd_proc proc = {.pidfd = -1, .root_fd = -1};
	int rootfs = -1, r;

	r = rep ? bpfd_check_privilege(&e) : -ENOMEM;
	if (r == 0)
		r = bpfd_proc_open(c->pid, &proc, &e);
	/* The rootfs, resolved inside the container process's root. */
	if (r == 0)
		r = rootfs =
		    bpfd_open_in_root(proc.root_fd, c->rootfs, false, &e);
	if (r >= 0) {
		eo->join = &proc;
		eo->join_root_fd = rootfs;
		eo->target = c->target ? c->target : o->target;
		r = bpfd_attach(eo, names, rep, &e);
	}
	if (r < 0) {
		char buf[768];

		hook_error("container %s: %s", c->id,
			   r == -ENOMEM
			       ? "out of memory"
			       : bpfd_error_format(&e, buf, sizeof(buf)));
		r = cli_exit_code(&e);
	}
	if (rootfs >= 0)
		close(rootfs);
	bpfd_proc_close(&proc);
	free(rep);
	return r;
}

static int hook_option(void *ctx, int c, const char *arg)
{
	struct hook_opts *o = ctx;

	if (c == OPT_TARGET)
		o->target = arg;
	else if (c == OPT_STRICT)
		o->strict = true;
	else
		return -1;
	return 0;
}

static int parse_args(int argc, char **argv, struct hook_opts *o)
{
	static const struct option longopts[] = {
	    {"target", required_argument, NULL, OPT_TARGET},
	    {"strict", no_argument, NULL, OPT_STRICT},
	    {NULL, 0, NULL, 0},
	};
	const struct cli_parser parser = {
	    .cmd = "oci-hook",
	    .flags = CLI_DELEG | CLI_TIMEOUT,
	    .longopts = longopts,
	    .usage = usage,
	    .option = hook_option,
	    .ctx = o,
	    .max_operands = 0,
	};
	int first;

	return cli_parse(argc, argv, &parser, &o->co, &first);
}

/* Decide, then delegate: what is asked comes from annotations or args. */
static int hook(const struct hook_opts *o, struct container *c,
		const struct bpfd_names *names)
{
	struct bpfd_engine_opts eo = {.timeout_ms = o->co.timeout_ms};

	if (!cli_deleg_empty(&c->deleg)) {
		if (resolve_annotations(&c->deleg, names, &eo.deleg) < 0)
			return EXIT_FAIL;
	} else {
		eo.deleg = o->deleg; /* checked in cmd_oci_hook() */
	}
	if (vet(o, c) < 0)
		return EXIT_FAIL;
	return delegate(o, c, &eo, names);
}

int cmd_oci_hook(int argc, char **argv)
{
	struct hook_opts o = {0};
	struct container c = {0};
	struct bpfd_names *names = NULL;
	json_object *state = NULL, *cfg = NULL;
	const char *bundle = NULL;
	int r;

	r = parse_args(argc, argv, &o);
	if (r)
		return r < 0 ? EXIT_OK : r;
	/* The hook's own arguments are checked before anything is read. */
	if (!cli_deleg_empty(&o.co.deleg)) {
		names = cli_load_names();
		if (!names)
			return EXIT_FAIL;
		if (cli_deleg_resolve_default(&o.co.deleg, names, &o.deleg,
					      "oci-hook") < 0) {
			bpfd_names_free(names);
			return EXIT_USAGE;
		}
	}
	state = read_state(&c, &bundle);
	if (state)
		cfg = read_config(bundle, &c);
	if (!cfg) {
		r = EXIT_FAIL;
		goto out;
	}
	/* The state repeats the config's annotations; take the state's. */
	r = take_annotations(
	    json_object_object_get_ex(state, "annotations", NULL) ? state : cfg,
	    &c);
	if (r < 0) {
		r = EXIT_FAIL;
		goto out;
	}
	/* Installed for every container: nothing asked, nothing done. */
	if (cli_deleg_empty(&c.deleg) && cli_deleg_empty(&o.co.deleg))
		goto out;
	if (!names)
		names = cli_load_names();
	r = names ? hook(&o, &c, names) : EXIT_FAIL;
out:
	bpfd_names_free(names);
	json_object_put(cfg);
	json_object_put(state);
	return r;
}
