#!/usr/bin/env bash
# Build the desktop program dist/warrant/warrant (PyInstaller onedir) from this repository.
#
# Works on a clean clone: it makes its own virtual environment (build/venv), installs Warrant with the
# `build` extra (PyInstaller) into it, compiles the translations and runs packaging/warrant.spec.
#
#   packaging/build.sh                 # build/venv is made once and reused after
#   PYTHON=python3.12 packaging/build.sh
#   WARRANT_BUILD_VENV=/tmp/v packaging/build.sh
#   WARRANT_BUILD_FRESH=1 packaging/build.sh   # remove the venv first (as CI on a new machine)
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

PYTHON=${PYTHON:-python3}
VENV=${WARRANT_BUILD_VENV:-build/venv}
export PIP_DISABLE_PIP_VERSION_CHECK=1

if [ "${WARRANT_BUILD_FRESH:-}" = 1 ]; then
  rm -rf "$VENV"
fi
if [ ! -x "$VENV/bin/python" ]; then
  echo "build: making $VENV"
  "$PYTHON" -m venv "$VENV"
fi
# A regular (not editable) install: the build must not depend on this checkout's import hooks.
# `.` is always reinstalled, so the metadata (version) matches the checkout.
"$VENV/bin/pip" install -q --upgrade '.[build]'

# Compiled translations (.qm) for the bundle; the .ts sources are kept in resources/translations.
mkdir -p build/translations
rm -f build/translations/*.qm
shopt -s nullglob
for ts in resources/translations/*.ts; do
  "$VENV/bin/pyside6-lrelease" -silent "$ts" -qm "build/translations/$(basename "${ts%.ts}").qm"
done
shopt -u nullglob

"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/warrant.spec

size=$(du -sm dist/warrant | cut -f1)
echo "build: dist/warrant/warrant ready, ${size} MB on disk, in $(($(date +%s) - started)) s"
