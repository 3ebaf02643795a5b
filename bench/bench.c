// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Interleaved A/B timing: run command A and command B alternately N times
 * each (fork+exec, output to /dev/null), record wall time and the peak RSS
 * of each run (wait4's ru_maxrss covers the process and the children it
 * waited for), print medians and the ratio B/A.
 *
 * usage: bench RUNS NAME_A CMD_A... -- NAME_B CMD_B...
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

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Run argv once; wall time in ms into *ms, peak RSS in KiB into *rss. */
static int run_once(char **argv, double *ms, long *rss)
{
	struct timespec a, b;
	struct rusage ru;
	int st;
	pid_t pid;

	clock_gettime(CLOCK_MONOTONIC, &a);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
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
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	int runs, sep = 0;

	if (argc < 6 || (runs = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: bench RUNS NAME_A CMD_A... -- NAME_B CMD_B...\n");
		return 2;
	}
	for (int i = 3; i < argc && !sep; i++)
		if (strcmp(argv[i], "--") == 0)
			sep = i;
	if (!sep || sep + 2 >= argc)
		return 2;
	argv[sep] = NULL;
	char *name[2] = {argv[2], argv[sep + 1]};
	char **cmd[2] = {argv + 3, argv + sep + 2};
	double *t[2] = {calloc(runs, sizeof(double)), calloc(runs, sizeof(double))};
	long maxrss[2] = {0, 0};

	for (int w = 0; w < 3; w++) /* warm the page cache */
		for (int k = 0; k < 2; k++) {
			double ms;
			long rss;
			if (run_once(cmd[k], &ms, &rss) < 0) {
				fprintf(stderr, "bench: %s failed\n", name[k]);
				return 1;
			}
		}
	for (int i = 0; i < runs; i++)
		for (int k = 0; k < 2; k++) {
			long rss;
			if (run_once(cmd[k], &t[k][i], &rss) < 0) {
				fprintf(stderr, "bench: %s failed on run %d\n", name[k], i);
				return 1;
			}
			if (rss > maxrss[k])
				maxrss[k] = rss;
		}
	double m0 = median(t[0], runs), m1 = median(t[1], runs);
	printf("%-24s median %8.3f ms  peak RSS %6.2f MiB  (%d runs)\n", name[0], m0,
	       maxrss[0] / 1024.0, runs);
	printf("%-24s median %8.3f ms  peak RSS %6.2f MiB  (%d runs)\n", name[1], m1,
	       maxrss[1] / 1024.0, runs);
	printf("ratio %s / %s = %.3f\n", name[1], name[0], m1 / m0);
	printf("peak RSS %s = %.2f MiB\n", name[1], maxrss[1] / 1024.0);
	free(t[0]);
	free(t[1]);
	return 0;
}
