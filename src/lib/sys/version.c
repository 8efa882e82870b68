// SPDX-License-Identifier: MIT
#include "surf/api.h"

const char *surf_version(void)
{
	return SURF_VERSION;
}
