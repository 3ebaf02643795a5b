/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal helpers of libbpfdelegate: ownership via cleanup attributes. */
#ifndef BPFD_INTERNAL_H
#define BPFD_INTERNAL_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include <bpfdelegate/error.h>

/* The one sentinel for "no fd". */
#define BPFD_NO_FD (-1)

static inline void bpfd_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
	*fd = BPFD_NO_FD;
}

static inline void bpfd_freep(void *p)
{
	free(*(void **)p);
}

#define _cleanup_close_ __attribute__((cleanup(bpfd_closep)))
#define _cleanup_free_ __attribute__((cleanup(bpfd_freep)))

/* Hand ownership out of a cleanup variable. */
#define TAKE_FD(fd)                                                            \
	({                                                                     \
		int _fd_ = (fd);                                               \
		(fd) = BPFD_NO_FD;                                             \
		_fd_;                                                          \
	})
#define TAKE_PTR(p)                                                            \
	({                                                                     \
		__typeof__(p) _p_ = (p);                                       \
		(p) = NULL;                                                    \
		_p_;                                                           \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define offsetofend(T, m) (offsetof(T, m) + sizeof(((T *)0)->m))

/* openat2(); -errno on failure (-ENOSYS before Linux 5.6). */
int bpfd_openat2(int dirfd, const char *path, int flags,
		 unsigned long long resolve);

/*
 * Wait at most @timeout_ms for our child @pid to exit; a child still
 * running then is killed and reaped, and -ETIMEDOUT returned.  0 with
 * *status set, or -errno.
 */
int bpfd_wait_child(pid_t pid, int timeout_ms, int *status);

/*
 * What a failure given without an errno is recorded as (EIO), and its
 * hint: bpfd_error_set() never turns a failure into success.
 */
#define BPFD_ERR_NO_ERRNO EIO
#define BPFD_HINT_NO_ERRNO "internal error: the failure carried no errno"

/* bpfd_error_set() with a va_list. */
int bpfd_error_setv(struct bpfd_error *e, enum bpfd_step step, int err,
		    const char *fmt, va_list ap);

/*
 * bpfd_bpffs_delegate_as(), and the steps it did (1ull << BPFD_STEP_x:
 * fsconfig, create, fsmount) ORed into *@done (may be NULL), also when it
 * fails: the engine's report shows what ran.
 */
struct bpfd_delegation;
struct bpfd_idmap;
int bpfd_bpffs_delegate_steps(int fs_fd, const struct bpfd_delegation *d,
			      const struct bpfd_idmap *owner, uint64_t *done,
			      struct bpfd_error *err);

/*
 * BPF_TOKEN_CREATE with no bpffs fd (-1): -EBADF on a kernel that has the
 * command (6.9+, with the delegate_* options), -EINVAL before, or what a
 * seccomp profile or an LSM answers for bpf().
 */
int bpfd_token_create_probe(void);

/* Log through the callback installed with bpfd_set_print(). */
void bpfd_log(enum bpfd_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
