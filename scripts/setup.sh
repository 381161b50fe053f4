#!/usr/bin/env bash
# Create .venv/ with the project installed from the committed lock file.
# Works on a fresh machine with only Python 3.11: installs uv from PyPI when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

find_uv() {
  if command -v uv >/dev/null 2>&1; then echo uv; return; fi
  if [ -x .tools/bin/uv ]; then echo .tools/bin/uv; return; fi
  if python3 -m uv --version >/dev/null 2>&1; then echo "python3 -m uv"; return; fi
  return 1
}

UV=$(find_uv) || {
  echo "setup: installing uv into .tools/" >&2
  if python3 -m venv .tools >/dev/null 2>&1; then
    .tools/bin/python -m pip install -q uv
  else
    rm -rf .tools
    python3 -m pip install -q --target .tools/lib uv || python3 -m pip install -q --break-system-packages --target .tools/lib uv
    mkdir -p .tools/bin && ln -sf ../lib/bin/uv .tools/bin/uv
  fi
  UV=.tools/bin/uv
}
export UV_COMPILE_BYTECODE=1

# PDF reports are read with poppler's pdftotext (pipelines/report/pdf.py); Debian ships it in poppler-utils.
command -v pdftotext >/dev/null 2>&1 || {
  echo "setup: installing poppler-utils (pdftotext, to read PDF reports)" >&2
  { DEBIAN_FRONTEND=noninteractive apt-get install -y -q poppler-utils >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q poppler-utils >/dev/null; }; } \
    && command -v pdftotext >/dev/null 2>&1 \
    || { echo "setup: could not install poppler-utils; install it as root (apt-get install poppler-utils): PDF reports need pdftotext" >&2; exit 1; }
}
# The portal tests look at pages as a citizen would, in headless Chromium (tests/publish/test_datastore.py).
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || {
  echo "setup: installing chromium (headless browser for the portal tests)" >&2
  { DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }; } \
    && [ -x /usr/bin/chromium ] \
    || { echo "setup: could not install chromium; install it as root (apt-get install chromium): the portal's browser tests need it" >&2; exit 1; }
}
$UV sync --frozen --extra dev --python 3.11 --quiet
