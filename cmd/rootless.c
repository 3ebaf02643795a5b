// SPDX-License-Identifier: GPL-2.0-or-later
/* The file-capability helper's front door: see cmd/rootless.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "nschild.h"
#include "rootless.h"

#ifndef BPFD_HELPER_PATH
#define BPFD_HELPER_PATH "/usr/local/libexec/bpfdelegate/bpfdelegate-helper"
#endif
/* The test CLI (build/tests/bpfdelegate-faults): a path in the build. */
#ifdef BPFD_TEST_HELPER_PATH
#undef BPFD_HELPER_PATH
#define BPFD_HELPER_PATH BPFD_TEST_HELPER_PATH
#endif

const char *cli_helper_path(void)
{
	return BPFD_HELPER_PATH;
}

static bool helper_mode;

bool cli_rootless(void)
{
	return helper_mode;
}

/*
 * The environment of a process that holds a capability its caller lacks
 * (secure-exec rules).  The kernel marks our exec AT_SECURE, so glibc's
 * loader has already dropped LD_PRELOAD & co and the variables of its
 * "unsecure" list (TMPDIR, LOCPATH, GCONV_PATH, MALLOC_*, ...); we drop
 * the rest that could steer us: our own BPFDELEGATE_* (the test build's
 * BPFDELEGATE_TEST_FAULT among them), libbpf's LIBBPF_* (the child sets
 * LIBBPF_BPF_TOKEN_PATH itself for run's COMMAND), any LD_* left, and
 * SUDO_* (the id maps are the caller's own ids, never SUDO_UID's).
 * Kept, for COMMAND: PATH (searched only by the child, which holds no
 * capability, to find COMMAND), the locale variables (we never call
 * setlocale(): we run in the "C" locale whatever they say), HOME, TERM,
 * USER and the rest.
 */
static const char *const drop_prefix[] = {"BPFDELEGATE_", "LIBBPF_", "LD_",
					  "SUDO_"};
static const char *const drop_name[] = {
    "GCONV_PATH",  "GETCONF_DIR", "HOSTALIASES", "LOCALDOMAIN",
    "LOCPATH",	   "NIS_PATH",	  "NLSPATH",	 "RESOLV_HOST_CONF",
    "RES_OPTIONS", "TMPDIR",	  "TZDIR"};

static bool dropped(const char *var)
{
	size_t len = strcspn(var, "=");

	for (size_t i = 0; i < sizeof(drop_prefix) / sizeof(*drop_prefix); i++)
		if (strncmp(var, drop_prefix[i], strlen(drop_prefix[i])) == 0)
			return true;
	for (size_t i = 0; i < sizeof(drop_name) / sizeof(*drop_name); i++)
		if (strlen(drop_name[i]) == len &&
		    strncmp(var, drop_name[i], len) == 0)
			return true;
	return strncmp(var, "MALLOC_", 7) == 0;
}

static int sanitize_env(void)
{
	extern char **environ;
	bool again = true;

	while (again) {
		again = false;
		for (char **e = environ; e && *e; e++) {
			char name[256];
			size_t len = strcspn(*e, "=");

			if (!dropped(*e))
				continue;
			if (len >= sizeof(name)) {
				/* too long for a name of ours: drop them all */
				clearenv();
				return 0;
			}
			memcpy(name, *e, len);
			name[len] = '\0';
			if (unsetenv(name) < 0)
				return -errno;
			again = true;
			break;
		}
	}
	return 0;
}

/*
 * The plain install is unprivileged; the helper copy is the one with the
 * file capability.  One command name for users: `bpfdelegate run ...`
 * without CAP_SYS_ADMIN becomes the helper's `run ...`, when installed.
 * Never ourselves again (a helper that lost its capability would loop).
 */
/* The commands the helper serves: check, run, attach, oci-hook. */
static bool helper_command(const char *cmd)
{
	static const char *const cmds[] = {"check", "run", "attach",
					   "oci-hook"};

	for (size_t i = 0; cmd && i < sizeof(cmds) / sizeof(*cmds); i++)
		if (strcmp(cmd, cmds[i]) == 0)
			return true;
	return false;
}

