// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The client of `bpfdelegate serve`: struct bpfd_privop's delegate() for a
 * caller without the privilege (lib/privop.h).  One request, one reply
 * (lib/service_proto.h); every wait bounded.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <bpfdelegate/fdpass.h>
#include <bpfdelegate/userns.h>

#include "internal.h"
#include "policy.h"
#include "service.h"
#include "service_proto.h"

static int connect_service(const char *path, struct bpfd_error *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = BPFD_NO_FD;

	if (strlen(path) >= sizeof(sa.sun_path))
		return bpfd_error_set(err, BPFD_STEP_SERVICE, ENAMETOOLONG,
				      "%s", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return bpfd_error_set(err, BPFD_STEP_SERVICE, errno, "socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return bpfd_error_set(err, BPFD_STEP_SERVICE, errno,
				      "connect %s", path);
	/* In the initial user namespace the service must be root; inside
	 * another one root shows as the overflow id, and the socket's
	 * root-owned directory is what we trust. */
	if (bpfd_in_initial_userns()) {
		struct ucred cr;
		socklen_t len = sizeof(cr);

		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
			return bpfd_error_set(err, BPFD_STEP_SERVICE, errno,
					      "SO_PEERCRED");
		if (cr.uid != 0)
			return bpfd_error_set(err, BPFD_STEP_SERVICE, EPERM,
					      "%s: the service is uid %u, not "
					      "root",
					      path, (unsigned)cr.uid);
	}
	return TAKE_FD(fd);
}

/* The service's verdict into @err; -errno. */
static int verdict(const struct bpfd_svc_reply *rep, struct bpfd_error *err)
{
	int e = rep->err > 0 && rep->err < 4096 ? rep->err : EPROTO;
	enum bpfd_step step = rep->step < BPFD_STEP__MAX
				  ? (enum bpfd_step)rep->step
				  : BPFD_STEP_SERVICE;

	if (step == BPFD_STEP_POLICY) {
		char reason[sizeof(rep->detail) + 1],
		    rule[sizeof(rep->rule) + 1];
		char msg[sizeof(((struct bpfd_error *)0)->detail)];

		/* the service's bytes, terminated here whatever it sent */
		snprintf(reason, sizeof(reason), "%.*s",
			 (int)sizeof(rep->detail), rep->detail);
		snprintf(rule, sizeof(rule), "%.*s", (int)sizeof(rep->rule),
			 rep->rule);
		bpfd_policy_refusal(msg, sizeof(msg), reason, rule);
		bpfd_error_set(err, step, e, "%s", msg);
	} else
		bpfd_error_set(err, step, e, "%.*s", (int)sizeof(rep->detail),
			       rep->detail);
	if (err)
		err->refused = rep->refused != 0;
	return -e;
}

int bpfd_service_delegate(void *ctx, int fs_fd, int child_pidfd,
			  const struct bpfd_delegation *d,
			  const struct bpfd_idmap *owner, uint64_t *done,
			  struct bpfd_error *err)
{
	const struct bpfd_service_client *c = ctx;
	struct bpfd_svc_request req = {
	    .magic = BPFD_SVC_MAGIC,
	    .version = BPFD_SVC_VERSION,
	    .cmd = (uint32_t)c->cmd,
	};
	struct bpfd_svc_reply rep;
	_cleanup_close_ int sock = BPFD_NO_FD;
	int mnt = BPFD_NO_FD, pidfd, r;
	const char *path =
	    c->socket_path ? c->socket_path : bpfd_service_socket();

	(void)fs_fd; /* the service opens its own, in the checked namespace */
	pidfd = c->target_pidfd >= 0 ? c->target_pidfd : child_pidfd;
	if (pidfd < 0)
		return bpfd_error_set(err, BPFD_STEP_SERVICE, EINVAL,
				      "no pidfd of the target to send");
	if (c->target && strlen(c->target) >= sizeof(req.target))
		return bpfd_error_set(err, BPFD_STEP_ARGS, ENAMETOOLONG,
				      "target longer than %zu bytes",
				      sizeof(req.target) - 1);
	if (c->target)
		memcpy(req.target, c->target, strlen(c->target) + 1);
	if (c->netns_host)
		req.flags |= BPFD_SVC_NETNS_HOST;
	if (owner && owner->has_user) {
		req.flags |= BPFD_SVC_OWNER;
		req.owner_uid = owner->user_uid;
		req.owner_gid = owner->user_gid;
	}
	memcpy(req.mask, d->mask, sizeof(req.mask));
	sock = connect_service(path, err);
	if (sock < 0)
		return sock;
	r = bpfd_send(sock, &req, sizeof(req), pidfd);
	if (r < 0)
		return bpfd_error_set(err, BPFD_STEP_SERVICE, r,
				      "send the request to %s", path);
	r = bpfd_recv(sock, &rep, sizeof(rep), &mnt,
		      c->timeout_ms > 0 ? c->timeout_ms
					: BPFD_SERVE_TIMEOUT_MS + 1000);
	if (r < 0)
		return bpfd_error_set(err, BPFD_STEP_SERVICE, r,
				      "the reply of %s", path);
	if (rep.magic != BPFD_SVC_MAGIC || rep.version != BPFD_SVC_VERSION) {
		bpfd_closep(&mnt);
		return bpfd_error_set(err, BPFD_STEP_SERVICE, EPROTO,
				      "%s answered protocol version %u", path,
				      rep.version);
	}
	if (done)
		*done |= rep.done;
	if (rep.err) {
		bpfd_closep(&mnt);
		return verdict(&rep, err);
	}
	if (mnt < 0)
		return bpfd_error_set(err, BPFD_STEP_SERVICE, EPROTO,
				      "%s granted but sent no mount", path);
	return mnt;
}
