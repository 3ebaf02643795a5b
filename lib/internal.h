/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal helpers of libbpfdelegate: ownership via cleanup attributes. */
#ifndef BPFD_INTERNAL_H
#define BPFD_INTERNAL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/capability.h>
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

static inline void bpfd_fclosep(FILE **f)
{
	if (*f) {
		int saved = errno;
		fclose(*f);
		errno = saved;
	}
}

/* libcap: cap_t, and the strings cap_to_text() / cap_to_name() return. */
static inline void bpfd_cap_freep(void *p)
{
	void *c = *(void **)p;

	if (c)
		cap_free(c);
}

/* libmount is opened with dlopen (lib/libmount_dl.h), never linked: its
 * tables are freed through that handle, not by cleanup attributes. */

#define _cleanup_close_ __attribute__((cleanup(bpfd_closep)))
#define _cleanup_free_ __attribute__((cleanup(bpfd_freep)))
#define _cleanup_fclose_ __attribute__((cleanup(bpfd_fclosep)))
#define _cleanup_cap_ __attribute__((cleanup(bpfd_cap_freep)))

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

/*
 * Around code that gcc's -fanalyzer (make analyze) misreads, with a comment
 * saying why the finding is wrong.  clang does not know these warnings.
 */
#define BPFD_PRAGMA(x) _Pragma(#x)
#ifdef __clang__
#define BPFD_ANALYZER_IGNORE(w)
#define BPFD_ANALYZER_POP
#else
#define BPFD_ANALYZER_IGNORE(w)                                                \
	BPFD_PRAGMA(GCC diagnostic push) BPFD_PRAGMA(GCC diagnostic ignored w)
#define BPFD_ANALYZER_POP BPFD_PRAGMA(GCC diagnostic pop)
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define offsetofend(T, m) (offsetof(T, m) + sizeof(((T *)0)->m))

/* openat2(); -errno on failure (-ENOSYS before Linux 5.6). */
int bpfd_openat2(int dirfd, const char *path, int flags,
		 unsigned long long resolve);

/*
 * Open directory @path with @flags (O_PATH or O_RDONLY; O_DIRECTORY and
 * O_CLOEXEC added) resolved inside the root directory @root_fd
 * (RESOLVE_IN_ROOT: symlinks and ".." cannot leave it), or from the
 * caller's root when @root_fd < 0 (then, before Linux 5.6, a plain open).
 * Magic links are never followed.  The fd or -errno.
 */
int bpfd_open_dir_at_root(int root_fd, const char *path, int flags);

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

/*
 * Record a failure in @e (may be NULL) and return -err.  @err may be given
 * positive or negative; 0 (a failure whose errno was lost) is recorded and
 * returned as EIO with an "internal error" hint, never as success.  @fmt
 * (may be NULL) formats the detail.
 */
int bpfd_error_set(struct bpfd_error *e, enum bpfd_step step, int err,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

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
 * Whether @fd is the anonymous inode of @kind ("fscontext", "pidfd"), as
 * /proc/self/fd names it ("anon_inode:[pidfd]"; pidfs, 6.9+, names its
 * files so too): 1, 0, or -errno when the link cannot be read.
 */
int bpfd_fd_is_anon(int fd, const char *kind);

/*
 * BPF_TOKEN_CREATE with no bpffs fd (-1): -EBADF on a kernel that has the
 * command (6.9+, with the delegate_* options), -EINVAL before, or what a
 * seccomp profile or an LSM answers for bpf().
 */
int bpfd_token_create_probe(void);

/*
 * The first line of a small file (/proc, /sys), newline stripped, into
 * @buf; false when it cannot be read.
 */
bool bpfd_read_line(const char *path, char *buf, size_t len);
/*
 * A sysctl's value (e.g. "/proc/sys/kernel/unprivileged_bpf_disabled"):
 * its first number, or -1 when absent, unreadable or not a number >= 0.
 */
long bpfd_sysctl_long(const char *path);

/*
 * The calling thread's capability set @set (CAP_EFFECTIVE, CAP_PERMITTED,
 * CAP_INHERITABLE) as a mask, bit n for capability n: 0 with *@mask set
 * (0 on failure too), or -errno (libcap).
 */
int bpfd_caps_get(cap_flag_t set, uint64_t *mask);
/* Capability @cap in @set of the calling thread: 1, 0, or -errno. */
int bpfd_cap_has(cap_flag_t set, cap_value_t cap);

/* Nothing delegated: every mask of @d is 0. */
struct bpfd_delegation;
bool bpfd_delegation_none(const struct bpfd_delegation *d);

/*
 * The owner of a bpffs (enum bpfd_owner, <bpfdelegate/mounts.h>) as words
 * for a sentence: "the initial user namespace", ...; bpfd_owner_name() is
 * the JSON token.
 */
enum bpfd_owner;
const char *bpfd_owner_text(enum bpfd_owner owner);

/*
 * The errno's name ("EPERM"; "ENOTSUPP" for the kernel-internal 524 that
 * bpf() leaks), or @unknown for 0, a negative or an unnamed number.
 */
const char *bpfd_errno_name(int err, const char *unknown);

/*
 * Log through the callback installed with bpfd_set_print(): for failures
 * that change no result (a clean-up that failed, a fallback taken).  One
 * line, no trailing newline; the CLI prints BPFD_LOG_WARN on stderr.
 */
void bpfd_log(enum bpfd_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
