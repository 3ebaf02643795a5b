// SPDX-License-Identifier: GPL-2.0-or-later
/* bpfdelegate run: COMMAND in a user namespace with a delegated bpffs. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pwd.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "deleg_warn.h"
#include "report.h"
#include "rootless.h"
#include "runhook.h"
#include "svcclient.h"

static void usage(FILE *out)
{
	fputs(
	    "Usage:\n"
	    " " PROG " run [options] -- COMMAND [ARG...]\n"
	    "\n"
	    "Run COMMAND in a new user and mount namespace where a delegated "
	    "bpffs\n"
	    "is mounted (token creation verified first) and "
	    "LIBBPF_BPF_TOKEN_PATH\n"
	    "points at it, so libbpf 1.4+ programs use the token unchanged.\n"
	    "Needs root (CAP_SYS_ADMIN in the initial user namespace), or "
	    "the\n"
	    "file-capability helper and a grant in the administrator's "
	    "policy\n"
	    "(then the namespace root is you: --user and other ids are "
	    "refused).\n"
	    "COMMAND has no capabilities on the host, but that does not "
	    "make it\n"
	    "harmless: the token is host power ('--preset all' or tracing: "
	    "read\n"
	    "kernel memory, see every process's syscalls; xdp/tc: attach to "
	    "host\n"
	    "interfaces). Delegate only what COMMAND needs.\n"
	    "\n"
	    "Delegation (required; a usage error without any of these):\n"
	    " -c, --cmds LIST       bpf() commands\n"
	    " -m, --maps LIST       map types\n"
	    " -p, --progs LIST      program types\n"
	    " -a, --attachs LIST    attach types\n"
	    "     --preset NAME     a named set ('--preset list' shows them)\n"
	    "\n"
	    "Namespace:\n"
	    "     --target DIR      mount point inside (default /sys/fs/bpf)\n"
	    "     --map-user UID    outside uid of the namespace root "
	    "(default: the\n"
	    "                       invoking user, SUDO_UID under sudo; never "
	    "0:\n"
	    "                       root becomes 65534, nobody)\n"
	    "     --map-group GID   outside gid of the namespace root "
	    "(likewise)\n"
	    "     --user UID|NAME   run COMMAND as this user (the same id "
	    "inside and\n"
	    "                       outside) instead of the namespace root\n"
	    "     --keep-caps LIST  with --user: capabilities kept as ambient\n"
	    "                       (default bpf,perfmon,net_admin; 'none');\n"
	    "                       without bpf COMMAND cannot create a token\n"
	    "                       (a warning says so, as for a delegation\n"
	    "                       a libbpf loader cannot use)\n"
	    "     --no-verify       do not create a token before COMMAND "
	    "starts\n"
	    "     --netns host|new  host (default): COMMAND shares the host's "
	    "network\n"
	    "                       namespace and, with an xdp/tc/all "
	    "delegation, can\n"
	    "                       attach programs to every host interface; "
	    "new: a\n"
	    "                       network namespace of its own with only lo "
	    "(up)\n"
	    "\n"
	    "Options:\n"
	    "     --json            on a setup failure, print it as one JSON "
	    "document\n"
	    "     --timeout SECS    bound on the setup handshake (default 10)\n"
	    " -h, --help            display this help\n"
	    " -V, --version         display version\n"
	    "\n"
	    "Exit status: COMMAND's; 128+N when it was killed by signal N;\n"
	    "126 COMMAND not executable, 127 not found; before COMMAND "
	    "starts:\n"
	    "1 setup failed, 2 usage, 3 not privileged, 4 kernel lacks BPF "
	    "tokens,\n"
	    "5 user namespaces unavailable, 6 refused by the policy.\n"
	    "\n"
	    "See bpfdelegate(1).\n",
	    out);
}

enum {
	OPT_TARGET = OPT_FIRST_FREE,
	OPT_MAP_USER,
	OPT_MAP_GROUP,
	OPT_USER,
	OPT_KEEP_CAPS,
	OPT_NO_VERIFY,
	OPT_NETNS,
};

struct run_opts {
	struct cli_common co;
	const char *target;
	char real_target[sizeof(((struct bpfd_report *)0)->target)];
	const char *map_user, *map_group, *user, *keep_caps;
	bool no_verify;
	const char *netns;
	char **argv;
	struct bpfd_preset_skipped skipped; /* names presets left out */
	struct cli_rootless_op ro;	    /* helper mode: the privop */
	const struct run_hook *hook;	    /* suggest --learn, or NULL */
};

