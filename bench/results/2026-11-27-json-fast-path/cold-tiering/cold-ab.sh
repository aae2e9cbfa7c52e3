#!/usr/bin/env bash
# One-off: the REST overload step on a server warmed only with 10 s of gRPC c=8 (REST code paths cold), default JIT
# tiering vs SERVER_ENV=$B_ENV, alternating, ROUNDS times.
set -euo pipefail
ROUNDS=${1:-2}; RATE=${2:-600}
OUT=${OUT:-/tmp/cold-ab}
source /work/main/bench/lib.sh
prepare_run
write_batching "$OUT/batching.pbtxt" 4 16 1
echo "B_ENV: $B_ENV" | tee "$OUT/conditions.txt"; uptime | tee -a "$OUT/conditions.txt"
for round in $(seq 1 "$ROUNDS"); do
  for side in a b; do
    if [ $side = a ]; then export SERVER_ENV=""; else export SERVER_ENV="$B_ENV"; fi
    start_server "$OUT/repo" "$OUT/server-$side-$round.log" --enable_batching --batching_parameters_file "$OUT/batching.pbtxt"
    trap 'kill $SERVER_PID 2>/dev/null || true' EXIT
    $LG --model rps --target "http://127.0.0.1:$GRPC" --concurrency 8 --duration 10s --label "warm-$side-$round" | tail -1
    $LG --model rps --target "http://127.0.0.1:$REST" --protocol rest --rate "$RATE" --duration 30s --timeout 30s \
      --label "overload-rest-$side-$round" --server-pid "$SERVER_PID" --out "$OUT/overload-rest-$side-$round.json" | tail -1
    $LG --model rps --target "http://127.0.0.1:$REST" --protocol rest --concurrency 1 --duration 10s --label "after-rest-c1-$side-$round" | tail -1
    stop_server
  done
done
uptime | tee -a "$OUT/conditions.txt"
