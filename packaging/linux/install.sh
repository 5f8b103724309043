#!/usr/bin/env bash
# Install the built Warrant for one user on Linux, with its menu entry, icon and file type.
#
#   packaging/linux/install.sh                      # into ~/.local (no root needed)
#   packaging/linux/install.sh --prefix /opt/warrant-root    # or PREFIX=... packaging/linux/install.sh
#   packaging/linux/install.sh --dist path/to/dist/warrant   # another build (default: dist/warrant)
#   packaging/linux/install.sh --exec /path/to/warrant       # no bundle: the menu entry runs this command
#   packaging/linux/install.sh --uninstall [--prefix ...]
#
# What goes where (PREFIX=~/.local by default):
#   PREFIX/lib/warrant/                      the built program (a copy of dist/warrant)
#   PREFIX/bin/warrant                       a link to it
#   PREFIX/share/applications/warrant.desktop
#   PREFIX/share/icons/hicolor/*/apps/warrant.{svg,png} and .../mimetypes/application-x-warrant.*
#   PREFIX/share/mime/packages/warrant.xml   the application/x-warrant type: *.warrant, and the SQLite
#                                            header with Warrant's application id (a renamed file too)
# Then update-mime-database, update-desktop-database and gtk-update-icon-cache run when present, and,
# for a per-user install, `xdg-mime default` makes Warrant the application that opens .warrant files.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

prefix=${PREFIX:-$HOME/.local}
dist="$repo/dist/warrant"
exec_cmd=""
uninstall=0
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#*=}; shift ;;
    --dist) dist=$2; shift 2 ;;
    --dist=*) dist=${1#*=}; shift ;;
    --exec) exec_cmd=$2; shift 2 ;;
    --exec=*) exec_cmd=${1#*=}; shift ;;
    --uninstall) uninstall=1; shift ;;
    -h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
share="$prefix/share"
icons="$share/icons/hicolor"
per_user=0
[ "$prefix" = "$(cd "$HOME" && pwd)/.local" ] && per_user=1

refresh() {
  if command -v update-mime-database >/dev/null 2>&1; then
    update-mime-database "$share/mime"
  fi
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$share/applications"
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$icons/index.theme" ]; then
    gtk-update-icon-cache -q -t -f "$icons" || true
  fi
}

if [ "$uninstall" = 1 ]; then
  rm -rf "$prefix/lib/warrant"
  [ -L "$prefix/bin/warrant" ] && rm -f "$prefix/bin/warrant"
  rm -f "$share/applications/warrant.desktop" "$share/mime/packages/warrant.xml"
  rm -f "$icons"/*/apps/warrant.png "$icons"/*/apps/warrant.svg
  rm -f "$icons"/*/mimetypes/application-x-warrant.png "$icons"/*/mimetypes/application-x-warrant.svg
  mkdir -p "$share/mime/packages" "$share/applications"
  refresh
  echo "install.sh: Warrant removed from $prefix"
  exit 0
fi

if [ -z "$exec_cmd" ]; then
  if [ ! -x "$dist/warrant" ]; then
    echo "install.sh: no built program at $dist/warrant: run packaging/build.sh first, or pass --exec COMMAND" >&2
    exit 2
  fi
  dist=$(cd "$dist" && pwd)
  mkdir -p "$prefix/lib" "$prefix/bin"
  rm -rf "$prefix/lib/warrant.new"
  cp -a "$dist" "$prefix/lib/warrant.new"
  rm -rf "$prefix/lib/warrant"
  mv "$prefix/lib/warrant.new" "$prefix/lib/warrant"
  ln -sfn "$prefix/lib/warrant/warrant" "$prefix/bin/warrant"
  exec_cmd="$prefix/bin/warrant"
fi
case "$exec_cmd" in
  *[[:space:]\"\'\\\$\`%]*)
    echo "install.sh: the command '$exec_cmd' has spaces or quotes; use a path without them" >&2
    exit 2
    ;;
esac

install -d "$share/applications" "$share/mime/packages" "$icons/scalable/apps" "$icons/scalable/mimetypes"
sed "s|@EXEC@|$exec_cmd|g" "$here/warrant.desktop.in" >"$share/applications/warrant.desktop"
chmod 644 "$share/applications/warrant.desktop"
install -m 644 "$here/warrant-mime.xml" "$share/mime/packages/warrant.xml"
install -m 644 "$repo/resources/warrant.svg" "$icons/scalable/apps/warrant.svg"
install -m 644 "$repo/resources/warrant.svg" "$icons/scalable/mimetypes/application-x-warrant.svg"
for png in "$here"/icons/warrant-*.png; do
  size=$(basename "$png" .png)
  size=${size#warrant-}
  install -d "$icons/${size}x${size}/apps" "$icons/${size}x${size}/mimetypes"
  install -m 644 "$png" "$icons/${size}x${size}/apps/warrant.png"
  install -m 644 "$png" "$icons/${size}x${size}/mimetypes/application-x-warrant.png"
done
refresh
if [ "$per_user" = 1 ] && command -v xdg-mime >/dev/null 2>&1; then
  xdg-mime default warrant.desktop application/x-warrant || true
fi

echo "install.sh: Warrant installed in $prefix (command: $exec_cmd)"
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) [ "$exec_cmd" = "$prefix/bin/warrant" ] && echo "install.sh: add $prefix/bin to PATH to run 'warrant' from a terminal" ;;
esac
exit 0
