// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bpfdelegate oci-hook: an OCI createRuntime (or prestart) hook.  It runs
 * in the runtime's namespaces, after the container's namespaces and mounts
 * exist and before pivot_root, with the state JSON on stdin.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpfdelegate/mounts.h>
#include <bpfdelegate/userns.h>

#include "cli.h"
#include "rootless.h"
#include "service.h"
#include "oci.h"
#include "policy.h"
#include "quote.h"
#include "svcclient.h"

#define STATE_MAX (1 << 20)  /* OCI state: a few hundred bytes in practice */
#define CONFIG_MAX (8 << 20) /* config.json */

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
	    "a hook with no delegation options, is left untouched.  When a "
	    "policy\n"
	    "file exists, what annotations ask must be within its container "
	    "rules\n"
	    "(bpfdelegate(1), POLICY).\n"
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
	    "     --unusable fail|warn  when config.json shows the container "
	    "could\n"
	    "                       never use the token (no CAP_BPF, a "
	    "seccomp\n"
	    "                       profile denying bpf(), ...): fail "
	    "(default),\n"
	    "                       or only warn (annotation\n"
	    "                       bpfdelegate.io/unusable: the "
	    "container's choice)\n"
	    "     --strict          the same as --unusable fail\n"
	    "     --timeout SECS    bound on reading the state, and on the\n"
	    "                       handshake (default 10)\n"
	    " -h, --help            display this help\n"
	    " -V, --version         display version\n"
	    "\n"
	    "Exit status: 0 delegated, or nothing asked; 1 refused or failed "
	    "(one\n"
	    "line on stderr, which the runtime shows), also for bad input; "
	    "2 usage;\n"
	    "3 not privileged; 4 kernel lacks BPF tokens.\n"
	    "\n"
	    "See bpfdelegate(1).\n",
	    out);
}

enum { OPT_TARGET = OPT_FIRST_FREE, OPT_STRICT, OPT_UNUSABLE };

struct hook_opts {
	struct cli_common co;	      /* the hook's arguments */
	struct bpfd_delegation deleg; /* their delegation, resolved */
	const char *target;
	bool warn_unusable; /* --unusable warn */
};

/* What the state and config.json say about the container. */
struct container {
	const char *id;
	const char *bundle;
	pid_t pid;
	char rootfs[BPFD_OCI_PATH_MAX];
	bool has_userns;
	const struct bpfd_oci_config *cfg;
	struct cli_deleg deleg; /* from annotations */
	const char *target;
	const char *unusable; /* annotation: "fail", "warn" or NULL */
};

static void hook_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/*
 * One line on stderr, which runc copies into its own error and log: any
 * byte outside printable ASCII (a newline or an ESC from an annotation,
 * a path, an id) is shown as \xNN.
 */
static void hook_error(const char *fmt, ...)
{
	char line[1024], safe[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, PROG " oci-hook: %s\n",
		bpfd_escape_line(safe, sizeof(safe), line));
}

/* Milliseconds left until @end (CLOCK_MONOTONIC), at least 0. */
static int ms_left(const struct timespec *end)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (end->tv_sec - now.tv_sec) * 1000LL +
	     (end->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : ms > INT_MAX ? INT_MAX : (int)ms;
}

/*
 * Read at most @max bytes of @fd until EOF, each read after a poll bounded
 * by @timeout_ms in all: a runtime that never closes the pipe is an error,
 * not a hang.  NULL with errno (E2BIG, ETIMEDOUT, ...) otherwise.
 */
static char *read_bounded(int fd, size_t max, int timeout_ms, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	struct timespec end;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout_ms / 1000;
	end.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	while (buf) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int pr = poll(&p, 1, ms_left(&end));
		ssize_t r;

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0)
			errno = ETIMEDOUT;
		if (pr <= 0) {
			free(buf);
			return NULL;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
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
	errno = ENOMEM;
	return NULL;
}

/* The reason a read failed, for "cannot read X: ..." */
static const char *read_error(int err, const char *size, int timeout_ms)
{
	static char why[96];

	if (err == E2BIG)
		snprintf(why, sizeof(why), "larger than %s", size);
	else if (err == ETIMEDOUT)
		snprintf(why, sizeof(why),
			 "nothing (or no end) within %d ms (--timeout)",
			 timeout_ms);
	else
		snprintf(why, sizeof(why), "%s", strerror(err));
	return why;
}

