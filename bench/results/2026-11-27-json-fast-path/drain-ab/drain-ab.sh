#!/usr/bin/env bash
# One-off: REST overload step with the drain copying into a 16 KB buffer (MODELSERVER_DRAIN_COPY=1) vs read from the pipe.
set -euo pipefail
ROUNDS=${1:-3}; RATE=${2:-600}
OUT=${OUT:-/tmp/drain-ab}
source /work/main/bench/lib.sh
prepare_run
write_batching "$OUT/batching.pbtxt" 4 16 1
uptime | tee "$OUT/conditions.txt"
for round in $(seq 1 "$ROUNDS"); do
  for side in copy pipe; do
    if [ $side = copy ]; then export SERVER_ENV="MODELSERVER_DRAIN_COPY=1"; else export SERVER_ENV="MODELSERVER_DRAIN_COPY=0"; fi
    start_server "$OUT/repo" "$OUT/server-$side-$round.log" --enable_batching --batching_parameters_file "$OUT/batching.pbtxt"
    trap 'kill $SERVER_PID 2>/dev/null || true' EXIT
    $LG --model rps --target "http://127.0.0.1:$GRPC" --concurrency 8 --duration 10s --label "warm-$side-$round" | tail -1
    rss "$side round $round before"
    $LG --model rps --target "http://127.0.0.1:$REST" --protocol rest --rate "$RATE" --duration 30s --timeout 30s \
      --label "overload-rest-$side-$round" --server-pid "$SERVER_PID" --out "$OUT/overload-rest-$side-$round.json" | tail -1
    rss "$side round $round after"
    stop_server
  done
done
uptime | tee -a "$OUT/conditions.txt"
