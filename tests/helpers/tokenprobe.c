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
 *
 * --netdevs: the network interfaces of our network namespace, one
 * "netdev=NAME up|down" line each (if_nameindex is netlink: it reflects
 * the reader's netns, unlike a host sysfs).
 *
 * --raw-tp PID: with the token, load a raw tracepoint program and attach
 * it to sys_enter; for each system call of host process PID it reads the
 * syscall number from the kernel's struct pt_regs with
 * bpf_probe_read_kernel() and counts those that equal the tracepoint's own
 * id argument.  After a second prints raw_tp= (load), raw_tp_attach=,
 * seen_syscalls= (calls of PID whose number was read back from kernel
 * memory).  x86_64 only (pt_regs layout).
 *
 * --tcx IFNAME: with the token, load a tc program (expected attach type
 * tcx_ingress) that returns TCX_NEXT (changes nothing) and attach it to
 * IFNAME of our network namespace through a BPF link, closed at once:
 * prints tcx_link=.  --tcx-keep IFNAME: attach it with BPF_PROG_ATTACH
 * instead, which stays when we exit: prints tcx_attach=.
 * --xdp IFNAME: likewise an XDP program returning XDP_PASS, through a
 * link (xdp_link=).
 * --tcx-count IFNAME: the programs attached at tcx ingress (tcx_progs=N);
 * --tcx-clear IFNAME: detach them (needs CAP_NET_ADMIN there).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
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

static int netdevs(void)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (!ifs || s < 0) {
		perror("tokenprobe: netdevs");
		return 1;
	}
	for (i = ifs; i->if_index; i++) {
		struct ifreq ifr = {0};

		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", i->if_name);
		if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
			return 1;
		printf("netdev=%s %s\n", i->if_name,
		       ifr.ifr_flags & IFF_UP ? "up" : "down");
	}
	if_freenameindex(ifs);
	close(s);
	return 0;
}

#define INSN(c, d, sr, o, i)                                                   \
	((struct bpf_insn){.code = (c),                                        \
			   .dst_reg = (d),                                     \
			   .src_reg = (sr),                                    \
			   .off = (o),                                         \
			   .imm = (i)})
#define MOV64_REG(d, sr) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, sr, 0, 0)
#define MOV64_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ADD64_IMM(d, i) INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define RSH64_IMM(d, i) INSN(BPF_ALU64 | BPF_RSH | BPF_K, d, 0, 0, i)
#define LDX64(d, sr, o) INSN(BPF_LDX | BPF_MEM | BPF_DW, d, sr, o, 0)
#define ST32(d, o, i) INSN(BPF_ST | BPF_MEM | BPF_W, d, 0, o, i)
#define STX64(d, sr, o) INSN(BPF_STX | BPF_MEM | BPF_DW, d, sr, o, 0)
#define JNE_IMM(d, i, o) INSN(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define JEQ_IMM(d, i, o) INSN(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define JNE_REG(d, sr, o) INSN(BPF_JMP | BPF_JNE | BPF_X, d, sr, o, 0)
#define CALL(f) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define LD_MAP(d, fd)                                                          \
	INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd),          \
	    INSN(0, 0, 0, 0, 0)

/* A 2-entry u64 array: [0] calls of PID seen, [1] those read back. */
static int raw_tp_map(int tok)
{
	unsigned int a[20] = {0};

	a[0] = BPF_MAP_TYPE_ARRAY;
	a[1] = 4;
	a[2] = 8;
	a[3] = 2;
	a[4] = F_TOKEN_FD;
	a[19] = (unsigned int)tok;
	return (int)sys_bpf(BPF_MAP_CREATE, a, sizeof(a));
}

