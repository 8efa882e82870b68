// SPDX-License-Identifier: MIT
/*
 * VM test helper: one real TCP accept on loopback.  Listens on
 * 127.0.0.1:argv[1], connects to it, accepts, and prints what a tracer of
 * inet_csk_accept should have seen:
 *   client_port N    (the connecting socket's port: the accepted remote port)
 *   pid N            (the accepting process: this one)
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
	struct sockaddr_in a = { .sin_family = AF_INET }, c;
	socklen_t len = sizeof(c);
	int one = 1, l, s, acc;

	if (argc < 2)
		return 2;
	a.sin_port = htons((unsigned short)atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || s < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1)) {
		perror("tcp_accept: listen");
		return 1;
	}
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(s, (struct sockaddr *)&c, &len)) {
		perror("tcp_accept: connect");
		return 1;
	}
	acc = accept(l, NULL, NULL);
	if (acc < 0) {
		perror("tcp_accept: accept");
		return 1;
	}
	printf("client_port %u\npid %d\n", ntohs(c.sin_port), (int)getpid());
	close(acc);
	close(s);
	close(l);
	return 0;
}
