// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * suggest --learn: record what a command's bpf() calls need delegated.
 *
 * The engine's child installs a seccomp filter that turns bpf() into a
 * user notification (SECCOMP_RET_USER_NOTIF) and hands the listener to us
 * with its report; we are the parent, host root.  For each notification we
 * read the command (a syscall argument, from the kernel) and the union
 * bpf_attr (from the caller's memory: process_vm_readv), check that the
 * notification is still valid (SECCOMP_IOCTL_NOTIF_ID_VALID: the caller
 * may have died and its pid been reused before we read; seccomp_unotify(2)),
 * record, and let the call go on unchanged (SECCOMP_USER_NOTIF_FLAG_CONTINUE).
 *
 * This only watches: the kernel reads the attr again after we answer, and
 * a thread of COMMAND may change it in between.  That is fine for learning
 * what a cooperating loader needs and worthless as a security check, which
 * is why nothing is ever refused here.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/pidfd.h>

#include "compat.h"
#include "fault.h"
#include "internal.h"
#include "learn.h"

#if defined(__x86_64__)
#define LEARN_ARCH AUDIT_ARCH_X86_64
/* The i386 ABI's bpf(), and x32's (the x86_64 arch with bit 30 set): an
 * i386 loader on an x86_64 host must be seen too.  union bpf_attr has the
 * same layout in every ABI (its pointers are __aligned_u64). */
#define LEARN_NR_I386 357
#define LEARN_X32_BIT 0x40000000U
#elif defined(__aarch64__)
#define LEARN_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define LEARN_ARCH AUDIT_ARCH_I386
#else
#error "suggest --learn: add this architecture's AUDIT_ARCH"
#endif

/*
 * Offsets in union bpf_attr of the fields we read (include/uapi/linux/
 * bpf.h; the system's 6.1 header lacks the token fields).
 */
#define ATTR_MAP_TYPE 0		       /* BPF_MAP_CREATE: map_type */
#define ATTR_MAP_FLAGS 16	       /* map_flags */
#define ATTR_MAP_NAME 28	       /* map_name[16] */
#define ATTR_PROG_TYPE 0	       /* BPF_PROG_LOAD: prog_type */
#define ATTR_INSN_CNT 4		       /* insn_cnt */
#define ATTR_PROG_FLAGS 44	       /* prog_flags */
#define ATTR_PROG_NAME 48	       /* prog_name[16] */
#define ATTR_PROG_EXPECTED 68	       /* expected_attach_type */
#define ATTR_BTF_FLAGS 32	       /* BPF_BTF_LOAD: btf_flags (6.9) */
#define ATTR_OPEN_FLAGS 8	       /* *_GET_FD_BY_ID: open_flags */
#define ATTR_LINK_ATTACH_TYPE 8	       /* BPF_LINK_CREATE: attach_type */
#define ATTR_PROG_ATTACH_ATTACH_TYPE 8 /* BPF_PROG_ATTACH/DETACH */
_Static_assert(offsetof(union bpf_attr, map_flags) == ATTR_MAP_FLAGS, "");
_Static_assert(offsetof(union bpf_attr, map_name) == ATTR_MAP_NAME, "");
_Static_assert(offsetof(union bpf_attr, prog_flags) == ATTR_PROG_FLAGS, "");
_Static_assert(offsetof(union bpf_attr, prog_name) == ATTR_PROG_NAME, "");
_Static_assert(offsetof(union bpf_attr, expected_attach_type) ==
		   ATTR_PROG_EXPECTED,
	       "");
_Static_assert(offsetof(union bpf_attr, open_flags) == ATTR_OPEN_FLAGS, "");
_Static_assert(offsetof(union bpf_attr, link_create.attach_type) ==
		   ATTR_LINK_ATTACH_TYPE,
	       "");
_Static_assert(offsetof(union bpf_attr, attach_type) ==
		   ATTR_PROG_ATTACH_ATTACH_TYPE,
	       "");

/* More than any kernel's union bpf_attr; the rest reads as zero. */
#define ATTR_MAX 512

int bpfd_learn_filter_install(void)
{
	struct sock_filter f[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, arch)),
#ifdef LEARN_NR_I386
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, LEARN_ARCH, 3, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 0, 6),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, LEARN_NR_I386, 3, 4),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, LEARN_X32_BIT | __NR_bpf, 1, 0),
#else
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, LEARN_ARCH, 0, 3),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, nr)),
#endif
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_bpf, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = ARRAY_SIZE(f), .filter = f};
	long fd = syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
			  SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);

	return fd < 0 ? -errno : (int)fd;
}

static uint32_t get_u32(const unsigned char *attr, size_t off)
{
	uint32_t v;

	memcpy(&v, attr + off, sizeof(v));
	return v;
}

