/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CLI's way to `bpfdelegate serve` (issue 12): an unprivileged caller
 * without the file-capability helper, and oci-hook run inside a user
 * namespace (rootless podman), get the privileged step from the service.
 */
#ifndef BPFD_CMD_SVCCLIENT_H
#define BPFD_CMD_SVCCLIENT_H

#include <stdbool.h>

#include <bpfdelegate/engine.h>

#include "policy.h"
#include "service.h"

struct cli_service {
	struct bpfd_service_client client;
	struct bpfd_privop op;
};

/*
 * Does this process need the service?  True when it lacks CAP_SYS_ADMIN
 * of the initial user namespace and is not the capability helper (no
 * CAP_SYS_ADMIN in its permitted set); with @always_in_userns, also
 * whenever it runs inside a user namespace (oci-hook under rootless
 * podman: capabilities there count nothing on the host).  Never when no
 * socket is at bpfd_service_socket(): the command then says it is not
 * privileged (exit 3), as without a service.  Exclusive with helper mode
 * (cli_rootless(): permitted CAP_SYS_ADMIN, initial namespace only).
 */
bool cli_service_wanted(bool always_in_userns);

/*
 * Point @eo at the service for @cmd: eo->privop = &s->op.  @target_pidfd:
 * attach / oci-hook, the container process's pidfd (else -1).  @s must
 * outlive the engine call.
 */
void cli_service_use(struct cli_service *s, struct bpfd_engine_opts *eo,
		     enum bpfd_policy_cmd cmd, int target_pidfd);

#endif
