#!/usr/bin/env bash
# Overload only (the last part of run-batching-bench.sh): the server with batching on, a closed loop before,
# REST (up to 4096 connections, 512, and 4096 with Expect: 100-continue) then gRPC far above capacity for 30 s
# each, memory sampled while idle before (after ordinary gRPC and REST loads) and after, and the closed loop again.
# Same pinning and environment variables as run-batching-bench.sh; MAX_BATCH_SIZE (16) and MAX_ENQUEUED_BATCHES (8)
# set the batching parameters. Usage: [IDLE_MINUTES=2] bench/run-overload.sh [rate=600]
set -euo pipefail
OVERLOAD=${1:-600}
OUT=${OUT:-/tmp/modelserver-overload}
source "$(dirname "$0")/lib.sh"
prepare_run
write_batching "$OUT/batching.pbtxt" "${MAX_BATCH_SIZE:-16}" "${MAX_ENQUEUED_BATCHES:-8}" 1
start_server "$OUT/repo" "$OUT/server.log" --enable_batching --batching_parameters_file "$OUT/batching.pbtxt"
PID=$SERVER_PID
trap 'kill $PID 2>/dev/null || true' EXIT
: > "$OUT/memory.txt"
rss "started"
$LG --model rps --target http://127.0.0.1:18500 --protocol grpc --concurrency 32 --duration 10s --label before --server-pid $PID --out "$OUT/before.json" | tail -1
# The level to come back to: the same server idle after an ordinary load on both APIs (REST at c=64 grows the heap
# far more than a short gRPC run), measured after as many idle minutes as the level after the overload.
$LG --model rps --target http://127.0.0.1:18501 --protocol rest --concurrency 64 --duration 20s --label before-rest --server-pid $PID --out "$OUT/before-rest.json" | tail -1
for i in $(seq 1 "${IDLE_MINUTES:-2}"); do sleep 60; rss "idle $i min before"; done
overload_steps "$OVERLOAD"
# Kestrel's pool gives idle blocks back at 5 % per 10 s, so watch for IDLE_MINUTES (default 2).
for i in $(seq 1 "${IDLE_MINUTES:-2}"); do sleep 60; rss "idle $i min after"; done
$LG --model rps --target http://127.0.0.1:18500 --protocol grpc --concurrency 32 --duration 10s --label after --server-pid $PID --out "$OUT/after.json" | tail -1
grep -h "reclaimed" "$OUT/server.log" | sed 's/^ *//' | tee -a "$OUT/memory.txt"