/* An object name from the attr, printable, for the reasons. */
static void get_name(const unsigned char *attr, size_t off, char *out)
{
	size_t i;

	for (i = 0; i < 15 && attr[off + i]; i++) {
		unsigned char ch = attr[off + i];

		out[i] = ch > 0x20 && ch < 0x7f && ch != '\'' ? (char)ch : '?';
	}
	out[i] = 0;
}

/* "BPF_PROG_LOAD", or "bpf cmd 99" for a value the names lack. */
static void cmd_label(const struct bpfd_names *names, unsigned int cmd,
		      char *buf, size_t len)
{
	const char *n = bpfd_names_get(names, BPFD_CMDS, cmd);
	size_t i = 4;

	if (!n) {
		snprintf(buf, len, "bpf cmd %u", cmd);
		return;
	}
	snprintf(buf, len, "BPF_%s", n);
	for (; buf[i]; i++)
		if (buf[i] >= 'a' && buf[i] <= 'z')
			buf[i] = (char)(buf[i] - 32);
}

static const char *vname(const struct bpfd_names *names, enum bpfd_kind k,
			 unsigned int v, char *buf, size_t len)
{
	const char *n = bpfd_names_get(names, k, v);

	if (n)
		return n;
	snprintf(buf, len, "%u", v);
	return buf;
}

/* -EINVAL from bpfd_needs_add is a value above 63: no bit a bpffs can
 * delegate; it stays out of the set, the call is still counted. */
static int add(struct bpfd_needs *n, enum bpfd_kind k, unsigned int v,
	       const char *reason)
{
	int r = bpfd_needs_add(n, k, v, "%s", reason);

	return r == -EINVAL ? 0 : r;
}

/* Record one call: @attr holds what was read (zeros past it). */
static int record(struct bpfd_learn *res, const struct bpfd_names *names,
		  unsigned int seq, unsigned int cmd, const unsigned char *attr)
{
	char label[48], why[200], a[16], b[16], name[16];
	bool token = false;
	int r;

	cmd_label(names, cmd, label, sizeof(label));
	switch (cmd) {
	case BPF_MAP_CREATE:
		token = get_u32(attr, ATTR_MAP_FLAGS) & BPFD_F_TOKEN_FD;
		get_name(attr, ATTR_MAP_NAME, name);
		snprintf(why, sizeof(why),
			 "%s map_type=%s name='%s' (call %u%s)", label,
			 vname(names, BPFD_MAPS, get_u32(attr, ATTR_MAP_TYPE),
			       a, sizeof(a)),
			 name, seq, token ? "" : ", without a token");
		r = add(token ? &res->needs : &res->other, BPFD_CMDS, cmd, why);
		if (r == 0)
			r = add(token ? &res->needs : &res->other, BPFD_MAPS,
				get_u32(attr, ATTR_MAP_TYPE), why);
		return r;
	case BPF_PROG_LOAD: {
		uint32_t pt = get_u32(attr, ATTR_PROG_TYPE);
		uint32_t at = get_u32(attr, ATTR_PROG_EXPECTED);
		struct bpfd_needs *to;

		token = get_u32(attr, ATTR_PROG_FLAGS) & BPFD_F_TOKEN_FD;
		to = token ? &res->needs : &res->other;
		get_name(attr, ATTR_PROG_NAME, name);
		/* insns: libbpf's feature probes are programs of a few
		 * instructions; the count lets a reader tell them apart. */
		snprintf(why, sizeof(why),
			 "%s prog_type=%s expected_attach_type=%s name='%s' "
			 "insns=%u (call %u%s)",
			 label, vname(names, BPFD_PROGS, pt, a, sizeof(a)),
			 vname(names, BPFD_ATTACHS, at, b, sizeof(b)), name,
			 get_u32(attr, ATTR_INSN_CNT), seq,
			 token ? "" : ", without a token");
		/* The token allows a load only with both bits: the program
		 * type and the expected attach type, 0 included
		 * (bpf_token_allow_prog_type). */
		r = add(to, BPFD_CMDS, cmd, why);
		if (r == 0)
			r = add(to, BPFD_PROGS, pt, why);
		if (r == 0)
			r = add(to, BPFD_ATTACHS, at, why);
		return r;
	}
	case BPF_BTF_LOAD:
		token = get_u32(attr, ATTR_BTF_FLAGS) & BPFD_F_TOKEN_FD;
		break;
	case BPF_BTF_GET_FD_BY_ID:
		/* Takes a token since 6.15. */
		token = get_u32(attr, ATTR_OPEN_FLAGS) & BPFD_F_TOKEN_FD;
		break;
	case BPF_LINK_CREATE:
	case BPF_PROG_ATTACH:
	case BPF_PROG_DETACH: {
		uint32_t at = get_u32(attr, cmd == BPF_LINK_CREATE
						? ATTR_LINK_ATTACH_TYPE
						: ATTR_PROG_ATTACH_ATTACH_TYPE);

		/* Attach commands take no token: delegate_attachs gates only
		 * the expected_attach_type of BPF_PROG_LOAD. */
		snprintf(why, sizeof(why),
			 "%s attach_type=%s (call %u; takes no token)", label,
			 vname(names, BPFD_ATTACHS, at, a, sizeof(a)), seq);
		r = add(&res->other, BPFD_CMDS, cmd, why);
		return r ? r : add(&res->other, BPFD_ATTACHS, at, why);
	}
	default:
		snprintf(why, sizeof(why), "%s (call %u; takes no token)",
			 label, seq);
		return add(&res->other, BPFD_CMDS, cmd, why);
	}
	snprintf(why, sizeof(why), "%s (call %u%s)", label, seq,
		 token ? "" : ", without a token");
	return add(token ? &res->needs : &res->other, BPFD_CMDS, cmd, why);
}

