/* SPDX-License-Identifier: MIT */
/* The seeds' `#include "clcc.h"`: the clcc API lives in <surf/clcc.h>. */
#ifndef CLCC_COMPAT_H
#define CLCC_COMPAT_H
#include "surf/clcc.h"
#endif
