// SPDX-License-Identifier: MIT
/*
 * clcc attach helpers beyond the seed's: uprobes by symbol name (our own
 * ELF lookup, which handles what libbpf 1.1's does not: IFUNCs, versioned
 * names, aliases at one address), and bcc's attach_perf_event (one perf
 * event per CPU).  Apart from clcc.c so that tools that use neither do not
 * link the ELF and DWARF readers.
 */
#include <errno.h>
#include <limits.h>
#include <linux/perf_event.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include <clcc.h>
#include <surf/elf.h>

#include "clcc/clcc_impl.h"

int clcc_attach_uprobe_sym(struct clcc_struct *p, const char *func, int pid,
			   const char *binary, const char *sym, int retprobe)
{
	struct clcc_impl *c = clcc__impl(p);
	char path[PATH_MAX], why[512];
	uint64_t off;
	int err;

	if (!c)
		return -EINVAL;
	if (!binary || !sym)
		return clcc__err(c, -EINVAL, "clcc_attach_uprobe_sym: no binary or symbol");
	err = surf_elf__find_binary(binary, pid > 0 ? pid : 0, path, sizeof(path));
	if (err)
		return clcc__err(c, err, "cannot attach '%s': no binary '%s' (%s)", func, binary,
				 strerror(-err));
	err = surf_elf__symbol_offset(path, sym, &off, why, sizeof(why));
	if (err)
		return clcc__err(c, err, "cannot attach '%s' to %s:%s: %s", func, path, sym,
				 *why ? why : strerror(-err));
	return clcc__attach_uprobe(c, func, pid, path, (unsigned long)off, retprobe != 0);
}

int clcc_attach_usdt(struct clcc_struct *p, const char *func, int pid, const char *binary,
		     const char *provider, const char *name)
{
	struct clcc_impl *c = clcc__impl(p);
	struct bpf_program *prog;
	struct bpf_link *link;
	char path[PATH_MAX], target[PATH_MAX + 256];
	int err;

	if (!c)
		return -EINVAL;
	prog = clcc__prog(c, func, "clcc_attach_usdt", &err);
	if (!prog)
		return err;
	if (!binary || !provider || !name)
		return clcc__err(c, -EINVAL, "clcc_attach_usdt: no binary, provider or name");
	err = surf_elf__find_binary(binary, pid > 0 ? pid : 0, path, sizeof(path));
	if (err)
		return clcc__err(c, err, "cannot attach '%s': no binary '%s' (%s)", func, binary,
				 strerror(-err));
	snprintf(target, sizeof(target), "%s:%s:%s", path, provider, name);
	clcc__need_tracefs(c);
	clcc__libbpf_begin(c);
	link = bpf_program__attach_usdt(prog, pid, path, provider, name, NULL);
	err = link ? 0 : -errno;
	clcc__libbpf_end(c);
	return clcc__attached(c, link, err, func, "usdt", target);
}

/* /sys/devices/system/cpu/online ("0-3,8") as flags; the count in *n. */
static int online_cpus(bool **out, int *n)
{
	char buf[4096], *p = buf, *end;
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");
	bool *on = NULL;
	int max = -1;

	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	/* two passes: the highest CPU, then the flags */
	for (int pass = 0; pass < 2; pass++) {
		for (p = buf; *p && *p != '\n';) {
			long a = strtol(p, &end, 10), b = a;

			if (end == p)
				break;
			p = end;
			if (*p == '-') {
				b = strtol(p + 1, &end, 10);
				p = end;
			}
			if (a < 0 || b < a || b > 65535)
				break;
			for (long i = a; i <= b; i++) {
				if (pass)
					on[i] = true;
				else if (i > max)
					max = (int)i;
			}
			if (*p == ',')
				p++;
		}
		if (pass == 0) {
			if (max < 0)
				return -EIO;
			on = calloc(max + 1, sizeof(*on));
			if (!on)
				return -ENOMEM;
		}
	}
	*out = on;
	*n = max + 1;
	return 0;
}

int clcc_attach_perf_event_all(struct clcc_struct *p, const char *func, unsigned int type,
			       unsigned long long config, unsigned long long period, int freq,
			       int pid)
{
	struct clcc_impl *c = clcc__impl(p);
	struct bpf_program *prog;
	bool *online = NULL;
	int ncpus, err, attached = 0;

	if (!c)
		return -EINVAL;
	prog = clcc__prog(c, func, "clcc_attach_perf_event_all", &err);
	if (!prog)
		return err;
	err = online_cpus(&online, &ncpus);
	if (err)
		return clcc__err(c, err, "cannot read the online CPUs: %s", strerror(-err));
	for (int cpu = 0; cpu < ncpus; cpu++) {
		struct perf_event_attr attr = {
			.type = type,
			.size = sizeof(attr),
			.config = config,
			.sample_period = period,
			.freq = freq ? 1 : 0,
		};
		struct bpf_link *link;
		char target[64];
		int fd;

		if (!online[cpu])
			continue;
		fd = (int)syscall(__NR_perf_event_open, &attr, pid > 0 ? pid : -1, cpu, -1,
				  PERF_FLAG_FD_CLOEXEC);
		if (fd < 0) {
			err = -errno;
			if (err == -ENODEV)
				continue;	/* no such event on this CPU */
			free(online);
			return clcc__err(c, err, "cannot open perf event %u/%llu on CPU %d: %s", type,
					 config, cpu, strerror(-err));
		}
		snprintf(target, sizeof(target), "perf event %u/%llu, CPU %d", type, config, cpu);
		clcc__libbpf_begin(c);
		link = bpf_program__attach_perf_event(prog, fd);
		err = link ? 0 : -errno;
		clcc__libbpf_end(c);
		if (!link)
			close(fd);
		err = clcc__attached(c, link, err, func, "perf event", target);
		if (err) {
			free(online);
			return err;
		}
		attached++;
	}
	free(online);
	if (!attached)
		return clcc__err(c, -ENODEV, "cannot attach '%s': perf event %u/%llu exists on no CPU",
				 func, type, config);
	return 0;
}
