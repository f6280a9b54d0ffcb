/* SPDX-License-Identifier: MIT */
/*
 * __thread canaries of a live process, read-only.
 *
 * The preferred way is glibc's own libthread_db: it knows the layout of struct
 * pthread, the DTV and the link_map of the glibc that runs in the target, so
 * td_thr_tls_get_addr() finds the variable of any module (the executable,
 * a DT_NEEDED library or a dlopen'ed one) in every thread without stopping
 * anything. libthread_db talks to the process only through the proc_service
 * callbacks below (ps_*), which we export: reads go to process_vm_readv or
 * /proc/PID/mem, symbol lookups to the ELF files of the loaded objects.
 *
 * When libthread_db cannot serve (a stripped static binary, a glibc other than
 * ours, no thread library) and the variable lives in the executable, its
 * address is fs_base - off + st_value (x86-64, TLS variant II), where off is
 * where glibc puts the executable's block below the thread pointer. fs_base is
 * a register: it is read with PTRACE_SEIZE + PTRACE_INTERRUPT + PTRACE_GETREGS,
 * one thread at a time, and the thread is detached at once.
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <proc_service.h>
#include <thread_db.h>

#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/mem.h>

#include "tls.h"

/* One loaded object of the target, its ELF file opened on first use. */
struct tls_obj {
	const struct rc_snap_object *so;
	struct rc_elf *elf; /* NULL until opened, or when it cannot be */
	bool tried;
	uint64_t bias; /* run-time address minus link-time address */
};

/*
 * The target as libthread_db sees it (proc_service.h leaves this struct to
 * us). One per rci_tls_read() call; nothing in it is shared between calls.
 */
struct ps_prochandle {
	pid_t pid;
	int memfd;    /* /proc/PID/mem once process_vm_readv was refused, or -1 */
	bool use_mem; /* process_vm_readv refused (EPERM, ENOSYS): use memfd */
	bool gone;    /* a read found the process gone (ESRCH, ENOENT) */
	bool denied;  /* a read was refused by the kernel (EPERM, EACCES) */
	struct tls_obj *objs;
	size_t n_objs;
};

static const char *td_err_name(td_err_e e)
{
	switch (e) {
	case TD_OK:
		return "TD_OK";
	case TD_ERR:
		return "TD_ERR (unspecified error)";
	case TD_NOTHR:
		return "TD_NOTHR (no such thread)";
	case TD_NOLWP:
		return "TD_NOLWP (no such kernel thread)";
	case TD_BADPH:
		return "TD_BADPH (bad process handle)";
	case TD_BADTH:
		return "TD_BADTH (bad thread handle)";
	case TD_BADTA:
		return "TD_BADTA (bad thread agent)";
	case TD_NOLIBTHREAD:
		return "TD_NOLIBTHREAD (no glibc thread library symbols found in the process)";
	case TD_NOCAPAB:
		return "TD_NOCAPAB (capability not available)";
	case TD_DBERR:
		return "TD_DBERR (reading the process failed)";
	case TD_NOAPLIC:
		return "TD_NOAPLIC (not applicable)";
	case TD_MALLOC:
		return "TD_MALLOC (out of memory)";
	case TD_TLSDEFER:
		return "TD_TLSDEFER (the thread has not allocated this module's TLS yet)";
	case TD_VERSION:
		return "TD_VERSION (the process runs a glibc other than this libthread_db's)";
	case TD_NOTLS:
		return "TD_NOTLS (the module has no TLS segment)";
	default:
		return "td_err_e (other libthread_db error)";
	}
}

/* snprintf for messages that may be cut short to fit their field. */
__attribute__((format(printf, 3, 4))) static void set_text(char *buf, size_t size, const char *fmt,
							   ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* ---- memory reads ---------------------------------------------------- */

static void note_errno(struct ps_prochandle *ph, int e)
{
	if (e == ESRCH || e == ENOENT)
		ph->gone = true;
	else if (e == EPERM || e == EACCES)
		ph->denied = true;
}

/* Read @len bytes at @addr of the target: 0, or an errno value. */
static int mem_read(struct ps_prochandle *ph, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = {.iov_base = buf, .iov_len = len};
	struct iovec remote = {.iov_base = (void *)(uintptr_t)addr, .iov_len = len};
	ssize_t n;
	int e;

	if (!ph->use_mem) {
		n = process_vm_readv(ph->pid, &local, 1, &remote, 1, 0);
		if (n == (ssize_t)len)
			return 0;
		if (n >= 0)
			return EFAULT; /* partly unmapped */
		e = errno;
		if (e != EPERM && e != ENOSYS) {
			note_errno(ph, e);
			return e;
		}
		/*
		 * Refused (or filtered by seccomp): /proc/PID/mem goes through
		 * the same ptrace access check but may be allowed where the
		 * syscall is not, and gives the better errno.
		 */
		ph->use_mem = true;
	}
	if (ph->memfd < 0) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/mem", (int)ph->pid);
		ph->memfd = open(path, O_RDONLY | O_CLOEXEC);
		if (ph->memfd < 0) {
			e = errno;
			note_errno(ph, e);
			return e;
		}
	}
	n = pread(ph->memfd, buf, len, (off_t)addr);
	if (n == (ssize_t)len)
		return 0;
	if (n >= 0)
		return EFAULT;
	e = errno;
	/* An exited process's mem file reads as nothing (0 or ESRCH). */
	note_errno(ph, e);
	return e;
}

