/* SPDX-License-Identifier: MIT */
/* The JVM side of J expressions (java.c). */
#ifndef SURF_CMD_JAVA_H
#define SURF_CMD_JAVA_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The libjvm.so of process pid (> 0: from its maps; -ENOEXEC when it has
 * none, -ESRCH when it does not exist), else of the java the command
 * starts, of $JAVA_HOME, or of the java on PATH (-ENOENT: none).
 */
int cmd_java_find_libjvm(int pid, const char *command, char *path, size_t len);
/*
 * Does JVM pid fire its method probes (started with -XX:+DTraceMethodProbes
 * or -XX:+ExtendedDTraceProbes)?  1 yes, 0 no, -errno when jcmd, asked last,
 * could not tell.
 */
int cmd_java_method_probes(int pid);
/* Add -XX:+DTraceMethodProbes to JAVA_TOOL_OPTIONS (for -c's child). */
int cmd_java_set_flag_env(void);

#endif
