/* SPDX-License-Identifier: MIT */
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "arena.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#define REDZONE 16 /* poisoned between allocations, so overruns are caught */
#else
#define ASAN_POISON_MEMORY_REGION(addr, size) ((void)(addr), (void)(size))
#define ASAN_UNPOISON_MEMORY_REGION(addr, size) ((void)(addr), (void)(size))
#define REDZONE 0
#endif

/* A page-fault-heavy buffer: a 20 MB profile otherwise costs some 30k faults. */
#define HUGE_PAGE ((size_t)2 << 20)

/* vprintf formats straight into the current chunk when this much is free. */
#define VPRINTF_ROOM 256

struct rci_arena_chunk {
	struct rci_arena_chunk *next;
	size_t size, used;
	alignas(max_align_t) unsigned char data[];
};

void *rci_alloc_big(size_t *size)
{
	size_t n = *size;
	void *p;

	if (n < HUGE_PAGE || n > SIZE_MAX - HUGE_PAGE)
		return malloc(n);
	n = (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	p = aligned_alloc(HUGE_PAGE, n);
	if (p) {
		madvise(p, n, MADV_HUGEPAGE);
		*size = n;
	}
	return p;
}

void rci_arena_init(struct rci_arena *a, size_t chunk_size, size_t max_chunk_size)
{
	*a = (struct rci_arena){
		.next_size = chunk_size,
		.max_size = max_chunk_size > chunk_size ? max_chunk_size : chunk_size,
	};
}

static struct rci_arena_chunk *chunk_new(struct rci_arena *a, size_t size)
{
	size_t total = offsetof(struct rci_arena_chunk, data) + size;
	struct rci_arena_chunk *c = rci_alloc_big(&total);

	if (!c) {
		a->oom = true;
		return NULL;
	}
	c->size = total - offsetof(struct rci_arena_chunk, data);
	c->used = 0;
	ASAN_POISON_MEMORY_REGION(c->data, c->size);
	return c;
}

/* A chunk with @need free bytes: the head, a new head, or one just behind it. */
static struct rci_arena_chunk *chunk_with(struct rci_arena *a, size_t need)
{
	struct rci_arena_chunk *c = a->head;

	if (c && c->size - c->used >= need)
		return c;
	if (need > a->next_size / 4) {
		/* Large: a chunk of its own behind the head, whose space stays in use. */
		c = chunk_new(a, need);
		if (!c)
			return NULL;
		if (a->head) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = NULL;
			a->head = c;
		}
		return c;
	}
	c = chunk_new(a, a->next_size);
	if (!c)
		return NULL;
	c->next = a->head;
	a->head = c;
	if (a->next_size <= a->max_size / 2)
		a->next_size *= 2;
	return c;
}

void *rci_arena_alloc(struct rci_arena *a, size_t size)
{
	const size_t align = alignof(max_align_t);
	struct rci_arena_chunk *c;
	size_t need;
	void *p;

	if (size > SIZE_MAX / 2) {
		a->oom = true;
		return NULL;
	}
	need = (size + REDZONE + align - 1) & ~(align - 1);
	if (!need)
		need = align;
	c = chunk_with(a, need);
	if (!c)
		return NULL;
	p = c->data + c->used;
	c->used += need;
	ASAN_UNPOISON_MEMORY_REGION(p, size);
	return p;
}

void *rci_arena_dup(struct rci_arena *a, const void *p, size_t n)
{
	void *q = rci_arena_alloc(a, n);

	if (q && n)
		memcpy(q, p, n);
	return q;
}

char *rci_arena_strndup(struct rci_arena *a, const char *s, size_t len)
{
	char *p = rci_arena_alloc(a, len + 1);

	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *rci_arena_strdup(struct rci_arena *a, const char *s)
{
	return rci_arena_strndup(a, s, strlen(s));
}

char *rci_arena_vprintf(struct rci_arena *a, const char *fmt, va_list ap)
{
	const size_t align = alignof(max_align_t);
	struct rci_arena_chunk *c;
	va_list ap2;
	size_t room, need;
	char *p;
	int n;

	/* Format straight into the free tail of the current chunk when it fits. */
	c = chunk_with(a, VPRINTF_ROOM);
	if (!c)
		return NULL;
	room = c->size - c->used;
	p = (char *)c->data + c->used;
	ASAN_UNPOISON_MEMORY_REGION(p, room);
	va_copy(ap2, ap);
	n = vsnprintf(p, room, fmt, ap);
	if (n >= 0 && (size_t)n < room) {
		va_end(ap2);
		need = ((size_t)n + 1 + REDZONE + align - 1) & ~(align - 1);
		if (need > room)
			need = room;
		c->used += need;
		ASAN_POISON_MEMORY_REGION(p + n + 1, room - (size_t)n - 1);
		return p;
	}
	ASAN_POISON_MEMORY_REGION(p, room);
	if (n < 0) {
		va_end(ap2);
		return rci_arena_strndup(a, "", 0);
	}
	p = rci_arena_alloc(a, (size_t)n + 1);
	if (p)
		vsnprintf(p, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return p;
}

void rci_arena_release(struct rci_arena *a)
{
	while (a->head) {
		struct rci_arena_chunk *c = a->head;

		a->head = c->next;
		ASAN_UNPOISON_MEMORY_REGION(c->data, c->size);
		free(c);
	}
}

void *rci_arena_pb_alloc(void *data, size_t size)
{
	return rci_arena_alloc(data, size);
}

void rci_arena_pb_free(void *data, void *ptr)
{
	/* Freed with the arena. */
	(void)data;
	(void)ptr;
}
