/* SPDX-License-Identifier: MIT */
/*
 * Process snapshots against real processes the test forks: a server child
 * with a SIGHUP handler, SIGPIPE ignored, a second thread blocking SIGUSR1 and
 * listeners of every kind; copies of /bin/sleep that are deleted or replaced
 * on disk while they run; an unprivileged prober. Then the JSON round trip and
 * its error messages, and the procfs parsers on fixed lines.
 */
#include <arpa/inet.h>
#include <check.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/proc.h>

#include "../procfs.h"
#include "rctest.h"

#define SIGBIT(sig) (UINT64_C(1) << ((sig)-1))

/* Helpers */

static char *to_json(const struct rc_snapshot *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct rc_err err = {0};

	ck_assert_ptr_nonnull(f);
	ck_assert_msg(rc_snapshot_write_json(s, f, &err) == 0, "write_json: %s", err.msg);
	fclose(f);
	return buf;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void make_tempdir(char *dir, size_t size)
{
	snprintf(dir, size, "/tmp/rcsnap.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	ssize_t n;

	ck_assert_int_ge(in, 0);
	ck_assert_int_ge(out, 0);
	for (;;) {
		n = read(in, buf, sizeof(buf));
		ck_assert_int_ge(n, 0);
		if (n == 0)
			break;
		ck_assert_int_eq(write(out, buf, (size_t)n), n);
	}
	close(in);
	ck_assert_int_eq(close(out), 0);
}

/* The build-id of @path as hex, or "" when it has none. */
static void build_id_of(const char *path, char *out, size_t size)
{
	struct rc_elf *elf;
	struct rc_err err = {0};
	const unsigned char *id;
	size_t len;

	out[0] = '\0';
	ck_assert_msg(rc_elf_open(path, &elf, &err) == 0, "%s", err.msg);
	if (rc_elf_build_id(elf, &id, &len) == 0)
		rc_hex(id, len, out, size);
	rc_elf_free(elf);
}

/* Field 22 of /proc/PID/stat, parsed here independently of the library. */
static unsigned long long start_time_of(int pid)
{
	char path[64], buf[2048];
	unsigned long long v = 0;
	FILE *f;
	char *p;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	ck_assert_ptr_nonnull(p);
	p += 2;
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		ck_assert_ptr_nonnull(p);
		p++;
	}
	ck_assert_int_eq(sscanf(p, "%llu", &v), 1);
	return v;
}

/* The state letter of thread @tid of @pid (of the process when @tid is 0), or 0. */
static char task_state(int pid, int tid)
{
	char path[64], buf[2048];
	FILE *f;
	char *p;
	size_t n;

	if (tid)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

static char proc_state(int pid)
{
	return task_state(pid, 0);
}

static void kill_and_reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* A child that sleeps until killed; it dies with the test too. */
static pid_t spawn_sleeper(const char *name)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (name)
			prctl(PR_SET_NAME, name);
		for (;;)
			pause();
	}
	/* Wait until the name is set, so that the probe sees it. */
	for (int i = 0; name && i < 500; i++) {
		char path[64], comm[32] = "";
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		f = fopen(path, "r");
		if (f) {
			if (!fgets(comm, sizeof(comm), f))
				comm[0] = '\0';
			fclose(f);
		}
		comm[strcspn(comm, "\n")] = '\0';
		if (strcmp(comm, name) == 0)
			break;
		usleep(10000);
	}
	return pid;
}

/* Run @path with "60" in a child and wait until the exec has happened. */
static pid_t spawn_exec(const char *path)
{
	char link[PATH_MAX], proc[64];
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execl(path, path, "60", (char *)NULL);
		_exit(127);
	}
	snprintf(proc, sizeof(proc), "/proc/%d/exe", pid);
	for (int i = 0; i < 500; i++) {
		ssize_t n = readlink(proc, link, sizeof(link) - 1);

		if (n > 0) {
			link[n] = '\0';
			if (strcmp(link, path) == 0 && proc_state(pid) == 'S')
				return pid;
		}
		usleep(10000);
	}
	ck_abort_msg("'%s' did not start", path);
	return -1;
}

static const struct rc_snap_object *find_object(const struct rc_snapshot *s, const char *path)
{
	for (size_t i = 0; i < s->n_objects; i++)
		if (strcmp(s->objects[i].path, path) == 0)
			return &s->objects[i];
	return NULL;
}

static const struct rc_snap_object *find_exe_object(const struct rc_snapshot *s)
{
	const struct rc_snap_object *found = NULL;

	for (size_t i = 0; i < s->n_objects; i++) {
		if (s->objects[i].is_exe) {
			ck_assert_msg(!found, "two objects are the executable");
			found = &s->objects[i];
		}
	}
	return found;
}

/* The server child */

struct server_info {
	int failed_line; /* nonzero: the child could not set up */
	int failed_errno;
	int tcp6_errno; /* nonzero: no IPv6, tcp6 was skipped */
	int tcp_port, tcp6_port, udp_port;
	int tcp_fd, tcp6_fd, udp_fd, unix_fd, abs_fd, dgram_fd;
	unsigned long long tcp_ino, tcp6_ino, udp_ino, unix_ino, abs_ino, dgram_ino;
	int main_tid, blocker_tid;
};

struct server {
	pid_t pid;
	struct server_info info;
	char dir[64];
	char unix_path[108], dgram_path[108], abs_name[64];
};

static int ready_pipe[2];

static void on_hup(int sig)
{
	(void)sig;
}

static void *blocker(void *arg)
{
	sigset_t set;
	int tid = gettid();

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (write(ready_pipe[1], &tid, sizeof(tid)) != sizeof(tid))
		_exit(1);
	for (;;)
		pause();
	return NULL;
}

#define CHILD_CHECK(info, cond)                         \
	do {                                            \
		if (!(cond)) {                          \
			(info)->failed_line = __LINE__; \
			(info)->failed_errno = errno;   \
			return;                         \
		}                                       \
	} while (0)

static unsigned long long inode_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

static int port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static int unix_socket(int type, const char *name, bool abstract)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	socklen_t len;
	int fd = socket(AF_UNIX, type, 0);

	if (fd < 0)
		return -1;
	if (abstract) {
		memcpy(sa.sun_path + 1, name, strlen(name));
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
	} else {
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", name);
		len = sizeof(sa);
	}
	if (bind(fd, (struct sockaddr *)&sa, len) < 0)
		return -1;
	if (type != SOCK_DGRAM && listen(fd, 4) < 0)
		return -1;
	return fd;
}

static void server_setup(struct server *srv, struct server_info *in)
{
	struct sigaction sa = {.sa_handler = on_hup};
	struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	struct sockaddr_in peer = a4;
	sigset_t set;
	pthread_t th;
	int fd, client, udp2;

	CHILD_CHECK(in, sigaction(SIGHUP, &sa, NULL) == 0);
	CHILD_CHECK(in, signal(SIGPIPE, SIG_IGN) != SIG_ERR);
	/* Blocked in both threads and sent to the process: shared-pending. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	CHILD_CHECK(in, sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	CHILD_CHECK(in, kill(getpid(), SIGUSR2) == 0);

	fd = socket(AF_INET, SOCK_STREAM, 0);
	CHILD_CHECK(in, fd >= 0);
	CHILD_CHECK(in, bind(fd, (struct sockaddr *)&a4, sizeof(a4)) == 0 && listen(fd, 4) == 0);
	in->tcp_fd = fd;
	in->tcp_port = port_of(fd);
	in->tcp_ino = inode_of(fd);
	/* An established connection: not a listener. */
	client = socket(AF_INET, SOCK_STREAM, 0);
	peer.sin_port = htons((uint16_t)in->tcp_port);
	CHILD_CHECK(in,
		    client >= 0 && connect(client, (struct sockaddr *)&peer, sizeof(peer)) == 0);

	fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a6, sizeof(a6)) < 0 || listen(fd, 4) < 0) {
		in->tcp6_errno = errno ? errno : EAFNOSUPPORT;
		if (fd >= 0)
			close(fd);
		in->tcp6_fd = -1;
	} else {
		in->tcp6_fd = fd;
		in->tcp6_port = port_of(fd);
		in->tcp6_ino = inode_of(fd);
	}

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	CHILD_CHECK(in, fd >= 0 && bind(fd, (struct sockaddr *)&a4, sizeof(a4)) == 0);
	in->udp_fd = fd;
	in->udp_port = port_of(fd);
	in->udp_ino = inode_of(fd);
	/* A connected UDP socket has a peer: not a listener. */
	udp2 = socket(AF_INET, SOCK_DGRAM, 0);
	peer.sin_port = htons((uint16_t)in->udp_port);
	CHILD_CHECK(in, udp2 >= 0 && connect(udp2, (struct sockaddr *)&peer, sizeof(peer)) == 0);

	fd = unix_socket(SOCK_STREAM, srv->unix_path, false);
	CHILD_CHECK(in, fd >= 0);
	in->unix_fd = fd;
	in->unix_ino = inode_of(fd);
	fd = unix_socket(SOCK_STREAM, srv->abs_name, true);
	CHILD_CHECK(in, fd >= 0);
	in->abs_fd = fd;
	in->abs_ino = inode_of(fd);
	fd = unix_socket(SOCK_DGRAM, srv->dgram_path, false);
	CHILD_CHECK(in, fd >= 0);
	in->dgram_fd = fd;
	in->dgram_ino = inode_of(fd);

	in->main_tid = getpid();
	CHILD_CHECK(in, pthread_create(&th, NULL, blocker, NULL) == 0);
	pthread_setname_np(th, "rc-blocker");
	CHILD_CHECK(in, read(ready_pipe[0], &in->blocker_tid, sizeof(int)) == sizeof(int));
}

