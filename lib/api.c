// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The public engine interface (include/bpfdelegate/bpfdelegate.h): checks
 * the versioned options, translates them to the internal engine's
 * (lib/bpfdelegate/engine.h), and keeps the report behind an opaque result.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpfdelegate/bpfdelegate.h>
#include <bpfdelegate/engine.h>
#include <bpfdelegate/procns.h>
#include <bpfdelegate/sysbpf.h>
#include <bpfdelegate/userns.h>

#include "internal.h"

/* The internal report, 35 KB and growing with the probe table: opaque, so
 * that it can change without an ABI change. */
struct bpfd_result {
	struct bpfd_report rep;
};

#define BPFD_F_ALL                                                             \
	(BPFD_F_PROBE | BPFD_F_NO_VERIFY | BPFD_F_NEW_NETNS | BPFD_F_REPLACE | \
	 BPFD_F_USER)

const char *bpfd_lib_version(void)
{
	return BPFD_VERSION;
}

/*
 * libbpf's OPTS_VALID: a program built against an older header passes a
 * smaller struct (the fields it lacks keep their zero default); one built
 * against a newer header may pass a bigger one, accepted only when every
 * byte this library does not know is zero (an option it cannot honour is
 * refused, never ignored).
 */
static int opts_get(const struct bpfd_opts *in, struct bpfd_opts *out,
		    struct bpfd_error *err)
{
	size_t n;

	memset(out, 0, sizeof(*out));
	if (!in) {
		out->sz = sizeof(*out);
		return 0;
	}
	if (in->sz < sizeof(in->sz))
		return bpfd_error_set(err, BPFD_STEP_ARGS, EINVAL,
				      "opts->sz %zu: set it to sizeof(struct "
				      "bpfd_opts)",
				      in->sz);
	for (n = sizeof(*out); n < in->sz; n++)
		if (((const unsigned char *)in)[n])
			return bpfd_error_set(
			    err, BPFD_STEP_ARGS, EINVAL,
			    "opts: byte %zu of %zu is set, and this library "
			    "(%s) knows %zu: an option it cannot honour",
			    n, in->sz, BPFD_VERSION, sizeof(*out));
	memcpy(out, in, in->sz < sizeof(*out) ? in->sz : sizeof(*out));
	out->sz = sizeof(*out);
	if (out->flags & ~BPFD_F_ALL)
		return bpfd_error_set(err, BPFD_STEP_ARGS, EINVAL,
				      "opts->flags 0x%x: unknown flags 0x%x",
				      out->flags, out->flags & ~BPFD_F_ALL);
	return 0;
}

/* The options, the names and the result every entry point needs. */
struct call {
	struct bpfd_opts o;
	struct bpfd_engine_opts eo;
	struct bpfd_names *own_names;
	const struct bpfd_names *names;
	struct bpfd_result *res;
};

static void call_done(struct call *c, struct bpfd_result **res)
{
	bpfd_names_free(c->own_names);
	if (res)
		*res = c->res;
	else
		free(c->res);
}

static int call_start(struct call *c, const struct bpfd_opts *opts,
		      struct bpfd_result **res, struct bpfd_error *err)
{
	int r;

	memset(c, 0, sizeof(*c));
	if (res)
		*res = NULL;
	r = opts_get(opts, &c->o, err);
	if (r < 0)
		return r;
	c->names = c->o.names;
	if (!c->names) {
		r = bpfd_names_load(&c->own_names, NULL, 0, err);
		/* a corrupt kernel BTF: the built-in table still names */
		if (r < 0 && r != -ENOMEM)
			r = bpfd_names_load(&c->own_names, NULL,
					    BPFD_NAMES_NO_BTF, err);
		if (r < 0)
			return r;
		c->names = c->own_names;
	}
	c->res = calloc(1, sizeof(*c->res));
	if (!c->res) {
		bpfd_names_free(c->own_names);
		c->own_names = NULL;
		return bpfd_error_set(err, BPFD_STEP_ARGS, ENOMEM, NULL);
	}
	c->eo.deleg = c->o.deleg;
	c->eo.idmap = bpfd_idmap_default(NULL, NULL);
	if (c->o.uid)
		c->eo.idmap.uid = c->o.uid;
	if (c->o.gid)
		c->eo.idmap.gid = c->o.gid;
	c->eo.target = c->o.target ? c->o.target : BPFD_DEFAULT_TARGET;
	c->eo.timeout_ms = c->o.timeout_ms;
	c->eo.probe = c->o.flags & BPFD_F_PROBE;
	c->eo.no_verify = c->o.flags & BPFD_F_NO_VERIFY;
	c->eo.new_netns = c->o.flags & BPFD_F_NEW_NETNS;
	c->eo.replace = c->o.flags & BPFD_F_REPLACE;
	return 0;
}

int bpfd_check(const struct bpfd_opts *opts, struct bpfd_result **res,
	       struct bpfd_error *err)
{
	struct call c;
	int r;