static bool task_exists(int pid, int tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task/%d", pid, tid);
	return access(path, F_OK) == 0;
}

static bool process_exists(int pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	return access(path, F_OK) == 0;
}

static uint64_t le_value(const unsigned char *b, size_t size)
{
	uint64_t v = 0;

	for (size_t i = size; i-- > 0;)
		v = v << 8 | b[i];
	return v;
}

/* ---- loaded objects and their symbols ----------------------------------- */

/* The mapping of a deleted or replaced file, through /proc/PID/map_files. */
static int open_map_file(int pid, uint64_t start, struct rc_elf **out)
{
	char dir[64], path[384], prefix[32];
	struct rc_err e;
	struct dirent *d;
	size_t plen;
	DIR *dp;
	int rc = -RC_ENOENT;

	snprintf(dir, sizeof(dir), "/proc/%d/map_files", pid);
	plen = (size_t)snprintf(prefix, sizeof(prefix), "%llx-", (unsigned long long)start);
	dp = opendir(dir);
	if (!dp)
		return rc;
	while ((d = readdir(dp))) {
		if (strncmp(d->d_name, prefix, plen))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		rc = rc_elf_open(path, out, &e);
		break;
	}
	closedir(dp);
	return rc;
}

/*
 * Open @o's file once. The running executable is read through /proc/PID/exe
 * and deleted or replaced libraries through map_files, so that a new build
 * already on disk is not mistaken for the code that runs.
 */
static struct rc_elf *obj_elf(struct ps_prochandle *ph, struct tls_obj *o)
{
	char path[PATH_MAX + 64];
	struct rc_elf_segment seg;
	struct rc_elf_ident id;
	struct rc_err e;
	uint64_t lowest = UINT64_MAX;
	long page;

	if (o->tried)
		return o->elf;
	o->tried = true;
	if (o->so->is_exe) {
		snprintf(path, sizeof(path), "/proc/%d/exe", (int)ph->pid);
		rc_elf_open(path, &o->elf, &e);
	} else if (o->so->deleted || o->so->replaced) {
		open_map_file(ph->pid, o->so->start, &o->elf);
	}
	if (!o->elf && rc_elf_open(o->so->path, &o->elf, &e) && o->so->path[0] == '/') {
		/* Another mount namespace (a container): its root as the process sees it. */
		snprintf(path, sizeof(path), "/proc/%d/root%s", (int)ph->pid, o->so->path);
		rc_elf_open(path, &o->elf, &e);
	}
	if (!o->elf)
		return NULL;
	rc_elf_ident(o->elf, &id);
	if (id.type != ET_DYN)
		return o->elf;
	for (size_t i = 0; i < rc_elf_segment_count(o->elf); i++) {
		rc_elf_segment(o->elf, i, &seg);
		if (seg.type == PT_LOAD && seg.vaddr < lowest)
			lowest = seg.vaddr;
	}
	page = sysconf(_SC_PAGESIZE);
	if (lowest != UINT64_MAX)
		o->bias = o->so->start - (lowest & ~(uint64_t)(page > 0 ? page - 1 : 4095));
	return o->elf;
}

/*
 * A defined symbol @name of @o: STT_TLS ones when @tls, data or code
 * otherwise; .symtab first, then .dynsym. Global bindings win over local ones
 * (a static binary's .symtab has both).
 */
static const struct rc_elf_sym *obj_symbol(struct ps_prochandle *ph, struct tls_obj *o,
					   const char *name, bool tls)
{
	static const enum rc_elf_table tables[] = {RC_ELF_SYMTAB, RC_ELF_DYNSYM};
	const struct rc_elf_sym *syms, *local = NULL;
	struct rc_elf *elf = obj_elf(ph, o);
	size_t n, len = strlen(name);
	struct rc_err e;
	bool present;

	if (!elf)
		return NULL;
	for (size_t t = 0; t < 2; t++) {
		if (rc_elf_symbols(elf, tables[t], &syms, &n, &present, &e))
			continue;
		for (size_t i = 0; i < n; i++) {
			const struct rc_elf_sym *sym = &syms[i];

			if (sym->name_len != len || !sym->defined || memcmp(sym->name, name, len))
				continue;
			if ((sym->type == STT_TLS) != tls || sym->type == STT_SECTION ||
			    sym->type == STT_FILE)
				continue;
			if (sym->bind != STB_LOCAL)
				return sym;
			if (!local)
				local = sym;
		}
	}
	return local;
}

