// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A hook that times a hook, for the direct measurement inside runc: run
 * CMD (stdin, the OCI state, passed through), then append its wall time
 * in ms to LOG.  Exit status: CMD's.
 *
 * usage: hooktime LOG CMD [ARG...]
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	int st = 0;
	pid_t pid;
	FILE *log;

	if (argc < 3)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid = fork();
	if (pid == 0) {
		execv(argv[2], argv + 2);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	log = fopen(argv[1], "ae");
	if (log) {
		fprintf(log, "%.3f\n",
			(b.tv_sec - a.tv_sec) * 1e3 +
			    (b.tv_nsec - a.tv_nsec) / 1e6);
		fclose(log);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