static void start_server(struct server *srv)
{
	int info_pipe[2];
	struct pollfd pfd;

	memset(srv, 0, sizeof(*srv));
	make_tempdir(srv->dir, sizeof(srv->dir));
	snprintf(srv->unix_path, sizeof(srv->unix_path), "%s/srv.sock", srv->dir);
	snprintf(srv->dgram_path, sizeof(srv->dgram_path), "%s/dgram.sock", srv->dir);
	snprintf(srv->abs_name, sizeof(srv->abs_name), "rc-snap-test-%d", (int)getpid());
	ck_assert_int_eq(pipe2(info_pipe, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(ready_pipe, O_CLOEXEC), 0);
	srv->pid = fork();
	ck_assert_int_ge(srv->pid, 0);
	if (srv->pid == 0) {
		struct server_info in = {0};

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_NAME, "rc-server");
		/* Only our own sockets: nothing inherited from the test runner. */
		for (int fd = 3; fd < 1024; fd++)
			if (fd != info_pipe[1] && fd != ready_pipe[0] && fd != ready_pipe[1])
				close(fd);
		server_setup(srv, &in);
		if (write(info_pipe[1], &in, sizeof(in)) != sizeof(in) || in.failed_line)
			_exit(1);
		for (;;)
			pause();
	}
	close(info_pipe[1]);
	pfd = (struct pollfd){.fd = info_pipe[0], .events = POLLIN};
	ck_assert_msg(poll(&pfd, 1, 20000) == 1, "the server child did not get ready");
	ck_assert_int_eq(read(info_pipe[0], &srv->info, sizeof(srv->info)), sizeof(srv->info));
	close(info_pipe[0]);
	close(ready_pipe[0]);
	close(ready_pipe[1]);
	ck_assert_msg(!srv->info.failed_line, "server child failed at line %d: %s",
		      srv->info.failed_line, strerror(srv->info.failed_errno));
	/* Both threads asleep in pause(). */
	for (int i = 0; i < 1000; i++) {
		if (task_state(srv->pid, srv->pid) == 'S' &&
		    task_state(srv->pid, srv->info.blocker_tid) == 'S')
			break;
		usleep(5000);
	}
}

static void stop_server(struct server *srv)
{
	kill_and_reap(srv->pid);
	unlink(srv->unix_path);
	unlink(srv->dgram_path);
	rmdir(srv->dir);
}

static const struct rc_snap_listener *
find_listener(const struct rc_snapshot *s, enum rc_sock_proto proto, unsigned long long inode)
{
	for (size_t i = 0; i < s->n_listeners; i++)
		if (s->listeners[i].proto == proto && s->listeners[i].inode == inode)
			return &s->listeners[i];
	return NULL;
}

static void assert_listener(const struct rc_snapshot *s, enum rc_sock_proto proto,
			    unsigned long long inode, const char *address, int fd)
{
	const struct rc_snap_listener *l = find_listener(s, proto, inode);

	ck_assert_msg(l != NULL, "no %s listener with inode %llu (address %s)",
		      rc_sock_proto_name(proto), inode, address);
	ck_assert_str_eq(l->address, address);
	ck_assert_int_eq(l->fd, fd);
}

/* Live process */

START_TEST(live_process)
{
	struct server srv;
	struct rc_snapshot *s = NULL;
	struct rc_err err = {0};
	char exe[PATH_MAX], want_id[129], addr[160];
	const struct rc_snap_object *libc = NULL, *exe_obj;
	size_t want_listeners;
	ssize_t n;
	time_t before = time(NULL), after;

	start_server(&srv);
	ck_assert_msg(rc_snapshot_take(srv.pid, NULL, 0, &s, &err) == 0, "%s", err.msg);
	after = time(NULL);

	ck_assert_int_eq(s->pid, srv.pid);
	ck_assert_str_eq(s->comm, "rc-server");
	ck_assert_int_ge(s->taken, (int64_t)before);
	ck_assert_int_le(s->taken, (int64_t)after);
	ck_assert_uint_eq(s->start_time, start_time_of(srv.pid));

	/* The child is a fork of this test: same executable. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ck_assert_int_gt(n, 0);
	exe[n] = '\0';
	ck_assert_str_eq(s->exe_path, exe);
	ck_assert(!s->exe_deleted);
	ck_assert(!s->exe_replaced);
	build_id_of(exe, want_id, sizeof(want_id));
	ck_assert_str_eq(s->exe_build_id, want_id);
	if (!want_id[0])
		printf("note: the test binary has no build-id; checked that none is reported\n");
	/* The identity of the running file: its bytes' hash and its stat. */
	{
		struct rc_elf *elf = NULL;
		char hash[33];
		struct stat st;

		ck_assert_msg(rc_elf_open(exe, &elf, &err) == 0, "%s", err.msg);
		rc_elf_content_hash(elf, hash, sizeof(hash));
		rc_elf_free(elf);
		ck_assert_uint_eq(strlen(hash), 32);
		ck_assert_str_eq(s->exe_content_hash, hash);
		ck_assert_int_eq(stat(exe, &st), 0);
		ck_assert(s->exe_has_file);
		ck_assert_uint_eq(s->exe_dev, (uint64_t)st.st_dev);
		ck_assert_uint_eq(s->exe_inode, (uint64_t)st.st_ino);
		ck_assert_uint_eq(s->exe_size, (uint64_t)st.st_size);
		ck_assert_int_eq(s->exe_mtime, (int64_t)st.st_mtim.tv_sec);
	}

	/* Threads: the main one first, then the blocker. */
	ck_assert_uint_eq(s->n_threads, 2);
	ck_assert_int_eq(s->threads[0].tid, srv.pid);
	ck_assert_str_eq(s->threads[0].name, "rc-server");
	ck_assert_int_eq(s->threads[0].state, 'S');
	ck_assert(s->threads[0].blocked & SIGBIT(SIGUSR2));
	ck_assert(!(s->threads[0].blocked & SIGBIT(SIGUSR1)));
	ck_assert_int_eq(s->threads[1].tid, srv.info.blocker_tid);
	ck_assert_str_eq(s->threads[1].name, "rc-blocker");
	ck_assert(s->threads[1].blocked & SIGBIT(SIGUSR1));
	ck_assert(s->threads[1].blocked & SIGBIT(SIGUSR2));

	/* Signals */
	ck_assert(s->sig_caught & SIGBIT(SIGHUP));
	ck_assert(!(s->sig_caught & SIGBIT(SIGPIPE)));
	ck_assert(s->sig_ignored & SIGBIT(SIGPIPE));
	ck_assert(!(s->sig_ignored & SIGBIT(SIGHUP)));
	ck_assert(s->sig_pending & SIGBIT(SIGUSR2));

	/* Objects: the executable, libc with its build-id read from the mapping. */
	exe_obj = find_exe_object(s);
	ck_assert_ptr_nonnull(exe_obj);
	ck_assert_ptr_eq(find_object(s, exe), exe_obj);
	ck_assert_str_eq(exe_obj->build_id, want_id);
	ck_assert(!exe_obj->deleted && !exe_obj->replaced);
	for (size_t i = 0; i < s->n_objects; i++) {
		const char *base = strrchr(s->objects[i].path, '/');

		ck_assert_msg(s->objects[i].path[0] == '/', "object '%s'", s->objects[i].path);
		for (size_t j = 0; j < i; j++)
			ck_assert_msg(strcmp(s->objects[j].path, s->objects[i].path) != 0,
				      "object '%s' listed twice", s->objects[i].path);
		if (base && strcmp(base, "/libc.so.6") == 0)
			libc = &s->objects[i];
	}
	ck_assert_msg(libc != NULL, "libc.so.6 is not among %zu objects", s->n_objects);
	build_id_of(libc->path, want_id, sizeof(want_id));
	ck_assert_str_eq(libc->build_id, want_id);
	ck_assert(!libc->is_exe && !libc->deleted && !libc->replaced);
	ck_assert_uint_ne(libc->start, 0);

	/* Listeners: each one, with its port, inode and fd, and nothing else. */
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", srv.info.tcp_port);
	assert_listener(s, RC_SOCK_TCP, srv.info.tcp_ino, addr, srv.info.tcp_fd);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", srv.info.udp_port);
	assert_listener(s, RC_SOCK_UDP, srv.info.udp_ino, addr, srv.info.udp_fd);
	assert_listener(s, RC_SOCK_UNIX, srv.info.unix_ino, srv.unix_path, srv.info.unix_fd);
	assert_listener(s, RC_SOCK_UNIX, srv.info.dgram_ino, srv.dgram_path, srv.info.dgram_fd);
	snprintf(addr, sizeof(addr), "@%s", srv.abs_name);
	assert_listener(s, RC_SOCK_UNIX, srv.info.abs_ino, addr, srv.info.abs_fd);
	/* The tcp6 one, where there is an IPv6 loopback: live_process_tcp6. */
	want_listeners = srv.info.tcp6_errno ? 5 : 6;
	ck_assert_uint_eq(s->n_listeners, want_listeners);
	ck_assert_uint_eq(s->n_canaries, 0);
	rc_snapshot_free(s);

	/* Killed but not reaped: a zombie has exited. */
	kill(srv.pid, SIGKILL);
	for (int i = 0; i < 500 && proc_state(srv.pid) != 'Z'; i++)
		usleep(10000);
	ck_assert_int_eq(proc_state(srv.pid), 'Z');
	s = NULL;
	ck_assert_msg(rc_snapshot_take(srv.pid, NULL, 0, &s, &err) == -RC_ENOENT, "%s", err.msg);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(err.msg, "has exited") != NULL, "%s", err.msg);

	/* Reaped: gone. */
	stop_server(&srv);
	ck_assert_int_eq(rc_snapshot_take(srv.pid, NULL, 0, &s, &err), -RC_ENOENT);
	snprintf(addr, sizeof(addr), "process %d does not exist", srv.pid);
	ck_assert_str_eq(err.msg, addr);
	ck_assert_ptr_null(s);
}
END_TEST

