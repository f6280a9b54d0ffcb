#!/usr/bin/python3
"""Validate reloadcheck JSON reports against the report schema.

usage: /usr/bin/python3 validate_report.py [--schema-only] SCHEMA REPORT...

Run it with Debian's /usr/bin/python3: python3-jsonschema is installed for that
interpreter only, and a python3 found first on PATH (pyenv, a venv) may not
have the jsonschema module. CMake finds /usr/bin/python3 first for that reason.

Besides the schema, a few rules JSON Schema cannot say are checked (turn them
off with --schema-only): summary counts equal the check verdicts counted, and
check ids are unique.

Each problem is printed on stderr as `REPORT: PATH: MESSAGE`, PATH being a
JSONPath-like location such as $.checks[0].findings[2].code. Exit status: 0 all
reports valid (prints `ok N reports`), 1 a report is invalid, unreadable or not
JSON, 2 usage error or a bad schema.
"""

import json
import sys

try:
    import jsonschema
    from jsonschema import FormatChecker
    from jsonschema.validators import validator_for
except ImportError as exc:
    sys.stderr.write(
        "validate_report.py: cannot import jsonschema (%s): run with Debian's "
        "/usr/bin/python3 and install python3-jsonschema (ci/setup does)\n" % exc
    )
    sys.exit(2)

CHECK_VERDICTS = ("pass", "warn", "fail", "skip", "error")


def json_path(parts):
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += "[%d]" % part
        else:
            out += "." + str(part)
    return out


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def semantic_errors(report):
    """Rules beyond the schema; only looked at once the schema is satisfied."""
    errors = []
    checks = report["checks"]
    for verdict in CHECK_VERDICTS:
        n = sum(1 for c in checks if c["verdict"] == verdict)
        if report["summary"][verdict] != n:
            errors.append(
                (
                    ["summary", verdict],
                    "%r does not match %d checks with verdict %r"
                    % (report["summary"][verdict], n, verdict),
                )
            )
    seen = {}
    for i, check in enumerate(checks):
        if check["id"] in seen:
            errors.append(
                (
                    ["checks", i, "id"],
                    "duplicate check id %r (also at $.checks[%d])"
                    % (check["id"], seen[check["id"]]),
                )
            )
        else:
            seen[check["id"]] = i
    return errors


def main(argv):
    args = argv[1:]
    schema_only = False
    if args and args[0] == "--schema-only":
        schema_only = True
        args = args[1:]
    if len(args) < 2 or args[0].startswith("-"):
        sys.stderr.write(
            "usage: /usr/bin/python3 validate_report.py [--schema-only] SCHEMA REPORT...\n"
        )
        return 2

    schema_path, reports = args[0], args[1:]
    try:
        schema = load_json(schema_path)
        cls = validator_for(schema, default=jsonschema.Draft202012Validator)
        cls.check_schema(schema)
    except (OSError, ValueError, jsonschema.exceptions.SchemaError) as exc:
        sys.stderr.write("%s: bad schema: %s\n" % (schema_path, exc))
        return 2
    validator = cls(schema, format_checker=FormatChecker())

    bad = 0
    for path in reports:
        try:
            report = load_json(path)
        except OSError as exc:
            sys.stderr.write("%s: $: cannot read: %s\n" % (path, exc.strerror or exc))
            bad += 1
            continue
        except ValueError as exc:  # json.JSONDecodeError, UnicodeDecodeError
            sys.stderr.write("%s: $: not JSON: %s\n" % (path, exc))
            bad += 1
            continue

        problems = [
            (list(e.absolute_path), e.message)
            for e in validator.iter_errors(report)
        ]
        if not problems and not schema_only:
            problems = semantic_errors(report)
        problems.sort(key=lambda p: [(0, x) if isinstance(x, int) else (1, str(x)) for x in p[0]])
        for where, message in problems:
            sys.stderr.write("%s: %s: %s\n" % (path, json_path(where), message))
        if problems:
            bad += 1

    if bad:
        sys.stderr.write("%d of %d reports invalid\n" % (bad, len(reports)))
        return 1
    print("ok %d reports" % len(reports))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
