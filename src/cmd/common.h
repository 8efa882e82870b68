/* SPDX-License-Identifier: MIT */
/*
 * What the programs share and the library must not do: exit codes, signal
 * handling, the messages' prefix.  The programs own the process; libsurf
 * (src/lib/) installs no signal handler, forks nothing, never exits and
 * speaks only through its print callback (surf/log.h).
 *
 * `grep -rn 'signal(\|sigaction\|fork(\|exit(' src/lib` finds only names
 * that are not those calls: clcc's rt_exit and clcc_exit (the seeds' API),
 * graph/capture.c's irq_in_function_exit (a trace line's kind),
 * gen/aggregator.c's describe_fork (the program that follows forks) and
 * pthread_cond_signal in engine/pool.c.  surfcc's clang runs through
 * posix_spawn (clcc/cc.c), which a library may use.
 */
#ifndef SURF_CMD_COMMON_H
#define SURF_CMD_COMMON_H

#include <signal.h>
#include <stdbool.h>

#include <surf/log.h>

#define EXIT_SYSTEM 1		/* the system failed us, or the output could not be written */
#define EXIT_BAD_INPUT 2	/* the user's input is wrong: nothing was written to the kernel */

/* The signals that end a run cleanly (SIGKILL cannot be caught). */
#define CMD_NSIGNALS 5

/* The last stop signal, and how many have come (a second one escalates). */
extern volatile sig_atomic_t cmd_stop_signal, cmd_signal_count;

/*
 * Catch SIGINT, SIGTERM, SIGHUP, SIGPIPE and SIGQUIT: they only set
 * cmd_stop_signal, and the run loop notices.  No SA_RESTART, so a blocking
 * read returns.  Restore puts back what was there.
 */
void cmd_signals_install(struct sigaction saved[CMD_NSIGNALS]);
void cmd_signals_restore(const struct sigaction saved[CMD_NSIGNALS]);

/*
 * The library's messages as this program's: each prefixed "NAME: "; verbose
 * shows SURF_DEBUG too.  Sets surf_set_print().
 */
void cmd_print_init(const char *name, bool verbose);

/* "NAME VERSION (libsurf VERSION)" for --version. */
void cmd_print_version(const char *name);
/*
 * The directory for what is slow and stable per boot (the traceable kernel
 * functions): $SURFTRACE_CACHE ("" for none), else $XDG_CACHE_HOME/surftrace,
 * else $HOME/.cache/surftrace; NULL when none of them is set.
 */
const char *cmd_cache_dir(void);

#endif
