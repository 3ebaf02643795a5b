/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal: `bpfdelegate serve`, the root service for unprivileged callers
 * (issue 12), and its client, an implementation of struct bpfd_privop.
 * Protocol: lib/service_proto.h.  Design and threat model: docs/design.md.
 */
#ifndef BPFD_SERVICE_H
#define BPFD_SERVICE_H

#include <signal.h>
#include <stdbool.h>

#include <bpfdelegate/delegation.h>
#include <bpfdelegate/error.h>

#include "policy.h"
#include "privop.h"

#ifndef BPFD_SERVICE_SOCKET
#define BPFD_SERVICE_SOCKET "/run/bpfdelegate/socket"
#endif

/*
 * The socket path this library was built with (BPFD_SERVICE_SOCKET): as
 * bpfd_policy_dir(), cmd/ must call this; test builds use a path under
 * the build directory.
 */
const char *bpfd_service_socket(void);

#define BPFD_SERVE_TIMEOUT_MS 5000 /* one connection, start to end */
#define BPFD_SERVE_PER_UID 4	   /* connections at once per caller uid */
#define BPFD_SERVE_MAX 64	   /* connections at once in all */

struct bpfd_serve_opts {
	/* Listen on this already bound, listening socket (socket
	 * activation), or, when < 0, bind socket_path (foreground). */
	int listen_fd;
	const char *socket_path;
	int idle_ms;	    /* exit after this long without a connection;
			     * <= 0: never */
	int timeout_ms;	    /* per connection; <= 0: BPFD_SERVE_TIMEOUT_MS */
	unsigned per_uid;   /* 0: BPFD_SERVE_PER_UID */
	unsigned max_conns; /* 0: BPFD_SERVE_MAX */
	const char *policy_dir; /* read for each request */
	const struct bpfd_names *names;
	/* Blocked by the caller; one pending ends the service (returns 0). */
	const sigset_t *stop_signals;
};

/*
 * Serve until idle, or a stop signal.  The caller must be root in the
 * initial user namespace (checked: -EPERM).  Each connection is handled
 * by a worker process of its own, killed at its deadline; the library
 * logs (bpfd_set_print) one line per request.  0, or -errno with @err
 * when the socket cannot be set up.
 */
int bpfd_serve(const struct bpfd_serve_opts *o, struct bpfd_error *err);

/*
 * lib/service.c -> lib/service_conn.c: serve one connection @sock whose
 * peer the kernel says is @cred, within @timeout_ms; answers it and
 * returns (the worker then exits).
 */
struct ucred;
void bpfd_serve_conn(int sock, const struct ucred *cred,
		     const struct bpfd_serve_opts *o, int timeout_ms);

/* The client: what struct bpfd_privop's ctx points to. */
struct bpfd_service_client {
	const char *socket_path; /* bpfd_service_socket() */
	enum bpfd_policy_cmd cmd;
	bool netns_host;
	const char *target; /* attach: the mount path, else NULL */
	/* attach / oci-hook: a pidfd of the container's process, sent
	 * instead of the engine child's; BPFD_NO_FD (-1) otherwise. */
	int target_pidfd;
	int timeout_ms; /* whole exchange; <= 0: BPFD_SERVE_TIMEOUT_MS */
};

/*
 * struct bpfd_privop's delegate() through the service: sends the request
 * and a pidfd (ctx->target_pidfd, else @child_pidfd); @fs_fd is unused
 * (the service opens its own context in the pidfd's user namespace).
 * Returns the detached mount fd (O_PATH, the caller owns it) or -errno
 * with @err: the service's verdict (step BPFD_STEP_POLICY and -EACCES for
 * a policy refusal, the rule in the detail), or step BPFD_STEP_SERVICE
 * when the service cannot be reached or misbehaves.
 */
int bpfd_service_delegate(void *ctx, int fs_fd, int child_pidfd,
			  const struct bpfd_delegation *d,
			  const struct bpfd_idmap *owner, uint64_t *done,
			  struct bpfd_error *err);

static inline struct bpfd_privop
bpfd_service_privop(struct bpfd_service_client *c)
{
	struct bpfd_privop p = {.delegate = bpfd_service_delegate, .ctx = c};

	return p;
}

#endif
