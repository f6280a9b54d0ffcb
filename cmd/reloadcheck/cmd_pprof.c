/* SPDX-License-Identifier: MIT */
/* reloadcheck pprof (--url URL | --profile FILE): a Go pprof endpoint or a saved profile. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/error.h>
#include <reloadcheck/file.h>
#include <reloadcheck/pprof.h>
#include <reloadcheck/runner.h>

#include "cli.h"

static void show_progress(void *arg, const char *what, double elapsed, double total)
{
	(void)arg;
	fprintf(stderr, "\rreloadcheck: collecting %s: %.0f of %.0f s ", what, elapsed, total);
	fflush(stderr);
}

void pprof_fetch_opts(const struct options *o, struct rc_pprof_fetch_opts *fo)
{
	*fo = (struct rc_pprof_fetch_opts){
		.seconds = (int)o->seconds,
		.timeout_s = o->timeout_s,
		.n_headers = o->n_headers,
		.cacert = o->cacert,
		.insecure = o->insecure,
		.pid = o->pid > 0 ? (int)o->pid : 0,
	};
	memcpy(fo->headers, o->headers, o->n_headers * sizeof(*o->headers));
}

static int write_summary(FILE *f, const void *arg, struct rc_err *err)
{
	return rc_pprof_summary_write_json(arg, f, err);
}

int cmd_pprof(int argc, char **argv)
{
	struct options o;
	struct rc_report *r = NULL;
	struct rc_ctx ctx = {0};
	struct rc_err err = {0};
	struct rc_pprof_fetch *fetch = NULL;
	struct rc_pprof_summary *baseline = NULL;
	struct rc_pprof_fetch_opts fo;
	int status, rc;

	status = parse_options(argc, argv, "pprof", FOR_PPROF, &o);
	if (status)
		return status < 0 ? RC_EXIT_USAGE : RC_EXIT_PASS;
	if (!o.url == !o.profile) {
		usage_error("pprof needs exactly one of --url URL and --profile FILE");
		return RC_EXIT_USAGE;
	}
	if (argc != optind) {
		usage_error("pprof takes no file arguments ('%s')", argv[optind]);
		return RC_EXIT_USAGE;
	}
	status = RC_EXIT_CANNOT_CHECK;
	r = report_new();
	fetch = calloc(1, sizeof(*fetch));
	baseline = o.baseline ? calloc(1, sizeof(*baseline)) : NULL;
	if (!r || !fetch || (o.baseline && !baseline)) {
		fprintf(stderr, "%s: out of memory\n", progname);
		goto out;
	}
	rc_report_set_pprof_url(r, o.url ? o.url : o.profile);
	if (o.pid > 0)
		rc_report_set_pid(r, o.pid);
	if (o.baseline && rc_pprof_summary_read_json(o.baseline, baseline, &err) != 0) {
		status = cannot_check(&o, r, err.msg);
		goto out;
	}
	pprof_fetch_opts(&o, &fo);
	if (isatty(STDERR_FILENO) && !o.quiet)
		fo.progress = show_progress;
	rc = o.url ? rc_pprof_fetch(o.url, &fo, fetch, &err)
		   : rc_pprof_fetch_file(o.profile, &fo, fetch, &err);
	if (fo.progress)
		fputs("\r\033[K", stderr);
	if (rc == -RC_EINVAL) {
		usage_error("%s", err.msg);
		status = RC_EXIT_USAGE;
		goto out;
	} else if (rc != 0) {
		status = cannot_check(&o, r, err.msg);
		goto out;
	}
	/*
	 * Nothing answered at all: the endpoint is down. pprof-endpoint reports
	 * error (exit 3); the cause also goes to stderr as one line.
	 */
	if (!fetch->from_file && !fetch->index.transport_ok && !fetch->goroutine.transport_ok &&
	    !fetch->profile.transport_ok)
		fprintf(stderr, "%s: %s\n", progname, fetch->index.error);
	if (o.save) {
		if (!fetch->profile_ok) {
			fprintf(stderr, "%s: no profile to save to '%s' (see pprof-endpoint)\n",
				progname, o.save);
		} else if (rc_file_write_atomic(o.save, write_summary, &fetch->summary, &err) !=
			   0) {
			status = cannot_check(&o, r, err.msg);
			goto out;
		}
	}
	ctx.pprof = fetch;
	ctx.pprof_baseline = baseline;
	status = run_and_report(&ctx, RC_NEEDS_PPROF, NULL, r, &o);
out:
	free(fetch);
	free(baseline);
	rc_report_free(r);
	return status;
}
