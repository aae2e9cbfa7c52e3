#!/usr/bin/env bash
# Steady state at one concurrency: the server (batching on) is warmed for WARMUP first, so JIT tiering and dynamic
# PGO have settled, then the in-process ceiling and the server are measured in turn, ROUNDS times. Same pinning as
# run-batching-bench.sh. COMPARE_OFF=1 also starts a server with batching off (ports 18600/18601, same core, idle
# while the other is measured), warms it the same way and measures it after the batching server in every round:
# the p99 comparison the batching goal is about, interleaved.
# MAX_BATCH_SIZE (16), MAX_ENQUEUED_BATCHES (8) and BATCH_THREADS (1) set the batching parameters; keep
# MAX_BATCH_SIZE × MAX_ENQUEUED_BATCHES at or above the concurrency, or the queue refuses calls (UNAVAILABLE).
# Usage: [COMPARE_OFF=1] bench/run-steady.sh [concurrency=32] [rounds=3] [duration=10s] [warmup=60s]
set -euo pipefail
C=${1:-32}; ROUNDS=${2:-3}; DURATION=${3:-10s}; WARMUP=${4:-60s}
OUT=${OUT:-/tmp/modelserver-steady}
source "$(dirname "$0")/lib.sh"
mkdir -p "$OUT/repo/rps/1"
build_release
MODEL=${MODEL:-$ROOT/model_repository/rps/1/model.onnx}
cp "$MODEL" "$OUT/repo/rps/1/model.onnx"
write_batching "$OUT/batching.pbtxt" "${MAX_BATCH_SIZE:-16}" "${MAX_ENQUEUED_BATCHES:-8}" "${BATCH_THREADS:-1}"
start_server "$OUT/repo" "$OUT/server.log" --enable_batching --batching_parameters_file "$OUT/batching.pbtxt"
PID=$SERVER_PID
trap 'kill $PID 2>/dev/null || true' EXIT
if [ -n "${COMPARE_OFF:-}" ]; then
  GRPC=18600 REST=18601 start_server "$OUT/repo" "$OUT/server-off.log"
  OFF_PID=$SERVER_PID
  trap 'kill $PID $OFF_PID 2>/dev/null || true' EXIT
fi
uptime | tee "$OUT/conditions.txt"
$(pin "$CLIENT_CPUS") dotnet "$LGDLL" --model rps --target http://127.0.0.1:18500 --concurrency "$C" --duration "$WARMUP" --label warmup | tail -1
if [ -n "${COMPARE_OFF:-}" ]; then
  $(pin "$CLIENT_CPUS") dotnet "$LGDLL" --model rps --target http://127.0.0.1:18600 --concurrency "$C" --duration "$WARMUP" --label warmup-off | tail -1
fi
for round in $(seq 1 "$ROUNDS"); do
  $(pin "$SERVER_CPUS") dotnet "$LGDLL" --model rps --inprocess "$MODEL" --intra-op-threads "$INTRA_OP" --concurrency "$C" --duration "$DURATION" --warmup 10s --label "inprocess-$round" --out "$OUT/inprocess-$round.json" | tail -1
  $(pin "$CLIENT_CPUS") dotnet "$LGDLL" --model rps --target http://127.0.0.1:18500 --concurrency "$C" --duration "$DURATION" --label "grpc-on-$round" --server-pid $PID --out "$OUT/grpc-on-$round.json" | tail -1
  if [ -n "${COMPARE_OFF:-}" ]; then
    $(pin "$CLIENT_CPUS") dotnet "$LGDLL" --model rps --target http://127.0.0.1:18600 --concurrency "$C" --duration "$DURATION" --label "grpc-off-$round" --server-pid $OFF_PID --out "$OUT/grpc-off-$round.json" | tail -1
  fi
done
uptime | tee -a "$OUT/conditions.txt"