/* The tcp6 listener on [::1]; runs only where there is an IPv6 loopback. */
START_TEST(live_process_tcp6)
{
	struct server srv;
	struct rc_snapshot *s = NULL;
	struct rc_err err = {0};
	char addr[160];

	start_server(&srv);
	ck_assert_msg(!srv.info.tcp6_errno, "the server has no tcp6 listener: %s",
		      strerror(srv.info.tcp6_errno));
	ck_assert_msg(rc_snapshot_take(srv.pid, NULL, 0, &s, &err) == 0, "%s", err.msg);
	snprintf(addr, sizeof(addr), "[::1]:%d", srv.info.tcp6_port);
	assert_listener(s, RC_SOCK_TCP6, srv.info.tcp6_ino, addr, srv.info.tcp6_fd);
	rc_snapshot_free(s);
	stop_server(&srv);
}
END_TEST

START_TEST(comm_with_parens_and_spaces)
{
	const char *name = "a) b (c) d";
	pid_t pid = spawn_sleeper(name);
	struct rc_snapshot *s = NULL;
	struct rc_err err = {0};

	ck_assert_msg(rc_snapshot_take(pid, NULL, 0, &s, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(s->comm, name);
	ck_assert_str_eq(s->threads[0].name, name);
	ck_assert_uint_eq(s->start_time, start_time_of(pid));
	ck_assert_uint_eq(s->n_threads, 1);
	ck_assert_uint_eq(s->n_listeners, 0);
	rc_snapshot_free(s);
	kill_and_reap(pid);
}
END_TEST

static void *sleep_forever(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/*
 * pthread_exit() in main leaves a zombie leader whose /proc/PID/exe, maps
 * and fd are empty while the process runs on: read them through a live thread.
 */
START_TEST(main_thread_exited)
{
	struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct rc_snapshot *s = NULL;
	struct rc_err err = {0};
	char exe[PATH_MAX], addr[64];
	int fds[2], port = 0;
	ssize_t n;
	pid_t pid;

	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		pthread_t th;
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fd < 0 || bind(fd, (struct sockaddr *)&a4, sizeof(a4)) < 0 || listen(fd, 1) < 0)
			_exit(1);
		port = port_of(fd);
		if (pthread_create(&th, NULL, sleep_forever, NULL) != 0 ||
		    write(fds[1], &port, sizeof(port)) != sizeof(port))
			_exit(1);
		pthread_exit(NULL);
	}
	close(fds[1]);
	ck_assert_int_eq(read(fds[0], &port, sizeof(port)), sizeof(port));
	close(fds[0]);
	for (int i = 0; i < 500 && proc_state(pid) != 'Z'; i++)
		usleep(10000);
	ck_assert_int_eq(proc_state(pid), 'Z');

	ck_assert_msg(rc_snapshot_take(pid, NULL, 0, &s, &err) == 0, "%s", err.msg);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ck_assert_int_gt(n, 0);
	exe[n] = '\0';
	ck_assert_str_eq(s->exe_path, exe);
	ck_assert_ptr_nonnull(find_exe_object(s));
	ck_assert_uint_eq(s->n_threads, 2);
	ck_assert_int_eq(s->threads[0].tid, pid);
	ck_assert_int_eq(s->threads[0].state, 'Z');
	ck_assert_int_ne(s->threads[1].state, 'Z');
	ck_assert_uint_eq(s->n_listeners, 1);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	ck_assert_str_eq(s->listeners[0].address, addr);
	rc_snapshot_free(s);
	kill_and_reap(pid);
}
END_TEST

START_TEST(canaries_are_recorded)
{
	pid_t pid = spawn_sleeper("rc-canary");
	struct rc_canary_spec spec[] = {
		{.symbol = "rc_no_such_canary_variable", .has_expected = true, .expected = 7},
		{.symbol = "rc_no_such_other_one"},
	};
	struct rc_snapshot *s = NULL;
	struct rc_err err = {0};

	ck_assert_msg(rc_snapshot_take(pid, spec, 2, &s, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(s->n_canaries, 2);
	ck_assert_str_eq(s->canaries[0].symbol, "rc_no_such_canary_variable");
	ck_assert(s->canaries[0].symbol != spec[0].symbol);
	ck_assert(s->canaries[0].has_expected);
	ck_assert_uint_eq(s->canaries[0].expected, 7);
	ck_assert_str_eq(s->canaries[1].symbol, "rc_no_such_other_one");
	ck_assert(!s->canaries[1].has_expected);
	/* A symbol that is nowhere: recorded as unreadable, not a failed probe. */
	for (int i = 0; i < 2; i++)
		ck_assert_msg(s->canaries[i].error[0] || s->canaries[i].not_applicable,
			      "canary %d: neither an error nor not applicable", i);
	rc_snapshot_free(s);
	kill_and_reap(pid);
}
END_TEST

/* Missing processes */

static int unused_pid(void)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
	int max = 32768;
	char path[64];

	if (f) {
		if (fscanf(f, "%d", &max) != 1)
			max = 32768;
		fclose(f);
	}
	for (int pid = max - 1; pid > 1; pid--) {
		snprintf(path, sizeof(path), "/proc/%d", pid);
		if (kill(pid, 0) < 0 && errno == ESRCH && access(path, F_OK) < 0)
			return pid;
	}
	ck_abort_msg("no free pid");
	return -1;
}

/* rc_snapshot_take(@pid) fails with @code and message @msg, and returns no snapshot. */
static void assert_take_fails(int pid, int code, const char *msg)
{
	struct rc_snapshot *s = NULL;
	struct rc_err err = {0};

	ck_assert_int_eq(rc_snapshot_take(pid, NULL, 0, &s, &err), code);
	ck_assert_int_eq(err.code, code);
	ck_assert_str_eq(err.msg, msg);
	ck_assert_ptr_null(s);
}

START_TEST(nonexistent_pid)
{
	char want[64];
	int pid = unused_pid();

	snprintf(want, sizeof(want), "process %d does not exist", pid);
	assert_take_fails(pid, -RC_ENOENT, want);
}
END_TEST

START_TEST(invalid_pid)
{
	struct rc_snapshot *s = NULL;
	struct rc_err err = {0};

	ck_assert_int_eq(rc_snapshot_take(0, NULL, 0, &s, &err), -RC_EINVAL);
	ck_assert_ptr_null(s);
	assert_take_fails(-4, -RC_EINVAL, "invalid process id -4");
}
END_TEST

START_TEST(kernel_thread)
{
	assert_take_fails(2, -RC_ENOTSUP,
			  "process 2 is a kernel thread: it has no executable to reload");
}
END_TEST

/* The executable on disk */

START_TEST(deleted_executable)
{
	char dir[64], path[128], want[129];
	struct rc_snapshot *s = NULL;
	struct rc_err err = {0};
	const struct rc_snap_object *o;
	pid_t pid;

	make_tempdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/sleep-copy", dir);
	copy_file("/bin/sleep", path);
	build_id_of(path, want, sizeof(want));
	pid = spawn_exec(path);
	ck_assert_int_eq(unlink(path), 0);

	ck_assert_msg(rc_snapshot_take(pid, NULL, 0, &s, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(s->comm, "sleep-copy");
	ck_assert_str_eq(s->exe_path, path); /* " (deleted)" removed */
	ck_assert(s->exe_deleted);
	ck_assert(!s->exe_replaced); /* nothing at the path now */
	ck_assert_str_eq(s->exe_build_id, want);
	o = find_exe_object(s);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->path, path);
	ck_assert(o->deleted);
	ck_assert(!o->replaced);
	ck_assert_str_eq(o->build_id, want);
	rc_snapshot_free(s);
	kill_and_reap(pid);
	rmdir(dir);
}
END_TEST

/*
 * A deploy renames the new build over the running one: the old inode loses
 * its name (deleted) and the path names another file (replaced). With a
 * second hard link kept (_i == 1), the old file is replaced but not deleted.
 */
START_TEST(replaced_executable)
{
	char dir[64], path[128], tmp[128], keep[128], sleep_id[129], true_id[129];
	struct rc_snapshot *s = NULL;
	struct rc_err err = {0};
	const struct rc_snap_object *o;
	bool keep_link = _i == 1;
	pid_t pid;

	make_tempdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/app", dir);
	snprintf(tmp, sizeof(tmp), "%s/app.new", dir);
	snprintf(keep, sizeof(keep), "%s/app.keep", dir);
	copy_file("/bin/sleep", path);
	build_id_of("/bin/sleep", sleep_id, sizeof(sleep_id));
	build_id_of("/bin/true", true_id, sizeof(true_id));
	pid = spawn_exec(path);
	if (keep_link)
		ck_assert_int_eq(link(path, keep), 0);
	copy_file("/bin/true", tmp);
	ck_assert_int_eq(rename(tmp, path), 0);

	ck_assert_msg(rc_snapshot_take(pid, NULL, 0, &s, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(s->exe_path, path);
	ck_assert(s->exe_replaced);
	ck_assert(s->exe_deleted == !keep_link);
	/* The running file's build-id, not the one now on disk. */
	ck_assert_str_eq(s->exe_build_id, sleep_id);
	if (sleep_id[0] && true_id[0])
		ck_assert_str_ne(s->exe_build_id, true_id);
	o = find_exe_object(s);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->path, path);
	ck_assert(o->replaced);
	ck_assert(o->deleted == !keep_link);
	ck_assert_str_eq(o->build_id, sleep_id);
	rc_snapshot_free(s);
	kill_and_reap(pid);
	unlink(path);
	unlink(keep);
	rmdir(dir);
}
END_TEST

/* Permission */

START_TEST(permission_denied)
{
	struct {
		int rc;
		char msg[RC_ERR_MSG_MAX];
	} res = {0};
	int fds[2];
	pid_t victim, prober;
	int status;
	char owner[64];

	victim = spawn_sleeper("rc-victim");
	ck_assert_int_eq(pipe(fds), 0);
	prober = fork();
	ck_assert_int_ge(prober, 0);
	if (prober == 0) {
		struct rc_snapshot *s = NULL;
		struct rc_err err = {0};

		close(fds[0]);
		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0) {
			res.rc = 1;
			snprintf(res.msg, sizeof(res.msg), "cannot drop to nobody: %s",
				 strerror(errno));
		} else {
			res.rc = rc_snapshot_take(victim, NULL, 0, &s, &err);
			snprintf(res.msg, sizeof(res.msg), "%s", err.msg);
			rc_snapshot_free(s);
		}
		_exit(write(fds[1], &res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	close(fds[1]);
	ck_assert_int_eq(read(fds[0], &res, sizeof(res)), sizeof(res));
	close(fds[0]);
	ck_assert_int_eq(waitpid(prober, &status, 0), prober);
	kill_and_reap(victim);
	ck_assert_msg(res.rc != 1, "%s", res.msg);
	ck_assert_int_eq(res.rc, -RC_EACCES);
	ck_assert_msg(strstr(res.msg, "permission") != NULL, "%s", res.msg);
	ck_assert_msg(strstr(res.msg, "CAP_SYS_PTRACE") != NULL, "%s", res.msg);
	snprintf(owner, sizeof(owner), "process %d (owned by uid 0)", victim);
	ck_assert_msg(strstr(res.msg, owner) != NULL, "%s", res.msg);
}
END_TEST

/* JSON */

static const char *const synth_paths[] = {
	"/opt/app/bin/server",
	"/usr/lib/x86_64-linux-gnu/libc.so.6",
	"/tmp/odd \"name\" \\ caf\xc3\xa9.so",
};

/* A snapshot with every field set, allocated as rc_snapshot_take does. */
static struct rc_snapshot *synthetic(void)
{
	struct rc_snapshot *s = calloc(1, sizeof(*s));
	struct rc_snap_canary *c;

	ck_assert_ptr_nonnull(s);
	s->pid = 4242;
	s->taken = 1714564800; /* 2024-05-01T12:00:00Z */
	s->start_time = (UINT64_C(1) << 53) - 1;
	snprintf(s->comm, sizeof(s->comm), "server");
	s->exe_path = strdup(synth_paths[0]);
	s->exe_deleted = true;
	s->exe_replaced = true;
	snprintf(s->exe_build_id, sizeof(s->exe_build_id), "0123456789abcdef");
	memset(s->exe_content_hash, 'e', 32);
	s->exe_has_file = true;
	s->exe_dev = 0x10303;
	s->exe_inode = UINT64_MAX; /* beyond 2^53: written as hex */
	s->exe_size = 1 << 20;
	s->exe_mtime = -1;
	s->sig_caught = SIGBIT(SIGHUP) | SIGBIT(SIGTERM) | SIGBIT(35) | SIGBIT(64);
	s->sig_ignored = SIGBIT(SIGPIPE) | SIGBIT(32);
	s->sig_pending = UINT64_MAX;

	s->n_objects = 3;
	s->objects = calloc(3, sizeof(*s->objects));
	for (int i = 0; i < 3; i++) {
		s->objects[i].path = strdup(synth_paths[i]);
		s->objects[i].start = UINT64_C(0x7f0000000000) + (uint64_t)i * 0x100000;
	}
	s->objects[0].is_exe = true;
	s->objects[0].deleted = true;
	s->objects[0].replaced = true;
	snprintf(s->objects[0].build_id, sizeof(s->objects[0].build_id), "0123456789abcdef");
	snprintf(s->objects[1].build_id, sizeof(s->objects[1].build_id), "ffee");
	s->objects[2].start = UINT64_MAX;

	s->n_threads = 2;
	s->threads = calloc(2, sizeof(*s->threads));
	s->threads[0] = (struct rc_snap_thread){.tid = 4242, .name = "server", .state = 'S'};
	s->threads[1] = (struct rc_snap_thread){
		.tid = 4243, .name = "worker-16-chars", .blocked = SIGBIT(SIGUSR1), .state = 'R'};

	s->n_listeners = 4;
	s->listeners = calloc(4, sizeof(*s->listeners));
	s->listeners[0] = (struct rc_snap_listener){RC_SOCK_TCP, "0.0.0.0:8080", 11, 3};
	s->listeners[1] = (struct rc_snap_listener){RC_SOCK_TCP6, "[::]:443", 12, 4};
	s->listeners[2] = (struct rc_snap_listener){RC_SOCK_UNIX, "@abstract name", 13, -1};
	s->listeners[3] =
		(struct rc_snap_listener){RC_SOCK_UDP6, "[::1]:53", (UINT64_C(1) << 53) - 1, 7};

	s->n_canaries = 2;
	s->canaries = calloc(2, sizeof(*s->canaries));
	c = &s->canaries[0];
	c->symbol = strdup("rc_canary");
	c->has_expected = true;
	c->expected = UINT64_MAX;
	c->size = 8;
	snprintf(c->object, sizeof(c->object), "%s", synth_paths[0]);
	c->method = RC_TLS_STATIC;
	snprintf(c->note, sizeof(c->note), "libthread_db: no \"nptl_version\"");
	c->n_values = 2;
	c->values = calloc(2, sizeof(*c->values));
	c->values[0] = (struct rc_snap_tls_value){
		.tid = 4242, .name = "server", .ok = true, .value = UINT64_MAX};
	c->values[1] = (struct rc_snap_tls_value){
		.tid = 4243, .name = "worker-16-chars", .error = "thread exited"};
	c = &s->canaries[1];
	c->symbol = strdup("go_canary");
	c->method = RC_TLS_NONE;
	c->not_applicable = true;
	snprintf(c->error, sizeof(c->error), "a pure Go process has no libc TLS");
	return s;
}

/* Write @s, read it back, write again: the two texts must be the same. */
static struct rc_snapshot *round_trip(const struct rc_snapshot *s, char **text)
{
	char dir[64], path[128];
	char *a = to_json(s), *b;
	struct rc_snapshot *back = NULL;
	struct rc_err err = {0};

	make_tempdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/snap.json", dir);
	write_text(path, a);
	ck_assert_msg(rc_snapshot_read_json(path, &back, &err) == 0, "%s", err.msg);
	b = to_json(back);
	ck_assert_str_eq(a, b);
	free(b);
	unlink(path);
	rmdir(dir);
	*text = a;
	return back;
}

static bool json_array_has(const cJSON *arr, const char *s)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr)
	{
		if (cJSON_IsString(it) && strcmp(it->valuestring, s) == 0)
			return true;
	}
	return false;
}

START_TEST(json_round_trip_synthetic)
{
	struct rc_snapshot *s = synthetic(), *back;
	char *text;
	cJSON *root, *sig, *th;

	back = round_trip(s, &text);
	/* Field by field, not only text against text. */
	ck_assert_int_eq(back->pid, 4242);
	ck_assert_int_eq(back->taken, 1714564800);
	ck_assert_uint_eq(back->start_time, (UINT64_C(1) << 53) - 1);
	ck_assert_str_eq(back->exe_path, synth_paths[0]);
	ck_assert(back->exe_deleted && back->exe_replaced);
	ck_assert_uint_eq(back->sig_pending, UINT64_MAX);
	ck_assert_uint_eq(back->sig_caught, s->sig_caught);
	ck_assert_uint_eq(back->n_objects, 3);
	ck_assert_str_eq(back->objects[2].path, synth_paths[2]);
	ck_assert_uint_eq(back->objects[2].start, UINT64_MAX);
	ck_assert_str_eq(back->objects[2].build_id, "");
	ck_assert_str_eq(back->objects[1].build_id, "ffee");
	ck_assert(back->objects[0].is_exe && !back->objects[1].is_exe);
	ck_assert_uint_eq(back->n_threads, 2);
	ck_assert_str_eq(back->threads[1].name, "worker-16-chars");
	ck_assert_int_eq(back->threads[1].state, 'R');
	ck_assert_uint_eq(back->threads[1].blocked, SIGBIT(SIGUSR1));
	ck_assert_uint_eq(back->n_listeners, 4);
	ck_assert_int_eq(back->listeners[2].proto, RC_SOCK_UNIX);
	ck_assert_str_eq(back->listeners[2].address, "@abstract name");
	ck_assert_int_eq(back->listeners[2].fd, -1);
	ck_assert_uint_eq(back->listeners[3].inode, (UINT64_C(1) << 53) - 1);
	ck_assert_uint_eq(back->n_canaries, 2);
	ck_assert_str_eq(back->canaries[0].symbol, "rc_canary");
	ck_assert(back->canaries[0].has_expected);
	ck_assert_uint_eq(back->canaries[0].expected, UINT64_MAX);
	ck_assert_int_eq(back->canaries[0].method, RC_TLS_STATIC);
	ck_assert_uint_eq(back->canaries[0].n_values, 2);
	ck_assert_uint_eq(back->canaries[0].values[0].value, UINT64_MAX);
	ck_assert(back->canaries[0].values[0].ok && !back->canaries[0].values[1].ok);
	ck_assert_str_eq(back->canaries[0].values[1].error, "thread exited");
	ck_assert(!back->canaries[1].has_expected);
	ck_assert(back->canaries[1].not_applicable);
	ck_assert_uint_eq(back->canaries[1].n_values, 0);

	/* The text itself: names, hex strings, nulls. */
	root = cJSON_Parse(text);
	ck_assert_ptr_nonnull(root);
	ck_assert_str_eq(cJSON_GetObjectItem(root, "schema")->valuestring, RC_SNAPSHOT_SCHEMA);
	ck_assert_str_eq(cJSON_GetObjectItem(root, "taken")->valuestring, "2024-05-01T12:00:00Z");
	sig = cJSON_GetObjectItem(root, "signals");
	ck_assert_str_eq(cJSON_GetObjectItem(sig, "pending")->valuestring, "0xffffffffffffffff");
	ck_assert_str_eq(cJSON_GetObjectItem(sig, "ignored")->valuestring, "0x0000000080001000");
	ck_assert(json_array_has(cJSON_GetObjectItem(sig, "caught_names"), "SIGHUP"));
	ck_assert(json_array_has(cJSON_GetObjectItem(sig, "caught_names"), "SIGRTMIN+1"));
	ck_assert(json_array_has(cJSON_GetObjectItem(sig, "caught_names"), "SIGRTMIN+30"));
	ck_assert(json_array_has(cJSON_GetObjectItem(sig, "ignored_names"), "SIG32"));
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(sig, "caught_names")), 4);
	th = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "threads"), 1);
	ck_assert(json_array_has(cJSON_GetObjectItem(th, "blocked_names"), "SIGUSR1"));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(
		cJSON_GetArrayItem(cJSON_GetObjectItem(root, "objects"), 2), "build_id")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(
		cJSON_GetArrayItem(cJSON_GetObjectItem(root, "canaries"), 1), "expected")));
	ck_assert_str_eq(
		cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "canaries"), 0),
				    "expected")
			->valuestring,
		"0xffffffffffffffff");
	ck_assert_str_eq(
		cJSON_GetObjectItem(cJSON_GetObjectItem(root, "tool"), "name")->valuestring,
		"reloadcheck");
	cJSON_Delete(root);
	free(text);
	rc_snapshot_free(back);
	rc_snapshot_free(s);
}
END_TEST

