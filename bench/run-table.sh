#!/usr/bin/env bash
# The batching table, interleaved: two servers on the same core (batching on at 18500/18501, off at 18600/18601),
# both warmed, then for each concurrency the in-process ceiling, gRPC on, gRPC off, REST on and REST off one after
# another, and last the open-loop rate on each. The batch ceiling (one caller, whole batches) is measured first and
# last. run-batching-bench.sh measures all of "off" before all of "on"; on this shared machine the speed drifts by a
# third over minutes, so only neighbouring cells compare.
# Same pinning and environment variables as run-steady.sh; MAX_BATCH_SIZE 4 and MAX_ENQUEUED_BATCHES 16 by default
# (the best measured for the rps model on one core: BENCHMARKS.md).
# Usage: bench/run-table.sh [concurrencies=1,8,32,64] [duration=10s] [open-loop rate=30] [warmup=30s]
set -euo pipefail
CONCURRENCY=${1:-1,8,32,64}; DURATION=${2:-10s}; RATE=${3:-30}; WARMUP=${4:-30s}
OUT=${OUT:-/tmp/modelserver-table}
BATCH=${MAX_BATCH_SIZE:-4}
source "$(dirname "$0")/lib.sh"
prepare_run
write_batching "$OUT/batching.pbtxt" "$BATCH" "${MAX_ENQUEUED_BATCHES:-16}" "${BATCH_THREADS:-1}"
start_server "$OUT/repo" "$OUT/server.log" --enable_batching --batching_parameters_file "$OUT/batching.pbtxt" \
  --Logging:LogLevel:ModelServer.Runtime.Batching=Debug
ON_PID=$SERVER_PID
trap 'kill $ON_PID 2>/dev/null || true' EXIT
GRPC=18600 REST=18601 start_server "$OUT/repo" "$OUT/server-off.log"
OFF_PID=$SERVER_PID
trap 'kill $ON_PID $OFF_PID 2>/dev/null || true' EXIT
{ uptime; echo "server cpus: ${SERVER_CPUS:-all}, client cpus: ${CLIENT_CPUS:-all}, intra-op threads: $INTRA_OP, batching: $BATCH x ${BATCH_THREADS:-1}"; } | tee "$OUT/conditions.txt"

# measure LABEL PORT_BASE PID PROTOCOL LOAD-FLAGS...: one cell, one line, one JSON file.
measure() {
  local label=$1 base=$2 pid=$3 protocol=$4
  shift 4
  local port=$base
  if [ "$protocol" = rest ]; then port=$((base + 1)); fi
  $LG --model rps --target "http://127.0.0.1:$port" --protocol "$protocol" --duration "$DURATION" --label "$label" --server-pid "$pid" --out "$OUT/$label.json" "$@" | tail -1
}

for base_pid in "18500 $ON_PID on" "18600 $OFF_PID off"; do
  read -r base pid mode <<< "$base_pid"
  $LG --model rps --target "http://127.0.0.1:$base" --concurrency 32 --duration "$WARMUP" --label "warmup-grpc-$mode" | tail -1
  $LG --model rps --target "http://127.0.0.1:$((base + 1))" --protocol rest --concurrency 8 --duration 10s --label "warmup-rest-$mode" | tail -1
done

# inprocess LABEL LOAD-FLAGS...: ONNX Runtime in the load generator's own process, on the server's cores.
inprocess() {
  local label=$1
  shift
  $(pin "$SERVER_CPUS") dotnet "$LGDLL" --model rps --inprocess "$OUT/repo/rps/1/model.onnx" --intra-op-threads "$INTRA_OP" --duration "$DURATION" --warmup 5s --label "$label" --out "$OUT/$label.json" "$@" | tail -1
}

# ONNX Runtime's own best on the server's cores: one caller, whole batches of max_batch_size rows. Its req/s times
# the rows is images per second, the throughput the server would reach with no transport and perfect batches.
ceiling_batches() { inprocess "inprocess-rows$BATCH-$1" --rows "$BATCH" --concurrency 1; }

ceiling_batches first
for c in ${CONCURRENCY//,/ }; do
  inprocess "inprocess-c$c" --concurrency "$c"
  for protocol in grpc rest; do
    measure "$protocol-on-c$c" 18500 "$ON_PID" "$protocol" --concurrency "$c"
    measure "$protocol-off-c$c" 18600 "$OFF_PID" "$protocol" --concurrency "$c"
  done
done

for protocol in grpc rest; do
  measure "$protocol-on-rate$RATE" 18500 "$ON_PID" "$protocol" --rate "$RATE"
  measure "$protocol-off-rate$RATE" 18600 "$OFF_PID" "$protocol" --rate "$RATE"
done
ceiling_batches last
uptime | tee -a "$OUT/conditions.txt"
grep -h "Batching rps" "$OUT/server.log" | sed 's/^ *//' > "$OUT/batching-summary.txt" || true
