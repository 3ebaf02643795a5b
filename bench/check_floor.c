// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The floor for `bpfdelegate check`: bench/floor.c's syscalls (delegate
 * any x4, token) and then the very probes check runs, bpfd_probe_all()
 * of the library with the kernel's names (which decide the probes), read
 * as check reads them (kept for the boot by root: lib/btf_cache.c), and
 * nothing else: no read-back, no token info, no report, no libraries but
 * libc (static).  Exit 0 when every probe agrees.
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

#include "btf_cache.h"
#include "floor_util.h"

static struct bpfd_probe_report rep;

static int child(int s, const struct bpfd_names *names)
{
	struct bpfd_delegation any;
	int tok = floor_child_token(s);

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
	struct bpfd_names *names;
	int sv[2];
	pid_t pid;

	if (bpfd_names_load_kept(&names, NULL) < 0)
		return 1;
	socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
	pid = fork();
	if (pid == 0)
		_exit(child(sv[1], names));
	return floor_parent(sv[0], pid);
}
