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
	int fs, mnt, root, tok, map;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return 1;
	send_fd(s, -1);
	recv_fd(s);
	if (setresgid(0, 0, 0) || setresuid(0, 0, 0))
		return 1;
	fs = fsopen("bpf", FSOPEN_CLOEXEC);
	send_fd(s, fs);
	mnt = recv_fd(s);
	root = openat(mnt, ".", O_RDONLY | O_DIRECTORY);
	memset(&a, 0, sizeof(a));
	a.u[1] = root;
	tok = syscall(__NR_bpf, 36 /* BPF_TOKEN_CREATE */, &a, 8);
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
	static const char *const opt[] = {"delegate_cmds", "delegate_maps",
					  "delegate_progs", "delegate_attachs"};
	int sv[2], st;
	pid_t pid;

	socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
	pid = fork();
	if (pid == 0)
		_exit(child(sv[1]));
	recv_fd(sv[0]);
	wr(pid, "uid_map", "0 65534 1");
	wr(pid, "setgroups", "deny");
	wr(pid, "gid_map", "0 65534 1");
	send_fd(sv[0], -1);
	int fs = recv_fd(sv[0]);
	for (int i = 0; i < 4; i++)
		fsconfig(fs, FSCONFIG_SET_STRING, opt[i], "any", 0);
	fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
	int mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
	send_fd(sv[0], mnt);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