/* The state on stdin: pid, bundle, id, annotations. */
static int read_state(struct bpfd_oci_state *st, int timeout_ms)
{
	struct bpfd_error e = {0};
	size_t len = 0;
	char *text = read_bounded(STDIN_FILENO, STATE_MAX, timeout_ms, &len);
	int r;

	if (!text) {
		hook_error("cannot read the OCI state on stdin: %s",
			   read_error(errno, "1 MiB", timeout_ms));
		return -1;
	}
	r = bpfd_oci_parse_state(text, len, st, &e);
	free(text);
	if (r < 0) {
		hook_error("%s", e.detail);
		return -1;
	}
	return 0;
}

/*
 * BUNDLE/config.json: root.path, namespaces, capabilities.  The runtime
 * writes it as a regular file: a FIFO, a device or a symlink there is
 * refused.  O_NONBLOCK keeps the open of a FIFO from waiting for a writer
 * (--timeout would not apply to a blocked open).
 */
static int read_config(const char *bundle, struct bpfd_oci_config *cfg,
		       int timeout_ms)
{
	int dfd = open(bundle, O_PATH | O_DIRECTORY | O_CLOEXEC), fd = -1;
	struct bpfd_error e = {0};
	struct stat sb;
	size_t len = 0;
	char *text = NULL, path[BPFD_OCI_PATH_MAX + 16], qb[160];
	int r, err;

	if (dfd >= 0)
		fd = openat(dfd, "config.json",
			    O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	err = errno;
	if (dfd >= 0)
		close(dfd);
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	bpfd_quote(qb, sizeof(qb), path);
	if (fd < 0) {
		hook_error("cannot open %s: %s%s", qb, strerror(err),
			   err == ELOOP ? " (a symlink is not accepted)" : "");
		return -1;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		hook_error("%s is not a regular file", qb);
		close(fd);
		return -1;
	}
	text = read_bounded(fd, CONFIG_MAX, timeout_ms, &len);
	err = errno;
	close(fd);
	if (!text) {
		hook_error("cannot read %s: %s", qb,
			   read_error(err, "8 MiB", timeout_ms));
		return -1;
	}
	r = bpfd_oci_parse_config(text, len, cfg, &e);
	free(text);
	if (r < 0) {
		hook_error("%s", e.detail);
		return -1;
	}
	return 0;
}

/* The annotations into the container's settings. */
static int take_annotations(const struct bpfd_oci_annotations *a,
			    struct container *c)
{
	static const int opt[BPFD_OCI_NKEYS] = {
	    [BPFD_OCI_CMDS] = 'c',	    [BPFD_OCI_MAPS] = 'm',
	    [BPFD_OCI_PROGS] = 'p',	    [BPFD_OCI_ATTACHS] = 'a',
	    [BPFD_OCI_PRESET] = OPT_PRESET, [BPFD_OCI_TARGET] = 0,
	    [BPFD_OCI_UNUSABLE] = 0,
	};

	for (int k = 0; k < BPFD_OCI_NKEYS; k++) {
		const char *v = a->value[k];

		if (!v || k == BPFD_OCI_TARGET || k == BPFD_OCI_UNUSABLE)
			continue;
		if (k == BPFD_OCI_PRESET && strcmp(v, "list") == 0) {
			hook_error("annotation " BPFD_OCI_ANNOTATION_PREFIX
				   "preset: 'list' is not a preset");
			return -1;
		}
		if (cli_deleg_option(&c->deleg, opt[k], v) < 0)
			return -1;
	}
	c->target = a->value[BPFD_OCI_TARGET];
	c->unusable = a->value[BPFD_OCI_UNUSABLE];
	if (c->unusable && strcmp(c->unusable, "fail") != 0 &&
	    strcmp(c->unusable, "warn") != 0) {
		char q[96];

		hook_error("annotation " BPFD_OCI_ANNOTATION_PREFIX
			   "unusable: %s is neither 'fail' nor 'warn'",
			   bpfd_quote(q, sizeof(q), c->unusable));
		return -1;
	}
	return 0;
}

/* What the hook needs of both documents, checked. */
static int take_container(const struct bpfd_oci_state *st,
			  const struct bpfd_oci_config *cfg,
			  struct container *c)
{
	struct bpfd_error e = {0};

	c->id = st->id;
	c->bundle = st->bundle;
	c->pid = st->pid;
	if (bpfd_oci_rootfs(st->bundle, cfg->root_path, c->rootfs,
			    sizeof(c->rootfs), &e) < 0) {
		hook_error("%s", e.detail);
		return -1;
	}
	c->has_userns = cfg->has_userns;
	c->cfg = cfg;
	/* The state repeats the config's annotations; take the state's. */
	return take_annotations(st->ann.present ? &st->ann : &cfg->ann, c);
}

/* Annotation values into masks; a bad one is the container's error. */
static int resolve_annotations(const struct cli_deleg *d,
			       const struct bpfd_names *names,
			       struct bpfd_delegation *out)
{
	static const char *const key[BPFD_NKINDS] = {"cmds", "maps", "progs",
						     "attachs"};
	struct bpfd_preset_skipped skipped;
	struct bpfd_error e = {0};
	int bad = cli_deleg_masks(d, names, out, &skipped, &e);

	if (bad >= 0) {
		hook_error("annotation " BPFD_OCI_ANNOTATION_PREFIX "%s: %s",
			   d->item[bad].kind < 0 ? "preset"
						 : key[d->item[bad].kind],
			   e.detail);
		return -1;
	}
	cli_print_skipped(&skipped);
	for (int k = 0; k < BPFD_NKINDS; k++)
		if (out->mask[k])
			return 0;
	hook_error("the annotations delegate nothing: every mask is 0");
	return -1;
}

/*
 * Refusals that need no privilege: no user namespace, or a container that
 * could never use a token delegating @d (bpfd_oci_usable(): its
 * capabilities, its seccomp profile).  The latter is a failure unless the
 * hook's --unusable warn or the container's annotation says warn: runc
 * shows a hook's stderr only when the hook fails.
 */
static int vet(const struct hook_opts *o, const struct container *c,
	       const struct bpfd_delegation *d, const struct bpfd_names *names)
{
	char why[512];
	bool warn;
	int r;

	/* Without a "user" entry the container shares the runtime's user
	 * namespace: the initial one for a root runtime (no token ever),
	 * the user's own for rootless podman, whose hooks run inside it.
	 * The hook joins the container's user namespace, which must be
	 * another than its own. */
	if (!c->has_userns && !bpfd_in_initial_userns()) {
		hook_error("container %s shares the runtime's user namespace "
			   "(rootless podman without --userns): the hook "
			   "needs one of the container's own (podman "
			   "--userns=auto or --uidmap)",
			   c->id);
		return -1;
	}
	if (!c->has_userns) {
		hook_error(
		    "container %s has no user namespace of its own: a BPF "
		    "token can never be created there (add a \"user\" "
		    "namespace with uid/gid mappings to linux.namespaces)",
		    c->id);
		return -1;
	}
	r = bpfd_oci_usable(c->cfg, d, names, why, sizeof(why));
	if (r == 0)
		return 0;
	warn =
	    c->unusable ? strcmp(c->unusable, "warn") == 0 : o->warn_unusable;
	if (r == 2) /* part of the delegation: never a refusal */
		warn = true;
	hook_error("%s: container %s %s: %s%s", warn ? "warning" : "refused",
		   c->id,
		   r == 2 ? "cannot use all of its token"
			  : "could never use its token",
		   why,
		   warn ? ""
			: " (--unusable warn or the annotation "
			  "bpfdelegate.io/unusable=warn to go on; see "
			  "oci-hook in bpfdelegate(1))");
	return warn ? 0 : -1;
}

/*
 * Certainly inside a user namespace other than the initial one: a hook of
 * rootless podman.  Without a service to ask it can delegate nothing, and
 * the policy (root's, not even mapped here) is not read: the engine says
 * it is not privileged.
 */
/*
 * The attach into the container.  @base is the caller's; the options that
 * point at this function's locals (the pinned process) live in a copy
 * that dies with them.
 */
static int delegate(const struct hook_opts *o, const struct container *c,
		    const struct bpfd_engine_opts *base,
		    const struct bpfd_names *names)
{
	struct bpfd_report *rep = bpfd_report_new();
	struct bpfd_error e = {0};
	struct bpfd_proc proc = {.pidfd = -1, .root_fd = -1};
	struct bpfd_engine_opts run = *base, *eo = &run;
	struct cli_rootless_op ro;
	struct cli_service svc;
	/* Rootless podman runs hooks inside its user namespace: there only
	 * the service can delegate. */
	bool service = cli_service_wanted(true);
	int rootfs = -1, r, sig = 0;

	/* A rootless runtime's hook (the user, in the host's namespaces):
	 * the container's user namespace must be the user's own, and the
	 * policy must grant the request, before anything privileged. */
	if (cli_rootless()) {
		r = cli_rootless_target(c->pid, "oci-hook");
		if (!r)
			r = cli_rootless_allow(
			    "oci-hook", BPFD_POLICY_ATTACH, &eo->deleg, false,
			    c->target	? c->target
			    : o->target ? o->target
					: BPFD_DEFAULT_TARGET,
			    names, &ro, eo);
		if (r) {
			free(rep);
			return r;
		}
	}
	r = !rep			? -ENOMEM
	    : cli_rootless() || service ? 0
					: bpfd_check_privilege(&e);
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
		if (service)
			cli_service_use(&svc, eo, BPFD_POLICY_ATTACH,
					proc.pidfd);
		r = bpfd_engine_attach(eo, names, rep, &e);
		if (r < 0)
			sig = cli_stop_signal(&e, eo->stop_signals);
	}
	if (sig > 0) {
		hook_error("container %s: interrupted by SIG%s; nothing left "
			   "mounted",
			   c->id, sigabbrev_np(sig));
		r = 128 + sig;
	} else if (r < 0) {
		char buf[768];
		bool nomem = r == -ENOMEM;

		r = cli_exit_code(&e);
		/* Exit 4 names the kernel, whatever step failed: on a kernel
		 * without tokens that verdict comes first (cli_exit_code),
		 * and the one line must say so. */
		/* Inside a user namespace only the service can delegate:
		 * name the socket it was looked for at. */
		bool nosvc = r == EXIT_NOT_PRIVILEGED && !service &&
			     bpfd_in_child_userns();

		hook_error("container %s: %s%s%s%s%s", c->id,
			   nomem ? "out of memory"
				 : bpfd_error_format(&e, buf, sizeof(buf)),
			   r == EXIT_NO_KERNEL_SUPPORT ? "; " : "",
			   r == EXIT_NO_KERNEL_SUPPORT ? cli_kernel_verdict()
						       : "",
			   nosvc ? "; inside a user namespace (rootless "
				   "podman) only bpfdelegate serve can "
				   "delegate, and nothing listens at "
				 : "",
			   nosvc ? bpfd_service_socket() : "");
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

	if (c == OPT_TARGET) {
		o->target = arg;
	} else if (c == OPT_STRICT) {
		o->warn_unusable = false;
	} else if (c == OPT_UNUSABLE) {
		if (strcmp(arg, "fail") != 0 && strcmp(arg, "warn") != 0) {
			cli_usage_error("oci-hook: --unusable: '%s' is neither "
					"'fail' nor 'warn'",
					arg);
			return EXIT_USAGE;
		}
		o->warn_unusable = strcmp(arg, "warn") == 0;
	} else {
		return -1;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct hook_opts *o)
{
	static const struct option longopts[] = {
	    {"target", required_argument, NULL, OPT_TARGET},
	    {"strict", no_argument, NULL, OPT_STRICT},
	    {"unusable", required_argument, NULL, OPT_UNUSABLE},
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

/*
 * The administrator's policy on what container @id asks (@d mounted at
 * @target), for @who: the container (the root hook: its OCI id and
 * bundle) or the calling user (a rootless hook).  0 to go on, or
 * EXIT_FAIL with the refusal printed.  With @flags
 * BPFD_POLICY_IF_PRESENT and no policy file at all, the hook goes on as
 * it did before policies existed.
 */
static int hook_policy(const struct bpfd_subject *who, unsigned int flags,
		       const char *id, const struct bpfd_delegation *d,
		       const char *target, const struct bpfd_names *names)
{
	struct bpfd_request req = {
	    .cmd = BPFD_POLICY_ATTACH, .deleg = *d, .target = target};
	struct bpfd_verdict v;
	struct bpfd_error e = {0};
	char buf[768];
	int r = bpfd_policy_check(who, &req, names, flags, &v, &e);

	if (r >= 0)
		return 0;
	if (r == -EACCES)
		hook_error("container %s: refused by the policy: %s (%s%s)", id,
			   v.reason,
			   v.rule[0] ? "rule " : "no rule: default deny",
			   v.rule);
	else
		hook_error("container %s: %s", id,
			   bpfd_error_format(&e, buf, sizeof(buf)));
	return EXIT_FAIL;
}

/* Decide, then delegate: what is asked comes from annotations or args. */
static int hook(const struct hook_opts *o, struct container *c,
		const struct bpfd_names *names)
{
	struct bpfd_engine_opts eo = {.timeout_ms = o->co.timeout_ms};
	sigset_t stop;

	if (!cli_deleg_empty(&c->deleg)) {
		if (resolve_annotations(&c->deleg, names, &eo.deleg) < 0)
			return EXIT_FAIL;
	} else {
		eo.deleg = o->deleg; /* checked in cmd_oci_hook() */
	}
	/* What a container's annotations ask is bounded by the policy's
	 * container rules; the hook's own arguments are root's.  Through
	 * the service, the service decides by the user's rule (inside a
	 * user namespace the policy's owner, root, is not even mapped). */
	if ((!cli_deleg_empty(&c->deleg) || c->target) &&
	    !cli_service_wanted(true) && !bpfd_in_child_userns()) {
		const struct bpfd_subject who = {.kind = BPFD_SUBJECT_CONTAINER,
						 .oci_id = c->id,
						 .bundle = c->bundle};
		const char *target = c->target	 ? c->target
				     : o->target ? o->target
						 : BPFD_DEFAULT_TARGET;

		if (hook_policy(&who, BPFD_POLICY_IF_PRESENT, c->id, &eo.deleg,
				target, names))
			return EXIT_FAIL;
	}
	if (vet(o, c, &eo.deleg, names) < 0)
		return EXIT_FAIL;
	/* A stop signal ends the attach, which then undoes its mount. */
	cli_stop_signals_block(&stop);
	eo.stop_signals = &stop;
	return delegate(o, c, &eo, names);
}

/*
 * The kernel's names (BTF, ~0.4 ms of a ~3 ms hook) only when something
 * goes by name: annotations other than "any", or a policy (its rules
 * name users, containers and masks by name; rootless always has one).
 * Else the built-in table, as for `attach --cmds any ...`: "any" needs no
 * name, and a refusal's text names what it can.
 */
static struct bpfd_names *hook_names(const struct container *c)
{
	if (!cli_rootless() && !bpfd_policy_present(bpfd_policy_dir()))
		return cli_load_names_for(&c->deleg);
	return cli_load_names();
}

int cmd_oci_hook(int argc, char **argv)
{
	struct hook_opts o = {0};
	struct container c = {0};
	struct bpfd_names *names = NULL;
	struct bpfd_oci_state st = {0};
	struct bpfd_oci_config cfg = {0};
	int r;

	r = parse_args(argc, argv, &o);
	if (r)
		return r < 0 ? EXIT_OK : r;
	/* The hook's own arguments are checked before anything is read. */
	if (!cli_deleg_empty(&o.co.deleg)) {
		names = cli_load_names();
		if (!names)
			return EXIT_FAIL;
		r = cli_deleg_resolve_default(&o.co.deleg, names, &o.deleg,
					      NULL, "oci-hook");
		if (r) {
			bpfd_names_free(names);
			return r;
		}
	}
	r = EXIT_FAIL;
	if (read_state(&st, o.co.timeout_ms) < 0 ||
	    read_config(st.bundle, &cfg, o.co.timeout_ms) < 0 ||
	    take_container(&st, &cfg, &c) < 0)
		goto out;
	r = EXIT_OK;
	/* Installed for every container: nothing asked, nothing done. */
	if (cli_deleg_empty(&c.deleg) && cli_deleg_empty(&o.co.deleg))
		goto out;
	if (!names)
		names = hook_names(&c);
	r = names ? hook(&o, &c, names) : EXIT_FAIL;
out:
	bpfd_names_free(names);
	bpfd_oci_config_free(&cfg);
	bpfd_oci_state_free(&st);
	return r;
}
