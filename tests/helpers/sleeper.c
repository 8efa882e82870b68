// SPDX-License-Identifier: MIT
/* Test helper: calls libc's sleep(argv[1]) (default 1), as the seed's `P libc:sleep` example traces. */
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	return (int)sleep((unsigned int)(argc > 1 ? atoi(argv[1]) : 1));
}