/* Is this notification a bpf() call of an ABI we know?  The filter lets
 * only those through; checked again rather than trusted. */
static bool is_bpf(const struct seccomp_data *d)
{
	if (d->arch == LEARN_ARCH && d->nr == __NR_bpf)
		return true;
#ifdef LEARN_NR_I386
	if (d->arch == LEARN_ARCH &&
	    (uint32_t)d->nr == (LEARN_X32_BIT | __NR_bpf))
		return true;
	if (d->arch == AUDIT_ARCH_I386 && d->nr == LEARN_NR_I386)
		return true;
#endif
	return false;
}

struct sup {
	const struct bpfd_learn_opts *o;
	struct bpfd_learn *res;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	size_t req_size, resp_size;
	bool reaped; /* res->status holds COMMAND's wait status */
};

/*
 * gcc 12 -fanalyzer (make analyze) reports NULL s->req / s->resp below:
 * it follows alloc_bufs() failing with errno taken as 0, so -errno reads as
 * success.  A failed syscall always sets errno; loop() runs only after
 * alloc_bufs() returned 0 with both buffers allocated.
 */
BPFD_ANALYZER_IGNORE("-Wanalyzer-null-dereference")
/*
 * Read the caller's attr.  1 when read (possibly partly: a bad pointer
 * leaves zeros), 0 when the caller is gone (the notification is no longer
 * valid: what we read may be another process's, so it is dropped).
 */
static int read_attr(struct sup *s, unsigned char *attr)
{
	const struct seccomp_notif *req = s->req;
	size_t len =
	    req->data.args[2] < ATTR_MAX ? req->data.args[2] : ATTR_MAX;
	struct iovec local = {.iov_base = attr, .iov_len = len};
	struct iovec remote = {.iov_base = (void *)(uintptr_t)req->data.args[1],
			       .iov_len = len};
	ssize_t n = 0;

	memset(attr, 0, ATTR_MAX);
	if (len && req->data.args[1])
		n = process_vm_readv((pid_t)req->pid, &local, 1, &remote, 1, 0);
	/* After the read: while the notification is valid, the caller is
	 * still waiting in bpf(), so pid was still that caller's. */
	if (ioctl(s->o->notify_fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) < 0)
		return 0;
	if (n < 0 || (size_t)n < len) {
		if (n > 0)
			memset(attr + n, 0, ATTR_MAX - (size_t)n);
		else
			memset(attr, 0, ATTR_MAX);
		if (len && req->data.args[1])
			s->res->unread++;
	}
	return 1;
}

/* The fault: SIGKILL the caller and wait (2 s at most) until it is gone. */
static void fault_kill_caller(pid_t pid)
{
	_cleanup_close_ int fd = pidfd_open(pid, 0);
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	kill(pid, SIGKILL);
	if (fd >= 0)
		poll(&pfd, 1, 2000);
}

/* One notification: receive, record, continue.  0 or -ENOMEM. */
static int serve_one(struct sup *s)
{
	unsigned char attr[ATTR_MAX];
	int r = 0;

	/* Only called after poll() said readable.  RECV then does not block
	 * even when the caller was interrupted meanwhile: each notification
	 * raised the listener's semaphore once, so RECV takes it and finds
	 * nothing (ENOENT) (kernel/seccomp.c, seccomp_notify_recv; from the
	 * source, not provoked). */
	memset(s->req, 0, s->req_size);
	if (ioctl(s->o->notify_fd, SECCOMP_IOCTL_NOTIF_RECV, s->req) < 0)
		/* ENOENT: the caller was interrupted (a signal) before we
		 * took it; EINTR: try again on the next poll. */
		return 0;
	if (bpfd_fault() == BPFD_FAULT_LEARN_GONE)
		fault_kill_caller((pid_t)s->req->pid);
	if (is_bpf(&s->req->data)) {
		s->res->calls++;
		if (read_attr(s, attr))
			r = record(s->res, s->o->names, s->res->calls,
				   (unsigned int)s->req->data.args[0], attr);
		else
			s->res->lost++;
	}
	memset(s->resp, 0, s->resp_size);
	s->resp->id = s->req->id;
	s->resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	/* ENOENT: the caller died meanwhile; nothing to answer. */
	(void)ioctl(s->o->notify_fd, SECCOMP_IOCTL_NOTIF_SEND, s->resp);
	return r;
}
BPFD_ANALYZER_POP

