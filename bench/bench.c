// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Interleaved timing: run commands A, B, ... alternately N times each
 * (fork+exec, output to /dev/null), record wall time and the peak RSS of
 * each run (wait4's ru_maxrss covers the process and the children it
 * waited for), print medians, the spread (p25-p75) and each ratio X/A.
 *
 * usage: bench RUNS NAME_A CMD_A... :: NAME_B CMD_B... [:: NAME_C CMD_C...]
 *
 * ("::" separates the commands, which may contain "--" themselves.)
 *
 * BENCH_AFTER, when set, is a shell command run (untimed) after every run,
 * e.g. to unmount what an attach left in a target's namespace.
 * BENCH_STDIN, when set, is a file every command gets as its stdin (an
 * OCI state for oci-hook).  BENCH_ANY_STATUS=1: a non-zero exit is not a
 * failure (peak RSS of `doctor` on a machine it finds problems with).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXCMD 16

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The q-quantile of the sorted v[0..n-1] (nearest rank). */
static double quant(const double *v, int n, double q)
{
	int i = (int)(q * (n - 1) + 0.5);
	return v[i];
}

/*
 * Run argv once; wall time in ms into *ms, user + system CPU time in ms
 * (less disturbed by other load than the wall time) into *cpu, peak RSS
 * in KiB into *rss.
 */
static int run_once(char **argv, double *ms, double *cpu, long *rss)
{
	struct timespec a, b;
	struct rusage ru;
	int st;
	pid_t pid;

	clock_gettime(CLOCK_MONOTONIC, &a);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		const char *in = getenv("BENCH_STDIN");

		if (in && *in) {
			int fd = open(in, O_RDONLY);

			if (fd < 0 || dup2(fd, 0) < 0)
				_exit(126);
		}
		dup2(null, 1);
		dup2(null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &st, 0, &ru) < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	*ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
	*rss = ru.ru_maxrss;
	*cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	if (getenv("BENCH_ANY_STATUS") && WIFEXITED(st))
		return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void after(void)
{
	const char *a = getenv("BENCH_AFTER");

	if (a && *a && system(a) != 0)
		fprintf(stderr, "bench: BENCH_AFTER failed\n");
}

int main(int argc, char **argv)
{
	char *name[MAXCMD], **cmd[MAXCMD];
	double *t[MAXCMD], *c[MAXCMD], med[MAXCMD];
	long maxrss[MAXCMD] = {0};
	int runs, n = 0, start = 2;

	if (argc < 6 || (runs = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: bench RUNS NAME_A CMD_A... :: NAME_B "
				"CMD_B... [:: ...]\n");
		return 2;
	}
	for (int i = 2; i <= argc && n < MAXCMD; i++) {
		if (i < argc && strcmp(argv[i], "::") != 0)
			continue;
		if (i - start < 2)
			return 2;
		name[n] = argv[start];
		cmd[n] = argv + start + 1;
		if (i < argc)
			argv[i] = NULL;
		c[n] = calloc(runs, sizeof(double));
		t[n++] = calloc(runs, sizeof(double));
		start = i + 1;
	}
	if (n < 2)
		return 2;
	for (int w = 0; w < 3; w++) /* warm the page cache */
		for (int k = 0; k < n; k++) {
			double ms, cpu;
			long rss;
			if (run_once(cmd[k], &ms, &cpu, &rss) < 0) {
				fprintf(stderr, "bench: %s failed\n", name[k]);
				return 1;
			}
			after();
		}
	for (int i = 0; i < runs; i++)
		for (int k = 0; k < n; k++) {
			long rss;
			if (run_once(cmd[k], &t[k][i], &c[k][i], &rss) < 0) {
				fprintf(stderr, "bench: %s failed on run %d\n",
					name[k], i);
				return 1;
			}
			after();
			if (rss > maxrss[k])
				maxrss[k] = rss;
		}
	for (int k = 0; k < n; k++) {
		qsort(t[k], runs, sizeof(double), cmp);
		qsort(c[k], runs, sizeof(double), cmp);
		med[k] = quant(t[k], runs, 0.5);
		printf("%-24s median %8.3f ms  p25-p75 %7.3f-%-7.3f  cpu %6.3f "
		       "ms  peak RSS %5.2f MiB  (%d runs)\n",
		       name[k], med[k], quant(t[k], runs, 0.25),
		       quant(t[k], runs, 0.75), quant(c[k], runs, 0.5),
		       maxrss[k] / 1024.0, runs);
	}
	for (int k = 1; k < n; k++)
		printf("ratio %s / %s = %.3f (cpu %.3f)\n", name[k], name[0],
		       med[k] / med[0],
		       quant(c[k], runs, 0.5) / quant(c[0], runs, 0.5));
	for (int k = 1; k < n; k++)
		printf("peak RSS %s = %.2f MiB\n", name[k], maxrss[k] / 1024.0);
	for (int k = 0; k < n; k++) {
		free(t[k]);
		free(c[k]);
	}
	return 0;
}
