#!/usr/bin/env bash
# Builds the .deb with CPack from the configured build tree and checks what it holds and declares.
set -euo pipefail
build_dir=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$build_dir"
cpack -G DEB -B "$out" > "$out/cpack.log" 2>&1 || { cat "$out/cpack.log"; exit 1; }
deb=$(ls "$out"/*.deb | head -1)
[[ -f "$deb" ]] || { echo "no .deb produced"; exit 1; }
echo "package: $(basename "$deb") ($(stat -c %s "$deb") bytes)"
contents=$(dpkg-deb -c "$deb")
status=0
for path in ./usr/bin/capsule ./usr/bin/capsule-cli ./usr/share/applications/capsule.desktop \
            ./usr/share/icons/hicolor/scalable/apps/capsule.svg ./usr/share/doc/capsule/copyright \
            ./usr/share/capsule/demo/model/model.safetensors ./usr/share/capsule/demo/model/tokenizer.json; do
    if grep -q " $path\$" <<<"$contents"; then echo "ok: $path"; else echo "MISSING: $path"; status=1; fi
done
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for dependency in libtorch1.13 libopenblas0-openmp libqt6widgets6 libqcustomplot2.1-qt6 libqt6svg6; do
    if grep -q "$dependency" <<<"$depends"; then echo "ok: depends on $dependency"; else echo "MISSING dependency: $dependency"; status=1; fi
done
[[ "$(dpkg-deb -f "$deb" Package)" == capsule ]] || { echo "wrong package name"; status=1; }
# The packaged binaries run.
mkdir "$out/root" && dpkg-deb -x "$deb" "$out/root"
"$out/root/usr/bin/capsule-cli" --version | grep -q "capsule-cli" || { echo "packaged capsule-cli does not run"; status=1; }
# The packaged CLI finds the packaged demo model (next to it, not in the source tree) and trains it.
demo_log=$("$out/root/usr/bin/capsule-cli" demo --method lora --max-steps 5 --folder "$out/demo" \
           --store "$out/runs.sqlite" --quiet 2>&1) || { echo "packaged capsule-cli demo failed: $demo_log"; status=1; }
if grep -q "demo model: $out/root/usr/share/capsule/demo/model" <<<"$demo_log"; then
    echo "ok: the packaged demo model is found and trains"
else
    echo "the packaged capsule-cli did not use the packaged demo model:"; echo "$demo_log"; status=1
fi
desktop-file-validate "$out/root/usr/share/applications/capsule.desktop" 2>/dev/null || true
exit $status
