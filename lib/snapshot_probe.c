/* SPDX-License-Identifier: MIT */
/*
 * Live process snapshots: what a running process has loaded, how it handles
 * signals, what it listens on, its threads and TLS canaries, read from procfs
 * without touching the process. The snapshot is also saved as JSON and read
 * back as a baseline: see snapshot_json.c.
 *
 * A process can exit at any moment of the probe. The first read decides
 * "does not exist"; any later ENOENT/ESRCH is checked against a fresh
 * /proc/PID/stat with the same start time, so that an exited (or reused) pid
 * reads as "exited during the probe" and a merely missing file as an I/O error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/mem.h>
#include <reloadcheck/proc.h>

#include "procfs.h"
#include "tls.h"

#define PF_KTHREAD 0x00200000UL
#define OVERLAYFS_MAGIC 0x794c7630
#define UNIX_ACCEPTCON 0x00010000U /* __SO_ACCEPTCON */
#define UNIX_LISTENING 1	   /* SS_UNCONNECTED, as a listening socket shows */
#define UNIX_DGRAM 2
#define TCP_LISTEN_STATE 0x0A
#define UDP_UNCONNECTED_STATE 0x07 /* TCP_CLOSE */

/* A socket descriptor of the target: /proc/PID/fd/FD -> socket:[INODE]. */
struct sock_fd {
	uint64_t inode;
	int fd;
};

/* Per-object probe data that the public struct does not keep. */
struct obj_probe {
	uint64_t end; /* of the lowest mapping, for map_files */
	unsigned dev_major, dev_minor;
	uint64_t inode;
};

struct probe {
	int pid;
	uint64_t start_time;
	struct rc_snapshot *s;
	struct rc_err *err;
	char *buf; /* one growing buffer for every procfs file */
	size_t cap, len;
	struct obj_probe *objx;
	size_t cap_objects, cap_objx, cap_threads, cap_listeners;
	struct sock_fd *socks;
	size_t n_socks;
	uint64_t exe_inode; /* of the running executable */
	/*
	 * Where the process-wide files are read: /proc/PID, or the directory of
	 * a live thread when the main thread has exited (pthread_exit in main
	 * leaves a zombie leader whose exe, maps and fd are empty).
	 */
	char proc[32]; /* /proc/PID */
	char base[48];
	int base_tid;
	char path[96]; /* the file read last, for messages */
};

static int read_ptrace_scope(void)
{
	FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
	int v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/*
 * procfs denies what ptrace would deny (PTRACE_MODE_READ): another user's
 * process, or one of ours that is not dumpable or holds capabilities we lack.
 */
static int access_error(struct probe *p)
{
	char path[32], owner[40] = "", yama[64] = "";
	struct stat st;
	bool ours = false;
	int scope = read_ptrace_scope();

	snprintf(path, sizeof(path), "/proc/%d", p->pid);
	if (stat(path, &st) == 0) {
		snprintf(owner, sizeof(owner), " (owned by uid %u)", (unsigned)st.st_uid);
		ours = st.st_uid == geteuid();
	}
	if (scope > 0)
		snprintf(yama, sizeof(yama), "; /proc/sys/kernel/yama/ptrace_scope is %d", scope);
	if (ours)
		return rc_err_set(p->err, -RC_EACCES,
				  "cannot read process %d%s: permission denied; it is not dumpable "
				  "or has capabilities we lack: run with CAP_SYS_PTRACE%s",
				  p->pid, owner, yama);
	return rc_err_set(p->err, -RC_EACCES,
			  "cannot read process %d%s: permission denied; run as the same user or as "
			  "root, or with CAP_SYS_PTRACE%s",
			  p->pid, owner, yama);
}

static bool is_dead(char state)
{
	return state == 'Z' || state == 'X';
}

/*
 * Thread @tid runs and is not on its way out. A thread group that is exiting
 * (exit_group, a fatal signal) first has SIGKILL pending in each thread left,
 * then each drops its memory (status loses its Vm* lines) before it is a
 * zombie; the leader can be a zombie already while the others finish.
 */
static bool thread_alive(int pid, int tid)
{
	char path[64], buf[4096];
	const char *v;
	size_t len;
	uint64_t pend;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", pid, tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	if (rci_status_field(buf, "State", &v, &len) < 0 || len == 0 || is_dead(v[0]) ||
	    rci_status_field(buf, "VmSize", &v, &len) < 0)
		return false;
	return rci_status_mask(buf, "SigPnd", &pend) == 0 &&
	       !(pend & (UINT64_C(1) << (SIGKILL - 1)));
}