static struct tls_obj *exe_obj(struct ps_prochandle *ph)
{
	for (size_t i = 0; i < ph->n_objs; i++)
		if (ph->objs[i].so->is_exe)
			return &ph->objs[i];
	return NULL;
}

/*
 * Whether the process can have C thread-local storage at all: a libc among
 * its objects, or a static executable with a TLS segment that is not the Go
 * runtime's (runtime.tlsg).
 */
static bool has_c_tls(struct ps_prochandle *ph)
{
	struct tls_obj *exe = exe_obj(ph);
	struct rc_elf_section sec;
	struct rc_elf_segment seg;

	for (size_t i = 0; i < ph->n_objs; i++) {
		const char *b = base_name(ph->objs[i].so->path);

		if (!strncmp(b, "libc.so", 7) || !strncmp(b, "libc-", 5) || strstr(b, "musl"))
			return true;
	}
	if (!exe || !obj_elf(ph, exe) || rc_elf_find_segment(exe->elf, PT_TLS, &seg))
		return false;
	if (obj_symbol(ph, exe, "runtime.tlsg", true) ||
	    !rc_elf_find_section(exe->elf, ".go.buildinfo", &sec) ||
	    !rc_elf_find_section(exe->elf, ".note.go.buildid", &sec))
		return false;
	return true;
}

/* ---- proc_service: what libthread_db calls back ------------------------ */

ps_err_e ps_pdread(struct ps_prochandle *ph, psaddr_t addr, void *buf, size_t len)
{
	return mem_read(ph, (uint64_t)(uintptr_t)addr, buf, len) ? PS_ERR : PS_OK;
}

/* reloadcheck never writes to the process it inspects. */
ps_err_e ps_pdwrite(struct ps_prochandle *ph, psaddr_t addr, const void *buf, size_t len)
{
	return PS_ERR;
}

/* Registers would need a stopped thread; nothing we ask of libthread_db needs them. */
ps_err_e ps_lgetregs(struct ps_prochandle *ph, lwpid_t lwp, prgregset_t regs)
{
	return PS_ERR;
}

ps_err_e ps_lsetregs(struct ps_prochandle *ph, lwpid_t lwp, const prgregset_t regs)
{
	return PS_ERR;
}

ps_err_e ps_lgetfpregs(struct ps_prochandle *ph, lwpid_t lwp, prfpregset_t *regs)
{
	return PS_ERR;
}

ps_err_e ps_lsetfpregs(struct ps_prochandle *ph, lwpid_t lwp, const prfpregset_t *regs)
{
	return PS_ERR;
}

/* Only td_ta_map_lwp2thr() asks (for fs_base); td_ta_thr_iter() does not. */
ps_err_e ps_get_thread_area(struct ps_prochandle *ph, lwpid_t lwp, int idx, psaddr_t *addr)
{
	return PS_ERR;
}

pid_t ps_getpid(struct ps_prochandle *ph)
{
	return ph->pid;
}

/* Reads of a running process need no stop: these are no-ops. */
ps_err_e ps_pstop(struct ps_prochandle *ph)
{
	return PS_OK;
}

ps_err_e ps_pcontinue(struct ps_prochandle *ph)
{
	return PS_OK;
}

ps_err_e ps_lstop(struct ps_prochandle *ph, lwpid_t lwp)
{
	return PS_OK;
}

ps_err_e ps_lcontinue(struct ps_prochandle *ph, lwpid_t lwp)
{
	return PS_OK;
}

/*
 * libthread_db names the object it expects a symbol in ("libc.so.6",
 * "ld-linux-x86-64.so.2"), but since glibc 2.34 libpthread is part of libc and
 * a static executable holds everything: look in the named object first, then
 * in every other one.
 */
ps_err_e ps_pglobal_lookup(struct ps_prochandle *ph, const char *object, const char *name,
			   psaddr_t *addr)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < ph->n_objs; i++) {
			struct tls_obj *o = &ph->objs[i];
			bool named = object && !strcmp(base_name(o->so->path), object);
			const struct rc_elf_sym *sym;

			if (named != (pass == 0))
				continue;
			sym = obj_symbol(ph, o, name, false);
			if (sym) {
				*addr = (psaddr_t)(uintptr_t)(o->bias + sym->value);
				return PS_OK;
			}
		}
	}
	return PS_NOSYM;
}

/* ---- results ------------------------------------------------------------ */

struct tid_index {
	int tid;
	size_t idx;
};

