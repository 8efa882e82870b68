// SPDX-License-Identifier: MIT
/*
 * The workload of the tracepoint conformance suite: a little of everything a
 * process makes the kernel do, so that as many tracepoints as possible fire
 * in its context.  Every process and thread of it keeps the command name
 * "tp_workload" (children re-exec this same program), so that both readers
 * can filter on COMM == "tp_workload" and see the same records.
 *
 *   tp_workload DIR [BLOCKFILE]   files go to DIR; BLOCKFILE gets O_DIRECT writes
 *   tp_workload --child           what an exec'd child does
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t signals_seen;

static void on_signal(int sig)
{
	(void)sig;
	signals_seen++;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

static void files(const char *dir)
{
	char path[4096], buf[8192];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/tp_workload.%d", dir, (int)getpid());
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	if (fd < 0)
		return;
	memset(buf, 'x', sizeof(buf));
	for (int i = 0; i < 8; i++)
		if (write(fd, buf, sizeof(buf)) < 0)
			break;
	fsync(fd);
	fdatasync(fd);
	lseek(fd, 0, SEEK_SET);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	fstat(fd, &st);
	ftruncate(fd, 4096);
	fallocate(fd, 0, 0, 65536);
	{
		void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

		if (m != MAP_FAILED) {
			memset(m, 'y', 4096);
			msync(m, 4096, MS_SYNC);
			munmap(m, 4096);
		}
	}
	close(fd);
	{
		char other[4200];

		snprintf(other, sizeof(other), "%s.renamed", path);
		rename(path, other);
		chmod(other, 0644);
		unlink(other);
	}
	snprintf(path, sizeof(path), "%s/tp_workload.d%d", dir, (int)getpid());
	mkdir(path, 0700);
	rmdir(path);
	sync();
}

/* O_DIRECT writes reach the block layer in our context (a block device exists). */
static void block_io(const char *file)
{
	void *buf;
	int fd;

	if (posix_memalign(&buf, 4096, 65536))
		return;
	memset(buf, 'b', 65536);
	fd = open(file, O_CREAT | O_RDWR | O_DIRECT | O_SYNC, 0600);
	if (fd >= 0) {
		for (int i = 0; i < 4; i++)
			if (pwrite(fd, buf, 65536, (off_t)i * 65536) < 0)
				break;
		if (pread(fd, buf, 65536, 0) < 0)
			perror("pread");
		fsync(fd);
		close(fd);
	}
	unlink(file);
	free(buf);
}

static void sockets(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	char buf[4096] = "ping";
	int l, c, s, u1, u2, sv[2];

	/* TCP on loopback: handshake, data both ways, orderly close. */
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l >= 0 && !bind(l, (void *)&a, sizeof(a)) && !listen(l, 4) &&
	    !getsockname(l, (void *)&a, &len)) {
		c = socket(AF_INET, SOCK_STREAM, 0);
		if (c >= 0 && !connect(c, (void *)&a, sizeof(a))) {
			s = accept(l, NULL, NULL);
			if (s >= 0) {
				for (int i = 0; i < 4; i++) {
					if (send(c, buf, sizeof(buf), 0) < 0 ||
					    recv(s, buf, sizeof(buf), MSG_WAITALL) < 0 ||
					    send(s, buf, 100, 0) < 0 || recv(c, buf, 100, 0) < 0)
						break;
				}
				shutdown(s, SHUT_WR);
				recv(c, buf, sizeof(buf), 0);
				close(s);
			}
		}
		if (c >= 0)
			close(c);
	}
	if (l >= 0)
		close(l);
	/* UDP on loopback. */
	u1 = socket(AF_INET, SOCK_DGRAM, 0);
	u2 = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_port = 0;
	len = sizeof(a);
	if (u1 >= 0 && u2 >= 0 && !bind(u1, (void *)&a, sizeof(a)) &&
	    !getsockname(u1, (void *)&a, &len)) {
		for (int i = 0; i < 4; i++) {
			sendto(u2, buf, 64, 0, (void *)&a, sizeof(a));
			recv(u1, buf, sizeof(buf), 0);
		}
	}
	if (u1 >= 0)
		close(u1);
	if (u2 >= 0)
		close(u2);
	/* A UNIX socket pair. */
	if (!socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		write(sv[0], "x", 1);
		read(sv[1], buf, 1);
		close(sv[0]);
		close(sv[1]);
	}
}

static void timers_and_signals(void)
{
	struct itimerspec its = { .it_value = { 0, 1000000 } };
	struct itimerval itv = { .it_value = { 0, 2000 } };
	struct sigaction sa = { .sa_handler = on_signal };
	struct epoll_event ev = { .events = EPOLLIN };
	uint64_t n;
	int tfd, efd, ep;

	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	kill(getpid(), SIGUSR1);
	raise(SIGUSR1);
	setitimer(ITIMER_REAL, &itv, NULL);
	while (signals_seen < 3)
		pause();
	tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	if (tfd >= 0) {
		timerfd_settime(tfd, 0, &its, NULL);
		if (read(tfd, &n, sizeof(n)) < 0)
			perror("timerfd");
		close(tfd);
	}
	efd = eventfd(0, 0);
	ep = epoll_create1(0);
	if (efd >= 0 && ep >= 0) {
		struct pollfd p = { .fd = efd, .events = POLLIN };

		ev.data.fd = efd;
		epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
		n = 1;
		write(efd, &n, sizeof(n));
		epoll_wait(ep, &ev, 1, 100);
		poll(&p, 1, 100);
		read(efd, &n, sizeof(n));
	}
	if (efd >= 0)
		close(efd);
	if (ep >= 0)
		close(ep);
	sleep_us(2000);
	{
		struct timespec t = { 0, 1000000 };

		clock_nanosleep(CLOCK_MONOTONIC, 0, &t, NULL);
	}
}

