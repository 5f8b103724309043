#!/usr/bin/env bash
# Smoke-test a built Warrant:  packaging/smoke.sh [dist/warrant]
#
# Runs the built program the way an analyst's machine would: `env -i` with a minimal PATH (no virtual
# environment, no PYTHONPATH, no Python of ours), a throwaway HOME, offscreen Qt. It checks that
#   1. no library the bundle ships (Qt, PySide6, shiboken, Python) is missing from it (ldd);
#   2. `--version` prints the version in pyproject.toml;
#   3. the window opens the bundled seed article, paints it, opens its annotation file and quits
#      (the hidden --smoke-test flag), with nothing on stderr; in a German locale it loads warrant_de.qm;
#      and, where Xvfb is installed, the same on X with the xcb platform;
#   4. `import` makes an annotation file from W3C annotations of the bundled seed article, and
#      `export` writes it in every format (each format's module is imported by name at run time);
#   5. `outline` and `compare` run, and a missing file gives one `warrant: ...` line and exit 2.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s%N)

dist=$(cd "${1:-dist/warrant}" && pwd)
prog="$dist/warrant"
[ -x "$prog" ] || { echo "smoke: no program at $prog (run packaging/build.sh)" >&2; exit 1; }
seed="$dist/_internal/seeds/russian-iranian-alliance.txt"
work=$(mktemp -d "${TMPDIR:-/tmp}/warrant-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home" "$work/runtime"
chmod 700 "$work/runtime"

fail() {
  echo "smoke: FAILED: $*" >&2
  exit 1
}

# The program with nothing of this shell's environment: no venv, no PYTHONPATH, no PYTHONHOME.
run() {
  env -i HOME="$work/home" PATH=/usr/bin:/bin LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen \
    XDG_RUNTIME_DIR="$work/runtime" "$prog" "$@"
}

# 1. Every library the bundle is meant to carry is in it (the spec's slimming must not cut one needed).
missing=$(find "$dist" -type f \( -name '*.so' -o -name '*.so.*' -o -name warrant \) -print0 |
  xargs -0 env -i PATH=/usr/bin:/bin LD_LIBRARY_PATH="$dist/_internal" ldd 2>/dev/null |
  grep 'not found' | grep -E 'libQt6|libpyside|libshiboken|libpython|libicu' | sort -u || true)
[ -z "$missing" ] || fail "libraries missing from the bundle: $missing"
echo "smoke: libraries complete"

# 2. --version
want=$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -n 1)
got=$(run --version)
[ "$got" = "Warrant $want" ] || fail "--version printed '$got', expected 'Warrant $want'"
echo "smoke: $got"

# 3. The window: the seed article offscreen, its annotation file created in the (throwaway) data folder.
if ! run --smoke-test >"$work/gui.out" 2>"$work/gui.err"; then
  cat "$work/gui.out" "$work/gui.err" >&2
  fail "the window did not open the seed article"
fi
grep -q '^smoke: painted$' "$work/gui.out" || fail "the article was not painted: $(cat "$work/gui.out")"
opened=$(sed -n 's/^smoke: usable //p' "$work/gui.out")
case "$opened" in
  "$work/home/"*.warrant) ;;
  *) fail "the annotation file was not opened in the data folder: '$opened'" ;;
esac
[ -f "$opened" ] || fail "$opened does not exist"
[ ! -s "$work/gui.err" ] || fail "the window wrote to stderr: $(head -c 2000 "$work/gui.err")"
echo "smoke: window opened the seed article, annotation file $opened"
# The compiled German translation is in the bundle and loaded for a German locale.
run_de() {
  env -i HOME="$work/home" PATH=/usr/bin:/bin LANG=de_DE.UTF-8 LANGUAGE=de QT_QPA_PLATFORM=offscreen \
    XDG_RUNTIME_DIR="$work/runtime" WARRANT_DEBUG=1 "$prog" "$@"
}
run_de --smoke-test >/dev/null 2>"$work/de.err" || fail "the window failed in German: $(tail -5 "$work/de.err")"
grep -q 'translation .*/resources/translations/warrant_de.qm loaded' "$work/de.err" ||
  fail "warrant_de.qm was not loaded for LANGUAGE=de"