START_TEST(json_round_trip_live)
{
	struct server srv;
	struct rc_snapshot *s = NULL, *back;
	struct rc_err err = {0};
	char *text;

	start_server(&srv);
	ck_assert_msg(rc_snapshot_take(srv.pid, NULL, 0, &s, &err) == 0, "%s", err.msg);
	back = round_trip(s, &text);
	ck_assert_uint_eq(back->n_objects, s->n_objects);
	ck_assert_uint_eq(back->n_listeners, s->n_listeners);
	ck_assert_uint_eq(back->sig_caught, s->sig_caught);
	ck_assert_str_eq(back->exe_build_id, s->exe_build_id);
	ck_assert_str_eq(back->exe_content_hash, s->exe_content_hash);
	ck_assert(back->exe_has_file);
	ck_assert_uint_eq(back->exe_inode, s->exe_inode);
	ck_assert_uint_eq(back->exe_dev, s->exe_dev);
	ck_assert_uint_eq(back->exe_size, s->exe_size);
	ck_assert_int_eq(back->exe_mtime, s->exe_mtime);
	free(text);
	rc_snapshot_free(back);
	rc_snapshot_free(s);
	stop_server(&srv);
}
END_TEST

/* A snapshot of an older version has no exe.content_hash nor exe.file: it still reads. */
START_TEST(json_without_identity_reads)
{
	struct rc_snapshot *s = synthetic(), *back = NULL;
	char *text = to_json(s), *edited, dir[64], path[128];
	cJSON *root = cJSON_Parse(text), *exe;
	struct rc_err err = {0};

	ck_assert_ptr_nonnull(root);
	exe = cJSON_GetObjectItemCaseSensitive(root, "exe");
	ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(exe, "content_hash"));
	cJSON_DeleteItemFromObjectCaseSensitive(exe, "content_hash");
	cJSON_DeleteItemFromObjectCaseSensitive(exe, "file");
	edited = cJSON_Print(root);
	make_tempdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/old.json", dir);
	write_text(path, edited);
	ck_assert_msg(rc_snapshot_read_json(path, &back, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(back->exe_content_hash, "");
	ck_assert(!back->exe_has_file);
	ck_assert_str_eq(back->exe_build_id, s->exe_build_id);
	rc_snapshot_free(back);
	/* A malformed hash is an error naming the key. */
	cJSON_AddStringToObject(exe, "content_hash", "XYZ");
	free(edited);
	edited = cJSON_Print(root);
	write_text(path, edited);
	ck_assert_int_eq(rc_snapshot_read_json(path, &back, &err), -RC_EFORMAT);
	ck_assert_msg(strstr(err.msg, "exe.content_hash"), "%s", err.msg);
	unlink(path);
	rmdir(dir);
	free(edited);
	free(text);
	cJSON_Delete(root);
	rc_snapshot_free(s);
}
END_TEST

static cJSON *item_at(cJSON *root, const char *a, int i)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(root, a), i);
}

