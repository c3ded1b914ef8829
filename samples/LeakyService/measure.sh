#!/usr/bin/env bash
# Measures what `leakguard watch` costs (docs/performance.md, "The leakguard CLI"):
#   1. the tool's CPU while watching at the default interval (1 s), and the target's CPU with and without being watched;
#   2. the pause a heap snapshot imposes on the target (the sample's pause probe prints every pause over 50 ms) and the
#      time the tool reports for writing each dump.
# Usage: bash samples/LeakyService/measure.sh [watch seconds, default 60]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
out=$(mktemp -d)
dotnet build -c Release src/LeakGuard.Tool -o "$out/tool" >/dev/null
dotnet build -c Release samples/LeakyService -o "$out/sample" >/dev/null
leakguard() { dotnet "$out/tool/LeakGuard.Tool.dll" "$@"; }
cpu() { awk '{ print ($14 + $15) / 100 }' "/proc/$1/stat"; }

echo "== 1. CPU while watching (stable target: --leak none), ${seconds}s at the default interval"
dotnet "$out/sample/LeakyService.dll" --leak none >"$out/none.log" &
pid=$!
sleep 5
before=$(cpu $pid); sleep "$seconds"; after=$(cpu $pid)
echo "target CPU, not watched: $(python3 -c "print(f'{100*($after-$before)/$seconds:.2f}')") % of one core"
/usr/bin/time -f "tool process: %U s user + %S s system over %e s (start-up and JIT included)" \
  dotnet "$out/tool/LeakGuard.Tool.dll" watch $pid --duration "${seconds}s" --json >"$out/watch.json" || true
python3 - "$out/watch.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
c = r["cost"]
print(f"tool CPU while sampling: {c['toolCpuSeconds']:.2f} s over {r['durationSeconds']:.0f} s = {c['toolCpuPercent']:.2f} % of one core ({r['samples']} samples)")
print(f"target CPU while watched: {c['targetCpuPercent']:.2f} % of one core")
PY
kill $pid

echo "== 2. Snapshot pause (managed leak: the watch goes over budget and takes two heap snapshots)"
dotnet "$out/sample/LeakyService.dll" --leak managed >"$out/managed.log" &
pid=$!
sleep 5
leakguard watch $pid --duration 10s --snapshot-delay 5s --json >"$out/snap.json" || true
sleep 1
kill $pid
python3 - "$out/snap.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["snapshots"]
print("dump written in (tool's clock): " + ", ".join(f"{d:.2f} s" for d in s["dumpSeconds"]))
c = s["comparison"]
print(f"heap: {c['totalBytesAfter']/1e6:.1f} MB, {c['objectsAfter']:,} objects; analysis {c['histogramSeconds']:.2f} s + paths {c['pathSeconds']:.2f} s")
PY
echo "pauses the target saw (pause probe, > 50 ms):"
grep '^paused' "$out/managed.log" || echo "  none"
rm -rf "$out"
