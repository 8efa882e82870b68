// SPDX-License-Identifier: GPL-2.0
/*
 * http_server_sdt - a toy "HTTP server" for the USDT lesson (usdt_http).
 *
 * It serves no sockets: each line read from standard input is a request
 * "METHOD PATH" (or just "PATH", taken as GET), announced through the USDT
 * probe http_server_sdt:http__server__request(method, path, fd) as node's
 * http server announces its requests, and answered on standard output.
 *
 *   printf 'GET /index.html\n' | http_server_sdt
 *   http_server_sdt -l      # list the probe and its argument locations
 */
#include <stdio.h>
#include <string.h>
#include <sys/sdt.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: http_server_sdt [-l] [-h]\n"
		"Read requests \"[METHOD] PATH\" from standard input, one a line, and fire\n"
		"USDT probe http_server_sdt:http__server__request(method, path, fd) for each.\n"
		"  -l  print the probe's name and exit\n"
		"  -h  this help\n");
}

int main(int argc, char **argv)
{
	char line[512];
	int served = 0, opt;

	while ((opt = getopt(argc, argv, "lh")) != -1) {
		switch (opt) {
		case 'l':
			printf("http_server_sdt:http__server__request(char *method, char *path, int fd)\n");
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "http_server_sdt: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	while (fgets(line, sizeof(line), stdin)) {
		char *method = "GET", *path = strtok(line, " \t\r\n"), *second = strtok(NULL, " \t\r\n");
		int fd = 1;

		if (!path)
			continue;
		if (second) {
			method = path;
			path = second;
		}
		DTRACE_PROBE3(http_server_sdt, http__server__request, method, path, fd);
		printf("%s %s 200\n", method, path);
		fflush(stdout);
		served++;
	}
	fprintf(stderr, "http_server_sdt: served %d requests\n", served);
	return 0;
}