static void set(cJSON *o, const char *key, cJSON *v)
{
	ck_assert(cJSON_ReplaceItemInObject(o, key, v));
}

static void m_tid_string(cJSON *r)
{
	set(item_at(r, "threads", 1), "tid", cJSON_CreateString("x"));
}
static void m_no_comm(cJSON *r)
{
	cJSON_DeleteItemFromObject(r, "comm");
}
static void m_mask_decimal(cJSON *r)
{
	set(cJSON_GetObjectItem(r, "signals"), "caught", cJSON_CreateString("12"));
}
static void m_mask_number(cJSON *r)
{
	set(cJSON_GetObjectItem(r, "signals"), "ignored", cJSON_CreateNumber(4096));
}
static void m_proto(cJSON *r)
{
	set(item_at(r, "listeners", 0), "proto", cJSON_CreateString("sctp"));
}
static void m_schema(cJSON *r)
{
	set(r, "schema", cJSON_CreateString("reloadcheck/snapshot/v2"));
}
static void m_long_name(cJSON *r)
{
	set(item_at(r, "threads", 0), "name", cJSON_CreateString("seventeen-chars!!"));
}
static void m_value_ok(cJSON *r)
{
	cJSON *v = cJSON_GetArrayItem(cJSON_GetObjectItem(item_at(r, "canaries", 0), "values"), 1);

	set(v, "ok", cJSON_CreateNumber(1));
}
static void m_objects_object(cJSON *r)
{
	set(r, "objects", cJSON_CreateObject());
}
static void m_taken(cJSON *r)
{
	set(r, "taken", cJSON_CreateString("yesterday"));
}
static void m_pid_fraction(cJSON *r)
{
	set(r, "pid", cJSON_CreateNumber(1.5));
}
static void m_pid_zero(cJSON *r)
{
	set(r, "pid", cJSON_CreateNumber(0));
}
static void m_build_id(cJSON *r)
{
	set(cJSON_GetObjectItem(r, "exe"), "build_id", cJSON_CreateString("XYZ"));
}
static void m_thread_not_object(cJSON *r)
{
	cJSON_ReplaceItemInArray(cJSON_GetObjectItem(r, "threads"), 0, cJSON_CreateNumber(3));
}
static void m_inode_huge(cJSON *r)
{
	set(item_at(r, "listeners", 1), "inode", cJSON_CreateNumber(1e300));
}
static void m_expected_overflow(cJSON *r)
{
	set(item_at(r, "canaries", 0), "expected", cJSON_CreateString("0x1ffffffffffffffff"));
}
static void m_no_exe(cJSON *r)
{
	cJSON_DeleteItemFromObject(r, "exe");
}
static void m_exe_path_null(cJSON *r)
{
	set(cJSON_GetObjectItem(r, "exe"), "path", cJSON_CreateNull());
}
static void m_method(cJSON *r)
{
	set(item_at(r, "canaries", 1), "method", cJSON_CreateString("ptrace"));
}
static void m_state_empty(cJSON *r)
{
	set(item_at(r, "threads", 0), "state", cJSON_CreateString(""));
}
static void m_no_values(cJSON *r)
{
	cJSON_DeleteItemFromObject(item_at(r, "canaries", 1), "values");
}

