#!/usr/bin/env bash
# Installs the Debian packages a target needs, only when a command is missing.
# Usage: scripts/system-deps.sh demo|test
# As root it runs apt-get; otherwise it tries 'sudo -n'; failing that it prints
# the exact command to run and exits 1.
set -euo pipefail
want="${1:-test}"
declare -A pkg_of=(
  [espeak-ng]=espeak-ng
  [chromium]=chromium
  [ffprobe]=ffmpeg
  [pdftotext]=poppler-utils
  [pactl]=pulseaudio-utils
  [pulseaudio]=pulseaudio
  [sox]=sox
)
case "$want" in
  demo) cmds=(espeak-ng) ;;
  test) cmds=(espeak-ng chromium ffprobe pdftotext pulseaudio pactl sox) ;;
  *) echo "usage: $0 demo|test" >&2; exit 2 ;;
esac
missing=()
for c in "${cmds[@]}"; do
  command -v "$c" >/dev/null 2>&1 || missing+=("${pkg_of[$c]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
# shellcheck disable=SC2207
missing=($(printf '%s\n' "${missing[@]}" | sort -u))
cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
echo "Installing Debian packages: ${missing[*]}"
if [ "$(id -u)" = 0 ]; then
  bash -c "$cmd"
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo -n bash -c "$cmd"
else
  echo "These Debian packages are missing: ${missing[*]}" >&2
  echo "Run as root:  $cmd" >&2
  exit 1
fi
