/* SPDX-License-Identifier: MIT */
/*
 * surf/api.h - what every public header shares: the export marker and the
 * library's version.
 *
 * libsurf is built with -fvisibility=hidden: a function is part of the ABI
 * only when its declaration carries SURF_API, and libsurf.map names the same
 * set (surf_* and clcc_*), so that nothing internal leaks by accident.
 */
#ifndef SURF_API_H
#define SURF_API_H

#if defined(__GNUC__) && __GNUC__ >= 4
#define SURF_API __attribute__((visibility("default")))
#else
#define SURF_API
#endif

#define SURF_VERSION_MAJOR 0
#define SURF_VERSION_MINOR 14
#define SURF_VERSION_PATCH 0
#define SURF_VERSION "0.14.0"

#ifdef __cplusplus
extern "C" {
#endif

/* The version of the library in use ("0.14.0"), which may differ from the headers'. */
SURF_API const char *surf_version(void);

#ifdef __cplusplus
}
#endif
#endif
