#!/usr/bin/env python3
"""Validate SARIF logs against the SARIF 2.1.0 JSON schema, with formats checked.

Usage: validate-sarif.py SCHEMA FILE...

The schema is the SARIF 2.1.0 schema (draft-04) that scripts/test.sh installs with the npm
package @microsoft/jest-sarif. Formats (`uri`, `uri-reference`, `date-time`) are checked with
jsonschema's FormatChecker, which needs the `rfc3987` package for URIs: without it the URI
formats would silently pass, so this script refuses to run. Prints one line per error and exits
1 when any file is invalid, 2 when the tools are missing.
"""

import json
import sys

try:
    import jsonschema
    import rfc3987  # noqa: F401  (registers the uri and uri-reference format checks)
except ImportError as e:
    print(f"error: {e}: run scripts/test.sh (it installs jsonschema and rfc3987 into .venv)",
          file=sys.stderr)
    sys.exit(2)


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    checker = jsonschema.FormatChecker()
    for fmt in ("uri", "uri-reference"):
        if fmt not in checker.checkers:
            print(f"error: jsonschema cannot check the `{fmt}` format", file=sys.stderr)
            return 2
    validator = jsonschema.Draft4Validator(schema, format_checker=checker)
    bad = 0
    for path in argv[2:]:
        with open(path, encoding="utf-8") as f:
            log = json.load(f)
        for err in sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path)):
            where = "/".join(str(p) for p in err.absolute_path)
            print(f"{path}: /{where}: {err.message}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
