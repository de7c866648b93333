#!/usr/bin/env bash
# Whole-process wall time of `bin/attest4j measure` against the floor of issue 10 (a JVM that reads
# the same firmware and SHA-384s it, C1 only, the JDK's default CDS archive), with hyperfine, the
# two commands alternating run by run. Prints the medians and the ratio.
#   bench/startup/measure-vs-floor.sh [OVMF.fd] [runs]
set -euo pipefail
cd "$(dirname "$0")/../.."
ovmf=$(readlink -f "${1:-../shared/vectors/snp-measure/OVMF.fd}")
runs=${2:-21}
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install -y hyperfine)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
javac -d "$work" bench/startup/Floor.java
export ATTEST4J_CACHE="$work/cds"
measure="bin/attest4j measure --mode snp --vcpus 1 --vcpu-type EPYC-v4 --ovmf $ovmf"
$measure >/dev/null   # first use: creates the CDS archive
floor_cmd="java -XX:TieredStopAtLevel=1 -cp $work Floor $ovmf"
# alternate the two: one run of each per round, so load changes on a shared machine hit both alike
for i in $(seq "$runs"); do
  hyperfine -N --runs 1 --export-json "$work/m$i.json" "$measure" >/dev/null 2>&1
  hyperfine -N --runs 1 --export-json "$work/f$i.json" "$floor_cmd" >/dev/null 2>&1
done
python3 - "$work" "$runs" <<'PY'
import json, statistics, sys
w, n = sys.argv[1], int(sys.argv[2])
m = [json.load(open(f"{w}/m{i}.json"))["results"][0]["times"][0] for i in range(1, n + 1)]
f = [json.load(open(f"{w}/f{i}.json"))["results"][0]["times"][0] for i in range(1, n + 1)]
mm, fm = statistics.median(m), statistics.median(f)
print(f"attest4j measure: median {mm*1000:.1f} ms over {n} runs (min {min(m)*1000:.1f})")
print(f"floor (read + SHA-384): median {fm*1000:.1f} ms over {n} runs (min {min(f)*1000:.1f})")
print(f"ratio {mm/fm:.2f}x")
PY
