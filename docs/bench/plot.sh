#!/usr/bin/env bash
# Redraws the figures of docs/benchmarks.md from the raw results committed beside this script:
#   startup.csv   (scripts/bench-startup.sh)  -> startup.svg: ready time and idle RSS per config
#   inprocess.csv (scripts/bench-sidecar.sh, or by hand from InProcessBench lines)
#                                             -> inprocess.svg: CPU and p50 per call, per variant
# Needs gnuplot (scripts/setup.sh --bench). Usage: docs/bench/plot.sh
set -euo pipefail
cd "$(dirname "$0")"

# Mean per config of the runs in startup.csv, in the order the configs first appear.
awk -F, 'NR > 1 { if (!($3 in n)) order[++k] = $3; n[$3]++; r[$3] += $5; i[$3] += $7 }
         END { for (j = 1; j <= k; j++) { c = order[j]; printf "%s %.0f %.1f\n", c, r[c]/n[c], i[c]/n[c] } }' \
  startup.csv > startup.dat
gnuplot <<'GP'
set terminal svg size 720,360 font "sans,11"
set output "startup.svg"
set multiplot layout 1,2 title "Sidecar start-up, 3 bindings (mean of runs; see startup.csv for load)"
set style data histograms
set style fill solid 0.8 border -1
set boxwidth 0.7
set xtics rotate by -30 noenhanced
set grid ytics
unset key
set title "process start to ready (ms)"
set yrange [0:*]
plot "startup.dat" using 2:xtic(1) lc rgb "#4477aa"
set title "idle RSS (MiB)"
plot "startup.dat" using 3:xtic(1) lc rgb "#cc6677"
unset multiplot
GP

if [ -f inprocess.csv ]; then
  awk -F, 'NR > 1 { key = $3 " " $4; if (!(key in n)) order[++k] = key; n[key]++; c[key] += $6; p[key] += $5 }
           END { for (j = 1; j <= k; j++) { x = order[j]; split(x, a, " "); printf "%s/%s %.1f %.1f\n", a[1], a[2], c[x]/n[x], p[x]/n[x] } }' \
    inprocess.csv > inprocess.dat
  gnuplot <<'GP'
set terminal svg size 720,360 font "sans,11"
set output "inprocess.svg"
set multiplot layout 1,2 title "In-process call (mean of rounds; see inprocess.csv for load)"
set style data histograms
set style fill solid 0.8 border -1
set xtics rotate by -30 noenhanced
set grid ytics
unset key
set logscale y
set title "CPU per call (us, log)"
plot "inprocess.dat" using 2:xtic(1) lc rgb "#4477aa"
set title "p50 wall per call (us, log)"
plot "inprocess.dat" using 3:xtic(1) lc rgb "#cc6677"
unset multiplot
GP
fi
rm -f startup.dat inprocess.dat
