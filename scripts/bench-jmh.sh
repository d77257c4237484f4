#!/usr/bin/env bash
# JMH benchmarks of one guest call in process (benchmarks/, GuestCallBenchmark): a tiny call
# compiled and interpreted, SHA-256 of 1 MiB compiled, through the sidecar's real GuestRunner.
# The normal build compiles them; only this script runs them. Results and tables: docs/bench/jmh.md.
#
#   scripts/bench-jmh.sh
#       every benchmark once on this tree -> docs/bench/jmh-results.json (JMH's own),
#       docs/bench/jmh-results.csv, and the "latest" table in docs/bench/jmh.md
#   scripts/bench-jmh.sh --ab REF [ROUNDS]
#       this tree against git commit REF, alternating (REF, this; this, REF; ...) for ROUNDS rounds
#       (default 3) on a loaded machine -> docs/bench/jmh-ab.csv and the "A/B" table in jmh.md
#
# Environment: BENCH (JMH regex, default GuestCallBenchmark), JMH_ARGS (more JMH options, e.g.
# "-wi 2 -i 3 -r 1"), VARIANTS (extra "name=classes-dir" entries, space separated, put in front
# of this tree's classes in --ab mode: a way to A/B an experiment without committing it).
# AB_MARKER (default "ab") names the jmh.md section an A/B run rewrites and AB_CSV (default
# jmh-ab.csv) its CSV under docs/bench, so that each round keeps its own table.
# Every result row carries the 1-minute load average taken just before its run.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/docs/bench"
work="$root/benchmarks/target/bench"
BENCH="${BENCH:-GuestCallBenchmark}"
JMH_ARGS="${JMH_ARGS:-}"
mkdir -p "$work" "$out"

mode=latest
if [ "${1:-}" = "--ab" ]; then
    mode=ab
    ref="${2:?--ab needs a git commit}"
    rounds="${3:-3}"
fi

echo "building the benchmarks (offline)..."
(cd "$root" && mvn -B -o -q -pl benchmarks -am package -DskipTests)
classpath="$root/benchmarks/target/classes:$(cat "$root/benchmarks/target/benchmark.classpath")"

load1() { cut -d' ' -f1 /proc/loadavg; }

# run NAME CLASSPATH RESULT_JSON: one JMH run of $BENCH with the GC profiler (bytes per call).
run() {
    local name="$1" cp="$2" json="$3"
    local load
    load="$(load1)"
    echo "== $name (load $load) $(date -u +%H:%M:%S)"
    # shellcheck disable=SC2086
    java -cp "$cp" org.openjdk.jmh.Main "$BENCH" -prof gc -rf json -rff "$json" $JMH_ARGS \
        | grep -E '^(Benchmark|GuestCall)' | grep -vE 'gc\.(count|time|alloc\.rate )|p0\.(00|999|9999)|p1\.00' || true
    echo "$load" >"$json.load"
}

# rows JSON VARIANT ROUND: CSV rows of a JMH result file.
rows() {
    python3 - "$1" "$2" "$3" "$(cat "$1.load")" <<'EOF'
import json, sys
path, variant, rnd, load = sys.argv[1:5]
for r in json.load(open(path)):
    m = r["primaryMetric"]
    pct = m.get("scorePercentiles", {})
    alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score", float("nan"))
    print(",".join([rnd, variant, r["benchmark"].rsplit(".", 1)[1], m["scoreUnit"],
                    "%.3f" % m["score"], "%.3f" % pct.get("50.0", float("nan")),
                    "%.3f" % pct.get("90.0", float("nan")), "%.3f" % pct.get("99.0", float("nan")),
                    "%.0f" % alloc, load]))
EOF
}

header="round,variant,benchmark,unit,mean,p50,p90,p99,alloc_bytes_per_call,load1"