echo "smoke: warrant_de.qm loaded for a German locale"

# 3b. The same on a real X server (the xcb platform plugin and its libraries), when Xvfb is there.
if command -v Xvfb >/dev/null 2>&1; then
  Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/display" >/dev/null 2>&1 &
  xvfb=$!
  for _ in $(seq 100); do
    [ -s "$work/display" ] && break
    sleep 0.1
  done
  [ -s "$work/display" ] || fail "Xvfb did not start"
  if ! env -i HOME="$work/home" PATH=/usr/bin:/bin LANG=C.UTF-8 QT_QPA_PLATFORM=xcb \
    DISPLAY=":$(head -n 1 "$work/display")" XDG_RUNTIME_DIR="$work/runtime" "$prog" --smoke-test \
    >"$work/xcb.out" 2>"$work/xcb.err"; then
    kill "$xvfb"
    fail "the window did not open on X (xcb): $(tail -5 "$work/xcb.err")"
  fi
  kill "$xvfb"
  [ ! -s "$work/xcb.err" ] || fail "the window wrote to stderr on X (xcb): $(head -c 2000 "$work/xcb.err")"
  echo "smoke: window opened on X (xcb)"
else
  echo "smoke: no Xvfb here, the xcb platform was not tried (apt-get install xvfb)"
fi

# 4. import, then export in every format.
cat >"$work/passages.jsonld" <<'EOF'
[
  {"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation",
   "id": "urn:uuid:6f1c2a3e-0000-4000-8000-000000000001",
   "body": {"type": "TextualBody", "purpose": "tagging", "value": "claim"},
   "target": {"selector": {"type": "TextQuoteSelector", "exact": "The Russian-Iranian alliance that wasn"}}},
  {"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation",
   "id": "urn:uuid:6f1c2a3e-0000-4000-8000-000000000002",
   "body": {"type": "TextualBody", "purpose": "tagging", "value": "evidence"},
   "target": {"selector": {"type": "TextQuoteSelector", "exact": "Russia plans to lift visa requirements"}}}
]
EOF
out=$(run import "$work/passages.jsonld" --into "$work/smoke.warrant" --document "$seed" --annotator smoke) ||
  fail "import failed: $out"
case "$out" in "imported 2,"*) ;; *) fail "import said: $out" ;; esac
echo "smoke: $out"
run export "$work/smoke.warrant" --format csv -o - >"$work/out.csv" || fail "export --format csv failed"
grep -q 'Russia plans to lift visa requirements' "$work/out.csv" || fail "the CSV export lacks the passage"
for fmt in w3c markdown html argdown; do
  run export "$work/smoke.warrant" --format "$fmt" -o "$work/out.$fmt" >/dev/null || fail "export --format $fmt failed"
  grep -q 'Russia plans to lift visa requirements' "$work/out.$fmt" || fail "the $fmt export lacks the passage"
done
# The file the window made holds the seed article and no passages yet: its export is empty but valid.
run export "$opened" --format w3c -o - >"$work/window.jsonld" || fail "exporting the window's file failed"
grep -q '"type": "AnnotationCollection"' "$work/window.jsonld" || fail "exporting the window's file failed"
echo "smoke: export csv, w3c, markdown, html, argdown"

# 5. outline, compare, and a bad file.
run outline "$work/smoke.warrant" >"$work/outline.txt" || fail "outline failed"
grep -q 'alliance that wasn' "$work/outline.txt" || fail "outline lacks the claim"
run compare "$work/smoke.warrant" "$work/smoke.warrant" >/dev/null || fail "compare failed"
set +e
run export "$work/nowhere.warrant" --format csv >"$work/bad.out" 2>"$work/bad.err"
status=$?
set -e
[ "$status" = 2 ] || fail "a missing file gave exit $status, not 2"
[ "$(wc -l <"$work/bad.err")" = 1 ] && grep -q '^warrant: ' "$work/bad.err" ||
  fail "a missing file did not give one 'warrant: ...' line: $(cat "$work/bad.err")"
echo "smoke: outline, compare, bad input"

echo "smoke: passed in $((($(date +%s%N) - started) / 1000000)) ms"