/* Answer what is already queued, without waiting. */
static int drain(struct sup *s)
{
	struct pollfd pfd = {.fd = s->o->notify_fd, .events = POLLIN};

	for (int i = 0; i < 4096; i++) {
		int r = poll(&pfd, 1, 0);

		if (r <= 0 || !(pfd.revents & POLLIN))
			return 0;
		r = serve_one(s);
		if (r < 0)
			return r;
	}
	return 0;
}

static void forward(const struct bpfd_learn_opts *o, int sig)
{
	if (o->pidfd >= 0)
		pidfd_send_signal(o->pidfd, sig, NULL, 0);
	else
		kill(o->pid, sig);
}

/* Has COMMAND exited?  1 (reaped, res->status set), 0, or -errno. */
static int reaped(struct sup *s)
{
	pid_t p;

	do
		p = waitpid(s->o->pid, &s->res->status, WNOHANG);
	while (p < 0 && errno == EINTR);
	if (p < 0)
		return -errno;
	s->reaped = p == s->o->pid;
	return s->reaped;
}

static int loop(struct sup *s, int sfd)
{
	struct pollfd pfd[3] = {
	    {.fd = s->o->notify_fd, .events = POLLIN},
	    {.fd = sfd, .events = POLLIN},
	    {.fd = s->o->pidfd, .events = POLLIN},
	};

	for (;;) {
		struct signalfd_siginfo si;
		int r = reaped(s);

		if (r != 0)
			return r < 0 ? r : drain(s);
		/* Timeout: a SIGCHLD lost to a caller that had it pending
		 * before we made the signalfd cannot keep us here. */
		r = poll(pfd, 3, 1000);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r <= 0)
			continue;
		if (pfd[0].revents & POLLIN) {
			r = serve_one(s);
			if (r < 0)
				return r;
		} else if (pfd[0].revents & (POLLHUP | POLLERR)) {
			/* No task uses the filter any more: COMMAND is
			 * about to be reaped. */
			pfd[0].fd = -1;
		}
		if ((pfd[1].revents & POLLIN) &&
		    read(sfd, &si, sizeof(si)) == sizeof(si) &&
		    si.ssi_signo != SIGCHLD)
			forward(s->o, (int)si.ssi_signo);
	}
}

static int alloc_bufs(struct sup *s)
{
	struct seccomp_notif_sizes sz = {0};

	/* The kernel's structs may be larger than our headers' (seccomp
	 * man page): allocate what it says. */
	if (syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0)
		return -errno;
	s->req_size = sz.seccomp_notif > sizeof(*s->req) ? sz.seccomp_notif
							 : sizeof(*s->req);
	s->resp_size = sz.seccomp_notif_resp > sizeof(*s->resp)
			   ? sz.seccomp_notif_resp
			   : sizeof(*s->resp);
	s->req = calloc(1, s->req_size);
	s->resp = calloc(1, s->resp_size);
	return s->req && s->resp ? 0 : -ENOMEM;
}

int bpfd_learn_supervise(const struct bpfd_learn_opts *o,
			 struct bpfd_learn *res, struct bpfd_error *err)
{
	struct sup s = {.o = o, .res = res};
	_cleanup_close_ int sfd = BPFD_NO_FD;
	int r;

	memset(res, 0, sizeof(*res));
	r = alloc_bufs(&s);
	if (r == 0) {
		sfd = signalfd(-1, o->sigs, SFD_CLOEXEC | SFD_NONBLOCK);
		if (sfd < 0)
			r = -errno;
	}
	if (r == 0)
		r = loop(&s, sfd);
	free(s.req);
	free(s.resp);
	/* Without a listener, the filter answers bpf() with ENOSYS. */
	close(o->notify_fd);
	if (r < 0) {
		/* Never leave COMMAND behind: killed, reaped. */
		if (!s.reaped) {
			forward(o, SIGKILL);
			while (waitpid(o->pid, &res->status, 0) < 0 &&
			       errno == EINTR)
				;
		}
		return bpfd_error_set(err, BPFD_STEP_WAIT, -r,
				      "suggest --learn: serving COMMAND's "
				      "bpf() calls");
	}
	return 0;
}

void bpfd_learn_free(struct bpfd_learn *res)
{
	bpfd_needs_free(&res->needs);
	bpfd_needs_free(&res->other);
}