static int run_option(void *ctx, int c, const char *arg)
{
	struct run_opts *o = ctx;

	switch (c) {
	case OPT_TARGET:
		o->target = arg;
		return 0;
	case OPT_MAP_USER:
		o->map_user = arg;
		return 0;
	case OPT_MAP_GROUP:
		o->map_group = arg;
		return 0;
	case OPT_USER:
		o->user = arg;
		return 0;
	case OPT_KEEP_CAPS:
		o->keep_caps = arg;
		return 0;
	case OPT_NO_VERIFY:
		o->no_verify = true;
		return 0;
	case OPT_NETNS:
		o->netns = arg;
		return 0;
	default:
		return o->hook ? o->hook->option(o->hook->ctx, c, arg) : -1;
	}
}

static int parse_args(int argc, char **argv, struct run_opts *o)
{
	static const struct option longopts[] = {
	    {"target", required_argument, NULL, OPT_TARGET},
	    {"map-user", required_argument, NULL, OPT_MAP_USER},
	    {"map-group", required_argument, NULL, OPT_MAP_GROUP},
	    {"user", required_argument, NULL, OPT_USER},
	    {"keep-caps", required_argument, NULL, OPT_KEEP_CAPS},
	    {"no-verify", no_argument, NULL, OPT_NO_VERIFY},
	    {"netns", required_argument, NULL, OPT_NETNS},
	    {NULL, 0, NULL, 0},
	};
	struct option all[24] = {{0}};
	size_t n = 0;
	const struct cli_parser parser = {
	    .cmd = o->hook ? o->hook->cmd : "run",
	    .flags = CLI_DELEG | CLI_JSON | CLI_TIMEOUT,
	    .longopts = all,
	    .usage = o->hook ? o->hook->usage : usage,
	    .option = run_option,
	    .ctx = o,
	    .max_operands = -1,
	};
	int first, r;

	for (size_t i = 0; longopts[i].name; i++)
		all[n++] = longopts[i];
	for (size_t i = 0; o->hook && o->hook->longopts[i].name &&
			   n + 1 < sizeof(all) / sizeof(all[0]);
	     i++)
		all[n++] = o->hook->longopts[i];
	r = cli_parse(argc, argv, &parser, &o->co, &first);
	if (r)
		return r;
	o->argv = argv + first;
	if (!o->argv[0]) {
		cli_usage_error("%s: no COMMAND given (bpfdelegate %s "
				"[options] -- COMMAND)",
				parser.cmd, parser.cmd);
		return EXIT_USAGE;
	}
	return 0;
}

