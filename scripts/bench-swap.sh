#!/usr/bin/env bash
# Time from a WasmBinding update to the new module answering in a running in-pod sidecar, on the
# cluster in a box (cluster-tests: mock API server, operator + module service, injector, the
# sidecar jar as a process). Usage: scripts/bench-swap.sh [SWAPS]   (default 20)
# Prints p50/p90/max; the figures are kept in cluster-tests/target/bench-swap.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
swaps="${1:-20}"
mvn -B -q ${MVN_OFFLINE:--o} -pl cluster-tests -am verify \
  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=SwapLatencyBench -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dbench.swaps="$swaps"
cat cluster-tests/target/bench-swap.txt