static const struct {
	void (*mutate)(cJSON *);
	const char *want;
} bad_docs[] = {
	{m_tid_string, "key 'threads[1].tid' must be an integer"},
	{m_no_comm, "key 'comm' is missing"},
	{m_mask_decimal, "key 'signals.caught' must be a 64-bit hex string like \"0x1f\""},
	{m_mask_number, "key 'signals.ignored' must be a string"},
	{m_proto, "key 'listeners[0].proto' must be one of tcp, tcp6, udp, udp6, unix"},
	{m_schema, "schema is 'reloadcheck/snapshot/v2', not 'reloadcheck/snapshot/v1'"},
	{m_long_name, "key 'threads[0].name' must be at most 16 bytes long"},
	{m_value_ok, "key 'canaries[0].values[1].ok' must be true or false"},
	{m_objects_object, "key 'objects' must be an array"},
	{m_taken, "key 'taken' must be an RFC 3339 UTC time"},
	{m_pid_fraction, "key 'pid' must be an integer"},
	{m_pid_zero, "key 'pid' must be an integer from 1 to"},
	{m_build_id, "key 'exe.build_id' must be lowercase hex bytes or null"},
	{m_thread_not_object, "key 'threads[0]' must be an object"},
	{m_inode_huge, "key 'listeners[1].inode' must be an integer"},
	{m_expected_overflow, "key 'canaries[0].expected' must be a 64-bit hex string"},
	{m_no_exe, "key 'exe' is missing"},
	{m_exe_path_null, "key 'exe.path' must be a string"},
	{m_method, "key 'canaries[1].method' must be one of none, thread_db, static"},
	{m_state_empty, "key 'threads[0].state' must be one letter"},
	{m_no_values, "key 'canaries[1].values' is missing"},
};

START_TEST(json_bad_document)
{
	struct rc_snapshot *s = synthetic(), *back = NULL;
	struct rc_err err = {0};
	char dir[64], path[128], *text = to_json(s), *bad;
	cJSON *root = cJSON_Parse(text);

	ck_assert_ptr_nonnull(root);
	bad_docs[_i].mutate(root);
	bad = cJSON_Print(root);
	make_tempdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/snap.json", dir);
	write_text(path, bad);
	ck_assert_int_eq(rc_snapshot_read_json(path, &back, &err), -RC_EFORMAT);
	ck_assert_ptr_null(back);
	ck_assert_msg(strncmp(err.msg, "'", 1) == 0 && strstr(err.msg, path) == err.msg + 1,
		      "file not named first: %s", err.msg);
	ck_assert_msg(strstr(err.msg, bad_docs[_i].want) != NULL, "want \"%s\" in \"%s\"",
		      bad_docs[_i].want, err.msg);
	unlink(path);
	rmdir(dir);
	cJSON_free(bad);
	cJSON_Delete(root);
	free(text);
	rc_snapshot_free(s);
}
END_TEST

static const struct {
	const char *text; /* NULL: no file at all */
	int code;
	const char *want;
} bad_files[] = {
	{"{\"schema\": \"reloadcheck/snapshot/v1\",\n  \"pid\": ", -RC_EFORMAT,
	 "not valid JSON at line 2"},
	{"", -RC_EFORMAT, "empty file, not a snapshot"},
	{"[1, 2]", -RC_EFORMAT, "not a snapshot: the top level is not an object"},
	{"{} trailing", -RC_EFORMAT, "data after the end of the JSON value at line 1, column 4"},
	{"{}", -RC_EFORMAT, "key 'schema' is missing"},
	{"\"just a string\"", -RC_EFORMAT, "the top level is not an object"},
	{NULL, -RC_EIO, "cannot read: No such file or directory"},
};

START_TEST(json_bad_file)
{
	struct rc_snapshot *back = NULL;
	struct rc_err err = {0};
	char dir[64], path[128], want[256];

	make_tempdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/in.json", dir);
	if (bad_files[_i].text)
		write_text(path, bad_files[_i].text);
	ck_assert_int_eq(rc_snapshot_read_json(path, &back, &err), bad_files[_i].code);
	ck_assert_ptr_null(back);
	snprintf(want, sizeof(want), "'%s': ", path);
	ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "file not named: %s", err.msg);
	ck_assert_msg(strstr(err.msg, bad_files[_i].want) != NULL, "want \"%s\" in \"%s\"",
		      bad_files[_i].want, err.msg);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(json_write_error)
{
	struct rc_snapshot *s = synthetic();
	struct rc_err err = {0};
	FILE *f = fopen("/dev/full", "w");

	ck_assert_msg(f != NULL, "/dev/full: %s", strerror(errno));
	ck_assert_int_eq(rc_snapshot_write_json(s, f, &err), -RC_EIO);
	ck_assert_msg(strstr(err.msg, "cannot write the snapshot") != NULL, "%s", err.msg);
	fclose(f);
	rc_snapshot_free(s);
}
END_TEST

/* Names and numbers */

static const struct {
	int signo;
	const char *name;
} signal_table[] = {
	{1, "SIGHUP"},	     {2, "SIGINT"},    {9, "SIGKILL"},	   {10, "SIGUSR1"},
	{12, "SIGUSR2"},     {13, "SIGPIPE"},  {15, "SIGTERM"},	   {17, "SIGCHLD"},
	{19, "SIGSTOP"},     {27, "SIGPROF"},  {31, "SIGSYS"},	   {32, "SIG32"},
	{33, "SIG33"},	     {34, "SIGRTMIN"}, {35, "SIGRTMIN+1"}, {50, "SIGRTMIN+16"},
	{64, "SIGRTMIN+30"}, {0, "SIG?"},      {65, "SIG?"},	   {-1, "SIG?"},
};

START_TEST(signal_names)
{
	char buf[16];

	memset(buf, 'x', sizeof(buf));
	ck_assert_str_eq(rc_signal_name(signal_table[_i].signo, buf, sizeof(buf)),
			 signal_table[_i].name);
}
END_TEST

START_TEST(signal_names_small_buffer)
{
	char buf[9];

	/* Named ones need no buffer; numbered ones are cut to fit it. */
	ck_assert_str_eq(rc_signal_name(SIGHUP, NULL, 0), "SIGHUP");
	ck_assert_str_eq(rc_signal_name(40, NULL, 0), "SIG?");
	ck_assert_str_eq(rc_signal_name(40, buf, sizeof(buf)), "SIGRTMIN");
}
END_TEST

START_TEST(proto_and_method_names)
{
	static const struct {
		enum rc_sock_proto proto;
		const char *name;
	} protos[] = {{RC_SOCK_TCP, "tcp"},   {RC_SOCK_TCP6, "tcp6"},
		      {RC_SOCK_UDP, "udp"},   {RC_SOCK_UDP6, "udp6"},
		      {RC_SOCK_UNIX, "unix"}, {(enum rc_sock_proto)99, "?"}};
	static const struct {
		enum rc_tls_method method;
		const char *name;
	} methods[] = {{RC_TLS_NONE, "none"},
		       {RC_TLS_THREAD_DB, "thread_db"},
		       {RC_TLS_STATIC, "static"},
		       {(enum rc_tls_method)7, "?"}};

	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		ck_assert_str_eq(rc_sock_proto_name(protos[i].proto), protos[i].name);
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		ck_assert_str_eq(rc_tls_method_name(methods[i].method), methods[i].name);
}
END_TEST

static const struct {
	const char *s;
	int rc;
	uint64_t v;
} u64_table[] = {
	{"0", 0, 0},
	{"42", 0, 42},
	{"007", 0, 7},
	{"0x0", 0, 0},
	{"0xdeadBEEF", 0, 0xdeadbeef},
	{"0XFF", 0, 255},
	{"18446744073709551615", 0, UINT64_MAX},
	{"0xffffffffffffffff", 0, UINT64_MAX},
	{"0x00000000000000000001", 0, 1},
	{"", -RC_EINVAL, 0},
	{"-1", -RC_EINVAL, 0},
	{"+1", -RC_EINVAL, 0},
	{" 1", -RC_EINVAL, 0},
	{"1 ", -RC_EINVAL, 0},
	{"0x", -RC_EINVAL, 0},
	{"12a", -RC_EINVAL, 0},
	{"0xg", -RC_EINVAL, 0},
	{"0x-1", -RC_EINVAL, 0},
	{"18446744073709551616", -RC_EINVAL, 0},
	{"99999999999999999999999", -RC_EINVAL, 0},
	{"0x10000000000000000", -RC_EINVAL, 0},
	{"1.5", -RC_EINVAL, 0},
};

START_TEST(parse_u64)
{
	uint64_t v = 12345;

	ck_assert_msg(rc_parse_u64(u64_table[_i].s, &v) == u64_table[_i].rc, "'%s'",
		      u64_table[_i].s);
	if (u64_table[_i].rc == 0)
		ck_assert_uint_eq(v, u64_table[_i].v);
	else
		ck_assert_uint_eq(v, 12345); /* untouched on failure */
}
END_TEST