	r = call_start(&c, opts, res, err);
	if (r < 0)
		return r;
	r = bpfd_engine_check(&c.eo, c.names, &c.res->rep, err);
	call_done(&c, res);
	return r;
}

int bpfd_run(const struct bpfd_opts *opts, char *const argv[], pid_t *pid,
	     int *pidfd, struct bpfd_result **res, struct bpfd_error *err)
{
	struct bpfd_exec ex = {0};
	struct bpfd_child ch = {.pid = -1, .pidfd = -1, .notify_fd = -1};
	struct call c;
	int r;

	if (pid)
		*pid = -1;
	if (pidfd)
		*pidfd = -1;
	if (!argv || !argv[0] || !pid || !pidfd) {
		if (res)
			*res = NULL;
		return bpfd_error_set(err, BPFD_STEP_ARGS, EINVAL,
				      "bpfd_run: argv, pid and pidfd are "
				      "required");
	}
	r = call_start(&c, opts, res, err);
	if (r < 0)
		return r;
	ex.argv = argv;
	ex.set_user = c.o.flags & BPFD_F_USER;
	ex.keep_caps = c.o.keep_caps;
	sigprocmask(SIG_SETMASK, NULL, &ex.sigmask);
	if (ex.set_user) {
		c.eo.idmap.has_user = true;
		c.eo.idmap.user_uid = c.o.user_uid;
		c.eo.idmap.user_gid = c.o.user_gid;
	}
	c.eo.exec = &ex;
	r = bpfd_engine_run(&c.eo, c.names, &c.res->rep, &ch, err);
	if (r == 0) {
		*pid = ch.pid;
		*pidfd = ch.pidfd;
	}
	call_done(&c, res);
	return r;
}

int bpfd_attach(pid_t pid, int root_fd, const struct bpfd_opts *opts,
		struct bpfd_result **res, struct bpfd_error *err)
{
	struct bpfd_proc proc;
	struct call c;
	int r;

	r = call_start(&c, opts, res, err);
	if (r < 0)
		return r;
	r = bpfd_check_privilege(err);
	if (r == 0)
		r = bpfd_proc_open(pid, &proc, err);
	if (r < 0) {
		/* the result says what failed, as after the engine */
		c.res->rep.err = err && err->err ? err->err : -r;
		c.res->rep.step = err ? err->step : BPFD_STEP_JOIN;
		if (err)
			snprintf(c.res->rep.detail, sizeof(c.res->rep.detail),
				 "%s", err->detail);
		call_done(&c, res);
		return r;
	}
	c.eo.join = &proc;
	c.eo.join_root_fd = root_fd >= 0 ? root_fd : proc.root_fd;
	r = bpfd_engine_attach(&c.eo, c.names, &c.res->rep, err);
	bpfd_proc_close(&proc);
	call_done(&c, res);
	return r;
}

int bpfd_result_delegation(const struct bpfd_result *res,
			   enum bpfd_result_set which,
			   struct bpfd_delegation *out)
{
	if (!res || !out)
		return -EINVAL;
	switch (which) {
	case BPFD_RESULT_REQUESTED:
		*out = res->rep.requested;
		return 0;
	case BPFD_RESULT_KEPT:
		if (!res->rep.kept_valid)
			return -ENODATA;
		*out = res->rep.kept;
		return 0;
	case BPFD_RESULT_TOKEN:
		if (res->rep.token_source == BPFD_TOKEN_SRC_NONE)
			return -ENODATA;
		*out = res->rep.token;
		return 0;
	}
	return -EINVAL;
}

const char *bpfd_result_target(const struct bpfd_result *res)
{
	return res ? res->rep.target : "";
}

const char *bpfd_result_mount_options(const struct bpfd_result *res)
{
	return res ? res->rep.mount_opts : "";
}

int bpfd_result_probes(const struct bpfd_result *res, unsigned int *count,
		       unsigned int *disagreements)
{
	if (!res)
		return -EINVAL;
	if (!res->rep.probed)
		return -ENODATA;
	if (count)
		*count = res->rep.probes.count;
	if (disagreements)
		*disagreements = res->rep.probes.disagreements;
	return 0;
}

void bpfd_result_error(const struct bpfd_result *res, struct bpfd_error *err)
{
	if (!err)
		return;
	if (!res || !res->rep.err) {
		memset(err, 0, sizeof(*err));
		return;
	}
	bpfd_report_error(&res->rep, err);
}

void bpfd_result_free(struct bpfd_result *res)
{
	free(res);
}

int bpfd_token_masks(int token_fd, struct bpfd_delegation *out)
{
	int r;

	if (!out)
		return -EINVAL;
	if (token_fd < 0)
		return -EBADF;
	r = bpfd_token_info(token_fd, out);
	if (r < 0)
		r = bpfd_token_fdinfo(token_fd, out);
	return r;
}