static int cmp_tid_index(const void *a, const void *b)
{
	const struct tid_index *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

static int cmp_value(const void *a, const void *b)
{
	const struct rc_snap_tls_value *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

/* What is read, and where the per-thread results go. */
struct reader {
	struct ps_prochandle *ph;
	const struct rc_snapshot *s;
	struct tid_index *names; /* s->threads sorted by tid */
	struct rc_snap_tls_value *vals;
	size_t n, cap;
	size_t size; /* bytes of the variable */
	bool nomem;
	bool interrupted;
};

static void thread_name(struct reader *r, int tid, char *name, size_t size)
{
	struct tid_index key = {.tid = tid}, *hit = NULL;
	char path[64];
	ssize_t n = 0;
	int fd;

	if (r->names)
		hit = bsearch(&key, r->names, r->s->n_threads, sizeof(key), cmp_tid_index);
	if (hit) {
		snprintf(name, size, "%s", r->s->threads[hit->idx].name);
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)r->ph->pid, tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, name, size - 1);
		close(fd);
	}
	if (n < 0)
		n = 0;
	name[n] = '\0';
	name[strcspn(name, "\n")] = '\0';
}

static struct rc_snap_tls_value *add_value(struct reader *r, int tid)
{
	struct rc_snap_tls_value *v;

	if (RC_GROW(r->vals, r->cap, r->n + 1) < 0) {
		r->nomem = true;
		return NULL;
	}
	v = &r->vals[r->n++];
	memset(v, 0, sizeof(*v));
	v->tid = tid;
	thread_name(r, tid, v->name, sizeof(v->name));
	return v;
}

/* Read the variable at @addr into @v with one read. */
static void read_value(struct reader *r, struct rc_snap_tls_value *v, uint64_t addr)
{
	unsigned char buf[8];
	int e = mem_read(r->ph, addr, buf, r->size);

	if (!e) {
		v->ok = true;
		v->value = le_value(buf, r->size);
	} else if (!task_exists(r->ph->pid, v->tid)) {
		set_text(v->error, sizeof(v->error), "thread exited during the read");
	} else {
		set_text(v->error, sizeof(v->error), "reading %zu bytes at 0x%llx: %s", r->size,
			 (unsigned long long)addr, strerror(e));
	}
}

/* Sort by tid and drop duplicates (a tid reused while the list was walked). */
static void sort_values(struct reader *r)
{
	size_t out = 0;

	if (r->n)
		qsort(r->vals, r->n, sizeof(*r->vals), cmp_value);
	for (size_t i = 0; i < r->n; i++)
		if (!out || r->vals[out - 1].tid != r->vals[i].tid)
			r->vals[out++] = r->vals[i];
	r->n = out;
}

/*
 * Every thread of the snapshot gets a value: one that was not read is either
 * gone ("thread exited ...", not a finding about the process) or was not
 * listed by libthread_db (a thread made with a raw clone()).
 */
static void add_missing(struct reader *r, enum rc_tls_method method)
{
	size_t have;

	sort_values(r);
	have = r->n;
	for (size_t i = 0; i < r->s->n_threads && !r->nomem; i++) {
		struct rc_snap_tls_value key = {.tid = r->s->threads[i].tid}, *v;

		if (bsearch(&key, r->vals, have, sizeof(key), cmp_value))
			continue;
		v = add_value(r, key.tid);
		if (!v)
			break;
		if (!task_exists(r->ph->pid, key.tid))
			set_text(v->error, sizeof(v->error), "thread exited during the probe");
		else if (method == RC_TLS_THREAD_DB)
			set_text(v->error, sizeof(v->error),
				 "not a glibc thread: libthread_db does not list it");
		else
			set_text(v->error, sizeof(v->error),
				 "thread not listed in /proc when the probe ran");
	}
	sort_values(r);
}

/* ---- libthread_db ----------------------------------------------------- */

struct tdb_walk {
	struct reader *r;
	psaddr_t map;	 /* the object's struct link_map in the target */
	uint64_t offset; /* st_value: offset in the object's TLS block */
};

static int tdb_thread(const td_thrhandle_t *th, void *arg)
{
	struct tdb_walk *w = arg;
	struct reader *r = w->r;
	struct rc_snap_tls_value *v;
	td_thrinfo_t ti;
	psaddr_t addr;
	td_err_e te;

	te = td_thr_get_info(th, &ti);
	if (r->ph->gone)
		return 1;
	/*
	 * A thread that exited but was not joined stays on glibc's list with
	 * tid 0 (reported as the process id) and a state other than ACTIVE.
	 */
	if (te != TD_OK || ti.ti_state != TD_THR_ACTIVE || ti.ti_lid <= 0)
		return 0;
	v = add_value(r, ti.ti_lid);
	if (!v)
		return 1;
	te = td_thr_tls_get_addr(th, w->map, (size_t)w->offset, &addr);
	if (r->ph->gone)
		return 1;
	if (te != TD_OK) {
		if (!task_exists(r->ph->pid, v->tid))
			set_text(v->error, sizeof(v->error), "thread exited during the read");
		else
			set_text(v->error, sizeof(v->error), "libthread_db: %s", td_err_name(te));
		return 0;
	}
	read_value(r, v, (uint64_t)(uintptr_t)addr);
	return r->ph->gone ? 1 : 0;
}

