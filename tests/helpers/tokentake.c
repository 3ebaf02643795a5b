// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tokentake: does a BPF token stay where it was made?  For serve.bats.
 *
 *   tokentake hold DIR      create a token from the bpffs root DIR, print
 *                           "token fd N" (or the errno), wait 60 s
 *   tokentake use PID FD    take fd FD of PID (pidfd_getfd: needs ptrace
 *                           access to PID) and, in our own namespaces,
 *                           create an array map and load an XDP program
 *                           with it; prints "took: ok|ERRNO",
 *                           "map: ok|ERRNO", "xdp: ok|ERRNO", and the
 *                           same map without the token ("map_notoken:")
 *
 * Raw bpf() (Debian 12's headers lack the token fields: offsets from
 * the UAPI, lib/compat.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define TOKEN_CREATE 36
#define F_TOKEN_FD (1U << 16)
#define MAP_TOKEN_FD_OFF 76
#define PROG_TOKEN_FD_OFF 144

static const char *res(long r)
{
	return r >= 0 ? "ok" : strerrorname_np(errno);
}

static long sys_bpf(int cmd, void *attr, unsigned int size)
{
	return syscall(SYS_bpf, cmd, attr, size);
}

static long map_create(int token)
{
	union {
		union bpf_attr m;
		char b[152];
	} u;

	memset(&u, 0, sizeof(u));
	u.m.map_type = BPF_MAP_TYPE_ARRAY;
	u.m.key_size = 4;
	u.m.value_size = 4;
	u.m.max_entries = 1;
	if (token >= 0) {
		u.m.map_flags = F_TOKEN_FD;
		memcpy(u.b + MAP_TOKEN_FD_OFF, &token, sizeof(int));
	}
	return sys_bpf(BPF_MAP_CREATE, u.b, 80);
}

static long xdp_load(int token)
{
	struct bpf_insn insn[2] = {
	    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 2},
	    {.code = BPF_JMP | BPF_EXIT},
	};
	union {
		union bpf_attr p;
		char b[152];
	} u;

	memset(&u, 0, sizeof(u));
	u.p.prog_type = BPF_PROG_TYPE_XDP;
	u.p.insns = (unsigned long)insn;
	u.p.insn_cnt = 2;
	u.p.license = (unsigned long)"GPL";
	u.p.prog_flags = F_TOKEN_FD;
	memcpy(u.b + PROG_TOKEN_FD_OFF, &token, sizeof(int));
	return sys_bpf(BPF_PROG_LOAD, u.b, 148);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "hold")) {
		int dir = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		unsigned int a[2] = {0, (unsigned int)dir};
		long t = sys_bpf(TOKEN_CREATE, a, sizeof(a));

		if (t < 0)
			printf("token %s\n", res(t));
		else
			printf("token fd %ld\n", t);
		fflush(stdout);
		sleep(60);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "use")) {
		int pidfd = (int)syscall(SYS_pidfd_open, atoi(argv[2]), 0);
		long tok = syscall(SYS_pidfd_getfd, pidfd, atoi(argv[3]), 0);

		printf("took: %s\n", res(tok));
		printf("map_notoken: %s\n", res(map_create(-1)));
		printf("map: %s\n", res(map_create((int)tok)));
		printf("xdp: %s\n", res(xdp_load((int)tok)));
		return 0;
	}
	fprintf(stderr, "usage: tokentake hold DIR | use PID FD\n");
	return 2;
}
