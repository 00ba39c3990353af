#!/usr/bin/env bash
# Build the docs site (mkdocs.yml: the pages of docs/ and the API reference from the
# docstrings) with --strict: any warning (a broken link or anchor, a docstring that
# cannot be rendered) fails the build. Output goes to the directory given as $1, else
# to a temporary one that is removed afterwards (`site/` is gitignored if you pass it).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
# (no --quiet: it hides warnings from the counter that --strict checks)
export NO_MKDOCS_2_WARNING=1   # material's end-of-life banner, not a build problem
if [[ $# -ge 1 ]]; then
    out=$1
else
    out=$(mktemp -d "${TMPDIR:-/tmp}/zkrecipes-site.XXXXXX")
    trap 'rm -rf "$out"' EXIT
fi
start=$(date +%s)
PYTHONPATH=. "$PY" -m mkdocs build --strict --site-dir "$out"
echo "docs: built with --strict into $out in $(( $(date +%s) - start )) s"
