/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_LIB_ARENA_H
#define RELOADCHECK_LIB_ARENA_H

/*
 * A bump allocator for records that die together: allocations come from
 * chunks and are never freed one by one; rci_arena_release() frees them all.
 * Every allocation is aligned for any type (max_align_t).
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct rci_arena_chunk;

struct rci_arena {
	struct rci_arena_chunk *head; /* allocations come from here */
	size_t next_size;	      /* bytes of the next regular chunk */
	size_t max_size;	      /* next_size doubles up to this */
	bool oom;		      /* an allocation failed (sticky) */
};

/*
 * An empty arena whose chunks start at @chunk_size bytes and double up to
 * @max_chunk_size (equal: a fixed size). Nothing is allocated until needed.
 */
void rci_arena_init(struct rci_arena *a, size_t chunk_size, size_t max_chunk_size);

/*
 * @size bytes, or NULL (and a->oom set) when out of memory. An allocation of
 * more than a quarter of a chunk gets a chunk of its own, so it neither
 * wastes the free tail of the current chunk nor inflates the chunk size.
 */
void *rci_arena_alloc(struct rci_arena *a, size_t size);

/* A copy of the @n bytes at @p (@n may be 0), or NULL. */
void *rci_arena_dup(struct rci_arena *a, const void *p, size_t n);
/* A NUL-terminated copy of the @len bytes at @s, or NULL. */
char *rci_arena_strndup(struct rci_arena *a, const char *s, size_t len);
char *rci_arena_strdup(struct rci_arena *a, const char *s);
/* A formatted string in the arena, or NULL. */
char *rci_arena_vprintf(struct rci_arena *a, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Free every chunk; @a is empty again (its sizes and oom flag are kept). */
void rci_arena_release(struct rci_arena *a);

/*
 * At least *@size bytes for a large buffer, freed with free(): from 2 MiB on,
 * on transparent huge pages where the kernel offers them (the "madvise"
 * mode), with *@size rounded up to what was allocated.
 */
void *rci_alloc_big(size_t *size);

/* protobuf-c's allocator interface, with @data a struct rci_arena. */
void *rci_arena_pb_alloc(void *data, size_t size);
void rci_arena_pb_free(void *data, void *ptr);

#endif
