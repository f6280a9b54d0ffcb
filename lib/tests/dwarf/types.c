/* SPDX-License-Identifier: MIT */
/*
 * Types whose layouts test_lib_dwarf reads back from the DWARF of this file,
 * compiled with each DWARF variant (4, 5, type units, name index, split).
 */
#include <stdint.h>

typedef unsigned int counter_t;

enum state { ST_IDLE = 0, ST_BUSY = 200, ST_NEG = -3 };
enum big { BIG_MAX = 0xffffffffu };

struct point {
	int x;
	int y;
};

typedef struct point point_t;

struct node {
	struct node *next;
	int value;
};

struct flags {
	unsigned int a : 3;
	unsigned int b : 5;
	int c : 7;
	char pad;
	unsigned long long wide : 40;
};

union value {
	int i;
	double d;
	char bytes[12];
};

struct session_table {
	char name[16];
	counter_t count;
	enum state st;
	point_t origin;
	struct point grid[2][3];
	struct node *head;
	union value v;
	struct {
		short lo;
		short hi;
	} range;
	int (*cb)(int, const char *);
	const volatile long *cvp;
	struct flags fl;
};

struct __attribute__((packed)) packed {
	char c;
	int i;
};

struct __attribute__((aligned(32))) aligned32 {
	int x;
};

struct session_table g_table;
__thread struct point tls_point;
counter_t g_counters[4];
enum big g_big;
struct packed g_packed;
struct aligned32 g_aligned;

int main(void)
{
	return (int)g_table.count + tls_point.x;
}