/*
 * The address of @o's struct link_map, from the dynamic linker's list
 * (_r_debug.r_map). The executable is always the head of the list; a library
 * is the entry whose l_addr is its load bias. A static executable may have an
 * empty _r_debug: its map is then _dl_main_map.
 */
static int find_link_map(struct ps_prochandle *ph, struct tls_obj *o, psaddr_t *out)
{
	struct {
		uint64_t l_addr, l_name, l_ld, l_next, l_prev;
	} lm;
	psaddr_t rdebug;
	uint64_t map = 0;

	if (ps_pglobal_lookup(ph, "ld-linux-x86-64.so.2", "_r_debug", &rdebug) == PS_OK &&
	    mem_read(ph, (uint64_t)(uintptr_t)rdebug + 8, &map, sizeof(map)))
		return -1;
	for (int i = 0; map && i < 65536; i++) {
		if (mem_read(ph, map, &lm, sizeof(lm)))
			return -1;
		if (o->so->is_exe || lm.l_addr == o->bias) {
			*out = (psaddr_t)(uintptr_t)map;
			return 0;
		}
		map = lm.l_next;
	}
	if (o->so->is_exe && ps_pglobal_lookup(ph, NULL, "_dl_main_map", &rdebug) == PS_OK) {
		*out = rdebug;
		return 0;
	}
	return -1;
}

/* libthread_db keeps its agents on a global list without a lock. */
static pthread_mutex_t thread_db_lock = PTHREAD_MUTEX_INITIALIZER;

static void init_thread_db(void)
{
	td_init();
}

/*
 * Read through libthread_db. Returns 0 with the values in @r, or the
 * td_err_e that kept libthread_db from serving (in *@why) as a positive
 * number, after which nothing was recorded.
 */
static int read_thread_db(struct reader *r, struct tls_obj *o, const struct rc_elf_sym *sym,
			  char *why, size_t why_size)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct tdb_walk w = {.r = r, .offset = sym->value};
	td_thragent_t *ta = NULL;
	td_err_e te;

	pthread_once(&once, init_thread_db);
	pthread_mutex_lock(&thread_db_lock);
	te = td_ta_new(r->ph, &ta);
	if (te != TD_OK) {
		pthread_mutex_unlock(&thread_db_lock);
		set_text(why, why_size, "libthread_db cannot attach: %s", td_err_name(te));
		return 1;
	}
	if (find_link_map(r->ph, o, &w.map)) {
		set_text(why, why_size, "no link_map for '%s' in the dynamic linker's list",
			 o->so->path);
		td_ta_delete(ta);
		pthread_mutex_unlock(&thread_db_lock);
		return 1;
	}
	te = td_ta_thr_iter(ta, tdb_thread, &w, TD_THR_ANY_STATE, TD_THR_LOWEST_PRIORITY,
			    TD_SIGNO_MASK, TD_THR_ANY_USER_FLAGS);
	td_ta_delete(ta);
	pthread_mutex_unlock(&thread_db_lock);
	if (te != TD_OK && !r->ph->gone && !r->nomem && !r->n) {
		set_text(why, why_size, "libthread_db cannot list threads: %s", td_err_name(te));
		return 1;
	}
	return 0;
}

/* ---- static TLS through fs_base (x86-64) ------------------------------- */

/*
 * The one thread stopped right now, so that a SIGINT or SIGTERM handler can
 * detach it; the fallback stops one thread at a time, so the list of seized
 * threads never holds more than this one.
 */
static volatile sig_atomic_t seized_tid;
static volatile sig_atomic_t seized_signal; /* to hand back when detaching it */
static volatile sig_atomic_t fatal_signal;
static const int guarded_signals[] = {SIGINT, SIGTERM, SIGHUP};
static struct sigaction saved_actions[3];
static pthread_mutex_t fallback_lock = PTHREAD_MUTEX_INITIALIZER;

static void on_fatal_signal(int sig)
{
	int saved_errno = errno;
	pid_t tid = seized_tid;

	/* Fails harmlessly if the thread is not stopped yet or this is not the tracer thread. */
	if (tid > 0 && !ptrace(PTRACE_DETACH, tid, NULL, (void *)(uintptr_t)seized_signal))
		seized_tid = 0;
	fatal_signal = sig;
	for (size_t i = 0; i < 3; i++)
		if (guarded_signals[i] == sig)
			sigaction(sig, &saved_actions[i], NULL);
	/* Delivered with the previous disposition once this handler returns. */
	raise(sig);
	errno = saved_errno;
}