/* Is the process we started probing still there (same start time, not a zombie)? */
static bool still_running(const struct probe *p)
{
	struct rci_stat st;

	if (rci_read_stat(p->pid, 0, &st, NULL) < 0 || st.start_time != p->start_time)
		return false;
	if (!is_dead(st.state))
		return true;
	return p->base_tid && thread_alive(p->pid, p->base_tid);
}

static bool parse_int(const char *s, int *out);

/* A thread other than the main one that has not exited, or 0. */
static int live_thread(int pid)
{
	char path[32];
	int tid = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return 0;
	while (!tid) {
		struct dirent *de = readdir(d);
		int t;

		if (!de)
			break;
		if (parse_int(de->d_name, &t) && t != pid && thread_alive(pid, t))
			tid = t;
	}
	closedir(d);
	return tid;
}

static int gone(struct probe *p)
{
	return rc_err_set(p->err, -RC_ENOENT, "process %d exited during the probe", p->pid);
}

static int oom(struct probe *p)
{
	return rc_err_set(p->err, -RC_ENOMEM, "out of memory while probing process %d", p->pid);
}

/* Turn errno @e from reading @what into the probe's error. */
static int sys_error(struct probe *p, int e, const char *what)
{
	if (e == EACCES || e == EPERM)
		return access_error(p);
	if (e == ENOMEM)
		return oom(p);
	if ((e == ENOENT || e == ESRCH) && !still_running(p))
		return gone(p);
	return rc_err_set(p->err, -RC_EIO, "cannot read '%s': %s", what, strerror(e));
}

/* Read @base/@rel into p->buf; 0 or a code of rci_read_file, with errno saying why. */
static int read_at(struct probe *p, const char *base, const char *rel)
{
	snprintf(p->path, sizeof(p->path), "%s/%s", base, rel);
	return rci_read_file(p->path, SIZE_MAX, &p->buf, &p->cap, &p->len);
}

/* A process-wide file: from p->base. */
static int read_proc(struct probe *p, const char *rel)
{
	return read_at(p, p->base, rel);
}

static int probe_stat(struct probe *p)
{
	struct rci_stat st;
	int rc = rci_read_stat(p->pid, 0, &st, p->err);

	if (rc == -RC_ENOENT) {
		/* hidepid= hides other users' processes; kill(pid, 0) still tells. */
		if (kill(p->pid, 0) < 0 && errno == EPERM)
			return access_error(p);
		return rc_err_set(p->err, -RC_ENOENT, "process %d does not exist", p->pid);
	}
	if (rc == -RC_EACCES)
		return access_error(p);
	if (rc < 0)
		return rc; /* -RC_EFORMAT or -RC_EIO, with its message */
	snprintf(p->proc, sizeof(p->proc), "/proc/%d", p->pid);
	snprintf(p->base, sizeof(p->base), "/proc/%d", p->pid);
	if (is_dead(st.state)) {
		p->base_tid = live_thread(p->pid);
		if (!p->base_tid)
			return rc_err_set(
				p->err, -RC_ENOENT,
				"process %d has exited (a zombie its parent has not reaped)",
				p->pid);
		snprintf(p->base, sizeof(p->base), "/proc/%d/task/%d", p->pid, p->base_tid);
	}
	if (st.flags & PF_KTHREAD)
		return rc_err_set(p->err, -RC_ENOTSUP,
				  "process %d is a kernel thread: it has no executable to reload",
				  p->pid);
	p->start_time = st.start_time;
	p->s->start_time = st.start_time;
	memcpy(p->s->comm, st.comm, sizeof(p->s->comm));
	return 0;
}

