// SPDX-License-Identifier: MIT
/*
 * A run's names in tracefs, and how another run tells that it is gone.
 *
 * A pid cannot name a run: two runs in two PID namespaces are both pid 1 (and
 * both wrote group surftrace_1), and a pid is reused, so that "its pid is
 * alive" kept a kill -9'ed run's events for as long as another process held
 * the number.  A name is therefore PREFIX<pid>_<token>: the pid for people
 * (and for older sweeps, which read the number after the prefix and keep the
 * group while that pid lives: it is the pid of the initial namespace, so they
 * keep it right there, and 0, which they never remove, where it is not known),
 * and 60 random bits that make it unique wherever it runs.
 *
 * The proof of life is a lock that the kernel drops when the process ends,
 * however it ends: an open file description lock (F_OFD_SETLK) on the byte at
 * offset <token> of tracefs's README, held from before the first thing is
 * made under the name until after the last is removed.  A sweep asks the
 * kernel (F_OFD_GETLK) whether anyone holds that byte, and removes the
 * group only when nobody does.  Why there:
 * - Whoever sees the events sees this file.  tracefs has a single superblock,
 *   so every mount of it (the host's, a container's own mount, debugfs's
 *   tracing directory) has the same README inode and the same locks, in any
 *   PID, mount or network namespace.  A file under /run, or an abstract unix
 *   socket, is only shared by runs that share /run or the network namespace,
 *   which containers sharing tracefs often do not.
 * - It needs no pid: a run in a PID namespace proves it lives to a sweep in
 *   the root namespace and the other way round; /proc/PID/stat start times
 *   would need the pid as the sweeper sees it, and differ across time
 *   namespaces.
 * - The kernel releases it with the last descriptor of the file, so a
 *   SIGKILL, an OOM kill or a crash all count as dead, and nothing on disk is
 *   left to clean.  The descriptor is close-on-exec: a traced command does
 *   not inherit it.
 * - README exists on every kernel with tracefs and is never removed.
 * /proc/locks lists the live runs' locks (OFDLCK ... README's inode, token).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "probe/run_claim.h"

#define TOKEN_HEX 15			/* 60 bits: an offset any off_t holds */
/* The inode of the initial PID namespace (PROC_PID_INIT_INO in the kernel). */
#define INIT_PID_NS "pid:[4026531836]"

int surf_initial_pid(void)
{
	char link[64];
	ssize_t n = readlink("/proc/self/ns/pid", link, sizeof(link) - 1);

	if (n <= 0)
		return 0;
	link[n] = '\0';
	return strcmp(link, INIT_PID_NS) ? 0 : (int)getpid();
}

static int open_readme(const char *tracefs)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/README", tracefs);
	return open(path, O_RDONLY | O_CLOEXEC);
}

static struct flock token_byte(uint64_t token, short type)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = (off_t)token,
			    .l_len = 1 };

	return fl;
}

int surf_run_claim__take(struct surf_run_claim *c, const char *tracefs, const char *prefix,
			 int pid)
{
	uint64_t token;
	struct flock fl;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (getrandom(&token, sizeof(token), 0) != sizeof(token))
		return -errno;
	token &= (UINT64_C(1) << (4 * TOKEN_HEX)) - 1;
	fl = token_byte(token, F_RDLCK);
	c->fd = open_readme(tracefs);
	if (c->fd >= 0 && !fcntl(c->fd, F_OFD_SETLK, &fl)) {
		c->held = true;
		snprintf(c->name, sizeof(c->name), "%s%d_%0*" PRIx64, prefix, pid, TOKEN_HEX, token);
		return 0;
	}
	/* No lock, no proof of life: the old name, which sweeps judge by its pid. */
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	snprintf(c->name, sizeof(c->name), "%s%d", prefix, pid);
	return 0;
}

void surf_run_claim__release(struct surf_run_claim *c)
{
	if (c->held)
		close(c->fd);
	c->held = false;
	c->fd = -1;
}

static bool process_gone(long pid)
{
	return pid > 0 && kill((pid_t)pid, 0) && errno == ESRCH;
}

static bool lock_free(const char *tracefs, uint64_t token)
{
	struct flock fl = token_byte(token, F_WRLCK);
	int fd = open_readme(tracefs);
	bool nobody;

	if (fd < 0)
		return false;
	nobody = !fcntl(fd, F_OFD_GETLK, &fl) && fl.l_type == F_UNLCK;
	close(fd);
	return nobody;
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

bool surf_run_claim__dead(const char *tracefs, const char *prefix, const char *name, size_t len,
			  long *pid)
{
	size_t plen = strlen(prefix), i;
	uint64_t token = 0;

	*pid = 0;
	if (len <= plen || strncmp(name, prefix, plen))
		return false;
	for (i = plen; i < len && i - plen < 10 && name[i] >= '0' && name[i] <= '9'; i++)
		*pid = *pid * 10 + (name[i] - '0');
	if (i == plen)
		return false;
	if (i == len)
		return process_gone(*pid);
	if (name[i] != '_' || len - i - 1 != TOKEN_HEX)
		return false;
	for (i++; i < len; i++) {
		int d = hex_digit(name[i]);

		if (d < 0)
			return false;
		token = token << 4 | (uint64_t)d;
	}
	return lock_free(tracefs, token);
}
