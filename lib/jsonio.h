/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_LIB_JSONIO_H
#define RELOADCHECK_LIB_JSONIO_H

/*
 * cJSON helpers shared by the JSON files of the library (the pprof summary,
 * the process snapshot, the policy): one size-capped loader whose messages
 * give the line and column, a locator of key paths in the raw text, readers
 * that check each key's type and range and name the file and the key path in
 * the message, and writers that remember an allocation failure instead of
 * checking every call.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

struct rc_err;

/* The largest integer a JSON number (a double) holds exactly: 2^53 - 1. */
#define RCI_JSON_MAX_SAFE_INTEGER ((int64_t)(((uint64_t)1 << 53) - 1))

/* Loading */

/*
 * Read and parse the JSON file at @path into *@root (the caller frees it with
 * cJSON_Delete). @what names the document in messages ("snapshot"). A file
 * over @max bytes is refused before it is read in full. With @text, the raw
 * text (NUL-terminated, *@text_len bytes; the caller frees it) comes back too,
 * for rci_json_locate(). Returns 0, rc_err_from_errno() of a file that cannot
 * be read, or -RC_EFORMAT for an empty file, one over @max bytes, invalid JSON
 * and data after the value, whose messages give the line and column:
 * "'PATH': not valid JSON at line L, column C".
 */
int rci_json_load_file(const char *path, size_t max, const char *what, cJSON **root, char **text,
		       size_t *text_len, struct rc_err *err);

/*
 * One step of a key path: a member name, or an array index when key is NULL.
 * For a member, index counts earlier members of the same name to pass over
 * (only a duplicate key has one).
 */
struct rci_json_seg {
	const char *key;
	int index;
};

/*
 * Where the last step of @path is in the JSON @text of @len bytes (which
 * cJSON accepted): the key's opening quote for a member, the value for an
 * array element; the top-level value for an empty path. When a step cannot be
 * found (it should not happen) the deepest one found so far stands in.
 * cJSON keeps no positions: this gives a message its line.
 */
const char *rci_json_locate(const char *text, size_t len, const struct rci_json_seg *path,
			    size_t depth);

/* The line (from 1) of @at in @text. */
int rci_json_line(const char *text, const char *at);

/* Reading */

struct rci_jr {
	const char *file; /* named first in every message */
	struct rc_err *err;
};

/*
 * @root is an object whose "schema" is the string @schema; @what names the
 * document ("snapshot"). Returns 0 or -RC_EFORMAT.
 */
int rci_jr_schema(struct rci_jr *r, const cJSON *root, const char *schema, const char *what);

/*
 * The readers below take the object @o, the path of @o in the document as
 * @pre ("" at the top level, "threads[3]") and a @key in @o; an error message
 * names the key as "@pre.@key" (just one of them when the other is ""). They
 * return 0 or -RC_EFORMAT, and set their out-parameters only on success.
 */

/* "'FILE': key 'PRE.KEY' WHAT", -RC_EFORMAT. */
int rci_jr_fail(struct rci_jr *r, const char *pre, const char *key, const char *what);

/* "'FILE': out of memory", -RC_ENOMEM. */
int rci_jr_oom(struct rci_jr *r);

/* Any value; borrowed from the tree. */
int rci_jr_item(struct rci_jr *r, const cJSON *o, const char *pre, const char *key,
		const cJSON **out);

int rci_jr_object(struct rci_jr *r, const cJSON *o, const char *pre, const char *key,
		  const cJSON **out);

/* An array of at most @max elements (SIZE_MAX: any number), with its length in *@n. */
int rci_jr_array(struct rci_jr *r, const cJSON *o, const char *pre, const char *key, size_t max,
		 const cJSON **out, size_t *n);

/* A string, borrowed from the tree; NULL in *@out for a JSON null when @nullable. */
int rci_jr_cstr(struct rci_jr *r, const cJSON *o, const char *pre, const char *key, bool nullable,
		const char **out);

/*
 * A string copied into @buf of @size bytes; a longer one is an error, not
 * truncated. A JSON null, when @nullable, reads as "".
 */
int rci_jr_str(struct rci_jr *r, const cJSON *o, const char *pre, const char *key, bool nullable,
	       char *buf, size_t size);

int rci_jr_bool(struct rci_jr *r, const cJSON *o, const char *pre, const char *key, bool *out);

/*
 * An integer from @min to @max, which lie within ±RCI_JSON_MAX_SAFE_INTEGER:
 * rci_jr_int_item() reads the value @it itself (an array element, named by
 * @pre and @key), rci_jr_int() the member @key of @o.
 */
int rci_jr_int_item(struct rci_jr *r, const cJSON *it, const char *pre, const char *key,
		    int64_t min, int64_t max, int64_t *out);
int rci_jr_int(struct rci_jr *r, const cJSON *o, const char *pre, const char *key, int64_t min,
	       int64_t max, int64_t *out);

/* Writing */

/*
 * Set when an allocation failed. Every writer accepts a NULL object (the
 * result of a failed one), so a document is built without checks and the
 * flag read once at the end.
 */
struct rci_jw {
	bool oom;
};

/* @item, noting a NULL one. */
cJSON *rci_jw_check(struct rci_jw *w, cJSON *item);

/* @item (a new value) appended to @arr; deleted, and NULL returned, on failure. */
cJSON *rci_jw_push(struct rci_jw *w, cJSON *arr, cJSON *item);

/* The JSON text @text as member @key of @o, or appended to the array @o if @key is NULL. */
void rci_jw_raw(struct rci_jw *w, cJSON *o, const char *key, const char *text);

/* A string, or null for a NULL @v. */
void rci_jw_str(struct rci_jw *w, cJSON *o, const char *key, const char *v);

void rci_jw_bool(struct rci_jw *w, cJSON *o, const char *key, bool v);

/* An integer with all its digits (cJSON prints 15 significant ones); @key NULL appends. */
void rci_jw_int(struct rci_jw *w, cJSON *o, const char *key, int64_t v);

/*
 * Print the document @root to @out, with a newline, and delete it (also on
 * failure). @what names the document in messages ("snapshot"). Returns 0,
 * -RC_ENOMEM (also when @w noted a failure) or -RC_EIO.
 */
int rci_jw_finish(struct rci_jw *w, cJSON *root, FILE *out, const char *what, struct rc_err *err);

#endif
