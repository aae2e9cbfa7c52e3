#!/usr/bin/env bash
# Batching benchmark: in-process ceiling vs the server over gRPC and REST, batching off and on, closed loop at
# several concurrencies and one open-loop rate, then an overload run. Loopback only; results under $OUT.
# Usage: bench/run-batching-bench.sh [duration=10s] [open-loop rate=30] [overload rate=200]
# The server runs with --execution_provider cpu, the session options the in-process ceiling uses (with the default
# "auto", a failed CUDA load left CPU sessions about 2x slower on this machine; see docs/notes/batching.md).
set -euo pipefail
DURATION=${1:-10s}
RATE=${2:-30}
OVERLOAD=${3:-200}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-/tmp/modelserver-bench}
REPO=$OUT/repo
GRPC=18500
REST=18501
mkdir -p "$REPO/rps/1"

dotnet build "$ROOT/src/ModelServer.Host" -c Release -v q -nologo > /dev/null
dotnet build "$ROOT/bench/ModelServer.LoadGen" -c Release -v q -nologo > /dev/null
HOST="$ROOT/src/ModelServer.Host/bin/Release/net10.0/linux-x64/ModelServer.Host.dll"
LG="dotnet $ROOT/bench/ModelServer.LoadGen/bin/Release/net10.0/linux-x64/ModelServer.LoadGen.dll"
MODEL=${MODEL:-$REPO/rps/1/model.onnx}
[ -f "$MODEL" ] || $LG synth-model "$MODEL"

cat > "$OUT/batching.pbtxt" <<'PB'
max_batch_size { value: 16 }
batch_timeout_micros { value: 0 }
max_enqueued_batches { value: 4 }
num_batch_threads { value: 2 }
PB

SERVER_PID=
start_server() {
  Logging__LogLevel__Default=Warning dotnet "$HOST" --model_repository "$REPO" --port $GRPC --rest_api_port $REST --execution_provider cpu "$@" > "$OUT/server-$LABEL.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 120); do
    if curl -sf "http://127.0.0.1:$REST/v1/models/rps" 2>/dev/null | grep -q AVAILABLE; then return 0; fi
    sleep 0.5
  done
  echo "server did not come up" >&2; exit 1
}
stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; }

uptime | tee "$OUT/conditions.txt"
LABEL=inprocess
$LG --model rps --inprocess "$MODEL" --concurrency 1,8,32,64 --duration "$DURATION" --label inprocess --out "$OUT/inprocess.json"

for mode in off on; do
  LABEL=batching-$mode
  if [ $mode = on ]; then start_server --enable_batching --batching_parameters_file "$OUT/batching.pbtxt"; else start_server; fi
  $LG --model rps --target http://127.0.0.1:$GRPC --protocol grpc --concurrency 1,8,32,64 --duration "$DURATION" --label "$LABEL" --server-pid $SERVER_PID --out "$OUT/grpc-$mode.json"
  $LG --model rps --target http://127.0.0.1:$REST --protocol rest --concurrency 1,8,32,64 --duration "$DURATION" --label "$LABEL" --server-pid $SERVER_PID --out "$OUT/rest-$mode.json"
  $LG --model rps --target http://127.0.0.1:$GRPC --protocol grpc --rate "$RATE" --duration "$DURATION" --label "$LABEL" --server-pid $SERVER_PID --out "$OUT/grpc-open-$mode.json"
  if [ $mode = on ]; then
    # Overload: far above capacity for 30 s over REST; then the same closed loop as before, and memory.
    $LG --model rps --target http://127.0.0.1:$REST --protocol rest --rate "$OVERLOAD" --duration 30s --timeout 30s --label overload --server-pid $SERVER_PID --out "$OUT/overload.json"
    sleep 5
    $LG --model rps --target http://127.0.0.1:$GRPC --protocol grpc --concurrency 32 --duration "$DURATION" --label after-overload --server-pid $SERVER_PID --out "$OUT/after-overload.json"
  fi
  stop_server
done
uptime | tee -a "$OUT/conditions.txt"
