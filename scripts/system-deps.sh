#!/usr/bin/env bash
# Installs the Debian packages a target needs, only when something is missing.
# Usage: scripts/system-deps.sh venv|demo|test
#   venv  what `python3 -m venv` needs (ensurepip: python3-venv)
#   demo  what `make demo` runs: espeak-ng, poppler-utils (pdftoppm: the guide's pictures of the plans'
#         cards), and the shared libraries OCP (CadQuery's kernel) and OpenCV load (libGL, libX11, ...);
#         a minimal Debian 12 has none of them
#   test  the demo's, plus what the tests use as real parts and independent probes
# As root it runs apt-get; otherwise it tries 'sudo -n'; failing that it prints
# the exact command to run and exits 1.
set -euo pipefail
want="${1:-test}"

# command -> package
declare -A cmd_pkg=(
  [espeak-ng]=espeak-ng
  [chromium]=chromium
  [ffprobe]=ffmpeg
  [pdftotext]=poppler-utils
  [pdftoppm]=poppler-utils
  [pactl]=pulseaudio-utils
  [pulseaudio]=pulseaudio
  [sox]=sox
  [tmux]=tmux
  [msgfmt]=gettext
)
# shared library (as ldconfig names it) -> package
declare -A lib_pkg=(
  [libGL.so.1]=libgl1
  [libX11.so.6]=libx11-6
  [libXext.so.6]=libxext6
  [libXrender.so.1]=libxrender1
  [libglib-2.0.so.0]=libglib2.0-0
  [libgomp.so.1]=libgomp1
  [libfontconfig.so.1]=libfontconfig1
)
case "$want" in
  venv) cmds=(); libs=() ;;
  demo) cmds=(espeak-ng pdftoppm); libs=("${!lib_pkg[@]}") ;;
  test) cmds=(espeak-ng chromium ffprobe pdftotext pdftoppm pulseaudio pactl sox tmux msgfmt); libs=("${!lib_pkg[@]}") ;;
  *) echo "usage: $0 venv|demo|test" >&2; exit 2 ;;
esac

missing=()
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  missing+=(python3-venv)
fi
for c in "${cmds[@]}"; do
  command -v "$c" >/dev/null 2>&1 || missing+=("${cmd_pkg[$c]}")
done
if [ ${#libs[@]} -gt 0 ]; then
  known=$( (ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null || true) | awk '{print $1}')
  for l in "${libs[@]}"; do
    grep -qxF "$l" <<<"$known" || missing+=("${lib_pkg[$l]}")
  done
fi
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
