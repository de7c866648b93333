#!/usr/bin/env bash
# Whole-process time of `bin/attest4j measure` against the floor of issue 10: a JVM that reads the
# same firmware and SHA-384s it (bench/startup/Floor.java), run two ways: C1 only, as the issue
# defines it, and with the launcher's own JVM options (-XX:-UsePerfData -XX:TieredStopAtLevel=1).
# The commands alternate run by run, so load changes on a shared machine hit them alike; prints the
# median wall time and the median CPU time (user + system, steadier on a loaded machine) of each,
# and the ratios of attest4j to each floor.
#   bench/startup/measure-vs-floor.sh [OVMF.fd] [runs]
set -euo pipefail
cd "$(dirname "$0")/../.."
ovmf=$(readlink -f "${1:-../shared/vectors/snp-measure/OVMF.fd}")
runs=${2:-21}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
javac -d "$work" bench/startup/Floor.java
export ATTEST4J_CACHE="$work/cds"
bin/attest4j measure --mode snp --vcpus 1 --vcpu-type EPYC-v4 --ovmf "$ovmf" >/dev/null # first use: the CDS archive
python3 - "$runs" "$ovmf" "$work" <<'PY'
import os, statistics, sys, time
runs, ovmf, work = int(sys.argv[1]), sys.argv[2], sys.argv[3]
cmds = {
    "attest4j measure (bin/attest4j)":
        ["bin/attest4j", "measure", "--mode", "snp", "--vcpus", "1", "--vcpu-type", "EPYC-v4", "--ovmf", ovmf],
    "floor, C1 only":
        ["java", "-XX:TieredStopAtLevel=1", "-cp", work, "Floor", ovmf],
    "floor, the launcher's options":
        ["java", "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", "-cp", work, "Floor", ovmf],
}
null = os.open(os.devnull, os.O_WRONLY)
def run(argv):
    t = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(null, 1)
        os.execvp(argv[0], argv)
    _, status, ru = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(argv)}")
    return time.perf_counter() - t, ru.ru_utime + ru.ru_stime
for argv in cmds.values():
    run(argv)  # warm the page cache
wall = {k: [] for k in cmds}
cpu = {k: [] for k in cmds}
for _ in range(runs):
    for k, argv in cmds.items():
        w, c = run(argv)
        wall[k].append(w)
        cpu[k].append(c)
med = {k: (statistics.median(wall[k]), statistics.median(cpu[k])) for k in cmds}
for k in cmds:
    print(f"{k}: median wall {med[k][0]*1000:.1f} ms (min {min(wall[k])*1000:.1f}), median cpu {med[k][1]*1000:.1f} ms, {runs} runs")
a = med["attest4j measure (bin/attest4j)"]
for k in list(cmds)[1:]:
    print(f"ratio to {k}: wall {a[0]/med[k][0]:.2f}x, cpu {a[1]/med[k][1]:.2f}x")
print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
PY
