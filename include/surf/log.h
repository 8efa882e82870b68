/* SPDX-License-Identifier: MIT */
/*
 * surf/log.h - the one way libsurf speaks on its own.
 *
 * Whatever the library wants to say that no return value carries (why a
 * tracefs write failed in detail, a clcc or libbpf message, a warning on the
 * way) goes through a single callback.  The default prints SURF_WARN and
 * SURF_INFO to stderr as they are; a program sets its own to prefix its name,
 * honour -q/-v, or send the text elsewhere; NULL silences the library.
 * libbpf's own messages are forwarded here too (libsurf installs its libbpf
 * print hook once, and never swaps it per call).
 */
#ifndef SURF_LOG_H
#define SURF_LOG_H

#include "surf/api.h"

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

enum surf_print_level {
	SURF_WARN,
	SURF_INFO,
	SURF_DEBUG,
};

typedef int (*surf_print_fn_t)(enum surf_print_level level, const char *fmt, va_list ap);

/* Set the callback; returns the previous one.  Messages end with a newline. */
SURF_API surf_print_fn_t surf_set_print(surf_print_fn_t fn);

#ifdef __cplusplus
}
#endif
#endif
