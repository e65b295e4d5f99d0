#!/usr/bin/env python3
"""Parse exposition files with the Prometheus Python client's parsers.

Usage: check_exposition.py --format text|openmetrics FILE...

Used by CI on renderings written by the QuotaExposition fixture test
(QUOTA_EXPORTER_FIXTURE_DIR) so that an independent parser, not just our own
tests, agrees the output is valid. Prints one line per file with its family
and sample counts; exits 1 if any file fails to parse or has no samples, and
2 if prometheus-client is not installed (pip install prometheus-client).
"""

import argparse
import sys


def load_parser(fmt):
    try:
        if fmt == "text":
            from prometheus_client.parser import text_string_to_metric_families
        else:
            from prometheus_client.openmetrics.parser import text_string_to_metric_families
    except ImportError as error:
        print(f"cannot import prometheus_client ({error}); run: pip install prometheus-client", file=sys.stderr)
        sys.exit(2)
    return text_string_to_metric_families


def check(path, parse):
    """Return (families, samples) for a file; raise on any parser error."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    families = 0
    samples = 0
    # The parsers are generators: errors surface only while iterating, so
    # consume everything.
    for family in parse(text):
        families += 1
        samples += len(family.samples)
    if samples == 0:
        raise ValueError("no samples parsed")
    return families, samples


def main():
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--format", required=True, choices=["text", "openmetrics"])
    arguments.add_argument("files", nargs="+", metavar="FILE")
    options = arguments.parse_args()

    parse = load_parser(options.format)
    failed = False
    for path in options.files:
        try:
            families, samples = check(path, parse)
        except Exception as error:  # the parsers raise ValueError, but report anything
            print(f"FAIL {path} ({options.format}): {type(error).__name__}: {error}")
            failed = True
        else:
            print(f"ok   {path} ({options.format}): {families} families, {samples} samples")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