static void guard_signals(bool on)
{
	struct sigaction sa = {.sa_handler = on_fatal_signal};

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < 3; i++) {
		if (on)
			sigaction(guarded_signals[i], &sa, &saved_actions[i]);
		else
			sigaction(guarded_signals[i], &saved_actions[i], NULL);
	}
}

static int tracer_of(int pid, int tid)
{
	char path[64], line[128];
	int tracer = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", pid, tid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "TracerPid:", 10))
			tracer = (int)strtol(line + 10, NULL, 10);
	fclose(f);
	return tracer;
}

#if defined(__x86_64__)
/*
 * fs_base of thread @tid: 0, or an errno value (ESRCH: the thread is gone).
 * The thread is stopped from PTRACE_INTERRUPT to PTRACE_DETACH only.
 */
static int thread_fs_base(pid_t tid, uint64_t *fs_base)
{
	struct user_regs_struct regs;
	int status, e = 0, sig = 0;
	pid_t w;

	if (ptrace(PTRACE_SEIZE, tid, NULL, NULL))
		return errno;
	seized_signal = 0;
	seized_tid = tid;
	if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL)) {
		e = errno;
		goto out;
	}
	for (;;) {
		w = waitpid(tid, &status, __WALL);
		if (w < 0 && errno == EINTR && !fatal_signal)
			continue;
		if (w < 0) {
			e = errno;
			goto out;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			seized_tid = 0; /* reaped: nothing left to detach */
			return ESRCH;
		}
		if (WIFSTOPPED(status))
			break;
	}
	/*
	 * Under PTRACE_SEIZE the interrupt (and a group-stop) report
	 * PTRACE_EVENT_STOP; anything else is a signal that arrived meanwhile
	 * and stopped the thread first: hand it back on detach.
	 */
	if (status >> 16 == 0)
		sig = WSTOPSIG(status);
	seized_signal = sig;
	if (ptrace(PTRACE_GETREGS, tid, NULL, &regs))
		e = errno;
	else
		*fs_base = regs.fs_base;
out:
	if (seized_tid && ptrace(PTRACE_DETACH, tid, NULL, (void *)(uintptr_t)sig) &&
	    errno == ESRCH) {
		/*
		 * Not in a ptrace-stop: a signal cut the wait short, or the
		 * thread exited. The interrupt stop comes soon; detach then.
		 */
		do
			w = waitpid(tid, &status, __WALL);
		while (w < 0 && errno == EINTR);
		if (w == tid && WIFSTOPPED(status)) {
			sig = status >> 16 == 0 ? WSTOPSIG(status) : 0;
			ptrace(PTRACE_DETACH, tid, NULL, (void *)(uintptr_t)sig);
		}
		if (!e)
			e = ESRCH;
	}
	seized_tid = 0;
	return e;
}
#endif

static int list_tasks(int pid, int **out, size_t *n)
{
	char path[64];
	struct dirent *d;
	int *tids = NULL;
	size_t cnt = 0, cap = 0;
	DIR *dp;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dp = opendir(path);
	if (!dp)
		return rc_err_from_errno(errno);
	while ((d = readdir(dp))) {
		char *end;
		long tid = strtol(d->d_name, &end, 10);

		if (d->d_name[0] < '0' || d->d_name[0] > '9' || *end || tid <= 0)
			continue;
		if (RC_GROW(tids, cap, cnt + 1) < 0) {
			free(tids);
			closedir(dp);
			return -RC_ENOMEM;
		}
		tids[cnt++] = (int)tid;
	}
	closedir(dp);
	*out = tids;
	*n = cnt;
	return 0;
}