/* The Go build ID and the content hash of the running file (through /proc/PID/exe). */
static void read_exe_ids(const char *path, struct rc_snapshot *s)
{
	struct rc_elf *elf;
	struct rc_err e2 = {0};
	const char *id;
	size_t len;

	s->exe_go_build_id[0] = '\0';
	s->exe_content_hash[0] = '\0';
	if (rc_elf_open(path, &elf, &e2) < 0)
		return;
	if (rc_elf_go_build_id(elf, &id, &len) == 0 && len < sizeof(s->exe_go_build_id)) {
		memcpy(s->exe_go_build_id, id, len);
		s->exe_go_build_id[len] = '\0';
	}
	rc_elf_content_hash(elf, s->exe_content_hash, sizeof(s->exe_content_hash));
	rc_elf_free(elf);
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static int probe_exe(struct probe *p)
{
	static const char suffix[] = " (deleted)";
	const size_t slen = sizeof(suffix) - 1;
	struct rc_snapshot *s = p->s;
	char exe[64], link[PATH_MAX + sizeof(suffix)];
	struct stat run, now;
	ssize_t n;

	snprintf(exe, sizeof(exe), "%s/exe", p->base);
	n = readlink(exe, link, sizeof(link) - 1);
	if (n < 0)
		return sys_error(p, errno, exe);
	if ((size_t)n >= sizeof(link) - 1)
		return rc_err_set(p->err, -RC_EIO, "'%s': the target path is too long", exe);
	link[n] = '\0';
	if (stat(exe, &run) < 0)
		return sys_error(p, errno, exe);
	p->exe_inode = run.st_ino;
	s->exe_has_file = true;
	s->exe_dev = (uint64_t)run.st_dev;
	s->exe_inode = (uint64_t)run.st_ino;
	s->exe_size = (uint64_t)run.st_size;
	s->exe_mtime = (int64_t)run.st_mtim.tv_sec;
	/*
	 * The kernel appends " (deleted)" when the name the file was opened by is
	 * gone; the file itself is deleted only when no other hard link is left.
	 * A file that really is called "x (deleted)" keeps its name.
	 */
	if ((size_t)n > slen && strcmp(link + n - slen, suffix) == 0 &&
	    !(stat(link, &now) == 0 && same_file(&now, &run))) {
		link[n - slen] = '\0';
		s->exe_deleted = run.st_nlink == 0;
	}
	s->exe_path = strdup(link);
	if (!s->exe_path)
		return oom(p);
	s->exe_replaced = stat(link, &now) == 0 && !same_file(&now, &run);
	/* Through /proc/PID/exe: the running file, even if deleted or replaced. */
	rc_elf_build_id_of_path(exe, s->exe_build_id, sizeof(s->exe_build_id), NULL);
	read_exe_ids(exe, s);
	return 0;
}

static int probe_status(struct probe *p)
{
	int rc = read_proc(p, "status");

	if (rc < 0)
		return sys_error(p, errno, p->path);
	if (rci_status_mask(p->buf, "SigCgt", &p->s->sig_caught) < 0 ||
	    rci_status_mask(p->buf, "SigIgn", &p->s->sig_ignored) < 0 ||
	    rci_status_mask(p->buf, "ShdPnd", &p->s->sig_pending) < 0)
		return rc_err_set(p->err, -RC_EFORMAT,
				  "'%s/status': no SigCgt, SigIgn or ShdPnd line", p->base);
	return 0;
}

/*
 * Shared memory shows in maps as a path under '/' although no file on disk
 * backs it: memfd, SysV shm, shared anonymous and huge page mappings.
 */
static bool pseudo_file(const struct rci_maps_entry *e)
{
	static const char *const prefixes[] = {"/memfd:", "/SYSV", "/dev/zero", "/anon_hugepage",
					       "/[aio]"};

	if (!e->deleted)
		return false;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);

		if (e->path_len >= n && memcmp(e->path, prefixes[i], n) == 0)
			return true;
	}
	return false;
}

