#!/usr/bin/env bash
# One-off A/B of two builds (OLD_HOST = the commit before the JSON fast path, HOST = this tree), both servers up at once,
# REST at c=1 and c=32 alternating, then one gRPC c=32 each as a control. Same pinning as lib.sh.
set -euo pipefail
ROUNDS=${1:-2}
OUT=${OUT:-/tmp/rest-ab}
source /work/main/bench/lib.sh
prepare_run
write_batching "$OUT/batching.pbtxt" 4 16 1
NEW_HOST=$HOST
OLD_HOST=/tmp/old-host/src/ModelServer.Host/bin/Release/net10.0/linux-x64/ModelServer.Host.dll
uptime | tee "$OUT/conditions.txt"
HOST=$OLD_HOST start_server "$OUT/repo" "$OUT/server-old.log" --enable_batching --batching_parameters_file "$OUT/batching.pbtxt"
A_PID=$SERVER_PID
HOST=$NEW_HOST GRPC=18600 REST=18601 start_server "$OUT/repo" "$OUT/server-new.log" --enable_batching --batching_parameters_file "$OUT/batching.pbtxt"
B_PID=$SERVER_PID
trap 'kill $A_PID $B_PID 2>/dev/null || true' EXIT
$LG --model rps --target http://127.0.0.1:18501 --protocol rest --concurrency 8 --duration 20s --label warm-old | tail -1
$LG --model rps --target http://127.0.0.1:18601 --protocol rest --concurrency 8 --duration 20s --label warm-new | tail -1
for round in $(seq 1 "$ROUNDS"); do
  for c in 1 32; do
    for side in old new; do
      if [ $side = old ]; then port=18501; pid=$A_PID; else port=18601; pid=$B_PID; fi
      $LG --model rps --target "http://127.0.0.1:$port" --protocol rest --concurrency $c --duration 15s \
        --label "rest-c$c-$side-$round" --server-pid "$pid" --out "$OUT/rest-c$c-$side-$round.json" | tail -1
    done
  done
done
for side in old new; do
  if [ $side = old ]; then port=18500; pid=$A_PID; else port=18600; pid=$B_PID; fi
  $LG --model rps --target "http://127.0.0.1:$port" --concurrency 32 --duration 15s --label "grpc-c32-$side" --server-pid "$pid" --out "$OUT/grpc-c32-$side.json" | tail -1
done
uptime | tee -a "$OUT/conditions.txt"