START_TEST(parse_u64_null)
{
	uint64_t v = 1;

	ck_assert_int_eq(rc_parse_u64(NULL, &v), -RC_EINVAL);
	ck_assert_uint_eq(v, 1);
}
END_TEST

/* procfs parsers on fixed input */

START_TEST(parse_stat_line)
{
	const char *line = "4242 (a) b (c) S 1 4242 4242 0 -1 4194560 95 0 0 0 0 0 0 0 20 0 1 0 "
			   "987654321 2273280 140 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 "
			   "17 3 0 0 0 0 0\n";
	const char *times = "9 (t) R 77 9 9 0 -1 0 0 0 0 0 1234 56 0 0 20 0 1 0 42 0 0\n";
	struct rci_stat st;

	ck_assert_int_eq(rci_parse_stat(line, strlen(line), &st), 0);
	ck_assert_str_eq(st.comm, "a) b (c");
	ck_assert_int_eq(st.state, 'S');
	ck_assert_uint_eq(st.flags, 4194560);
	ck_assert_uint_eq(st.start_time, 987654321);
	ck_assert_int_eq(st.ppid, 1);
	ck_assert_int_eq(rci_parse_stat(times, strlen(times), &st), 0);
	ck_assert_int_eq(st.ppid, 77);
	ck_assert_uint_eq(st.utime, 1234);
	ck_assert_uint_eq(st.stime, 56);
	ck_assert_uint_eq(st.start_time, 42);
	ck_assert_int_eq(rci_parse_stat("4242 (x S 1", 11, &st), -1);
	ck_assert_int_eq(rci_parse_stat("4242 (x) S 1 2 3", 16, &st), -1);
	ck_assert_int_eq(rci_parse_stat("", 0, &st), -1);
}
END_TEST

START_TEST(read_stat_of_self_and_missing)
{
	struct rci_stat st;
	struct rc_err err = {0};

	ck_assert_int_eq(rci_read_stat(getpid(), 0, &st, &err), 0);
	ck_assert_int_eq(st.ppid, getppid());
	ck_assert(st.state == 'R' || st.state == 'S');
	ck_assert_int_eq(rci_read_stat(getpid(), getpid(), &st, &err), 0);
	ck_assert_int_eq(st.ppid, getppid());
	/* pid_max is at most 2^22: this pid cannot exist. */
	ck_assert_int_eq(rci_read_stat(INT_MAX, 0, &st, &err), -RC_ENOENT);
	ck_assert_int_eq(err.code, -RC_ENOENT);
	ck_assert_ptr_nonnull(strstr(err.msg, "/proc/2147483647/stat"));
}
END_TEST

START_TEST(parse_status_masks)
{
	const char *text = "Name:\tx\nState:\tS (sleeping)\nShdPnd:\t0000000000000800\n"
			   "SigBlk:\t0000000000000200\nSigIgn:\t0000000000001000\n"
			   "SigCgt:\tffffffffffffffff\nBad:\t12zz\n";
	const char *v;
	size_t len;
	uint64_t m;

	ck_assert_int_eq(rci_status_mask(text, "SigCgt", &m), 0);
	ck_assert_uint_eq(m, UINT64_MAX);
	ck_assert_int_eq(rci_status_mask(text, "SigIgn", &m), 0);
	ck_assert_uint_eq(m, SIGBIT(SIGPIPE));
	ck_assert_int_eq(rci_status_mask(text, "ShdPnd", &m), 0);
	ck_assert_uint_eq(m, SIGBIT(SIGUSR2));
	ck_assert_int_eq(rci_status_mask(text, "SigPnd", &m), -1);
	ck_assert_int_eq(rci_status_mask(text, "Bad", &m), -1);
	ck_assert_int_eq(rci_status_mask(text, "Sig", &m), -1);
	ck_assert_int_eq(rci_status_field(text, "State", &v, &len), 0);
	ck_assert_int_eq(v[0], 'S');
	ck_assert_uint_eq(len, strlen("S (sleeping)"));
}
END_TEST

START_TEST(parse_maps_lines)
{
	const char *l1 = "7f12a000-7f12b000 r-xp 00001000 fd:01 1234       "
			 "/usr/lib/my lib.so (deleted)";
	const char *l2 = "7ffd1000-7ffd2000 rw-p 00000000 00:00 0 ";
	const char *l3 = "55d4c2a00000-55d4c2a21000 rw-p 00000000 00:00 0                  [heap]";
	const char *l4 = "00400000-00401000 r--p 00000000 103:02 99 /x";
	struct rci_maps_entry e;

	ck_assert_int_eq(rci_parse_maps_line(l1, strlen(l1), &e), 0);
	ck_assert_uint_eq(e.start, 0x7f12a000);
	ck_assert_uint_eq(e.end, 0x7f12b000);
	ck_assert_uint_eq(e.dev_major, 0xfd);
	ck_assert_uint_eq(e.dev_minor, 1);
	ck_assert_uint_eq(e.inode, 1234);
	ck_assert(e.deleted);
	ck_assert_uint_eq(e.path_len, strlen("/usr/lib/my lib.so"));
	ck_assert(memcmp(e.path, "/usr/lib/my lib.so", e.path_len) == 0);
	ck_assert_int_eq(rci_parse_maps_line(l2, strlen(l2), &e), 0);
	ck_assert_ptr_null(e.path);
	ck_assert_int_eq(rci_parse_maps_line(l3, strlen(l3), &e), 0);
	ck_assert_uint_eq(e.path_len, 6);
	ck_assert(memcmp(e.path, "[heap]", 6) == 0);
	ck_assert(!e.deleted);
	ck_assert_int_eq(rci_parse_maps_line(l4, strlen(l4), &e), 0);
	ck_assert_uint_eq(e.dev_major, 0x103);
	ck_assert_uint_eq(e.dev_minor, 2);
	ck_assert_int_eq(rci_parse_maps_line("zz-1 r 0 0:0 1", 14, &e), -1);
	ck_assert_int_eq(rci_parse_maps_line("1-2 r 0 00 1", 12, &e), -1);
}
END_TEST

/* An auxv image of @n (type, value) pairs in the native layout. */
static size_t make_auxv(unsigned char *buf, const unsigned long (*pairs)[2], size_t n)
{
	memcpy(buf, pairs, n * sizeof(pairs[0]));
	return n * sizeof(pairs[0]);
}

START_TEST(parse_auxv_images)
{
	const unsigned long good[][2] = {{AT_PHDR, 0x1040},	  {AT_ENTRY, 0x1100},
					 {AT_BASE, 0x7f00},	  {AT_SYSINFO_EHDR, 0x7ffd0000},
					 {AT_RANDOM, 0x7ffc1234}, {AT_NULL, 0}};
	const unsigned long no_random[][2] = {{AT_ENTRY, 0x1100}, {AT_NULL, 0}};
	unsigned char buf[256];
	struct rci_exec_id id = {.at_random = 99}, other;
	size_t len = make_auxv(buf, good, 6);

	ck_assert_int_eq(rci_parse_auxv(buf, len, &id), 0);
	ck_assert_uint_eq(id.at_random, 0x7ffc1234);
	ck_assert_uint_eq(id.at_sysinfo_ehdr, 0x7ffd0000);
	ck_assert_uint_eq(id.at_entry, 0x1100);
	ck_assert_uint_eq(id.at_phdr, 0x1040);
	ck_assert_uint_eq(id.at_base, 0x7f00);
	other = id;
	ck_assert(!rci_exec_id_differs(&id, &other));
	other.at_random++;
	ck_assert(rci_exec_id_differs(&id, &other));
	other = id;
	other.at_sysinfo_ehdr = 0;
	ck_assert(rci_exec_id_differs(&id, &other));
	/* Truncated before AT_NULL, cut mid-pair, empty, without AT_RANDOM: refused, out untouched. */
	other = id;
	ck_assert_int_eq(rci_parse_auxv(buf, len - 2 * sizeof(unsigned long), &other), -1);
	ck_assert_int_eq(rci_parse_auxv(buf, len - 3, &other), -1);
	ck_assert_int_eq(rci_parse_auxv(buf, 0, &other), -1);
	len = make_auxv(buf, no_random, 2);
	ck_assert_int_eq(rci_parse_auxv(buf, len, &other), -1);
	ck_assert(!rci_exec_id_differs(&id, &other));
}
END_TEST

/* Wait until @pid runs another executable than this test (it exec'd). */
static bool wait_exec(pid_t pid)
{
	char self[PATH_MAX] = "", child[PATH_MAX] = "", path[64];

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if (readlink("/proc/self/exe", self, sizeof(self) - 1) < 0)
		return false;
	for (int i = 0; i < 200; i++) {
		memset(child, 0, sizeof(child));
		if (readlink(path, child, sizeof(child) - 1) > 0 && strcmp(self, child) != 0)
			return true;
		usleep(10000);
	}
	return false;
}

