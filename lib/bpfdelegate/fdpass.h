/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Messages and fds between a parent and a child over an AF_UNIX
 * SOCK_SEQPACKET socketpair: one record per call, bounded waits.
 */
#ifndef BPFDELEGATE_FDPASS_H
#define BPFDELEGATE_FDPASS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC); 0 or -errno. */
int bpfd_socketpair(int sv[2]);

/*
 * Send @len bytes of @buf as one record, with @fd attached (SCM_RIGHTS)
 * when @fd >= 0.  Never raises SIGPIPE.  0, or -errno (-EPIPE: peer gone).
 */
int bpfd_send(int sock, const void *buf, size_t len, int fd);

/*
 * Receive one record of exactly @len bytes into @buf, waiting at most
 * @timeout_ms (< 0: forever).  When @fd is not NULL it receives the
 * attached fd (close-on-exec, owned by the caller) or -1 if none came.
 * Anything unexpected (a truncated record or control data, more than one
 * fd, a record of another size) is closed and reported.
 * Returns 0 or: -ETIMEDOUT, -EPIPE (peer closed), -EPROTO (wrong size or
 * truncated), -EBADMSG (unexpected control data), or another -errno.
 */
int bpfd_recv(int sock, void *buf, size_t len, int *fd, int timeout_ms);

/*
 * bpfd_recv() of a record of at most @len bytes (a longer one is
 * truncated: -EPROTO); its size into *@got.  The bytes after it in @buf
 * are left as they were.
 */
int bpfd_recv_upto(int sock, void *buf, size_t len, size_t *got, int *fd,
		   int timeout_ms);

#ifdef __cplusplus
}
#endif
#endif
