#!/usr/bin/env bash
# Redraws the figures of docs/benchmarks.md from the raw results committed beside this script:
#   startup.csv    (scripts/bench-startup.sh) -> startup.svg: ready time and idle RSS per config;
#                                                startup-timeline.svg: phases from process start
#   footprint.csv  (scripts/bench-startup.sh) -> footprint.svg: idle resident set per part
#   http-sweep.csv (scripts/bench-sidecar.sh) -> http-sweep.svg: req/s and latency percentiles
#                                                vs connections, execute and healthz
#   percall.csv    (scripts/bench-sidecar.sh) -> percall.svg: per call, sidecar runner vs
#                                                node:wasi vs native
#   inprocess.csv  (by hand from InProcessBench lines) -> inprocess.svg
# Rows are averaged per config (or label); configs named r1-* (the first round's rows) are left
# out unless ALL=1 (and start-up runs at a load average above MAXLOAD, below). LABEL=... picks one
# label of http-sweep.csv and percall.csv (default: the last one written). The start-up and
# footprint charts draw the configs matching PICK (default: issue 12's milestones, each round's
# final code with the documented flags, JDK 17 and 25, and round 10's A/B pair, measured on a
# slower morning than round 9; ALL=1 draws every config).
# Needs gnuplot (scripts/setup.sh --bench). Usage: docs/bench/plot.sh
set -euo pipefail
cd "$(dirname "$0")"
SKIP='^r1-'
PICK="${PICK:-^jdk(17|25)-documented(-final|-r4-final|-r5-final|-r6-new|-r7-new|-r9-final|-r10-opens-old|-r10-opens-new)?\$}"
[ "${ALL:-}" = 1 ] && SKIP='^$' && PICK=.
# Start-up runs taken on a busy machine (other builds on the two cores) measure the load, not the
# sidecar: startup.svg and startup-timeline.svg draw only runs whose load average was at most
# MAXLOAD (default 2.5; ALL=1 draws every run).
MAXLOAD="${MAXLOAD:-2.5}"
[ "${ALL:-}" = 1 ] && MAXLOAD=1000

# Mean per config of the runs in startup.csv, in the order the configs first appear.
awk -F, -v skip="$SKIP" -v pick="$PICK" -v maxload="$MAXLOAD" 'NR > 1 && $3 !~ skip && $3 ~ pick && $2 <= maxload { if (!($3 in n)) order[++k] = $3; n[$3]++; r[$3] += $5; i[$3] += $7
         for (c = 10; c <= 14; c++) if ($c != "") { s[$3, c] += $c; m[$3, c]++ } }
         END { for (j = 1; j <= k; j++) { c = order[j]; printf "%s %.0f %.1f", c, r[c]/n[c], i[c]/n[c]
                 prev = 0
                 for (f = 10; f <= 13; f++) { v = m[c, f] ? s[c, f] / m[c, f] : prev; printf " %.0f", v - prev; prev = v }
                 printf " %.0f\n", r[c]/n[c] - prev } }' \
  startup.csv > startup.dat
gnuplot <<'GP'
set terminal svg size 960,420 font "sans,11"
set output "startup.svg"
set multiplot layout 1,2 title "Sidecar start-up, 3 bindings (mean of the runs at load average <= MAXLOAD; startup.csv)"
set style data histograms
set style fill solid 0.8 border -1
set boxwidth 0.7
set xtics rotate by 45 right noenhanced
set bmargin 11
set grid ytics
unset key
set title "process start to ready (ms)"
set yrange [0:*]
plot "startup.dat" using 2:xtic(1) lc rgb "#4477aa"
set title "idle RSS (MiB)"
plot "startup.dat" using 3:xtic(1) lc rgb "#cc6677"
unset multiplot
set output "startup-timeline.svg"
set title "Start-up timeline: ms from process start (mean; runs with timeline markers)"
set style histogram rowstacked
set key outside right top noenhanced
set yrange [0:*]
plot "startup.dat" using 4:xtic(1) title "to JVM created" lc rgb "#bbbbbb", \
     "" using 5 title "JVM -> main running" lc rgb "#88ccee", \
     "" using 6 title "-> bindings loaded" lc rgb "#44aa99", \
     "" using 7 title "-> API listening" lc rgb "#ddcc77", \
     "" using 8 title "-> ready (healthz 204)" lc rgb "#cc6677"
GP

