#!/usr/bin/env bash
# The Debian package, as an artist gets it: cpack builds the .deb, dpkg-deb extracts it into a
# temporary root, and the programs run from there without the source or the build tree.
#   test_deb.sh BUILD_DIR SOURCE_DIR
# Checks: package metadata (Depends computed from the linked libraries, Recommends the data
# package), the layout, relative RUNPATHs, the desktop entry, the AppStream metainfo, the MIME
# type, then `irlstudio-cli paths` and `irlstudio-cli run` on the bundled default graph, from a
# folder outside both trees and with IRLSTUDIO_DATA_DIR and IRLSTUDIO_PLUGIN_PATH unset.
set -euo pipefail

build="$(cd "${1:?usage: test_deb.sh BUILD_DIR SOURCE_DIR}" && pwd)"
source_dir="$(cd "${2:?usage: test_deb.sh BUILD_DIR SOURCE_DIR}" && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/irlstudio-deb.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

failures=0
pass() { printf 'PASS  %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; failures=$((failures + 1)); }
check() {  # check DESCRIPTION COMMAND...
  local what="$1"; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
need() {
  command -v "$1" >/dev/null || { echo "FAIL  '$1' is missing (Debian package $2, listed in packaging/debian-packages.txt)"; exit 1; }
}
need cpack cmake; need dpkg-deb dpkg; need dpkg-shlibdeps dpkg-dev; need readelf binutils
need appstreamcli appstream; need desktop-file-validate desktop-file-utils; need update-mime-database shared-mime-info
need python3 python3

# 1. Build the package into the temporary folder (staging included), timed.
start=$(date +%s)
# The package lands in ./packages (CPACK_OUTPUT_FILE_PREFIX), staging in $tmp/cpack.
if ! (cd "$tmp" && cpack --config "$build/CPackConfig.cmake" -B "$tmp/cpack" >"$tmp/cpack.log" 2>&1); then
  cat "$tmp/cpack.log"; echo "FAIL  cpack"; exit 1
fi
debs=("$tmp"/packages/*.deb)
[ -f "${debs[0]}" ] || { cat "$tmp/cpack.log"; echo "FAIL  cpack made no .deb"; exit 1; }
deb="${debs[0]}"
pass "cpack made $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB) in $(( $(date +%s) - start )) s"

# 2. Package metadata.
depends="$(dpkg-deb -f "$deb" Depends)"
echo "      Depends: $depends"
check "Depends lists LibTorch (from shlibdeps)" grep -q 'libtorch1\.13' <<<"$depends"
check "Depends lists QtCore (from shlibdeps)" grep -q 'libqt6core6' <<<"$depends"
check "Depends lists OpenCV (from shlibdeps)" grep -q 'libopencv-imgcodecs' <<<"$depends"
check "Depends lists the C++ runtime (from shlibdeps)" grep -q 'libstdc++6' <<<"$depends"
check "Recommends the Fashion-MNIST data package" grep -qx 'dataset-fashion-mnist' <<<"$(dpkg-deb -f "$deb" Recommends)"
check "section graphics" grep -qx 'graphics' <<<"$(dpkg-deb -f "$deb" Section)"

# 3. Layout of the extracted tree.
root="$tmp/root"
dpkg-deb -x "$deb" "$root"
usr="$root/usr"
for f in bin/irlstudio-cli \
         lib/irlstudio/plugins/irlstudio-builtin-nodes.so \
         share/irlstudio/models/fashion-unet.pt share/irlstudio/models/fashion-unet.md \
         share/irlstudio/models/fashion-classifier.pt share/irlstudio/models/fashion-classifier.md \
         share/irlstudio/models/fashion-features.pt share/irlstudio/models/fashion-features.md \
         share/irlstudio/graphs/default.json \
         share/applications/org.irlstudio.Studio.desktop \
         share/metainfo/org.irlstudio.Studio.metainfo.xml \
         share/mime/packages/org.irlstudio.Studio.xml \
         share/icons/hicolor/scalable/apps/org.irlstudio.Studio.svg; do
  check "installs usr/$f" test -f "$usr/$f"
done
check "installs libirlstudio-engine" bash -c 'compgen -G "$1" >/dev/null' _ "$usr/lib/irlstudio/libirlstudio-engine.so.*"
check "installs libirlstudio-nodes" bash -c 'compgen -G "$1" >/dev/null' _ "$usr/lib/irlstudio/libirlstudio-nodes.so.*"
for graph in "$source_dir"/resources/graphs/*.json; do
  check "installs graphs/$(basename "$graph")" cmp -s "$graph" "$usr/share/irlstudio/graphs/$(basename "$graph")"
done
if [ -x "$build/bin/irlstudio" ]; then check "installs the studio" test -x "$usr/bin/irlstudio"; fi

# Every ELF file: a RUNPATH relative to itself (no build-tree paths), stripped, and every
# library resolved (the private ones inside the extracted tree).
while IFS= read -r elf; do
  name="${elf#"$root"/}"
  runpath="$(readelf -d "$elf" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p; s/.*(RPATH).*\[\(.*\)\]/\1/p')"
  check "$name: RUNPATH '$runpath' is relative" bash -c '[[ "$1" == \$ORIGIN* && "$1" != *"$2"* && "$1" != *"$3"* ]]' _ "$runpath" "$build" "$source_dir"
  check "$name: stripped" bash -c '! readelf -S "$1" | grep -q "\.debug_info"' _ "$elf"
  missing="$(env -u LD_LIBRARY_PATH ldd "$elf" | grep 'not found' || true)"
  check "$name: every library found${missing:+ (missing: $missing)}" test -z "$missing"
  if ldd "$elf" | grep -q libirlstudio-; then
    check "$name: private libraries from the extracted tree" \
      bash -c '! ldd "$1" | grep libirlstudio- | grep -v -- "=> $2/"' _ "$elf" "$root"
  fi
done < <(find "$root" -type f \( -name '*.so*' -o -path '*/bin/*' \) -exec sh -c 'head -c4 "$1" | grep -q "ELF" && echo "$1"' _ {} \;)

# 4. Desktop integration.
desktop="$usr/share/applications/org.irlstudio.Studio.desktop"
check "desktop entry passes desktop-file-validate" desktop-file-validate "$desktop"
check "desktop entry opens graph files in the studio" grep -qx 'Exec=irlstudio %f' "$desktop"
check "desktop entry declares the graph MIME type" grep -qx 'MimeType=application/x-irlstudio-graph;' "$desktop"
check "desktop entry is in Graphics" grep -q '^Categories=Graphics;' "$desktop"
check "metainfo passes appstreamcli validate --strict" \
  appstreamcli validate --no-net --strict "$usr/share/metainfo/org.irlstudio.Studio.metainfo.xml"
mkdir -p "$tmp/mime/packages"
cp "$usr/share/mime/packages/org.irlstudio.Studio.xml" "$tmp/mime/packages/"
check "the MIME database accepts the graph type" bash -c 'update-mime-database "$1" >/dev/null 2>&1' _ "$tmp/mime"
check "*.irlgraph maps to application/x-irlstudio-graph" grep -q 'application/x-irlstudio-graph:\*\.irlgraph' "$tmp/mime/globs2"

# 5. Run the installed program from a folder outside the source and build trees.
work="$tmp/work"
mkdir -p "$work"
cd "$work"
run_cli() { env -u IRLSTUDIO_DATA_DIR -u IRLSTUDIO_PLUGIN_PATH -u LD_LIBRARY_PATH "$usr/bin/irlstudio-cli" "$@"; }
if run_cli paths --json >"$tmp/paths.json" 2>"$tmp/paths.err"; then
  pass "irlstudio-cli paths"
  check "plugins, models and graphs come from the extracted tree only" \
    python3 - "$tmp/paths.json" "$root" "$source_dir" "$build" <<'EOF'
import json, sys
report, root, source, build = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3], sys.argv[4]
paths = [f["path"] for f in report["plugin_folders"] + report["resource_folders"]]
paths += [p["path"] for p in report["packs"]] + list(report["resources"].values())
ok = True
for p in paths:
    if p is None or not p.startswith(root + "/") or p.startswith(source + "/") or p.startswith(build + "/"):
        print(f"      outside the extracted tree: {p}"); ok = False
if not any(p["name"].startswith("builtin") for p in report["packs"]):
    print(f"      the built-in pack was not loaded: {report['packs']} {report['warnings']}"); ok = False
sys.exit(0 if ok else 1)
EOF
else
  cat "$tmp/paths.err"; fail "irlstudio-cli paths"
fi
start=$(date +%s)
if run_cli run "$usr/share/irlstudio/graphs/default.json" --out "$work/out" --json --quiet \
     --set sampler-1.count=4 --set schedule-1.steps=4 >"$tmp/run.json" 2>"$tmp/run.err"; then
  pass "irlstudio-cli run default.json from the extracted tree ($(( $(date +%s) - start )) s): $(cat "$tmp/run.json")"
  check "the default graph wrote its image" test -s "$work/out/fashion.png"
else
  cat "$tmp/run.json" "$tmp/run.err"; fail "irlstudio-cli run default.json from the extracted tree"
fi

[ "$failures" -eq 0 ] && { echo "all checks passed"; exit 0; }
echo "$failures checks failed"; exit 1
