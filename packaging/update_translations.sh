#!/usr/bin/env bash
# Refresh the translation sources resources/translations/warrant_<lang>.ts from desktop/ui (pyside6-lupdate).
#
#   packaging/update_translations.sh            # every existing warrant_*.ts
#   packaging/update_translations.sh fr         # add (or refresh) warrant_fr.ts
#
# lupdate ships with PySide6-Essentials (PySide6/lupdate). Translators edit the .ts with Qt Linguist
# (or any XLIFF/TS tool); packaging/build.sh compiles them to .qm for the build, and the program loads
# the one matching the locale (desktop.ui.app.install_translations).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
lupdate=$("$PYTHON" -c 'import pathlib, PySide6; print(pathlib.Path(PySide6.__file__).parent / "lupdate")')
mkdir -p resources/translations
targets=()
for lang in "$@"; do
  targets+=("resources/translations/warrant_${lang}.ts")
done
if [ ${#targets[@]} = 0 ]; then
  targets=(resources/translations/warrant_*.ts)
fi
mapfile -t sources < <(find desktop/ui -name '*.py' | sort)
for ts in "${targets[@]}"; do
  lang=$(basename "$ts" .ts)
  "$lupdate" -silent -no-obsolete -locations relative -target-language "${lang#warrant_}" "${sources[@]}" -ts "$ts"
  echo "$ts: $(grep -c '<message' "$ts") messages"
done