if [ -f footprint.csv ]; then
  # The resident set per part of the last footprint run of each config.
  awk -F, -v skip="$SKIP" -v pick="$PICK" 'NR > 1 && $3 !~ skip && $3 ~ pick && $4 ~ /^rss / && $4 != "rss total" { p = substr($4, 5); key = $3 SUBSEP p
           if (!($3 in seen)) { cfg[++k] = $3; seen[$3] = 1 } if (!(p in pseen)) { part[++q] = p; pseen[p] = 1 } v[key] = $5 }
           END { printf "config"; for (j = 1; j <= q; j++) printf "\t\"%s\"", part[j]; printf "\n"
                 for (i = 1; i <= k; i++) { printf "%s", cfg[i]; for (j = 1; j <= q; j++) printf "\t%s", ((cfg[i], part[j]) in v) ? v[cfg[i], part[j]] : 0; printf "\n" } }' \
    footprint.csv > footprint.dat
  cols=$(head -1 footprint.dat | awk -F'\t' '{print NF}')
  gnuplot <<GP
set terminal svg size 960,420 font "sans,11"
set output "footprint.svg"
set title "Idle resident set per part, MiB (smaps; one NMT run per config)"
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.7
set xtics rotate by 45 right noenhanced
set bmargin 11
set key outside right top noenhanced
set grid ytics
set datafile separator "\t"
set yrange [0:*]
plot for [c=2:$cols] "footprint.dat" using c:xtic(1) title columnheader(c)
GP
fi

if [ -f http-sweep.csv ]; then
  label="${LABEL:-$(tail -1 http-sweep.csv | cut -d, -f3)}"
  for t in execute healthz; do
    awk -F, -v t="$t" -v l="$label" 'NR > 1 && $3 == l && $4 == t { n[$5]++; r[$5] += $6; a[$5] += $7; b[$5] += $8; c[$5] += $9 }
         END { for (x in n) printf "%d %.0f %.0f %.0f %.0f\n", x, r[x]/n[x], a[x]/n[x], b[x]/n[x], c[x]/n[x] }' http-sweep.csv |
      sort -n > "sweep-$t.dat"
  done
  gnuplot <<GP
set terminal svg size 760,360 font "sans,11"
set output "http-sweep.svg"
set multiplot layout 1,2 title "HTTP on loopback, wrk -t1, ${label} (mean of runs; load in http-sweep.csv)" noenhanced
set logscale x 2
set xlabel "connections"
set grid
set key top left
set title "requests per second"
set yrange [0:*]
plot "sweep-execute.dat" using 1:2 with linespoints lw 2 title "execute (tiny module)", \
     "sweep-healthz.dat" using 1:2 with linespoints lw 2 title "GET /v1.0/healthz"
set title "latency (us, log)"
set logscale y
set yrange [*:*]
plot "sweep-execute.dat" using 1:3 with linespoints lw 2 lc rgb "#4477aa" title "execute p50", \
     "" using 1:4 with linespoints dt 2 lc rgb "#4477aa" title "execute p90", \
     "" using 1:5 with linespoints dt 3 lc rgb "#4477aa" title "execute p99", \
     "sweep-healthz.dat" using 1:3 with linespoints lw 2 lc rgb "#cc6677" title "healthz p50", \
     "" using 1:5 with linespoints dt 3 lc rgb "#cc6677" title "healthz p99"
unset multiplot
GP
  rm -f sweep-execute.dat sweep-healthz.dat
fi

if [ -f percall.csv ]; then
  # Mean p50 per case and runtime of one label (the code changes between labels), in the order
  # they first appear; LABEL=... as for the sweep (default: the last one written).
  percall_label="${LABEL:-$(tail -1 percall.csv | cut -d, -f3)}"
  awk -F, -v l="$percall_label" 'NR > 1 && $3 == l { key = $4 " / " $5; if (!(key in n)) order[++k] = key; n[key]++; p[key] += $6 }
           END { for (j = 1; j <= k; j++) { x = order[j]; printf "\"%s\" %.1f\n", x, p[x]/n[x] } }' percall.csv > percall.dat
  gnuplot <<GP
set terminal svg size 760,380 font "sans,11"
set output "percall.svg"
set title "One call: p50 wall (us, log), ${percall_label} (mean of runs; load in percall.csv)" noenhanced
set style data histograms
set style fill solid 0.8 border -1
set boxwidth 0.7
set xtics rotate by 30 right noenhanced
set bmargin 10
set lmargin 16
set grid ytics
set logscale y
unset key
plot "percall.dat" using 2:xtic(1) lc rgb "#4477aa"
GP
fi

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
set xtics rotate by 30 right noenhanced
set bmargin 6
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
rm -f startup.dat footprint.dat percall.dat inprocess.dat
