#!/usr/bin/env bash
# Verdict stability under load: runs the known-leak and known-clean corpus through the real xUnit and NUnit pipelines
# (tests/LeakGuard.Xunit.Tests and tests/LeakGuard.NUnit.Tests, CorpusTests) RUNS times while LOAD busy loops keep the
# cores busy, and prints per case how often its verdict flipped (a leak that passed, a clean case that failed).
#
#   bash tests/stress/stress.sh [RUNS] [LOAD]        # defaults: 20 runs, 2 busy loops
#
# Exit code 0 when no case flipped, 1 otherwise. Results (TRX files, the per-case table) go to artifacts/stress/.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-20}
load=${2:-2}
out=artifacts/stress
rm -rf "$out" && mkdir -p "$out"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

echo "stress: build (Release)"
dotnet build tests/LeakGuard.Xunit.Tests -c Release -v q -nologo >/dev/null
dotnet build tests/LeakGuard.NUnit.Tests -c Release -v q -nologo >/dev/null

loops=()
stop_loops() { for pid in "${loops[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap stop_loops EXIT
for _ in $(seq 1 "$load"); do
  ( while :; do :; done ) &
  loops+=($!)
done
echo "stress: $load busy loop(s) running (pids ${loops[*]:-none}); $runs run(s) of the corpus in xUnit and NUnit"

start=$(date +%s)
for run in $(seq 1 "$runs"); do
  for project in LeakGuard.Xunit.Tests LeakGuard.NUnit.Tests; do
    dotnet test "tests/$project" -c Release --no-build --filter "FullyQualifiedName~CorpusTests" \
      --logger "trx;LogFileName=$project-$run.trx" --results-directory "$out" >"$out/$project-$run.log" 2>&1 || true
  done
  echo "stress: run $run/$runs done after $(( $(date +%s) - start )) s"
done
stop_loops
trap - EXIT

python3 - "$out" "$runs" "$load" <<'PY'
import glob, os, re, sys, xml.etree.ElementTree as ET
from collections import defaultdict
ns = '{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}'
out, runs, load = sys.argv[1], int(sys.argv[2]), sys.argv[3]
outcomes = defaultdict(lambda: defaultdict(int))
messages = defaultdict(list)
for path in sorted(glob.glob(out + '/*.trx')):
    framework = 'xunit' if 'Xunit' in os.path.basename(path) else 'nunit'
    for result in ET.parse(path).getroot().iter(f'{ns}UnitTestResult'):
        name = result.get('testName')
        key = f"{framework} {name}"
        outcome = result.get('outcome')
        outcomes[key][outcome] += 1
        if outcome != 'Passed':
            message = result.find(f'{ns}Output/{ns}ErrorInfo/{ns}Message')
            messages[key].append(((message.text or '') if message is not None else '').splitlines()[:3])
flipped = {k: v for k, v in outcomes.items() if v.get('Passed', 0) != sum(v.values())}
lines = [f"Corpus verdicts under load: {runs} run(s), {load} busy loop(s), {len(outcomes)} test(s) per run", ""]
lines.append(f"{'test':<110} {'runs':>5} {'flips':>6}")
for key in sorted(outcomes):
    total = sum(outcomes[key].values())
    flips = total - outcomes[key].get('Passed', 0)
    lines.append(f"{key[:110]:<110} {total:>5} {flips:>6}")
lines.append("")
lines.append(f"flips: {sum(sum(v.values()) - v.get('Passed', 0) for v in outcomes.values())} in {sum(sum(v.values()) for v in outcomes.values())} verdicts; cases that flipped: {len(flipped)}")
for key, texts in messages.items():
    for text in texts[:2]:
        lines.append(f"  {key}: " + " | ".join(text))
report = "\n".join(lines)
print(report)
open(os.path.join(out, 'flips.txt'), 'w').write(report + "\n")
sys.exit(1 if flipped else 0)
PY
