#!/usr/bin/env bash
# Batching benchmark: in-process ceiling vs the server over gRPC and REST, batching off and on, closed loop at
# several concurrencies and one open-loop rate, then an overload run over REST and gRPC with memory sampled
# before, at the peak and after the server has been idle. Loopback only; results under $OUT.
# Usage: bench/run-batching-bench.sh [duration=10s] [open-loop rate=30] [overload rate=600]
#
# On a 2-core machine the load generator would otherwise take half the CPU the server is measured on, so the
# server and the in-process ceiling are pinned to SERVER_CPUS and the load generator to CLIENT_CPUS (taskset),
# both with INTRA_OP ONNX Runtime threads: the ceiling and the server get the same cores and session options.
# SERVER_CPUS= (empty) turns pinning off. The server runs with --execution_provider cpu, as the ceiling does.
# BATCH (max_batch_size, default 4: the best measured for the rps model on one core) and MAX_ENQUEUED_BATCHES (16).
# It measures all of "off" before all of "on"; run-table.sh interleaves them, which this machine's drift needs.
set -euo pipefail
DURATION=${1:-10s}
RATE=${2:-30}
OVERLOAD=${3:-600}
OUT=${OUT:-/tmp/modelserver-bench}
REPO=$OUT/repo
BATCH=${BATCH:-4}
BATCH_THREADS=${BATCH_THREADS:-1}
source "$(dirname "$0")/lib.sh"
mkdir -p "$REPO/rps/1"
build_release
MODEL=${MODEL:-$ROOT/model_repository/rps/1/model.onnx}
cp "$MODEL" "$REPO/rps/1/model.onnx"
LG="$(pin "$CLIENT_CPUS") dotnet $LGDLL"
INPROC="$(pin "$SERVER_CPUS") dotnet $LGDLL"
write_batching "$OUT/batching.pbtxt" "$BATCH" "${MAX_ENQUEUED_BATCHES:-16}" "$BATCH_THREADS"

{ uptime; echo "server cpus: ${SERVER_CPUS:-all}, client cpus: ${CLIENT_CPUS:-all}, intra-op threads: $INTRA_OP, batching: $BATCH x $BATCH_THREADS"; } | tee "$OUT/conditions.txt"
: > "$OUT/memory.txt"
LABEL=inprocess
$INPROC --model rps --inprocess "$MODEL" --intra-op-threads "$INTRA_OP" --concurrency 1,8,32,64 --duration "$DURATION" --label inprocess --out "$OUT/inprocess.json"

for mode in off on; do
  LABEL=batching-$mode
  if [ $mode = on ]; then
    start_server "$REPO" "$OUT/server-$LABEL.log" --enable_batching --batching_parameters_file "$OUT/batching.pbtxt"
  else
    start_server "$REPO" "$OUT/server-$LABEL.log"
  fi
  $LG --model rps --target http://127.0.0.1:$GRPC --protocol grpc --concurrency 1,8,32,64 --duration "$DURATION" --label "$LABEL" --server-pid $SERVER_PID --out "$OUT/grpc-$mode.json"
  $LG --model rps --target http://127.0.0.1:$REST --protocol rest --concurrency 1,8,32,64 --duration "$DURATION" --label "$LABEL" --server-pid $SERVER_PID --out "$OUT/rest-$mode.json"
  $LG --model rps --target http://127.0.0.1:$GRPC --protocol grpc --rate "$RATE" --duration "$DURATION" --label "$LABEL" --server-pid $SERVER_PID --out "$OUT/grpc-open-$mode.json"
  if [ $mode = on ]; then
    # Overload: far above capacity for 30 s, REST then gRPC; memory before, after each, and after 30 s idle;
    # then the same closed loop as before to show the server still serves at full speed.
    sleep 15; rss "before overload (idle)"
    overload_steps "$OVERLOAD"
    sleep 30; rss "after 30 s idle"
    sleep 90; rss "after 2 min idle"
    $LG --model rps --target http://127.0.0.1:$GRPC --protocol grpc --concurrency 32 --duration "$DURATION" --label after-overload --server-pid $SERVER_PID --out "$OUT/after-overload.json"
    sleep 15; rss "after the closed loop and 15 s idle"
  fi
  stop_server
done
uptime | tee -a "$OUT/conditions.txt"
