#!/usr/bin/env bash
# The package as a user gets it: builds the .deb (scripts/package.sh),
# installs it with dpkg, checks the installed CLI reports the workspace's
# version and the installed app starts and reaches the service (the same
# launch check as `scripts/run.sh --smoke`), then removes the package.
# Needs root or sudo, a display and a session bus: scripts/test.sh runs it
# under `dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24"`.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/deps.sh
source scripts/lib/deps.sh
# shellcheck source=lib/build.sh
source scripts/lib/build.sh
# shellcheck source=lib/smoke.sh
source scripts/lib/smoke.sh
release="$(cargo_target_dir)/release"

bash scripts/package.sh
deb=$(ls "$release"/bundle/deb/*.deb)
name=$(dpkg-deb -f "$deb" Package)
version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"$/\1/p' Cargo.toml)
fail() { echo "package test: $*" >&2; exit 1; }

[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] ||
  fail "the .deb is version $(dpkg-deb -f "$deb" Version), the workspace $version"
# On a machine where the package was installed by hand, the fresh build
# replaces it and stays; otherwise the test leaves nothing installed.
keep=0
if dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "install ok installed"; then keep=1; fi
remove() { [ "$keep" = 1 ] || as_root dpkg -r "$name" >/dev/null; }

echo "==> installing $deb"
trap 'remove || true' EXIT
# dpkg does not fetch dependencies; apt does what dpkg left unconfigured.
as_root dpkg -i "$deb" || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -f -y -qq

echo "==> checking the installed files"
# Read once: `dpkg -L | grep -q` can fail under pipefail when grep stops early.
files=$(dpkg -L "$name")
grep -qx /usr/bin/megallm-desktop <<<"$files" || fail "no /usr/bin/megallm-desktop"
desktop=$(grep '^/usr/share/applications/.*\.desktop$' <<<"$files") || fail "no desktop entry"
grep -qx 'Exec=megallm-desktop' "$desktop" || fail "$desktop does not start megallm-desktop"
icon=$(sed -n 's/^Icon=//p' "$desktop")
grep -q "^/usr/share/icons/hicolor/.*/apps/$icon\.png$" <<<"$files" || fail "no icon $icon"
[ "$(/usr/bin/megallm --version)" = "megallm $version" ] ||
  fail "/usr/bin/megallm --version says '$(/usr/bin/megallm --version)', the workspace $version"
echo "==> /usr/bin/megallm --version: megallm $version"

# The local server comes from the same release build as the package.
smoke_launch /usr/bin/megallm-desktop "$release/megallm-mock"

trap - EXIT
if [ "$keep" = 1 ]; then
  echo "==> package test passed: $(basename "$deb") installed and launched (kept: $name was installed before)"
  exit 0
fi
remove
[ ! -e /usr/bin/megallm-desktop ] && [ ! -e /usr/bin/megallm ] || fail "removing $name left its binaries"
echo "==> package test passed: $(basename "$deb") installed, launched and removed"