static int raw_tp(int tok, unsigned int pid)
{
	const char *name = "sys_enter";
	unsigned long long key1 = 1, v[2] = {0, 0}, p;
	unsigned int a[38] = {0};
	int map = raw_tp_map(tok), prog, link;

	if (map < 0) {
		printf("raw_tp_map=%s\n", strerrorname_np(errno));
		return 1;
	}
	/* r6 = ctx (args[0] = struct pt_regs *, args[1] = syscall id) */
	struct bpf_insn insns[] = {
	    MOV64_REG(BPF_REG_6, BPF_REG_1),
	    CALL(BPF_FUNC_get_current_pid_tgid),
	    RSH64_IMM(BPF_REG_0, 32),
	    JNE_IMM(BPF_REG_0, (int)pid, 28), /* -> out */
	    ST32(BPF_REG_10, -12, 0),	      /* key 0: seen */
	    LD_MAP(BPF_REG_1, map),
	    MOV64_REG(BPF_REG_2, BPF_REG_10),
	    ADD64_IMM(BPF_REG_2, -12),
	    CALL(BPF_FUNC_map_lookup_elem),
	    JEQ_IMM(BPF_REG_0, 0, 21), /* -> out */
	    MOV64_IMM(BPF_REG_1, 1),
	    INSN(BPF_STX | BPF_ATOMIC | BPF_DW, BPF_REG_0, BPF_REG_1, 0,
		 BPF_ADD),
	    /* orig_ax of x86_64 pt_regs, at offset 120, from kernel memory */
	    LDX64(BPF_REG_3, BPF_REG_6, 0),
	    ADD64_IMM(BPF_REG_3, 120),
	    MOV64_REG(BPF_REG_1, BPF_REG_10),
	    ADD64_IMM(BPF_REG_1, -8),
	    MOV64_IMM(BPF_REG_2, 8),
	    CALL(BPF_FUNC_probe_read_kernel),
	    JNE_IMM(BPF_REG_0, 0, 12), /* -> out */
	    LDX64(BPF_REG_7, BPF_REG_10, -8),
	    LDX64(BPF_REG_8, BPF_REG_6, 8),
	    JNE_REG(BPF_REG_7, BPF_REG_8, 9), /* -> out */
	    ST32(BPF_REG_10, -12, 1),	      /* key 1: read back */
	    LD_MAP(BPF_REG_1, map),
	    MOV64_REG(BPF_REG_2, BPF_REG_10),
	    ADD64_IMM(BPF_REG_2, -12),
	    CALL(BPF_FUNC_map_lookup_elem),
	    JEQ_IMM(BPF_REG_0, 0, 2), /* -> out */
	    MOV64_IMM(BPF_REG_1, 1),
	    INSN(BPF_STX | BPF_ATOMIC | BPF_DW, BPF_REG_0, BPF_REG_1, 0,
		 BPF_ADD),
	    MOV64_IMM(BPF_REG_0, 0), /* out */
	    EXIT(),
	};
	unsigned int lookup[6] = {0};
	static char vlog[65536];
	long r;

	a[0] = BPF_PROG_TYPE_RAW_TRACEPOINT;
	a[1] = sizeof(insns) / sizeof(insns[0]);
	p = (unsigned long)insns;
	memcpy(&a[2], &p, 8);
	p = (unsigned long)"GPL";
	memcpy(&a[4], &p, 8);
	a[6] = 1; /* log_level, log_size, log_buf: the verifier's reason */
	a[7] = sizeof(vlog);
	p = (unsigned long)vlog;
	memcpy(&a[8], &p, 8);
	a[11] = F_TOKEN_FD;
	a[36] = (unsigned int)tok;
	prog = (int)sys_bpf(BPF_PROG_LOAD, a, 148);
	printf("raw_tp=%s\n", res(prog));
	if (prog < 0) {
		fprintf(stderr, "%s", vlog);
		return 1;
	}
	memset(a, 0, sizeof(a));
	p = (unsigned long)name;
	memcpy(&a[0], &p, 8);
	a[2] = (unsigned int)prog;
	link = (int)sys_bpf(BPF_RAW_TRACEPOINT_OPEN, a, 16);
	printf("raw_tp_attach=%s\n", res(link));
	if (link < 0)
		return 1;
	sleep(1);
	close(link);
	lookup[0] = (unsigned int)map;
	p = (unsigned long)&key1;
	memcpy(&lookup[2], &p, 8);
	p = (unsigned long)&v[1];
	memcpy(&lookup[4], &p, 8);
	r = sys_bpf(BPF_MAP_LOOKUP_ELEM, lookup, sizeof(lookup));
	if (r < 0) {
		printf("lookup=%s\n", strerrorname_np(errno));
		return 1;
	}
	printf("seen_syscalls=%llu\n", v[1]);
	return 0;
}

#define ATTACH_TCX_INGRESS 46 /* enum bpf_attach_type, Linux 6.6 */
#define TCX_NEXT (-1)

#define ATTACH_XDP 37

/* A program that changes nothing: returns @ret (TCX_NEXT, XDP_PASS). */
static int pass_prog(int tok, unsigned int type, unsigned int attach, int ret)
{
	struct bpf_insn insns[] = {MOV64_IMM(BPF_REG_0, ret), EXIT()};
	unsigned int a[38] = {0};
	unsigned long long p;

	a[0] = type;
	a[1] = 2;
	p = (unsigned long)insns;
	memcpy(&a[2], &p, 8);
	p = (unsigned long)"GPL";
	memcpy(&a[4], &p, 8);
	a[11] = F_TOKEN_FD;
	a[17] = attach; /* expected_attach_type at offset 68 */
	a[36] = (unsigned int)tok;
	return (int)sys_bpf(BPF_PROG_LOAD, a, 148);
}

