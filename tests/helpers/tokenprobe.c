// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tokenprobe: what a BPF loader sees inside `bpfdelegate run` (raw bpf()
 * syscalls, no token API needed).  Prints key=value lines:
 *
 *   token_path=  LIBBPF_BPF_TOKEN_PATH (or /sys/fs/bpf)
 *   token=       ok | errno name of BPF_TOKEN_CREATE
 *   map=         ok | errno name of an array map create with the token
 *   prog=        ok | errno name of a socket_filter load with the token
 *   fds=         the open fds, e.g. 0,1,2
 *   uid= gid=    real ids as seen inside
 *   cap_eff= cap_amb=  from /proc/self/status
 *
 * Options: --exit N (exit with N), --raise SIG (kill itself with SIG),
 * --wait-signal (print "ready", wait for SIGINT/SIGTERM/SIGHUP, exit
 * 100 + the signal number).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>

#define TOKEN_CREATE 36
#define F_TOKEN_FD (1U << 16)

static long sys_bpf(int cmd, void *attr, unsigned int size)
{
	return syscall(__NR_bpf, cmd, attr, size);
}

static const char *res(long r)
{
	return r >= 0 ? "ok" : strerrorname_np(errno);
}

static int token(const char *path, const char **what)
{
	unsigned int a[2] = {0, 0};
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), tok;

	if (fd < 0) {
		*what = strerrorname_np(errno);
		return -1;
	}
	a[1] = (unsigned int)fd;
	tok = (int)sys_bpf(TOKEN_CREATE, a, sizeof(a));
	*what = res(tok);
	close(fd);
	return tok;
}

static const char *map_with(int tok)
{
	unsigned int a[20] = {0}; /* up to map_token_fd at offset 76 */
	long r;

	a[0] = BPF_MAP_TYPE_ARRAY;
	a[1] = 4;
	a[2] = 4;
	a[3] = 1;
	a[4] = F_TOKEN_FD;
	a[19] = (unsigned int)tok;
	r = sys_bpf(BPF_MAP_CREATE, a, sizeof(a));
	if (r >= 0)
		close((int)r);
	return res(r);
}

static const char *prog_with(int tok)
{
	struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	unsigned int a[38] = {0}; /* up to prog_token_fd at offset 144 */
	unsigned long long p;
	long r;

	a[0] = BPF_PROG_TYPE_SOCKET_FILTER;
	a[1] = 2;
	p = (unsigned long)insns;
	memcpy(&a[2], &p, 8);
	p = (unsigned long)"GPL";
	memcpy(&a[4], &p, 8);
	a[11] = F_TOKEN_FD; /* prog_flags at offset 44 */
	a[36] = (unsigned int)tok;
	r = sys_bpf(BPF_PROG_LOAD, a, 148);
	if (r >= 0)
		close((int)r);
	return res(r);
}

static void print_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int self = d ? dirfd(d) : -1, n = 0;

	printf("fds=");
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) != self)
			printf("%s%s", n++ ? "," : "", e->d_name);
	printf("\n");
	if (d)
		closedir(d);
}

static void print_status(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];

	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "CapEff:", 7))
			printf("cap_eff=%s", line + 8);
		else if (!strncmp(line, "CapAmb:", 7))
			printf("cap_amb=%s", line + 8);
	}
	if (f)
		fclose(f);
	printf("uid=%u\ngid=%u\n", getuid(), getgid());
}

static volatile sig_atomic_t got;

static void on_signal(int sig)
{
	got = sig;
}

static int wait_signal(void)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigset_t none;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	printf("ready\n");
	fflush(stdout);
	while (!got)
		pause();
	return 100 + got;
}

int main(int argc, char **argv)
{
	const char *path = getenv("LIBBPF_BPF_TOKEN_PATH"), *what;
	int tok;

	if (argc > 2 && !strcmp(argv[1], "--exit"))
		return atoi(argv[2]);
	if (argc > 2 && !strcmp(argv[1], "--raise")) {
		signal(atoi(argv[2]), SIG_DFL);
		raise(atoi(argv[2]));
		return 99;
	}
	if (argc > 1 && !strcmp(argv[1], "--wait-signal"))
		return wait_signal();
	print_fds(); /* first: nothing of ours is open yet */
	printf("token_path=%s\n", path ? path : "");
	tok = token(path && *path ? path : "/sys/fs/bpf", &what);
	printf("token=%s\n", what);
	printf("map=%s\n", tok >= 0 ? map_with(tok) : "no-token");
	printf("prog=%s\n", tok >= 0 ? prog_with(tok) : "no-token");
	print_status();
	return 0;
}
