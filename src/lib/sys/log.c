// SPDX-License-Identifier: MIT
/*
 * One print callback for the library, and the one libbpf print hook that
 * forwards to it.  libbpf has a single process-wide hook: swapping it around
 * each call (as clcc and surfcc once did) races with other threads and with
 * an embedding program's own hook, so it is set once, at the library's first
 * libbpf use, and a thread that wants libbpf's text for an error message
 * marks itself (thread-local) instead of swapping.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include <bpf/libbpf.h>

#include "sys/log.h"

static int default_print(enum surf_print_level level, const char *fmt, va_list ap)
{
	if (level == SURF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static surf_print_fn_t print_fn = default_print;

surf_print_fn_t surf_set_print(surf_print_fn_t fn)
{
	surf_print_fn_t old = __atomic_exchange_n(&print_fn, fn, __ATOMIC_ACQ_REL);

	return old;
}

void surf_print(enum surf_print_level level, const char *fmt, ...)
{
	surf_print_fn_t fn = __atomic_load_n(&print_fn, __ATOMIC_ACQUIRE);
	va_list ap;

	if (!fn)
		return;
	va_start(ap, fmt);
	fn(level, fmt, ap);
	va_end(ap);
}

static __thread surf_libbpf_capture_fn capture_fn;
static __thread void *capture_ctx;

static int libbpf_forward(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	surf_print_fn_t fn;

	enum surf_print_level lvl = level == LIBBPF_WARN ? SURF_WARN :
				    level == LIBBPF_INFO ? SURF_INFO : SURF_DEBUG;

	if (capture_fn) {
		char buf[4096];
		int n = vsnprintf(buf, sizeof(buf), fmt, ap);

		if (n > 0)
			capture_fn(capture_ctx, lvl, buf,
				   (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
		return n;
	}
	fn = __atomic_load_n(&print_fn, __ATOMIC_ACQUIRE);
	return fn ? fn(lvl, fmt, ap) : 0;
}

static pthread_once_t hook_once = PTHREAD_ONCE_INIT;

static void install_hook(void)
{
	libbpf_set_print(libbpf_forward);
}

void surf_libbpf_hook(void)
{
	pthread_once(&hook_once, install_hook);
}

void surf_libbpf_capture_begin(surf_libbpf_capture_fn fn, void *ctx)
{
	surf_libbpf_hook();
	capture_fn = fn;
	capture_ctx = ctx;
}

void surf_libbpf_capture_end(void)
{
	capture_fn = NULL;
	capture_ctx = NULL;
}
