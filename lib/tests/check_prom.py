#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Parse a Prometheus text-format file with prometheus_client's own parser and
dump the metric families as JSON, for test_report_formats.c to assert on.
Exits non-zero when the parser rejects the file.

    check_prom.py METRICS.prom OUT.json
"""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    if not text.endswith("\n"):
        sys.exit("the file does not end with a newline")
    families = {}
    for fam in text_string_to_metric_families(text):
        if fam.name in families:
            sys.exit("family %s appears twice" % fam.name)
        families[fam.name] = {
            "type": fam.type,
            "help": fam.documentation,
            "samples": [{"name": s.name, "labels": s.labels, "value": s.value}
                        for s in fam.samples],
        }
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(families, f, ensure_ascii=False)


main()
