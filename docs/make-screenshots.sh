#!/usr/bin/env bash
# Pictures of the studio for the README, taken under Xvfb from the build tree:
#   docs/images/studio-main.png      the default pipeline after a run (canvas, inspector, live preview)
#   docs/images/studio-training.png  the IRL Trainer of train-policy-toy.json after 40 iterations
#   docs/images/studio-history.png   the History tab after two runs of the default pipeline
#   docs/images/studio-compare.png   Heun against DPM-Solver++ on the same seed, in the Compare tab
#   docs/images/studio-image-to-image.png  image-to-image.json from docs/images/sketch-tshirt.png
# Usage: docs/make-screenshots.sh [BUILD_DIR]   (needs xvfb and xauth: ./studio installs them)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"
studio="$build/bin/irlstudio"
[ -x "$studio" ] || { echo "build the studio first: ./studio build" >&2; exit 1; }
out="$root/docs/images"
mkdir -p "$out"
shoot() {
  QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1600x1000x24" "$studio" "$@"
}
shoot --screenshot "$out/studio-main.png" "$root/resources/graphs/default.json"
shoot --screenshot "$out/studio-training.png" --train --iterations 40 "$root/resources/graphs/train-policy-toy.json"
shoot --screenshot "$out/studio-history.png" --history "$root/resources/graphs/default.json"
shoot --screenshot "$out/studio-compare.png" --compare "$root/resources/graphs/default.json"
# The image-to-image example with its Load Image node reading the sketch of a T-shirt.
graph="$(mktemp --suffix=.json)"
trap 'rm -f "$graph"' EXIT
sed 's|"file": ""|"file": "'"$root"'/docs/images/sketch-tshirt.png"|' "$root/resources/graphs/image-to-image.json" > "$graph"
shoot --screenshot "$out/studio-image-to-image.png" "$graph"
