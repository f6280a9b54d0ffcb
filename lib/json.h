/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_LIB_JSON_H
#define RELOADCHECK_LIB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Streaming JSON writer: for large arrays the report does not build a tree.
 * Strings are escaped per RFC 8259; invalid UTF-8 becomes U+FFFD. Output is
 * buffered inside the writer: call rci_json_finish() to flush it to @out.
 */
struct rci_json {
	FILE *out;
	int depth;
	bool need_comma[64];
	bool after_key;
	bool pretty;
	bool failed; /* a write to @out failed */
	size_t len;
	char buf[1 << 16];
};
void rci_json_init(struct rci_json *j, FILE *out, bool pretty);
/* Flush the buffer; 0, or -1 when any write failed. */
int rci_json_finish(struct rci_json *j);
void rci_json_begin_object(struct rci_json *j);
void rci_json_end_object(struct rci_json *j);
void rci_json_begin_array(struct rci_json *j);
void rci_json_end_array(struct rci_json *j);
void rci_json_key(struct rci_json *j, const char *key);
void rci_json_string(struct rci_json *j, const char *s);
void rci_json_stringn(struct rci_json *j, const char *s, size_t len);
void rci_json_int(struct rci_json *j, int64_t v);
void rci_json_uint(struct rci_json *j, uint64_t v);
void rci_json_bool(struct rci_json *j, bool v);
void rci_json_null(struct rci_json *j);

#endif
