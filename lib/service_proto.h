/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal: the protocol between `bpfdelegate serve` (lib/service.c) and
 * its clients (lib/service_client.c), over an AF_UNIX SOCK_SEQPACKET
 * connection.  One request, one reply, then the service closes:
 *
 *   client                                   service
 *   struct bpfd_svc_request + pidfd  ----->  SO_PEERCRED, SO_PEERGROUPS,
 *                                            policy, owner of the pidfd's
 *                                            user namespace (attach: ptrace)
 *                                   <-----  struct bpfd_svc_reply
 *                                            (+ the detached mount fd)
 *
 * Both records have a fixed size: anything else, or control data other
 * than one fd, ends the connection with a verdict (EPROTO).  Only plain
 * integers and one NUL-terminated string; the service trusts none of it
 * but the masks it checks against the policy and the path it only passes
 * to the policy.
 */
#ifndef BPFD_SERVICE_PROTO_H
#define BPFD_SERVICE_PROTO_H

#include <stdint.h>

#define BPFD_SVC_MAGIC 0x62706664u /* "bpfd" */
#define BPFD_SVC_VERSION 1u

/* request.flags */
#define BPFD_SVC_NETNS_HOST 0x1u /* run/check: COMMAND shares the host's */
#define BPFD_SVC_OWNER 0x2u	 /* owner_uid/gid: the bpffs's uid=/gid= */
#define BPFD_SVC_FLAGS_KNOWN (BPFD_SVC_NETNS_HOST | BPFD_SVC_OWNER)

struct bpfd_svc_request {
	uint32_t magic;
	uint32_t version;
	uint32_t cmd;	/* one of enum bpfd_policy_cmd */
	uint32_t flags; /* BPFD_SVC_* */
	uint64_t mask[4];
	uint32_t owner_uid; /* outside ids; must map into the namespace */
	uint32_t owner_gid;
	char target[256]; /* attach: the mount path in the target's root */
};

struct bpfd_svc_reply {
	uint32_t magic;
	uint32_t version;
	int32_t err;	  /* positive errno; 0: the mount fd is attached */
	uint32_t step;	  /* enum bpfd_step of the failure */
	uint64_t done;	  /* steps the service did (1ull << BPFD_STEP_x) */
	uint32_t refused; /* the service refused: detail is a sentence */
	uint32_t pad;
	char detail[256];
	char rule[300]; /* policy refusals: "FILE:LINE", "" default deny */
};

#endif