static int add_mapping(struct probe *p, const struct rci_maps_entry *e)
{
	struct rc_snapshot *s = p->s;
	struct rc_snap_object *o;
	struct obj_probe *x;

	/* Mappings of one file are adjacent as a rule: search from the end. */
	for (size_t i = s->n_objects; i-- > 0;) {
		o = &s->objects[i];
		x = &p->objx[i];
		if (x->inode == e->inode && x->dev_major == e->dev_major &&
		    x->dev_minor == e->dev_minor && o->deleted == e->deleted &&
		    strlen(o->path) == e->path_len && memcmp(o->path, e->path, e->path_len) == 0) {
			if (e->start < o->start) {
				o->start = e->start;
				x->end = e->end;
			}
			return 0;
		}
	}
	if (RC_GROW(s->objects, p->cap_objects, s->n_objects + 1) < 0 ||
	    RC_GROW(p->objx, p->cap_objx, s->n_objects + 1) < 0)
		return oom(p);
	o = &s->objects[s->n_objects];
	memset(o, 0, sizeof(*o));
	o->path = strndup(e->path, e->path_len);
	if (!o->path)
		return oom(p);
	o->start = e->start;
	o->deleted = e->deleted;
	p->objx[s->n_objects] = (struct obj_probe){
		.end = e->end,
		.dev_major = e->dev_major,
		.dev_minor = e->dev_minor,
		.inode = e->inode,
	};
	s->n_objects++;
	return 0;
}

static bool on_overlayfs(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && (unsigned long)sf.f_type == OVERLAYFS_MAGIC;
}

static void finish_object(struct probe *p, struct rc_snap_object *o, const struct obj_probe *x)
{
	struct stat st;
	char mf[96];
	bool has_mf;

	if (stat(o->path, &st) == 0) {
		bool same = major(st.st_dev) == x->dev_major && minor(st.st_dev) == x->dev_minor &&
			    st.st_ino == x->inode;

		/*
		 * maps may show an overlayfs file's real (upper or lower) device
		 * while stat() shows the overlay's; the inode number survives.
		 */
		if (!same && st.st_ino == x->inode && on_overlayfs(o->path))
			same = true;
		o->replaced = !same;
	}
	o->is_exe =
		p->s->exe_path && strcmp(o->path, p->s->exe_path) == 0 && x->inode == p->exe_inode;
	/*
	 * The mapped file itself through map_files (root, or CAP_CHECKPOINT_RESTORE):
	 * a name that is gone while another hard link is left is not a deletion.
	 */
	snprintf(mf, sizeof(mf), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, p->pid, o->start,
		 x->end);
	has_mf = stat(mf, &st) == 0;
	if (has_mf && o->deleted)
		o->deleted = st.st_nlink == 0;
	if (o->is_exe) {
		memcpy(o->build_id, p->s->exe_build_id, sizeof(o->build_id));
		return;
	}
	/*
	 * The build-id from the mapped file; else from the path, but only while
	 * it still names the mapped file. Only regular files are opened: opening
	 * a mapped device can have effects.
	 */
	if (has_mf) {
		if (S_ISREG(st.st_mode))
			rc_elf_build_id_of_path(mf, o->build_id, sizeof(o->build_id), NULL);
		return;
	}
	if (!o->deleted && !o->replaced && stat(o->path, &st) == 0 && S_ISREG(st.st_mode))
		rc_elf_build_id_of_path(o->path, o->build_id, sizeof(o->build_id), NULL);
}

static int probe_maps(struct probe *p)
{
	int rc = read_proc(p, "maps");
	const char *line = p->buf, *end;

	if (rc < 0)
		return sys_error(p, errno, p->path);
	end = p->buf + p->len;
	while (line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		struct rci_maps_entry e;

		if (!eol)
			eol = end;
		if (rci_parse_maps_line(line, (size_t)(eol - line), &e) < 0)
			return rc_err_set(p->err, -RC_EFORMAT, "'%s': cannot parse '%.*s'", p->path,
					  (int)(eol - line > 80 ? 80 : eol - line), line);
		if (e.path && e.path[0] == '/' && !pseudo_file(&e)) {
			rc = add_mapping(p, &e);
			if (rc < 0)
				return rc;
		}
		line = eol + 1;
	}
	/* A process that exited leaves an empty maps file behind, briefly. */
	if (p->s->n_objects == 0 && !still_running(p))
		return gone(p);
	for (size_t i = 0; i < p->s->n_objects; i++)
		finish_object(p, &p->s->objects[i], &p->objx[i]);
	return 0;
}

