#!/usr/bin/env bash
# Opens LeakGuard's SVG charts in a real browser (headless Chromium) and fails when one does not render.
#
#   tests/svg-check/check-svg.sh                 # generate example charts from real leak runs, then check them all
#   tests/svg-check/check-svg.sh a.svg b.svg     # check the given files
#
# For every chart: Chromium must load it without an XML error (--dump-dom shows no <parsererror>), and a screenshot
# (900x600) must not be blank (more than one colour, and at least 1% of the pixels differ from the background).
# Screenshots go to $SVG_CHECK_OUT (default: a new temporary folder), named after the charts.
# Exit codes: 0 every chart rendered; 1 a chart failed (or the example run failed); 2 missing tools (chromium, python3).
# Needs Chromium (Debian: apt-get install chromium) and python3; generating the examples needs the .NET SDK.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

browser=""
for candidate in chromium chromium-browser google-chrome; do
  if command -v "$candidate" >/dev/null 2>&1; then browser="$candidate"; break; fi
done
if [ -z "$browser" ]; then
  echo "check-svg: no Chromium on PATH (looked for chromium, chromium-browser, google-chrome)." >&2
  echo "check-svg: install it first, e.g. on Debian/Ubuntu: sudo apt-get install -y chromium" >&2
  exit 2
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "check-svg: python3 is needed to inspect the screenshots." >&2
  exit 2
fi

out="${SVG_CHECK_OUT:-$(mktemp -d -t leakguard-svg-check.XXXXXX)}"
mkdir -p "$out"

files=()
if [ "$#" -gt 0 ]; then
  files=("$@")
else
  samples="$out/charts"
  rm -rf "$samples"
  echo "check-svg: generating example charts into $samples (dotnet test, ArtifactChartSamples)"
  if ! LEAKGUARD_SVG_SAMPLE_DIR="$samples" dotnet test "$repo/tests/LeakGuard.Tests" \
      --filter "FullyQualifiedName~ArtifactChartSamples" --nologo -v quiet >"$out/dotnet-test.log" 2>&1; then
    cat "$out/dotnet-test.log" >&2
    echo "check-svg: generating the examples failed (log above)" >&2
    exit 1
  fi
  while IFS= read -r -d '' file; do files+=("$file"); done < <(find "$samples" -name '*.svg' -print0 | sort -z)
  if [ "${#files[@]}" -eq 0 ]; then
    echo "check-svg: the example run wrote no charts into $samples" >&2
    exit 1
  fi
fi

failed=0
profile="$(mktemp -d -t leakguard-chromium.XXXXXX)"
trap 'rm -rf "$profile"' EXIT
for file in "${files[@]}"; do
  if [ ! -f "$file" ]; then
    echo "FAIL $file: no such file"; failed=1; continue
  fi
  path="$(cd "$(dirname "$file")" && pwd)/$(basename "$file")"
  name="$(basename "$(dirname "$path")")__$(basename "$path" .svg)"
  png="$out/$name.png"
  flags=(--headless --disable-gpu --no-sandbox --hide-scrollbars --user-data-dir="$profile" --no-first-run --no-default-browser-check)

  # 1. Chromium's XML parser: a malformed document becomes a page with a <parsererror> element.
  if ! dom="$(timeout 60 "$browser" "${flags[@]}" --dump-dom "file://$path" 2>"$out/$name.dom.log")"; then
    echo "FAIL $file: chromium --dump-dom failed (see $out/$name.dom.log)"; failed=1; continue
  fi
  if grep -qi "parsererror\|This page contains the following errors" <<<"$dom"; then
    echo "FAIL $file: Chromium reports an XML error:"; grep -io "error on line[^<]*" <<<"$dom" | head -3; failed=1; continue
  fi

  # 2. A screenshot that is not blank.
  rm -f "$png"
  if ! timeout 60 "$browser" "${flags[@]}" --window-size=900,600 --screenshot="$png" "file://$path" >"$out/$name.log" 2>&1 || [ ! -s "$png" ]; then
    echo "FAIL $file: chromium wrote no screenshot (see $out/$name.log)"; failed=1; continue
  fi
  if verdict="$(python3 "$here/png_stats.py" "$png")"; then
    echo "ok   $file -> $png ($verdict)"
  else
    echo "FAIL $file: blank screenshot $png ($verdict)"; failed=1
  fi
done

if [ "$failed" -ne 0 ]; then
  echo "check-svg: some charts did not render (screenshots in $out)" >&2
  exit 1
fi
echo "check-svg: ${#files[@]} chart(s) rendered in $("$browser" --version 2>/dev/null | head -1); screenshots in $out"
