#!/usr/bin/env bash
# The README's test command: install everything the tests need, then run the whole suite.
#   Debian packages: TeX Live (latexmk, pdflatex, Vietnamese fonts), pdftotext; node/npm if absent
#   npm:             tests/katex (KaTeX, pinned by its package-lock.json)
#   Python:          symopt itself (editable) with its [test], [frameworks] and [plot] extras
#                    (ruff and mypy among the test ones: lint and types are checked before the tests)
#                    (PyTorch 2.13.0 CPU, optax and jax, for the cross-checks against frameworks)
# TeX, KaTeX and framework tests fail (not skip) here if they are missing: SYMOPT_REQUIRE_*=1.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

debs=(latexmk texlive-latex-base texlive-latex-recommended texlive-fonts-recommended texlive-lang-other poppler-utils)
command -v node >/dev/null && command -v npm >/dev/null || debs+=(nodejs npm)
missing=()
for deb in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q "install ok installed" || missing+=("$deb")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "tests/run.sh: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --prefix tests/katex --no-audit --no-fund --loglevel=error
python3 -m pip install -q --disable-pip-version-check -e '.[test,frameworks,plot]'

# lint first (ruff, pinned in the [test] extra; its rules are in pyproject.toml): a finding stops the run
python3 -m ruff check --quiet symopt benchmarks tests
# types (mypy, pinned likewise; its settings are in pyproject.toml): the package must be clean
python3 -m mypy --no-error-summary

export SYMOPT_REQUIRE_TEX=1 SYMOPT_REQUIRE_KATEX=1 SYMOPT_REQUIRE_FRAMEWORKS=1
exec python3 -m pytest "$@"