static bool parse_int(const char *s, int *out)
{
	uint64_t v;

	/* Canonical decimal only, as procfs names tasks and fds. */
	if (!*s || (s[0] == '0' && s[1]) || rc_parse_u64(s, &v) < 0 || v > INT_MAX)
		return false;
	*out = (int)v;
	return true;
}

/* Read one thread; 1 when it vanished (skip it), 0, or a negative code. */
static int probe_thread(struct probe *p, int tid, struct rc_snap_thread *t)
{
	char rel[48];
	const char *v = NULL;
	size_t len;
	int rc;

	memset(t, 0, sizeof(*t));
	t->tid = tid;
	snprintf(rel, sizeof(rel), "task/%d/comm", tid);
	rc = read_at(p, p->proc, rel);
	if (rc == -RC_ENOENT)
		return 1;
	if (rc < 0)
		return sys_error(p, errno, p->path);
	len = p->len;
	if (len && p->buf[len - 1] == '\n')
		len--;
	if (len > sizeof(t->name) - 1)
		len = sizeof(t->name) - 1;
	memcpy(t->name, p->buf, len);
	t->name[len] = '\0';

	snprintf(rel, sizeof(rel), "task/%d/status", tid);
	rc = read_at(p, p->proc, rel);
	if (rc == -RC_ENOENT)
		return 1;
	if (rc < 0)
		return sys_error(p, errno, p->path);
	if (rci_status_mask(p->buf, "SigBlk", &t->blocked) < 0 ||
	    rci_status_field(p->buf, "State", &v, &len) < 0 || len == 0)
		return rc_err_set(p->err, -RC_EFORMAT, "'%s': no SigBlk or State line", p->path);
	t->state = v[0];
	return 0;
}

static int cmp_thread(const void *a, const void *b, void *pidp)
{
	const struct rc_snap_thread *x = a, *y = b;
	int pid = *(const int *)pidp;

	/* The main thread first, then by tid. */
	if ((x->tid == pid) != (y->tid == pid))
		return x->tid == pid ? -1 : 1;
	return (x->tid > y->tid) - (x->tid < y->tid);
}

static int probe_threads(struct probe *p)
{
	struct rc_snapshot *s = p->s;
	char path[32];
	DIR *d;
	int rc = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", p->pid);
	d = opendir(path);
	if (!d)
		return sys_error(p, errno, path);
	for (;;) {
		struct dirent *de;
		int tid;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				rc = sys_error(p, errno, path);
			break;
		}
		if (!parse_int(de->d_name, &tid))
			continue;
		if (RC_GROW(s->threads, p->cap_threads, s->n_threads + 1) < 0) {
			rc = oom(p);
			break;
		}
		rc = probe_thread(p, tid, &s->threads[s->n_threads]);
		if (rc < 0)
			break;
		if (rc == 0)
			s->n_threads++;
		rc = 0;
	}
	closedir(d);
	if (rc < 0)
		return rc;
	if (s->n_threads == 0)
		return gone(p);
	qsort_r(s->threads, s->n_threads, sizeof(*s->threads), cmp_thread, &p->pid);
	return 0;
}

static int cmp_sock(const void *a, const void *b)
{
	const struct sock_fd *x = a, *y = b;

	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

static int probe_fds(struct probe *p)
{
	char path[64], link[64];
	size_t cap = 0;
	DIR *d;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/fd", p->base);
	d = opendir(path);
	if (!d)
		return sys_error(p, errno, path);
	for (;;) {
		struct dirent *de;
		ssize_t n;
		int fd;
		uint64_t ino;
		char *close_br;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				rc = sys_error(p, errno, path);
			break;
		}
		if (!parse_int(de->d_name, &fd))
			continue;
		n = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);
		if (n < 0) {
			if (errno == ENOENT)
				continue; /* closed meanwhile */
			rc = sys_error(p, errno, path);
			break;
		}
		link[n] = '\0';
		if (strncmp(link, "socket:[", 8) != 0)
			continue;
		close_br = strchr(link + 8, ']');
		if (!close_br)
			continue;
		*close_br = '\0';
		if (rc_parse_u64(link + 8, &ino) < 0)
			continue;
		if (RC_GROW(p->socks, cap, p->n_socks + 1) < 0) {
			rc = oom(p);
			break;
		}
		p->socks[p->n_socks++] = (struct sock_fd){.inode = ino, .fd = fd};
	}
	closedir(d);
	if (rc < 0 || p->n_socks == 0)
		return rc;
	/* Sorted by inode then fd: a lookup finds the lowest fd of a socket first. */
	qsort(p->socks, p->n_socks, sizeof(*p->socks), cmp_sock);
	return 0;
}