/* A user name or number; *gid gets its primary group (or the same number). */
static int resolve_user(const char *s, uid_t *uid, gid_t *gid)
{
	struct passwd *pw = getpwnam(s);
	unsigned long v;
	char *end;

	if (!pw) {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno || end == s || *end || v >= 0xffffffffUL)
			return -1;
		pw = getpwuid((uid_t)v);
		*uid = (uid_t)v;
		*gid = pw ? pw->pw_gid : (gid_t)v;
		return 0;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

static int resolve_group(const char *s, gid_t *gid)
{
	struct group *gr = getgrnam(s);
	unsigned long v;
	char *end;

	if (gr) {
		*gid = gr->gr_gid;
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v >= 0xffffffffUL)
		return -1;
	*gid = (gid_t)v;
	return 0;
}

/* 65534 for the namespace root, or 65533 when 65534 is --user's. */
static unsigned int spare_id(unsigned int taken)
{
	return taken == BPFD_OVERFLOW_ID ? BPFD_OVERFLOW_ID - 1
					 : BPFD_OVERFLOW_ID;
}

/*
 * The id maps: the namespace root is the invoking user (or --map-user);
 * --user U is the same number inside and outside.  When U is the id the
 * root would get, the root takes 65534 (65533 if U is 65534) instead: two
 * inside ids cannot map to one outside id.
 */
static int build_idmap(const struct run_opts *o, struct bpfd_idmap *m)
{
	gid_t unused;

	*m = bpfd_idmap_default(getenv("SUDO_UID"), getenv("SUDO_GID"));
	if (o->map_user &&
	    (resolve_user(o->map_user, &m->uid, &unused) < 0 || !m->uid)) {
		cli_usage_error(
		    "--map-user: not a user or a non-zero uid: '%s'",
		    o->map_user);
		return -1;
	}
	if (o->map_group &&
	    (resolve_group(o->map_group, &m->gid) < 0 || !m->gid)) {
		cli_usage_error(
		    "--map-group: not a group or a non-zero gid: '%s'",
		    o->map_group);
		return -1;
	}
	if (!o->user)
		return 0;
	if (resolve_user(o->user, &m->user_uid, &m->user_gid) < 0) {
		cli_usage_error("--user: no such user: '%s'", o->user);
		return -1;
	}
	if (m->user_uid == 0)
		return 0; /* the namespace root already */
	if (m->user_gid == 0) {
		/* Mapping it would hand COMMAND the host's root group. */
		cli_usage_error(
		    "--user %s: its primary group is 0 (root), which "
		    "is never mapped",
		    o->user);
		return -1;
	}
	m->has_user = true;
	if (m->user_uid == m->uid)
		m->uid = o->map_user ? m->uid : spare_id(m->user_uid);
	if (m->user_gid == m->gid)
		m->gid = o->map_group ? m->gid : spare_id(m->user_gid);
	if (m->uid == m->user_uid || m->gid == m->user_gid) {
		cli_usage_error(
		    "--user %s: its %s is also the namespace root's; "
		    "choose another %s",
		    o->user, m->uid == m->user_uid ? "uid" : "gid",
		    m->uid == m->user_uid ? "--map-user" : "--map-group");
		return -1;
	}
	return 0;
}

/* "bpf,perfmon" or "CAP_NET_ADMIN" or "none" into a bit set. */
static int parse_caps(const char *list, uint64_t *out)
{
	char buf[512], *save = NULL;

	*out = 0;
	if (strcmp(list, "none") == 0)
		return 0;
	if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf))
		return -1;
	for (char *w = strtok_r(buf, ",:", &save); w;
	     w = strtok_r(NULL, ",:", &save)) {
		char name[64];
		cap_value_t v;

		snprintf(name, sizeof(name), "%s%s",
			 strncasecmp(w, "cap_", 4) ? "cap_" : "", w);
		for (char *p = name; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		if (cap_from_name(name, &v) < 0 || v >= 64) {
			cli_usage_error("--keep-caps: unknown capability '%s'",
					w);
			return -1;
		}
		*out |= 1ULL << v;
	}
	return 0;
}

/*
 * --target as the directory it names, resolved on the host (symlinks and
 * '..' followed, as mount(8) does) into @out: the new mount namespace is a
 * copy of ours, and move_mount() refuses a symlink as its target (EINVAL).
 * A path resolving to '/' is refused: a bpffs over the root would hide
 * COMMAND itself.  Control characters are refused: the path becomes
 * LIBBPF_BPF_TOKEN_PATH and a mountinfo line.
 */
static int check_target(const char *t, char *out, size_t size)
{
	char *real = NULL;
	struct stat st;
	int r = -1;

	if (t[0] != '/') {
		cli_usage_error("--target: not an absolute path: '%s'", t);
		return -1;
	}
	for (const char *q = t; *q; q++) {
		if ((unsigned char)*q < 0x20 || *q == 0x7f) {
			cli_usage_error("--target: the path contains a control "
					"character (byte 0x%02x)",
					(unsigned char)*q);
			return -1;
		}
	}
	real = realpath(t, NULL);
	if (!real)
		cli_usage_error("--target: '%s': %s", t, strerror(errno));
	else if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode))
		cli_usage_error("--target: not a directory: '%s'", t);
	else if (strcmp(real, "/") == 0)
		cli_usage_error("--target: '%s' is the root directory: a bpffs "
				"there would hide everything",
				t);
	else if (strlen(real) >= size)
		cli_usage_error("--target: '%s' resolves to a path longer than "
				"%zu bytes",
				t, size - 1);
	else
		r = snprintf(out, size, "%s", real) < 0 ? -1 : 0;
	free(real);
	return r;
}

/* Forward @sig to COMMAND: through its pidfd, or by pid when pidfd_open
 * failed; COMMAND is our own unreaped child, so its pid cannot be reused
 * before we reap it below. */
static void forward(const struct bpfd_child *ch, int sig)
{
	if (ch->pidfd >= 0)
		pidfd_send_signal(ch->pidfd, sig, NULL, 0);
	else
		kill(ch->pid, sig);
}

