// SPDX-License-Identifier: MIT
/*
 * VM test helper: UDP datagrams with known ports and payload on loopback, for
 * the packet-cast tests.  Binds a receiver on 127.0.0.1:argv[1], prints the
 * sender's port as "sport N" at once, then sends argv[2] datagrams (default 1)
 * 0.2 s apart, each the payload "surftrace-udp" with its NUL (so that a
 * string read of it stops there), and reads each back.
 * Built static: the guest has no compiler.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static const char payload[] = "surftrace-udp";
	struct sockaddr_in to = { .sin_family = AF_INET }, from = { .sin_family = AF_INET };
	socklen_t len = sizeof(from);
	int count = argc > 2 ? atoi(argv[2]) : 1, r, s;
	char buf[64];

	if (argc < 2)
		return 2;
	to.sin_port = htons((unsigned short)atoi(argv[1]));
	to.sin_addr.s_addr = from.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r = socket(AF_INET, SOCK_DGRAM, 0);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (r < 0 || s < 0 || bind(r, (struct sockaddr *)&to, sizeof(to)) ||
	    bind(s, (struct sockaddr *)&from, sizeof(from)) ||
	    getsockname(s, (struct sockaddr *)&from, &len)) {
		perror("udp_send: socket");
		return 1;
	}
	printf("sport %u\n", ntohs(from.sin_port));
	fflush(stdout);
	for (int i = 0; i < count; i++) {
		if (i)
			usleep(200000);
		if (sendto(s, payload, sizeof(payload), 0, (struct sockaddr *)&to, sizeof(to)) < 0 ||
		    recv(r, buf, sizeof(buf), 0) < 0) {
			perror("udp_send: send");
			return 1;
		}
	}
	close(s);
	close(r);
	return 0;
}
