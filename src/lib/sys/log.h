/* SPDX-License-Identifier: MIT */
/* The library's messages, through surf_set_print()'s callback (inside libsurf only). */
#ifndef SURF_SYS_LOG_H
#define SURF_SYS_LOG_H

#include <surf/log.h>

__attribute__((format(printf, 2, 3)))
void surf_print(enum surf_print_level level, const char *fmt, ...);

#define surf_pr_warn(fmt, ...) surf_print(SURF_WARN, fmt, ##__VA_ARGS__)
#define surf_pr_info(fmt, ...) surf_print(SURF_INFO, fmt, ##__VA_ARGS__)
#define surf_pr_debug(fmt, ...) surf_print(SURF_DEBUG, fmt, ##__VA_ARGS__)

/*
 * libbpf's messages: the hook libsurf installs once forwards them to the
 * callback, except on a thread that captures them (a failed load's verifier
 * log, which the caller turns into its own error): between capture_begin
 * and capture_end the text is handed to fn instead.
 */
typedef void (*surf_libbpf_capture_fn)(void *ctx, enum surf_print_level level, const char *text,
				       size_t len);
void surf_libbpf_hook(void);
void surf_libbpf_capture_begin(surf_libbpf_capture_fn fn, void *ctx);
void surf_libbpf_capture_end(void);

#endif
