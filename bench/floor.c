// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The floor for `make bench`: only the syscalls a delegation needs, with no
 * checks, no names, no report: fork, unshare(NEWUSER|NEWNS), id maps,
 * fsopen, SCM_RIGHTS, fsconfig x4 + create, fsmount, SCM_RIGHTS back,
 * open the root, BPF_TOKEN_CREATE, one map create with the token.
 * Exit 0 on success.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "floor_util.h"

static int child(int s)
{
	union { __u32 u[20]; } a;
	int tok = floor_child_token(s), map;

	if (tok < 0)
		return 1;
	memset(&a, 0, sizeof(a));
	a.u[0] = BPF_MAP_TYPE_ARRAY;
	a.u[1] = 4;
	a.u[2] = 4;
	a.u[3] = 1;
	a.u[4] = 1U << 16; /* BPF_F_TOKEN_FD */
	a.u[19] = tok;     /* map_token_fd at offset 76 */
	map = syscall(__NR_bpf, BPF_MAP_CREATE, &a, 80);
	return map < 0;
}

int main(void)
{
	int sv[2];
	pid_t pid;

	socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
	pid = fork();
	if (pid == 0)
		_exit(child(sv[1]));
	return floor_parent(sv[0], pid);
}
