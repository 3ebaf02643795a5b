// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * no-pidfd ERRNO COMMAND [ARG...]: run COMMAND with pidfd_open,
 * pidfd_send_signal and pidfd_getfd refused with ERRNO (ENOSYS, EPERM or
 * a number) by a seccomp filter, the way container profiles older than
 * these syscalls do.  Used by the CLI tests of `run` without pidfds.
 *
 * no-pidfd nsioctl COMMAND [ARG...]: only the pidfs ioctls that give a
 * process's user or mount namespace (6.11) answer ENOTTY, as every pidfd
 * does before 6.11 (tests/cli/attach.bats).
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438
#endif

/* Install the filter @f (@n instructions), run @argv. */
static int filter_exec(struct sock_filter *f, size_t n, char **argv)
{
	struct sock_fprog prog = {(unsigned short)n, f};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		perror("no-pidfd: seccomp");
		return 1;
	}
	execvp(argv[0], argv);
	perror("no-pidfd: exec");
	return 127;
}

int main(int argc, char **argv)
{
	unsigned int err;

	if (argc < 3) {
		fprintf(stderr, "usage: no-pidfd ENOSYS|EPERM|N COMMAND...\n");
		return 2;
	}
	if (!strcmp(argv[1], "nsioctl")) {
		struct sock_filter f[] = {
		    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			     offsetof(struct seccomp_data, arch)),
		    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1,
			     0),
		    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			     offsetof(struct seccomp_data, nr)),
		    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 1, 0),
		    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		    /* the request's low 32 bits */
		    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			     offsetof(struct seccomp_data, args[1])),
		    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xff09, 2, 0),
		    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xff03, 1, 0),
		    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOTTY),
		};
		return filter_exec(f, sizeof(f) / sizeof(f[0]), argv + 2);
	}
	err = !strcmp(argv[1], "ENOSYS")  ? ENOSYS
	      : !strcmp(argv[1], "EPERM") ? EPERM
					  : (unsigned int)atoi(argv[1]);
	struct sock_filter f[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, arch)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_pidfd_open, 3, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_pidfd_send_signal, 2, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_pidfd_getfd, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (err & 0xffff)),
	};
	return filter_exec(f, sizeof(f) / sizeof(f[0]), argv + 2);
}