/* The lowest fd holding socket @inode, or -2 when the process holds none. */
static int sock_fd(const struct probe *p, uint64_t inode)
{
	size_t lo = 0, hi = p->n_socks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->socks[mid].inode < inode)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < p->n_socks && p->socks[lo].inode == inode)
		return p->socks[lo].fd;
	return -2;
}

static int add_listener(struct probe *p, enum rc_sock_proto proto, const char *addr, uint64_t inode,
			int fd)
{
	struct rc_snapshot *s = p->s;
	struct rc_snap_listener *l;

	/*
	 * The net tables are read in chunks while sockets come and go, and the
	 * kernel may then list a socket twice: one entry per inode.
	 */
	for (size_t i = 0; i < s->n_listeners; i++)
		if (s->listeners[i].inode == inode)
			return 0;
	if (RC_GROW(s->listeners, p->cap_listeners, s->n_listeners + 1) < 0)
		return oom(p);
	l = &s->listeners[s->n_listeners++];
	memset(l, 0, sizeof(*l));
	l->proto = proto;
	snprintf(l->address, sizeof(l->address), "%s", addr);
	l->inode = inode;
	l->fd = fd;
	return 0;
}

/* Read /proc/PID/net/@name; 1 when the table does not exist (no IPv6), 0, or an error. */
static int read_net(struct probe *p, const char *name)
{
	char rel[32];
	int rc, e;

	snprintf(rel, sizeof(rel), "net/%s", name);
	rc = read_proc(p, rel);
	e = errno; /* still_running() reads files too */
	if (rc == -RC_ENOENT && e == ENOENT && still_running(p))
		return 1;
	if (rc < 0)
		return sys_error(p, e, p->path);
	return 0;
}

/* A parsed line of an inet or a Unix socket table. */
union net_entry {
	struct rci_inet_entry inet;
	struct rci_unix_entry unix_;
};

/*
 * One data line of /proc/PID/net/@proto's table: 1 with its address and inode
 * when the socket listens (TCP LISTEN; a bound, unconnected UDP socket; a
 * Unix socket accepting connections, or a named datagram one), 0 when it does
 * not, -1 for a header or malformed line.
 */
static int parse_listener(enum rc_sock_proto proto, const char *line, size_t len, const char **addr,
			  uint64_t *inode, union net_entry *e)
{
	bool v6 = proto == RC_SOCK_TCP6 || proto == RC_SOCK_UDP6;

	if (proto == RC_SOCK_UNIX) {
		if (rci_parse_unix_line(line, len, &e->unix_) != 0)
			return -1;
		*addr = e->unix_.path;
		*inode = e->unix_.inode;
		return ((e->unix_.flags & UNIX_ACCEPTCON) && e->unix_.state == UNIX_LISTENING) ||
		       (e->unix_.type == UNIX_DGRAM && e->unix_.path[0]);
	}
	if (rci_parse_inet_line(line, len, v6, &e->inet) != 0)
		return -1;
	*addr = e->inet.local;
	*inode = e->inet.inode;
	if (proto == RC_SOCK_TCP || proto == RC_SOCK_TCP6)
		return e->inet.state == TCP_LISTEN_STATE;
	return e->inet.state == UDP_UNCONNECTED_STATE && e->inet.remote_unset &&
	       e->inet.local_port != 0;
}