/* --xdp: attach through a link, closed at once. */
static int xdp(int tok, const char *ifname)
{
	unsigned int ifindex = if_nametoindex(ifname), a[8] = {0};
	int prog;
	long r;

	if (!ifindex) {
		printf("xdp=%s\n", strerrorname_np(errno));
		return 1;
	}
	prog = pass_prog(tok, BPF_PROG_TYPE_XDP, ATTACH_XDP, XDP_PASS);
	printf("xdp_prog=%s\n", res(prog));
	if (prog < 0)
		return 1;
	a[0] = (unsigned int)prog; /* prog_fd, target_ifindex, attach_type */
	a[1] = ifindex;
	a[2] = ATTACH_XDP;
	r = sys_bpf(BPF_LINK_CREATE, a, sizeof(a));
	printf("xdp_link=%s\n", res(r));
	if (r >= 0)
		close((int)r);
	return r < 0;
}

/* --tcx / --tcx-keep: attach through a link (closed) or PROG_ATTACH. */
static int tcx(int tok, const char *ifname, bool keep)
{
	unsigned int ifindex = if_nametoindex(ifname), a[8] = {0};
	int prog;
	long r;

	if (!ifindex) {
		printf("tcx=%s\n", strerrorname_np(errno));
		return 1;
	}
	prog = pass_prog(tok, BPF_PROG_TYPE_SCHED_CLS, ATTACH_TCX_INGRESS,
			 TCX_NEXT);
	printf("tcx_prog=%s\n", res(prog));
	if (prog < 0)
		return 1;
	if (keep) {
		a[0] = ifindex; /* target_ifindex, attach_bpf_fd, attach_type */
		a[1] = (unsigned int)prog;
		a[2] = ATTACH_TCX_INGRESS;
		r = sys_bpf(BPF_PROG_ATTACH, a, sizeof(a));
		printf("tcx_attach=%s\n", res(r));
	} else {
		a[0] = (unsigned int)prog; /* prog_fd, target_ifindex, type */
		a[1] = ifindex;
		a[2] = ATTACH_TCX_INGRESS;
		r = sys_bpf(BPF_LINK_CREATE, a, sizeof(a));
		printf("tcx_link=%s\n", res(r));
		if (r >= 0)
			close((int)r);
	}
	return r < 0;
}

/* --tcx-count / --tcx-clear, on the host. */
static int tcx_query(const char *ifname, bool clear)
{
	unsigned int ifindex = if_nametoindex(ifname), q[16] = {0}, ids[64];
	unsigned long long p = (unsigned long)ids;

	q[0] = ifindex; /* target_ifindex, attach_type, ... prog_ids, cnt */
	q[1] = ATTACH_TCX_INGRESS;
	memcpy(&q[4], &p, 8);
	q[6] = 64;
	if (!ifindex || sys_bpf(BPF_PROG_QUERY, q, sizeof(q)) < 0) {
		printf("tcx_query=%s\n", strerrorname_np(errno));
		return 1;
	}
	printf("tcx_progs=%u\n", q[6]);
	for (unsigned int i = 0; clear && i < q[6] && i < 64; i++) {
		unsigned int g[3] = {ids[i], 0, 0}, d[8] = {0};
		int fd = (int)sys_bpf(BPF_PROG_GET_FD_BY_ID, g, sizeof(g));

		d[0] = ifindex;
		d[1] = (unsigned int)fd;
		d[2] = ATTACH_TCX_INGRESS;
		if (fd < 0 || sys_bpf(BPF_PROG_DETACH, d, sizeof(d)) < 0)
			printf("tcx_detach=%s\n", strerrorname_np(errno));
		if (fd >= 0)
			close(fd);
	}
	return 0;
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
	if (argc > 1 && !strcmp(argv[1], "--netdevs"))
		return netdevs();
	if (argc > 2 && !strcmp(argv[1], "--tcx-count"))
		return tcx_query(argv[2], false);
	if (argc > 2 && !strcmp(argv[1], "--tcx-clear"))
		return tcx_query(argv[2], true);
	if (argc > 2 &&
	    (!strcmp(argv[1], "--tcx") || !strcmp(argv[1], "--tcx-keep"))) {
		tok = token(path && *path ? path : "/sys/fs/bpf", &what);
		printf("token=%s\n", what);
		return tok < 0 ? 1 : tcx(tok, argv[2], argv[1][5] == '-');
	}
	if (argc > 2 && !strcmp(argv[1], "--xdp")) {
		tok = token(path && *path ? path : "/sys/fs/bpf", &what);
		printf("token=%s\n", what);
		return tok < 0 ? 1 : xdp(tok, argv[2]);
	}
	if (argc > 2 && !strcmp(argv[1], "--raw-tp")) {
		tok = token(path && *path ? path : "/sys/fs/bpf", &what);
		printf("token=%s\n", what);
		return tok < 0 ? 1 : raw_tp(tok, (unsigned int)atoi(argv[2]));
	}
	print_fds(); /* first: nothing of ours is open yet */
	printf("token_path=%s\n", path ? path : "");
	tok = token(path && *path ? path : "/sys/fs/bpf", &what);
	printf("token=%s\n", what);
	printf("map=%s\n", tok >= 0 ? map_with(tok) : "no-token");
	printf("prog=%s\n", tok >= 0 ? prog_with(tok) : "no-token");
	print_status();
	return 0;
}
