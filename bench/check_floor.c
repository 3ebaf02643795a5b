// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The floor for `bpfdelegate check`: bench/floor.c's syscalls (delegate
 * any x4, token) and then the very probes check runs, bpfd_probe_all()
 * of the library with the kernel's names from BTF (which decide the
 * probes), and nothing else: no read-back, no token info, no report, no
 * libraries but libc (static).  Exit 0 when every probe agrees.
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

#include <bpfdelegate/delegation.h>
#include <bpfdelegate/probe.h>

#include "floor_util.h"

static struct bpfd_probe_report rep;

static int child(int s, const struct bpfd_names *names)
{
	struct bpfd_delegation any;
	__u32 a[2] = {0, 0};
	int fs, mnt, root, tok;

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
	a[1] = root;
	tok = syscall(__NR_bpf, 36 /* BPF_TOKEN_CREATE */, a, 8);
	if (tok < 0)
		return 1;
	for (int k = 0; k < BPFD_NKINDS; k++)
		any.mask[k] = BPFD_MASK_ANY;
	if (bpfd_probe_all(tok, &any, names, &rep) < 0)
		return 1;
	return rep.disagreements != 0;
}

int main(void)
{
	static const char *const opt[] = {"delegate_cmds", "delegate_maps",
					  "delegate_progs", "delegate_attachs"};
	struct bpfd_names *names;
	int sv[2], st;
	pid_t pid;

	if (bpfd_names_load(&names, NULL, 0, NULL) < 0)
		return 1;
	socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
	pid = fork();
	if (pid == 0)
		_exit(child(sv[1], names));
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