/* A forked child keeps its parent's auxv identity; one that exec'd has its own. */
START_TEST(exec_id_fork_and_exec)
{
	struct rci_exec_id self, forked, execd;
	struct rc_err err = {0};
	pid_t f, e;
	int st;

	ck_assert_int_eq(rci_read_exec_id(getpid(), &self, &err), 0);
	ck_assert_uint_ne(self.at_random, 0);
	f = fork();
	ck_assert_int_ge(f, 0);
	if (f == 0) {
		pause();
		_exit(0);
	}
	e = fork();
	ck_assert_int_ge(e, 0);
	if (e == 0) {
		execl("/bin/sleep", "sleep", "30", (char *)NULL);
		_exit(127);
	}
	ck_assert_int_eq(rci_read_exec_id(f, &forked, &err), 0);
	ck_assert(!rci_exec_id_differs(&self, &forked));
	ck_assert(wait_exec(e));
	ck_assert_int_eq(rci_read_exec_id(e, &execd, &err), 0);
	ck_assert(rci_exec_id_differs(&self, &execd));
	kill(f, SIGKILL);
	kill(e, SIGKILL);
	waitpid(f, &st, 0);
	waitpid(e, &st, 0);
	/* Gone: an error that says so, the output untouched. */
	execd.at_random = 7;
	ck_assert_int_eq(rci_read_exec_id(e, &execd, &err), -RC_ENOENT);
	ck_assert_uint_eq(execd.at_random, 7);
}
END_TEST

START_TEST(parse_inet_lines)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const char *v4 = "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 "
			 "00000000  1000        0 12345 1 0000000000000000 100 0 0 10 0";
	const char *v4c = "   1: 0100007F:9C40 0100007F:1F90 01 00000000:00000000 00:00000000 "
			  "00000000     0        0 777 1 0000000000000000 20 4 30 10 -1";
	const char *v6 = "   0: 00000000000000000000000001000000:01BB "
			 "00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 "
			 "00000000     0        0 4242 1 0000000000000000 100 0 0 10 0";
	const char *v6m = "   0: 0000000000000000FFFF00000100007F:0035 "
			  "00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 "
			  "00000000     0        0 99 2 0000000000000000 0";
	const char *hdr = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
			  "retrnsmt   uid  timeout inode";
	struct rci_inet_entry e;

	ck_assert_int_eq(rci_parse_inet_line(v4, strlen(v4), false, &e), 0);
	ck_assert_str_eq(e.local, "127.0.0.1:8080");
	ck_assert_uint_eq(e.local_port, 8080);
	ck_assert_uint_eq(e.state, 0x0A);
	ck_assert_uint_eq(e.inode, 12345);
	ck_assert(e.remote_unset);
	ck_assert_int_eq(rci_parse_inet_line(v4c, strlen(v4c), false, &e), 0);
	ck_assert(!e.remote_unset);
	ck_assert_uint_eq(e.state, 1);
	ck_assert_int_eq(rci_parse_inet_line(v6, strlen(v6), true, &e), 0);
	ck_assert_str_eq(e.local, "[::1]:443");
	ck_assert_uint_eq(e.inode, 4242);
	ck_assert_int_eq(rci_parse_inet_line(v6m, strlen(v6m), true, &e), 0);
	ck_assert_str_eq(e.local, "[::ffff:127.0.0.1]:53");
	ck_assert(e.remote_unset);
	ck_assert_int_eq(rci_parse_inet_line(hdr, strlen(hdr), false, &e), -1);
	ck_assert_int_eq(rci_parse_inet_line(v6, strlen(v6), false, &e), -1);
	ck_assert_int_eq(rci_parse_inet_line(v4, 20, false, &e), -1);
#else
	ck_abort_msg("run on a big-endian machine (see need_little_endian)");
#endif
}
END_TEST

START_TEST(parse_unix_lines)
{
	const char *l1 = "0000000000000000: 00000002 00000000 00010000 0001 01 23456 @abc def";
	const char *l2 = "0000000000000000: 00000002 00000000 00000000 0002 01 777";
	const char *l3 = "0000000000000000: 00000003 00000000 00000000 0001 03 31337 /run/x.sock";
	const char *hdr = "Num       RefCount Protocol Flags    Type St Inode Path";
	struct rci_unix_entry e;

	ck_assert_int_eq(rci_parse_unix_line(l1, strlen(l1), &e), 0);
	ck_assert_uint_eq(e.flags, 0x10000);
	ck_assert_uint_eq(e.type, 1);
	ck_assert_uint_eq(e.state, 1);
	ck_assert_uint_eq(e.inode, 23456);
	ck_assert_str_eq(e.path, "@abc def");
	ck_assert_int_eq(rci_parse_unix_line(l2, strlen(l2), &e), 0);
	ck_assert_str_eq(e.path, "");
	ck_assert_uint_eq(e.type, 2);
	ck_assert_int_eq(rci_parse_unix_line(l3, strlen(l3), &e), 0);
	ck_assert_str_eq(e.path, "/run/x.sock");
	ck_assert_uint_eq(e.state, 3);
	ck_assert_int_eq(rci_parse_unix_line(hdr, strlen(hdr), &e), -1);
}
END_TEST

static Suite *snapshot_suite(void)
{
	Suite *s = suite_create("snapshot");
	TCase *tc;

	tc = tcase_create("live");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, live_process);
	tcase_add_test(tc, comm_with_parens_and_spaces);
	tcase_add_test(tc, main_thread_exited);
	tcase_add_test(tc, canaries_are_recorded);
	suite_add_tcase(s, tc);
	tc = tcase_create("live_ipv6");
	tcase_set_tags(tc, "ipv6");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, live_process_tcp6);
	suite_add_tcase(s, tc);
	tc = tcase_create("missing");
	tcase_add_test(tc, nonexistent_pid);
	tcase_add_test(tc, invalid_pid);
	suite_add_tcase(s, tc);
	tc = tcase_create("kernel_thread");
	tcase_set_tags(tc, "kthreadd");
	tcase_add_test(tc, kernel_thread);
	suite_add_tcase(s, tc);
	tc = tcase_create("executable");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, deleted_executable);
	tcase_add_loop_test(tc, replaced_executable, 0, 2);
	suite_add_tcase(s, tc);
	tc = tcase_create("permission");
	tcase_set_tags(tc, "root");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, permission_denied);
	suite_add_tcase(s, tc);
	tc = tcase_create("json");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, json_round_trip_synthetic);
	tcase_add_test(tc, json_round_trip_live);
	tcase_add_test(tc, json_without_identity_reads);
	tcase_add_loop_test(tc, json_bad_document, 0,
			    (int)(sizeof(bad_docs) / sizeof(bad_docs[0])));
	tcase_add_loop_test(tc, json_bad_file, 0, (int)(sizeof(bad_files) / sizeof(bad_files[0])));
	suite_add_tcase(s, tc);
	tc = tcase_create("json_write_error");
	tcase_set_tags(tc, "devfull");
	tcase_add_test(tc, json_write_error);
	suite_add_tcase(s, tc);
	tc = tcase_create("names");
	tcase_add_loop_test(tc, signal_names, 0,
			    (int)(sizeof(signal_table) / sizeof(signal_table[0])));
	tcase_add_test(tc, signal_names_small_buffer);
	tcase_add_test(tc, proto_and_method_names);
	tcase_add_loop_test(tc, parse_u64, 0, (int)(sizeof(u64_table) / sizeof(u64_table[0])));
	tcase_add_test(tc, parse_u64_null);
	suite_add_tcase(s, tc);
	tc = tcase_create("procfs-parsers");
	tcase_add_test(tc, parse_stat_line);
	tcase_add_test(tc, read_stat_of_self_and_missing);
	tcase_add_test(tc, parse_status_masks);
	tcase_add_test(tc, parse_maps_lines);
	tcase_add_test(tc, parse_unix_lines);
	tcase_add_test(tc, parse_auxv_images);
	tcase_add_test(tc, exec_id_fork_and_exec);
	suite_add_tcase(s, tc);
	/* /proc/net/tcp's addresses are in host byte order: the fixed lines are x86's. */
	tc = tcase_create("procfs-inet-parser");
	tcase_set_tags(tc, "little-endian");
	tcase_add_test(tc, parse_inet_lines);
	suite_add_tcase(s, tc);
	return s;
}

static const char *need_ipv6(void)
{
	static char why[128];
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	int fd = socket(AF_INET6, SOCK_STREAM, 0);

	if (fd >= 0 && bind(fd, (struct sockaddr *)&a6, sizeof(a6)) == 0 && listen(fd, 4) == 0) {
		close(fd);
		return NULL;
	}
	snprintf(why, sizeof(why), "no IPv6 loopback (%s)", strerror(errno));
	if (fd >= 0)
		close(fd);
	return why;
}

static const char *need_kthreadd(void)
{
	char comm[32] = "";
	FILE *f = fopen("/proc/2/comm", "r");

	if (f) {
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		fclose(f);
	}
	return strcmp(comm, "kthreadd\n") == 0 ? NULL
					       : "pid 2 is not kthreadd here (a pid namespace)";
}

static const char *need_devfull(void)
{
	return access("/dev/full", W_OK) == 0 ? NULL : "no writable /dev/full";
}

static const char *need_little_endian(void)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return NULL;
#else
	return "the fixed /proc/net lines are little-endian";
#endif
}

static const struct rc_test_need needs[] = {
	{"ipv6", need_ipv6},
	{"kthreadd", need_kthreadd},
	{"root", rc_test_need_root},
	{"devfull", need_devfull},
	{"little-endian", need_little_endian},
};

int main(int argc, char **argv)
{
	return rc_test_run(srunner_create(snapshot_suite()), needs,
			   sizeof(needs) / sizeof(needs[0]), argc, argv);
}