static int read_static(struct reader *r, struct rc_snap_canary *c, struct tls_obj *o,
		       const struct rc_elf_sym *sym, const char *why, struct rc_err *err)
{
#if defined(__x86_64__)
	struct rc_elf_segment tls;
	uint64_t align, fb, off;
	int *tids = NULL;
	size_t n_tids = 0;
	int rc, tracer;

	if (rc_elf_find_segment(o->elf, PT_TLS, &tls)) {
		set_text(c->error, sizeof(c->error), "%s, and '%s' has no PT_TLS segment", why,
			 o->so->path);
		return 0;
	}
	/* glibc's _dl_determine_tlsoffset for the first module (TLS_TCB_AT_TP). */
	align = tls.align ? tls.align : 1;
	if (align & (align - 1)) {
		set_text(c->error, sizeof(c->error),
			 "%s, and the PT_TLS alignment %llu of '%s' is not a power of two", why,
			 (unsigned long long)align, o->so->path);
		return 0;
	}
	fb = (0 - (tls.vaddr & (align - 1))) & (align - 1);
	off = ((tls.memsz - fb + align - 1) & ~(align - 1)) + fb;
	rc = list_tasks(r->ph->pid, &tids, &n_tids);
	if (rc == -RC_ENOENT)
		return rc_err_set(err, rc, "process %d exited during the probe", (int)r->ph->pid);
	if (rc == -RC_ENOMEM)
		return rc_err_set(err, rc, "out of memory listing the threads of process %d",
				  (int)r->ph->pid);
	if (rc) {
		set_text(c->error, sizeof(c->error),
			 "%s, and the threads of process %d cannot be listed", why,
			 (int)r->ph->pid);
		return 0;
	}
	pthread_mutex_lock(&fallback_lock);
	fatal_signal = 0;
	guard_signals(true);
	for (size_t i = 0; i < n_tids && !fatal_signal; i++) {
		struct rc_snap_tls_value *v;
		uint64_t fs = 0;
		int e = thread_fs_base(tids[i], &fs);

		if (e == EPERM && (tracer = tracer_of(r->ph->pid, tids[i])) > 0) {
			set_text(c->error, sizeof(c->error),
				 "%s, and process %d is already traced by pid %d (a debugger?)",
				 why, (int)r->ph->pid, tracer);
			break;
		}
		if (e == EPERM) {
			r->ph->denied = true;
			set_text(c->error, sizeof(c->error),
				 "%s, and ptrace of thread %d was refused (EPERM)", why, tids[i]);
			break;
		}
		v = add_value(r, tids[i]);
		if (!v)
			break;
		if (e == ESRCH && !task_exists(r->ph->pid, tids[i])) {
			set_text(v->error, sizeof(v->error), "thread exited during the read");
			continue;
		}
		if (e) {
			set_text(v->error, sizeof(v->error), "reading fs_base with ptrace: %s",
				 strerror(e));
			continue;
		}
		read_value(r, v, fs - off + sym->value);
		if (r->ph->gone)
			break;
	}
	guard_signals(false);
	if (fatal_signal) {
		r->interrupted = true;
		set_text(c->error, sizeof(c->error), "interrupted by signal %d", (int)fatal_signal);
	}
	pthread_mutex_unlock(&fallback_lock);
	free(tids);
	set_text(c->note, sizeof(c->note),
		 "%s; read the executable's static TLS at fs_base - %llu with ptrace, each thread "
		 "stopped only for PTRACE_GETREGS",
		 why, (unsigned long long)off);
	return 0;
#else
	set_text(c->error, sizeof(c->error),
		 "%s, and the static-TLS fallback exists for x86-64 only", why);
	return 0;
#endif
}

/* libthread_db and the fs_base formula know only the ABI reloadcheck runs as. */
static bool same_abi(const struct rc_elf *elf)
{
	struct rc_elf_ident id;

	rc_elf_ident(elf, &id);
#if defined(__x86_64__) && !defined(__ILP32__)
	return id.machine == EM_X86_64 && id.elfclass == 64;
#elif defined(__aarch64__)
	return id.machine == EM_AARCH64 && id.elfclass == 64;
#else
	return true;
#endif
}

/* ---- entry ------------------------------------------------------------ */

static int permission_error(int pid, const char *what, struct rc_err *err)
{
	char scope[16] = "absent";
	ssize_t n = -1;
	int fd = open("/proc/sys/kernel/yama/ptrace_scope", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, scope, sizeof(scope) - 1);
		close(fd);
		if (n > 0) {
			scope[n] = '\0';
			scope[strcspn(scope, "\n")] = '\0';
		} else {
			snprintf(scope, sizeof(scope), "unreadable");
		}
	}
	return rc_err_set(err, -RC_EACCES,
			  "permission denied %s process %d: run reloadcheck as the process's "
			  "user or with CAP_SYS_PTRACE (yama ptrace_scope: %s; 1 allows only "
			  "descendants, 2 only CAP_SYS_PTRACE, 3 nobody)",
			  what, pid, scope);
}

/* Is the process there and readable? Read a byte of its first mapped object. */
static int check_access(struct ps_prochandle *ph, const struct rc_snapshot *s, struct rc_err *err)
{
	unsigned char b;
	uint64_t addr = 0;

	for (size_t i = 0; i < s->n_objects; i++)
		if (!addr || s->objects[i].is_exe)
			addr = s->objects[i].start;
	if (!process_exists(ph->pid))
		return rc_err_set(err, -RC_ENOENT, "process %d does not exist", (int)ph->pid);
	if (addr && mem_read(ph, addr, &b, 1)) {
		if (ph->gone)
			return rc_err_set(err, -RC_ENOENT, "process %d exited", (int)ph->pid);
		if (ph->denied)
			return permission_error(ph->pid, "reading the memory of", err);
	}
	return 0;
}

