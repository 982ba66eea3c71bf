#!/usr/bin/env bash
# make typecheck, and the first step of make test: mypy with the django-stubs plugin over every app's
# domain/, services.py and selectors.py (pyproject.toml [tool.mypy] says what and how strictly).
# Offline; the incremental cache lives in var/mypy (gitignored): a warm run takes a few seconds.
# Prints "mypy: N files, no issues" or mypy's errors, and exits with mypy's status.
set -uo pipefail
cd "$(dirname "$0")/.."

start=$(date +%s%N)
out=$(.venv/bin/mypy "$@" 2>&1)
status=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
secs="$((ms / 1000)).$((ms % 1000 / 100))"
if [ $status -eq 0 ]; then
  files=$(sed -n 's/^Success: no issues found in \([0-9]*\) source files*$/\1/p' <<<"$out")
  echo "mypy: ${files:-?} files, no issues (${secs}s)"
else
  printf '%s\n' "$out" >&2
  echo "mypy: type errors (above; pyproject.toml [tool.mypy] configures the check)" >&2
fi
exit $status
