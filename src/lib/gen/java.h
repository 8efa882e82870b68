/* SPDX-License-Identifier: MIT */
/* J's class and method patterns matched in BPF (java.c).  Internal. */
#ifndef SURF_GEN_JAVA_H
#define SURF_GEN_JAVA_H

#include <stdbool.h>
#include <stdint.h>

struct gen;
struct gen_fetch_opts;

/* The longest literal part a program compares: names are read this far at most. */
#define GEN_JAVA_MAX_LITERAL 64
/* Stack a match needs below its tmp offset: the bytes read, and the length's slot above. */
#define GEN_JAVA_TMP (8 + GEN_JAVA_MAX_LITERAL)

struct gen_java_glob {
	char prefix[GEN_JAVA_MAX_LITERAL], suffix[GEN_JAVA_MAX_LITERAL];
	int plen, slen;
	bool star;		/* prefix*suffix; else the name is prefix */
	bool is_class;		/* '.' stands for HotSpot's '/' */
	bool exact;		/* the program decides alone; else fnmatch has the last word */
};

/* 0, or -E2BIG for a part longer than GEN_JAVA_MAX_LITERAL. */
int gen_java_glob_parse(const char *glob, bool is_class, struct gen_java_glob *m);
/*
 * Emit code that jumps to label fail unless the name at (fetch text
 * ptr_fetch, length fetch text len_fetch of type len_type) matches m.
 * Uses the stack from r10 + tmp - GEN_JAVA_TMP up to r10 + tmp (the bytes
 * read, then a slot for the length); clobbers r0 to r5.
 */
int gen_java_match(struct gen *g, const struct gen_fetch_opts *fo, const char *ptr_fetch,
		   const char *len_fetch, const char *len_type, const struct gen_java_glob *m,
		   int16_t tmp, int fail);

/*
 * Emit code leaving in r0 the length a (pointer, length) name's length
 * fetch text gives, cut to max so that the verifier can bound a read of
 * it; a negative length jumps to bad.  Clobbers r0 to r5.
 */
int gen_bounded_length(struct gen *g, const struct gen_fetch_opts *fo, const char *len_fetch,
		       const char *len_type, int max, int bad);

#endif
