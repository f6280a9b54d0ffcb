#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Parse a JUnit XML file with xml.etree.ElementTree and dump what it holds as
JSON, for test_report_formats.c to assert on. Exits non-zero when the file is
not well-formed XML or not JUnit-shaped.

    check_junit.py REPORT.xml OUT.json
"""
import json
import sys
import xml.etree.ElementTree as ET


def element(e):
    if e is None:
        return None
    return {"attrib": dict(e.attrib), "text": e.text or ""}


def main():
    root = ET.parse(sys.argv[1]).getroot()
    if root.tag != "testsuites":
        sys.exit("root is <%s>, not <testsuites>" % root.tag)
    suites = root.findall("testsuite")
    if len(suites) != 1:
        sys.exit("%d <testsuite> elements, want 1" % len(suites))
    cases = []
    for tc in suites[0]:
        if tc.tag != "testcase":
            sys.exit("<%s> inside <testsuite>" % tc.tag)
        cases.append({
            "attrib": dict(tc.attrib),
            "children": [c.tag for c in tc],
            "failure": element(tc.find("failure")),
            "error": element(tc.find("error")),
            "skipped": element(tc.find("skipped")),
            "system_out": element(tc.find("system-out")),
        })
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump({"suites": dict(root.attrib), "suite": dict(suites[0].attrib),
                   "cases": cases}, f, ensure_ascii=False)


main()
