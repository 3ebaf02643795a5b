// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * learnbpf: a loader of known raw bpf() calls for tests/cli/learn.bats
 * (suggest --learn).  With a token from LIBBPF_BPF_TOKEN_PATH (default
 * /sys/fs/bpf), every create carrying BPF_F_TOKEN_FD:
 *
 *   main thread:   BPF_TOKEN_CREATE; BPF_MAP_CREATE hash; BPF_PROG_LOAD
 *                  xdp (expected_attach_type xdp); BPF_LINK_CREATE of it
 *                  on lo (attach_type xdp), closed at once
 *   second thread: BPF_MAP_CREATE queue
 *   forked child:  BPF_MAP_CREATE lru_hash; BPF_PROG_LOAD sched_cls
 *                  (expected_attach_type 0)
 *   main thread:   BPF_PROG_LOAD socket_filter WITHOUT a token (the
 *                  learn mode must not count it), result ignored
 *
 * --evil-name: also BPF_MAP_CREATE of a map named "\n--preset all\n"
 * (the kernel refuses the name, EINVAL, after the learn mode read it: its
 * output must not turn it into a line of options).
 *
 * --bad-attr: also BPF_MAP_CREATE with an attr pointer that cannot be
 * read (the kernel says EFAULT; the learn mode counts it as unread).
 *
 * Prints "<step>=ok|ERRNO" per call and exits 0 when every call that must
 * work worked, 1 otherwise.  The link needs CAP_NET_ADMIN over lo's
 * network namespace: run it with --netns new.
 */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/bpf.h>

#define TOKEN_CREATE 36	      /* enum bpf_cmd, 6.9 */
#define F_TOKEN_FD (1U << 16) /* BPF_F_TOKEN_FD */
#define MAP_TOKEN_FD_OFF 76   /* union bpf_attr: map_token_fd */
#define PROG_TOKEN_FD_OFF 144 /* prog_token_fd */
#define ATTR_SIZE 160

static int token = -1;

static long sys_bpf(int cmd, void *attr, unsigned int size)
{
	return syscall(__NR_bpf, cmd, attr, size);
}

static int report(const char *step, long r)
{
	printf("%s=%s\n", step, r < 0 ? strerrorname_np(errno) : "ok");
	fflush(stdout);
	return r < 0 ? 1 : 0;
}

static const char *map_name = "";

static long map_create(uint32_t type, uint32_t key, uint32_t value)
{
	_Alignas(8) unsigned char buf[ATTR_SIZE] = {0};
	union bpf_attr *a = (union bpf_attr *)buf;

	a->map_type = type;
	a->key_size = key;
	a->value_size = value;
	a->max_entries = 4;
	a->map_flags = F_TOKEN_FD;
	strncpy(a->map_name, map_name, sizeof(a->map_name) - 1);
	memcpy(buf + MAP_TOKEN_FD_OFF, &token, sizeof(token));
	return sys_bpf(BPF_MAP_CREATE, buf, sizeof(buf));
}

/* r0 = @ret; exit */
static long prog_load(uint32_t type, uint32_t attach, int ret, bool with_token)
{
	struct bpf_insn insns[] = {
	    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = ret},
	    {.code = BPF_JMP | BPF_EXIT},
	};
	_Alignas(8) unsigned char buf[ATTR_SIZE] = {0};
	union bpf_attr *a = (union bpf_attr *)buf;

	a->prog_type = type;
	a->insn_cnt = 2;
	a->insns = (uint64_t)(uintptr_t)insns;
	a->license = (uint64_t)(uintptr_t) "GPL";
	a->expected_attach_type = attach;
	if (with_token) {
		a->prog_flags = F_TOKEN_FD;
		memcpy(buf + PROG_TOKEN_FD_OFF, &token, sizeof(token));
	}
	return sys_bpf(BPF_PROG_LOAD, buf, sizeof(buf));
}

static void *thread_main(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)report("thread_map_queue",
					map_create(BPF_MAP_TYPE_QUEUE, 0, 4));
}

static int child_main(void)
{
	int bad = report("child_map_lru_hash",
			 map_create(BPF_MAP_TYPE_LRU_HASH, 4, 4));

	bad |= report("child_prog_sched_cls",
		      prog_load(BPF_PROG_TYPE_SCHED_CLS, 0, 0, true));
	return bad;
}

int main(int argc, char **argv)
{
	const char *path = getenv("LIBBPF_BPF_TOKEN_PATH");
	union bpf_attr a;
	pthread_t th;
	void *tres;
	int bad = 0, st, dir;
	long prog;
	pid_t pid;

	dir = open(path && *path ? path : "/sys/fs/bpf",
		   O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	memset(&a, 0, sizeof(a));
	a.map_type = 0; /* token_create: flags 0, bpffs_fd */
	memcpy((char *)&a + 4, &dir, sizeof(dir));
	token = (int)sys_bpf(TOKEN_CREATE, &a, 8);
	if (report("token", token))
		return 1;
	bad |= report("map_hash", map_create(BPF_MAP_TYPE_HASH, 4, 8));
	prog = prog_load(BPF_PROG_TYPE_XDP, BPF_XDP, 2 /* XDP_PASS */, true);
	bad |= report("prog_xdp", prog);
	if (prog >= 0) {
		long link;

		memset(&a, 0, sizeof(a));
		a.link_create.prog_fd = (uint32_t)prog;
		a.link_create.target_ifindex = if_nametoindex("lo");
		a.link_create.attach_type = BPF_XDP;
		link = sys_bpf(BPF_LINK_CREATE, &a,
			       offsetof(union bpf_attr, link_create.flags) + 4);
		bad |= report("link_xdp_lo", link);
		if (link >= 0)
			close((int)link);
	}
	if (pthread_create(&th, NULL, thread_main, NULL) != 0 ||
	    pthread_join(th, &tres) != 0)
		bad = 1;
	else
		bad |= (int)(intptr_t)tres;
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(child_main());
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st))
		bad = 1;
	if (argc > 1 && strcmp(argv[1], "--evil-name") == 0) {
		map_name = "\n--preset all\n";
		report("map_evil_name", map_create(BPF_MAP_TYPE_ARRAY, 4, 4));
		map_name = "";
	}
	if (argc > 1 && strcmp(argv[1], "--bad-attr") == 0)
		report("map_bad_attr", sys_bpf(BPF_MAP_CREATE, (void *)8, 64));
	/* Without the token: no delegation can matter for it. */
	report("prog_no_token",
	       prog_load(BPF_PROG_TYPE_SOCKET_FILTER, 0, 0, false));
	return bad;
}
