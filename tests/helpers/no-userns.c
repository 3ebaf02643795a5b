// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * no-userns COMMAND [ARG...]: run COMMAND with user namespace creation
 * refused (EPERM) by a seccomp filter, the way container runtimes and
 * sandboxes restrict it.  Used by the CLI tests for exit status 5.
 * no-userns --netns COMMAND [ARG...]: network namespaces instead.
 * no-userns --statmount COMMAND [ARG...]: statmount(2) fails with ENOSYS,
 * as on a kernel before 6.8 (tests/cli/static.bats).
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_statmount
#define __NR_statmount 457
#endif

int main(int argc, char **argv)
{
	int netns = argc > 1 && !strcmp(argv[1], "--netns");
	int sm = argc > 1 && !strcmp(argv[1], "--statmount");
	unsigned int flag = netns ? CLONE_NEWNET : CLONE_NEWUSER;
	struct sock_filter no_sm[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_statmount, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_filter f[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_unshare, 0, 3),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, args[0])),
	    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, flag, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof(f) / sizeof(f[0]), f};

	if (sm) {
		prog.len = sizeof(no_sm) / sizeof(no_sm[0]);
		prog.filter = no_sm;
	}
	argc -= netns + sm;
	argv += netns + sm;
	if (argc < 2) {
		fprintf(stderr, "usage: no-userns COMMAND [ARG...]\n");
		return 2;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		perror("no-userns: seccomp");
		return 1;
	}
	execvp(argv[1], argv + 1);
	perror("no-userns: exec");
	return 127;
}