static void *thread_body(void *arg)
{
	pthread_mutex_t *m = arg;

	pthread_mutex_lock(m);
	pthread_mutex_unlock(m);
	sleep_us(1000);
	return NULL;
}

static void threads_and_memory(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_t t[2];
	char *p;

	pthread_mutex_lock(&m);
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, thread_body, &m);
	sleep_us(1000);
	pthread_mutex_unlock(&m);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED) {
		for (int i = 0; i < (1 << 20); i += 4096)
			p[i] = 1;
		mprotect(p, 1 << 20, PROT_READ);
		madvise(p, 1 << 20, MADV_DONTNEED);
		munmap(p, 1 << 20);
	}
	p = malloc(300000);
	if (p) {
		memset(p, 0, 300000);
		free(p);
	}
	{
		struct rusage ru;

		getrusage(RUSAGE_SELF, &ru);
		setpriority(PRIO_PROCESS, 0, 1);
		sched_yield();
	}
}

/* A spread of other syscalls: each fires its own sys_enter_ and sys_exit_ events. */
static void more_syscalls(const char *dir)
{
	char buf[256], path[4096];
	struct iovec iov = { buf, sizeof(buf) };
	struct rlimit rl;
	cpu_set_t set;
	int p[2], fd, in, n;

	snprintf(path, sizeof(path), "%s/tp_workload.s%d", dir, (int)getpid());
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	if (fd >= 0) {
		if (pwritev(fd, &iov, 1, 0) < 0 || preadv(fd, &iov, 1, 0) < 0)
			perror("pwritev");
		flock(fd, LOCK_EX);
		flock(fd, LOCK_UN);
		fcntl(fd, F_GETFL);
		n = dup(fd);
		if (n >= 0) {
			dup2(n, n + 1);
			close(n + 1);
			close(n);
		}
		in = memfd_create("tp_workload", 0);
		if (in >= 0) {
			write(in, buf, sizeof(buf));
			lseek(in, 0, SEEK_SET);
			sendfile(fd, in, NULL, sizeof(buf));
			close(in);
		}
		if (!pipe2(p, O_CLOEXEC)) {
			write(p[1], buf, 16);
			ioctl(p[0], FIONREAD, &n);
			splice(p[0], NULL, fd, NULL, 16, 0);
			close(p[0]);
			close(p[1]);
		}
		close(fd);
	}
	n = inotify_init1(IN_CLOEXEC);
	if (n >= 0) {
		inotify_add_watch(n, dir, IN_CREATE);
		close(n);
	}
	access(path, R_OK);
	{
		struct statx stx;

		statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, &stx);
	}
	unlink(path);
	if (getcwd(buf, sizeof(buf)))
		chdir(buf);
	umask(022);
	getrlimit(RLIMIT_NOFILE, &rl);
	setrlimit(RLIMIT_NOFILE, &rl);
	sched_getaffinity(0, sizeof(set), &set);
	getrandom(buf, 16, 0);
	{
		struct utsname u;

		uname(&u);
	}
	getppid();
	getuid();
}

static void children(const char *self)
{
	int pipefd[2];
	char c;
	pid_t pid;

	/* fork + exec of this program (the name stays), exit status collected */
	pid = fork();
	if (pid == 0) {
		execl(self, "tp_workload", "--child", (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	/* a child that a signal kills, and one talking through a pipe */
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	if (pid > 0) {
		sleep_us(2000);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (pipe(pipefd) == 0) {
		pid = fork();
		if (pid == 0) {
			write(pipefd[1], "z", 1);
			_exit(3);
		}
		read(pipefd[0], &c, 1);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		close(pipefd[0]);
		close(pipefd[1]);
	}
	pid = vfork();
	if (pid == 0)
		_exit(0);
}

int main(int argc, char **argv)
{
	char self[4096];
	ssize_t n;

	if (argc > 1 && !strcmp(argv[1], "--child")) {
		char buf[64];
		int fd = open("/proc/self/stat", O_RDONLY);

		if (fd >= 0) {
			read(fd, buf, sizeof(buf));
			close(fd);
		}
		return 0;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: tp_workload DIR [BLOCKFILE]\n");
		return 2;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return 1;
	self[n] = '\0';
	files(argv[1]);
	if (argc > 2)
		block_io(argv[2]);
	sockets();
	timers_and_signals();
	threads_and_memory();
	more_syscalls(argv[1]);
	children(self);
	return 0;
}