int rci_tls_read(int pid, const struct rc_snapshot *s, struct rc_snap_canary *c, struct rc_err *err)
{
	struct ps_prochandle ph = {.pid = pid, .memfd = -1};
	struct reader r = {.ph = &ph, .s = s};
	const struct rc_elf_sym *sym = NULL;
	struct tls_obj *o = NULL;
	char why[200];
	int rc;

	c->size = 0;
	c->object[0] = '\0';
	c->method = RC_TLS_NONE;
	c->note[0] = '\0';
	c->not_applicable = false;
	c->error[0] = '\0';
	c->values = NULL;
	c->n_values = 0;

	ph.n_objs = s->n_objects;
	ph.objs = calloc(s->n_objects ? s->n_objects : 1, sizeof(*ph.objs));
	if (s->n_threads)
		r.names = malloc(s->n_threads * sizeof(*r.names));
	if (!ph.objs || (s->n_threads && !r.names)) {
		rc = rc_err_set(err, -RC_ENOMEM, "out of memory reading canary '%s'", c->symbol);
		goto out;
	}
	for (size_t i = 0; i < s->n_objects; i++)
		ph.objs[i].so = &s->objects[i];
	for (size_t i = 0; i < s->n_threads; i++)
		r.names[i] = (struct tid_index){.tid = s->threads[i].tid, .idx = i};
	if (s->n_threads)
		qsort(r.names, s->n_threads, sizeof(*r.names), cmp_tid_index);

	rc = check_access(&ph, s, err);
	if (rc)
		goto out;

	/* The executable first, then the libraries: the dynamic linker's order. */
	o = exe_obj(&ph);
	if (o)
		sym = obj_symbol(&ph, o, c->symbol, true);
	for (size_t i = 0; i < ph.n_objs && !sym; i++) {
		if (ph.objs[i].so->is_exe)
			continue;
		o = &ph.objs[i];
		sym = obj_symbol(&ph, o, c->symbol, true);
	}
	if (!sym) {
		if (!has_c_tls(&ph)) {
			c->not_applicable = true;
			set_text(c->note, sizeof(c->note),
				 "no C thread-local storage: the process does not use libc threads "
				 "(pure Go?)");
		} else {
			set_text(c->error, sizeof(c->error),
				 "no __thread variable '%s' in the executable or its loaded "
				 "libraries",
				 c->symbol);
		}
		goto out;
	}
	c->size = sym->size;
	snprintf(c->object, sizeof(c->object), "%s", o->so->path);
	if (sym->size != 1 && sym->size != 2 && sym->size != 4 && sym->size != 8) {
		set_text(c->error, sizeof(c->error),
			 "canary '%s' is %llu bytes; canaries must be 1, 2, 4 or 8 bytes",
			 c->symbol, (unsigned long long)sym->size);
		goto out;
	}
	r.size = sym->size;
	if (!same_abi(o->elf)) {
		struct rc_elf_ident id;

		rc_elf_ident(o->elf, &id);
		set_text(c->error, sizeof(c->error),
			 "'%s' is %u-bit %s code: only processes of reloadcheck's own architecture "
			 "can be read",
			 o->so->path, id.elfclass, rc_elf_machine_name(id.machine));
		goto out;
	}

	if (!read_thread_db(&r, o, sym, why, sizeof(why))) {
		c->method = RC_TLS_THREAD_DB;
	} else if (o->so->is_exe) {
		c->method = RC_TLS_STATIC;
		rc = read_static(&r, c, o, sym, why, err);
		if (rc)
			goto out;
	} else if (!ph.gone && !ph.denied) {
		set_text(c->error, sizeof(c->error),
			 "%s; '%s' is in '%s', and without libthread_db only the executable's own "
			 "TLS can be read",
			 why, c->symbol, o->so->path);
	}

	if (ph.gone || (!r.n && !process_exists(pid))) {
		rc = rc_err_set(err, -RC_ENOENT, "process %d exited during the probe", pid);
		goto out;
	}
	if (ph.denied && !r.n) {
		rc = permission_error(pid,
				      c->method == RC_TLS_STATIC ? "ptrace-stopping a thread of"
								 : "reading the memory of",
				      err);
		goto out;
	}
	if (!c->error[0] && !r.nomem)
		add_missing(&r, c->method);
	else
		sort_values(&r);
	if (r.nomem) {
		rc = rc_err_set(err, -RC_ENOMEM, "out of memory reading canary '%s'", c->symbol);
		goto out;
	}
	c->values = r.vals;
	c->n_values = r.n;
	r.vals = NULL;
	rc = 0;
out:
	if (rc) {
		c->method = RC_TLS_NONE;
		c->note[0] = '\0';
	}
	free(r.vals);
	free(r.names);
	for (size_t i = 0; i < ph.n_objs; i++)
		rc_elf_free(ph.objs[i].elf);
	free(ph.objs);
	if (ph.memfd >= 0)
		close(ph.memfd);
	return rc;
}
