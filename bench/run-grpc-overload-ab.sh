#!/usr/bin/env bash
# gRPC overload A/B of the transport memory pool: the reclaimable pool (true) against Kestrel's pinned pool (false),
# alternated ROUNDS times (default 2). Each server gets a 10 s closed loop at c=32, 20 s at RATE (default 600/s),
# then the closed loop again. Same pinning and environment variables as run-batching-bench.sh.
# Usage: [ROUNDS=2] bench/run-grpc-overload-ab.sh [rate=600]
set -euo pipefail
RATE=${1:-600}
OUT=${OUT:-/tmp/modelserver-grpc-ab}
source "$(dirname "$0")/lib.sh"
prepare_run
write_batching "$OUT/batching.pbtxt" 16 8 1
for round in $(seq 1 "${ROUNDS:-2}"); do
  for variant in true false; do
    start_server "$OUT/repo" "$OUT/server-$variant-$round.log" --enable_batching --batching_parameters_file "$OUT/batching.pbtxt" \
      --ModelServer:ReclaimableTransportMemoryPool $variant
    PID=$SERVER_PID
    $LG --model rps --target http://127.0.0.1:18500 --protocol grpc --concurrency 32 --duration 10s --label warm-$variant-$round --server-pid $PID --out "$OUT/warm-$variant-$round.json" | tail -1
    $LG --model rps --target http://127.0.0.1:18500 --protocol grpc --rate "$RATE" --duration 20s --timeout 30s --label overload-$variant-$round --server-pid $PID --out "$OUT/ov-$variant-$round.json" | tail -1
    $LG --model rps --target http://127.0.0.1:18500 --protocol grpc --concurrency 32 --duration 10s --label after-$variant-$round --server-pid $PID --out "$OUT/after-$variant-$round.json" | tail -1
    kill "$PID"; wait "$PID" 2>/dev/null || true
  done
done