/*
 * Wait for COMMAND, forwarding the signals we blocked (@sigs, which also
 * holds SIGCHLD).  No fd is needed: a seccomp profile that refuses
 * pidfd_open (ENOSYS, EPERM) or a full fd table (EMFILE) must not leave us
 * waiting forever.  SIGCHLD stays pending while blocked, so an exit between
 * waitpid() and sigwaitinfo() still wakes us.  Its status becomes ours: the
 * exit code, or 128+N when signal N killed it (as shells do).
 */
static int wait_forward(const struct bpfd_child *ch, const sigset_t *sigs)
{
	siginfo_t si;
	int st, sig;

	for (;;) {
		pid_t r = waitpid(ch->pid, &st, WNOHANG);

		if (r == ch->pid)
			break;
		if (r < 0 && errno != EINTR)
			return EXIT_FAIL;
		sig = sigwaitinfo(sigs, &si);
		if (sig > 0 && sig != SIGCHLD)
			forward(ch, sig);
	}
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

/*
 * run takes no implicit "any": what COMMAND may do with the token (read
 * kernel memory, trace every process, attach to host interfaces...) is the
 * caller's choice to spell out.  -1 with the usage error printed.
 */
static int require_delegation(const struct cli_deleg *d)
{
	char all[160] = "";
	size_t used = 0;

	if (!cli_deleg_empty(d))
		return 0;
	for (const struct bpfd_preset *p = bpfd_presets();
	     p->name && used < sizeof(all); p++)
		used += (size_t)snprintf(all + used, sizeof(all) - used, "%s%s",
					 used ? ", " : "", p->name);
	cli_usage_error("run: say what COMMAND may do: --preset NAME (%s; "
			"'all' delegates everything, see '--preset list') or "
			"--cmds/--maps/--progs/--attachs LIST",
			all);
	return -1;
}

/*
 * Helper mode: the namespace maps the caller's own uid and gid only (the
 * child writes them itself; the kernel refuses any other id from a
 * process without CAP_SETUID/CAP_SETGID).  --user would map a second id,
 * and --map-user/--map-group another one: refused, unless they name the
 * caller's own ids.  -1 after a usage error.
 */
static int rootless_idmap(const struct run_opts *o, struct bpfd_idmap *m)
{
	if (o->user) {
		cli_usage_error("--user: unprivileged, the namespace maps only "
				"your own uid (as its root); --user needs "
				"root");
		return -1;
	}
	if ((o->map_user && m->uid != geteuid()) ||
	    (o->map_group && m->gid != getegid())) {
		cli_usage_error(
		    "--map-%s: unprivileged, the namespace root can only be "
		    "your own %s (%u)",
		    o->map_user && m->uid != geteuid() ? "user" : "group",
		    o->map_user && m->uid != geteuid() ? "uid" : "gid",
		    o->map_user && m->uid != geteuid() ? (unsigned)geteuid()
						       : (unsigned)getegid());
		return -1;
	}
	*m = (struct bpfd_idmap){.uid = geteuid(), .gid = getegid()};
	return 0;
}

/* 0, -1 after a usage error, or another exit code (message printed). */
static int resolve_opts(struct run_opts *o, const struct bpfd_names *names,
			struct bpfd_engine_opts *eo, struct bpfd_exec *x)
{
	int r;

	/* suggest --learn: no delegation is everything (the hook says so). */
	if (!o->hook && require_delegation(&o->co.deleg) < 0)
		return -1;
	if (o->hook && cli_deleg_empty(&o->co.deleg))
		fprintf(stderr, PROG ": %s\n", o->hook->default_note);
	r = cli_deleg_resolve_default(&o->co.deleg, names, &eo->deleg,
				      &o->skipped,
				      o->hook ? o->hook->cmd : "run");
	if (r)
		return r == EXIT_USAGE ? -1 : r;
	if (build_idmap(o, &eo->idmap) < 0)
		return -1;
	/* The helper's and the service's child writes its own maps. */
	if ((cli_rootless() || cli_service_wanted(false)) &&
	    rootless_idmap(o, &eo->idmap) < 0)
		return -1;
	if (o->keep_caps && !eo->idmap.has_user) {
		cli_usage_error("--keep-caps needs --user (the namespace root "
				"has every capability)");
		return -1;
	}
	x->set_user = eo->idmap.has_user;
	if (parse_caps(o->keep_caps ? o->keep_caps : "bpf,perfmon,net_admin",
		       &x->keep_caps) < 0)
		return -1;
	/* Warnings, not refusals: the token is made as asked, and COMMAND
	 * may be no libbpf loader or gain a capability itself (a binary
	 * with file capabilities inside the namespace). */
	deleg_warn_libbpf(&eo->deleg);
	if (x->set_user)
		deleg_warn_caps(&eo->deleg, names, x->keep_caps);
	if (o->target &&
	    check_target(o->target, o->real_target, sizeof(o->real_target)) < 0)
		return -1;
	x->argv = o->argv;
	x->notify_bpf = o->hook != NULL;
	eo->exec = x;
	eo->target = o->target ? o->real_target : NULL;
	eo->no_verify = o->no_verify;
	/* host by default: run is a user namespace + bpffs wrapper, not a
	 * sandbox, and XDP/tc loaders need the host's interfaces. */
	if (o->netns && strcmp(o->netns, "new") == 0) {
		eo->new_netns = true;
	} else if (o->netns && strcmp(o->netns, "host") != 0) {
		cli_usage_error("--netns: '%s': expected 'host' or 'new'",
				o->netns);
		return -1;
	}
	eo->timeout_ms = o->co.timeout_ms;
	/* Unprivileged: the policy decides before anything privileged. */
	if (cli_rootless())
		return cli_rootless_allow("run", BPFD_POLICY_RUN, &eo->deleg,
					  !eo->new_netns, NULL, names, &o->ro,
					  eo);
	return 0;
}

static int start(const struct run_opts *o, const struct bpfd_names *names,
		 struct bpfd_engine_opts *eo, struct bpfd_exec *x)
{
	static const int fwd[] = {SIGINT,  SIGTERM, SIGHUP,
				  SIGQUIT, SIGUSR1, SIGUSR2};
	struct bpfd_report *rep = bpfd_report_new();
	struct bpfd_child ch;
	struct bpfd_error e = {0};
	struct cli_service svc;
	sigset_t sigs;
	int r, code;

	if (!rep) {
		fprintf(stderr, PROG ": out of memory\n");
		return EXIT_FAIL;
	}
	/* Block the forwarded signals from before the fork, so that none is
	 * lost; COMMAND starts with the mask we had.  SIGCHLD too: it wakes
	 * wait_forward().  Ignored, it would reap COMMAND for us and lose its
	 * status. */
	sigemptyset(&sigs);
	for (size_t i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++)
		sigaddset(&sigs, fwd[i]);
	sigaddset(&sigs, SIGCHLD);
	signal(SIGCHLD, SIG_DFL);
	sigprocmask(SIG_BLOCK, &sigs, &x->sigmask);
	if (cli_service_wanted(false))
		cli_service_use(&svc, eo, BPFD_POLICY_RUN, -1);
	r = bpfd_engine_run(eo, names, rep, &ch, &e);
	if (r < 0) {
		sigprocmask(SIG_SETMASK, &x->sigmask, NULL);
		code = cli_exit_code(&e);
		if (o->co.json)
			report_print_json(rep, names, &e, &o->skipped, code);
		cli_print_error(&e);
		free(rep);
		return code;
	}
	free(rep);
	if (o->hook)
		code = o->hook->supervise(o->hook->ctx, &ch, &sigs, names,
					  o->co.json);
	else
		code = wait_forward(&ch, &sigs);
	if (ch.pidfd >= 0)
		close(ch.pidfd);
	return code;
}

int cmd_run(int argc, char **argv)
{
	return cmd_run_with(argc, argv, NULL);
}

int cmd_run_with(int argc, char **argv, const struct run_hook *hook)
{
	struct run_opts o = {.hook = hook};
	struct bpfd_engine_opts eo = {0};
	struct bpfd_exec x = {0};
	struct bpfd_names *names;
	int r;

	r = parse_args(argc, argv, &o);
	if (r)
		return r < 0 ? EXIT_OK : r;
	/* Names go through NSS, which the static binary has not. */
	if (o.user || o.map_user || o.map_group)
		cli_need_dynamic("--user, --map-user and --map-group");
	if (hook && hook->check) {
		r = hook->check(hook->ctx, o.co.json);
		if (r)
			return r;
	}
	/* --user's warnings and the policy (rootless) name types; --hook
	 * records calls by name. */
	names = !o.user && !o.hook && !cli_rootless()
		    ? cli_load_names_for(&o.co.deleg)
		    : cli_load_names();
	if (!names)
		return EXIT_FAIL;
	r = resolve_opts(&o, names, &eo, &x);
	if (r)
		r = r < 0 ? EXIT_USAGE : r;
	else
		r = start(&o, names, &eo, &x);
	bpfd_names_free(names);
	return r;
}
