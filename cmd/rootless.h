/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The file-capability helper's front door in the CLI (issue 12): helper
 * mode at start (environment, capabilities), the re-exec of the plain
 * unprivileged install into the helper, and the policy and target
 * checks the commands make before anything privileged.
 */
#ifndef BPFD_CLI_ROOTLESS_H
#define BPFD_CLI_ROOTLESS_H

#include <stdbool.h>
#include <sys/types.h>

#include <bpfdelegate/delegation.h>
#include <bpfdelegate/engine.h>

#include "helper.h"
#include "policy.h"

/*
 * First thing main() does.  In helper mode (lib/helper.h): sanitize the
 * environment and lower the capability to permitted-only.  Otherwise, for
 * check/run/attach/oci-hook run by a user without CAP_SYS_ADMIN:
 * re-execute the helper installed at BPFD_HELPER_PATH (fixed at build
 * time) when it exists and is not this very program.  0 to go on, or an
 * exit code (message printed).
 */
int cli_rootless_init(int argc, char **argv);

/* The helper this build re-executes (HELPER_PATH, fixed at build time). */
const char *cli_helper_path(void);

/* True in helper mode (after cli_rootless_init). */
bool cli_rootless(void);

/* A command's rootless state: the privop the engine gets. */
struct cli_rootless_op {
	struct bpfd_privop op;
	struct bpfd_helper_ctx ctx;
};

/*
 * Helper mode only: ask the policy for @cmd (@name: the command, for
 * the message) with @d (netns_host: run
 * without --netns new; target: attach's mount path or NULL).  Allowed:
 * 0, with @ro filled and eo->privop pointing at it.  Refused: the rule and
 * what exceeds the grant printed, EXIT_POLICY.  A policy that cannot be
 * loaded (unsafe ownership, syntax): printed, EXIT_POLICY.
 */
int cli_rootless_allow(const char *name, enum bpfd_policy_cmd cmd,
		       const struct bpfd_delegation *d, bool netns_host,
		       const char *target, const struct bpfd_names *names,
		       struct cli_rootless_op *ro, struct bpfd_engine_opts *eo);

/*
 * Helper mode, attach / oci-hook: the caller must own the user namespace
 * of @pid and be allowed to ptrace it.  0, or an exit code (printed).
 */
int cli_rootless_target(pid_t pid, const char *cmd);

#endif