/* The listeners of one net table that belong to the process (one of its fds). */
static int probe_table(struct probe *p, const char *name, enum rc_sock_proto proto)
{
	const char *line, *end;
	int rc = read_net(p, name);

	if (rc)
		return rc < 0 ? rc : 0;
	end = p->buf + p->len;
	line = memchr(p->buf, '\n', p->len); /* skip the header */
	while (line && ++line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		union net_entry e;
		const char *addr;
		uint64_t inode;
		int fd;

		if (!eol)
			eol = end;
		if (parse_listener(proto, line, (size_t)(eol - line), &addr, &inode, &e) == 1) {
			fd = sock_fd(p, inode);
			if (fd != -2) {
				rc = add_listener(p, proto, addr, inode, fd);
				if (rc < 0)
					return rc;
			}
		}
		line = eol;
	}
	return 0;
}

static int probe_listeners(struct probe *p)
{
	static const struct {
		const char *name;
		enum rc_sock_proto proto;
	} tables[] = {
		{"tcp", RC_SOCK_TCP},	{"tcp6", RC_SOCK_TCP6}, {"udp", RC_SOCK_UDP},
		{"udp6", RC_SOCK_UDP6}, {"unix", RC_SOCK_UNIX},
	};
	int rc = probe_fds(p);

	if (rc < 0 || p->n_socks == 0)
		return rc;
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		rc = probe_table(p, tables[i].name, tables[i].proto);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int probe_canaries(struct probe *p, const struct rc_canary_spec *specs, size_t n)
{
	struct rc_snapshot *s = p->s;

	if (n == 0)
		return 0;
	s->canaries = calloc(n, sizeof(*s->canaries));
	if (!s->canaries)
		return oom(p);
	for (size_t i = 0; i < n; i++) {
		struct rc_snap_canary *c = &s->canaries[i];
		int rc;

		if (!specs[i].symbol || !*specs[i].symbol)
			return rc_err_set(p->err, -RC_EINVAL, "canary %zu has no symbol name", i);
		c->symbol = strdup(specs[i].symbol);
		if (!c->symbol)
			return oom(p);
		c->has_expected = specs[i].has_expected;
		c->expected = specs[i].expected;
		s->n_canaries = i + 1;
		rc = rci_tls_read(p->pid, s, c, p->err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int rc_snapshot_take(int pid, const struct rc_canary_spec *canaries, size_t n_canaries,
		     struct rc_snapshot **out, struct rc_err *err)
{
	struct probe p = {.pid = pid, .err = err};
	int rc;

	if (pid <= 0)
		return rc_err_set(err, -RC_EINVAL, "invalid process id %d", pid);
	if (n_canaries && !canaries)
		return rc_err_set(err, -RC_EINVAL, "canaries: NULL list of %zu", n_canaries);
	p.s = calloc(1, sizeof(*p.s));
	if (!p.s)
		return rc_err_set(err, -RC_ENOMEM, "out of memory while probing process %d", pid);
	p.s->pid = pid;
	p.s->taken = (int64_t)time(NULL);

	rc = probe_stat(&p);
	if (rc == 0)
		rc = probe_exe(&p);
	if (rc == 0)
		rc = probe_status(&p);
	if (rc == 0)
		rc = probe_maps(&p);
	if (rc == 0)
		rc = probe_threads(&p);
	if (rc == 0)
		rc = probe_listeners(&p);
	if (rc == 0)
		rc = probe_canaries(&p, canaries, n_canaries);
	/* A pid reused halfway would give a snapshot of two processes. */
	if (rc == 0 && !still_running(&p))
		rc = gone(&p);

	free(p.buf);
	free(p.objx);
	free(p.socks);
	if (rc < 0) {
		rc_snapshot_free(p.s);
		return rc;
	}
	*out = p.s;
	return 0;
}

void rc_snapshot_free(struct rc_snapshot *s)
{
	if (!s)
		return;
	free(s->exe_path);
	for (size_t i = 0; i < s->n_objects; i++)
		free(s->objects[i].path);
	free(s->objects);
	free(s->threads);
	free(s->listeners);
	for (size_t i = 0; i < s->n_canaries; i++) {
		free(s->canaries[i].symbol);
		free(s->canaries[i].values);
	}
	free(s->canaries);
	free(s);
}