# table CSV: a markdown table, one line per benchmark and variant: the median over the rounds of
# each figure, with the range of p50 and the loads seen.
table() {
    python3 - "$1" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
keys = []
for r in rows:
    k = (r["benchmark"], r["variant"])
    if k not in keys:
        keys.append(k)
print("| Benchmark | Variant | Runs | p50 (median of runs) | p50 range | mean | p99 | Allocated per call | Load (1 min) |")
print("|---|---|---|---|---|---|---|---|---|")
for b, v in sorted(keys):
    rs = [r for r in rows if r["benchmark"] == b and r["variant"] == v]
    unit = rs[0]["unit"].replace("/op", "")
    f = lambda name: [float(r[name]) for r in rs]
    med = lambda name: statistics.median(f(name))
    print(f"| {b} | {v} | {len(rs)} | {med('p50'):.3g} {unit} | {min(f('p50')):.3g}–{max(f('p50')):.3g} "
          f"| {med('mean'):.3g} | {med('p99'):.3g} | {med('alloc_bytes_per_call'):,.0f} B "
          f"| {min(f('load1')):.1f}–{max(f('load1')):.1f} |")
EOF
}

# splice FILE MARKER TEXT_FILE: replace what is between <!-- MARKER:start --> and <!-- MARKER:end -->.
splice() {
    python3 - "$1" "$2" "$3" <<'EOF'
import sys
path, marker, text = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
doc = open(path).read()
start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
if start not in doc:
    doc += f"\n{start}\n{end}\n"
a, b = doc.index(start) + len(start), doc.index(end)
open(path, "w").write(doc[:a] + "\n" + text + doc[b:])
EOF
}

stamp="$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(java -version 2>&1 | head -1)"

if [ "$mode" = latest ]; then
    run current "$classpath" "$work/latest.json"
    cp "$work/latest.json" "$out/jmh-results.json"
    { echo "$header"; rows "$work/latest.json" current 1; } >"$out/jmh-results.csv"
    { echo "Run of $stamp (\`scripts/bench-jmh.sh\`):"; echo; table "$out/jmh-results.csv"; } >"$work/latest.md"
    splice "$out/jmh.md" latest "$work/latest.md"
    cat "$work/latest.md"
    exit 0
fi

# --ab: REF's reactor modules compiled from a git archive, their classes put first.
base="$work/base"
rm -rf "$base" && mkdir -p "$base"
git -C "$root" archive "$ref" | tar -x -C "$base"
echo "compiling $ref's sidecar (offline)..."
(cd "$base" && mvn -B -o -q -pl sidecar -am compile -Dcheckstyle.skip -Dspotless.check.skip -Denforcer.skip)
base_cp=""
for module in crds command-support module-loader sidecar; do
    base_cp="$base_cp$base/$module/target/classes:"
done
variants=("base=$base_cp" "current=")
for extra in ${VARIANTS:-}; do
    variants+=("${extra%%=*}=${extra#*=}:")
done

csv="$out/${AB_CSV:-jmh-ab.csv}"
echo "$header" >"$csv"
for round in $(seq 1 "$rounds"); do
    order=("${variants[@]}")
    if [ $((round % 2)) -eq 0 ]; then # reverse the order every other round
        order=()
        for ((i = ${#variants[@]} - 1; i >= 0; i--)); do order+=("${variants[$i]}"); done
    fi
    for variant in "${order[@]}"; do
        name="${variant%%=*}"
        run "$name, round $round" "${variant#*=}$classpath" "$work/ab-$round-$name.json"
        rows "$work/ab-$round-$name.json" "$name" "$round" >>"$csv"
    done
done
{
    echo "A/B of $stamp (\`scripts/bench-jmh.sh --ab $ref $rounds\`, base = \`$(git -C "$root" rev-parse --short "$ref")\`, current = \`$(git -C "$root" rev-parse --short HEAD)\` + working tree):"
    echo
    table "$csv"
} >"$work/ab.md"
splice "$out/jmh.md" "${AB_MARKER:-ab}" "$work/ab.md"
cat "$work/ab.md"
