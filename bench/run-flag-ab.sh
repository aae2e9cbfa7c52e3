#!/usr/bin/env bash
# A/B of two server settings, A and B (extra server flags, split on spaces), on the rps model, batching on (max 4,
# 16 enqueued batches). Same pinning as lib.sh. First the steady state: both servers up at once (A on 18500/18501,
# B on 18600/18601), each warmed 30 s, then gRPC and REST at c=32 for 15 s each, alternating A and B, ROUNDS times.
# Then the REST overload step of overload_steps (a plain client, up to 4,096 connections, RATE/s for 30 s), one
# server at a time, A then B, ROUNDS times. Writes every step's JSON and the servers' RSS to $OUT.
# Usage: A="--ModelServer:TransportBlockBytes 4096" B="--ModelServer:TransportBlockBytes 65536" \
#        bench/run-flag-ab.sh [rounds=2] [rate=600]
set -euo pipefail
ROUNDS=${1:-2}; RATE=${2:-600}
OUT=${OUT:-/tmp/modelserver-flag-ab}
source "$(dirname "$0")/lib.sh"
prepare_run
write_batching "$OUT/batching.pbtxt" 4 16 1
echo "A: ${A:-}" | tee "$OUT/conditions.txt"; echo "B: ${B:-}" | tee -a "$OUT/conditions.txt"
uptime | tee -a "$OUT/conditions.txt"

# shellcheck disable=SC2086 # A and B are lists of flags
start_server "$OUT/repo" "$OUT/server-a.log" --enable_batching --batching_parameters_file "$OUT/batching.pbtxt" ${A:-}
A_PID=$SERVER_PID
# shellcheck disable=SC2086
GRPC=18600 REST=18601 start_server "$OUT/repo" "$OUT/server-b.log" --enable_batching --batching_parameters_file "$OUT/batching.pbtxt" ${B:-}
B_PID=$SERVER_PID
trap 'kill $A_PID $B_PID 2>/dev/null || true' EXIT
$LG --model rps --target http://127.0.0.1:18500 --concurrency 32 --duration 30s --label warm-a | tail -1
$LG --model rps --target http://127.0.0.1:18600 --concurrency 32 --duration 30s --label warm-b | tail -1
for round in $(seq 1 "$ROUNDS"); do
  for protocol in grpc rest; do
    for side in a b; do
      if [ $side = a ]; then base=185; pid=$A_PID; else base=186; pid=$B_PID; fi
      if [ $protocol = grpc ]; then port=${base}00; else port=${base}01; fi
      $LG --model rps --target "http://127.0.0.1:$port" --protocol $protocol --concurrency 32 --duration 15s \
        --label "$protocol-$side-$round" --server-pid "$pid" --out "$OUT/$protocol-$side-$round.json" | tail -1
    done
  done
done
kill $A_PID $B_PID; wait $A_PID $B_PID 2>/dev/null || true

for round in $(seq 1 "$ROUNDS"); do
  for side in a b; do
    if [ $side = a ]; then flags=${A:-}; else flags=${B:-}; fi
    # shellcheck disable=SC2086
    start_server "$OUT/repo" "$OUT/server-overload-$side-$round.log" --enable_batching --batching_parameters_file "$OUT/batching.pbtxt" $flags
    trap 'kill $SERVER_PID 2>/dev/null || true' EXIT
    $LG --model rps --target "http://127.0.0.1:$GRPC" --concurrency 8 --duration 10s --label "warm-$side-$round" | tail -1
    rss "$side round $round before the REST overload"
    $LG --model rps --target "http://127.0.0.1:$REST" --protocol rest --rate "$RATE" --duration 30s --timeout 30s \
      --label "overload-rest-$side-$round" --server-pid "$SERVER_PID" --out "$OUT/overload-rest-$side-$round.json" | tail -1
    rss "$side round $round after the REST overload"
    stop_server
  done
done
uptime | tee -a "$OUT/conditions.txt"