static void reexec_helper(char **argv)
{
	struct stat h, self;

	if (!helper_command(argv[1]) || getuid() == 0 ||
	    bpfd_cap_has(CAP_EFFECTIVE, CAP_SYS_ADMIN) == 1)
		return;
	if (stat(BPFD_HELPER_PATH, &h) < 0 || stat("/proc/self/exe", &self) < 0)
		return;
	if (h.st_dev == self.st_dev && h.st_ino == self.st_ino)
		return;
	execv(BPFD_HELPER_PATH, argv);
	/* Not executable for this user: go on; the command says exit 3. */
}

int cli_rootless_init(int argc, char **argv)
{
	int r = bpfd_helper_mode();

	(void)argc;
	if (r < 0) {
		fprintf(stderr, PROG ": cannot tell the capabilities: %s\n",
			strerror(-r));
		return EXIT_FAIL;
	}
	if (r == 0) {
		reexec_helper(argv);
		return 0;
	}
	/* Any other command (list, doctor, names, ...) needs no capability
	 * and gets none: every set emptied, as for an ordinary user. */
	if (!helper_command(argv[1])) {
		r = bpfd_caps_drop_all();
		if (r < 0) {
			fprintf(stderr, PROG ": drop capabilities: %s\n",
				strerror(-r));
			return EXIT_FAIL;
		}
		return 0;
	}
	/* Helper mode: before anything reads the environment or opens a
	 * file, lower CAP_SYS_ADMIN to the permitted set only. */
	r = bpfd_helper_lower();
	if (r == 0)
		r = sanitize_env();
	if (r < 0) {
		fprintf(stderr, PROG ": helper set-up: %s\n", strerror(-r));
		return EXIT_FAIL;
	}
	helper_mode = true;
	return 0;
}

int cli_rootless_allow(const char *name, enum bpfd_policy_cmd cmd,
		       const struct bpfd_delegation *d, bool netns_host,
		       const char *target, const struct bpfd_names *names,
		       struct cli_rootless_op *ro, struct bpfd_engine_opts *eo)
{
	struct bpfd_policy *pol = NULL;
	struct bpfd_subject who = {.kind = BPFD_SUBJECT_USER};
	struct bpfd_request req = {.cmd = cmd,
				   .deleg = *d,
				   .netns_host = netns_host,
				   .target = target};
	struct bpfd_verdict v = {0};
	struct bpfd_error e = {0};
	gid_t groups[BPFD_CALLER_MAX_GROUPS];
	int n, r;

	r = bpfd_policy_load(bpfd_policy_dir(), names, &pol, &e);
	if (r < 0) {
		cli_print_error(&e);
		fprintf(stderr,
			PROG ": %s: refused: the policy in %s cannot be used\n",
			name, bpfd_policy_dir());
		return EXIT_POLICY;
	}
	who.uid = getuid();
	who.gid = getgid();
	/* More groups than that: the first ones only (rules only grant). */
	n = getgroups(BPFD_CALLER_MAX_GROUPS, groups);
	for (int i = 0; i < n; i++)
		who.groups[who.ngroups++] = groups[i];
	r = bpfd_policy_decide(pol, &who, &req, &v);
	bpfd_policy_free(pol);
	if (r < 0 || !v.allowed) {
		fprintf(stderr, PROG ": %s: refused by the policy (%s): %s\n",
			name, v.rule[0] ? v.rule : "no rule applies",
			v.reason[0] ? v.reason : "not allowed");
		return EXIT_POLICY;
	}
	ro->ctx.allowed = *d;
	bpfd_helper_privop(&ro->op, &ro->ctx);
	eo->privop = &ro->op;
	return 0;
}

int cli_rootless_target(pid_t pid, const char *cmd)
{
	struct bpfd_error e = {0};
	char buf[768];
	int r = bpfd_helper_check_target(pid, getuid(), &e);

	if (r == 0)
		return 0;
	fprintf(stderr, PROG ": %s: %s\n", cmd,
		bpfd_error_format(&e, buf, sizeof(buf)));
	return EXIT_FAIL;
}
