/* SPDX-License-Identifier: MIT */
/*
 * Files written whole or not at all: reports, snapshots and summaries are read
 * by pipelines and dashboards that must never see half a file.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <reloadcheck/error.h>
#include <reloadcheck/file.h>

int rc_file_write_atomic(const char *path, rc_file_writer fn, const void *arg, struct rc_err *err)
{
	char tmp[4096];
	char dirbuf[4096];
	struct stat st;
	FILE *f;
	int fd, rc;

	/* /dev/null, a FIFO or a terminal: write in place, never replace it. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		f = fopen(path, "w");
		if (!f)
			return rc_err_set(err, -RC_EIO, "'%s': cannot open: %s", path,
					  strerror(errno));
		rc = fn(f, arg, err);
		if (fclose(f) != 0 && !rc)
			rc = rc_err_set(err, -RC_EIO, "'%s': write failed: %s", path,
					strerror(errno));
		return rc;
	}
	snprintf(dirbuf, sizeof(dirbuf), "%s", path);
	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dirname(dirbuf), "reloadcheck-report");
	fd = mkstemp(tmp);
	if (fd < 0)
		return rc_err_set(err, -RC_EIO,
				  "'%s': cannot create a temporary file beside it: %s", path,
				  strerror(errno));
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return rc_err_set(err, -RC_EIO, "'%s': %s", path, strerror(errno));
	}
	rc = fn(f, arg, err);
	/*
	 * No fsync: the rename makes the new file appear whole or not at all for
	 * readers, which is the promise; durability across a power cut is not worth
	 * tens of milliseconds on every run.
	 */
	if (!rc && fflush(f) != 0)
		rc = rc_err_set(err, -RC_EIO, "'%s': write failed: %s", path, strerror(errno));
	if (!rc)
		(void)fchmod(fd, 0644);
	if (fclose(f) != 0 && !rc)
		rc = rc_err_set(err, -RC_EIO, "'%s': write failed: %s", path, strerror(errno));
	if (!rc && rename(tmp, path) != 0)
		rc = rc_err_set(err, -RC_EIO, "'%s': cannot replace: %s", path, strerror(errno));
	if (rc)
		unlink(tmp);
	return rc;
}
