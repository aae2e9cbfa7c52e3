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
set -euo pipefail
DURATION=${1:-10s}
RATE=${2:-30}
OVERLOAD=${3:-600}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-/tmp/modelserver-bench}
REPO=$OUT/repo
GRPC=18500
REST=18501
SERVER_CPUS=${SERVER_CPUS-1}
CLIENT_CPUS=${CLIENT_CPUS-0}
INTRA_OP=${INTRA_OP:-1}
BATCH=${BATCH:-16}
BATCH_THREADS=${BATCH_THREADS:-1}
mkdir -p "$REPO/rps/1"

dotnet build "$ROOT/src/ModelServer.Host" -c Release -v q -nologo > /dev/null
dotnet build "$ROOT/bench/ModelServer.LoadGen" -c Release -v q -nologo > /dev/null
HOST="$ROOT/src/ModelServer.Host/bin/Release/net10.0/linux-x64/ModelServer.Host.dll"
LGDLL="$ROOT/bench/ModelServer.LoadGen/bin/Release/net10.0/linux-x64/ModelServer.LoadGen.dll"
MODEL=${MODEL:-$ROOT/model_repository/rps/1/model.onnx}
cp "$MODEL" "$REPO/rps/1/model.onnx"
pin() { if [ -n "$1" ]; then echo "taskset -c $1"; fi; }
LG="$(pin "$CLIENT_CPUS") dotnet $LGDLL"
INPROC="$(pin "$SERVER_CPUS") dotnet $LGDLL"

cat > "$OUT/batching.pbtxt" <<PB
max_batch_size { value: $BATCH }
batch_timeout_micros { value: 0 }
max_enqueued_batches { value: 8 }
num_batch_threads { value: $BATCH_THREADS }
PB

SERVER_PID=
start_server() {
  env Logging__LogLevel__Default=Warning "Logging__LogLevel__ModelServer.Runtime.Memory=Information" $(pin "$SERVER_CPUS") dotnet "$HOST" \
    --model_repository "$REPO" --port $GRPC --rest_api_port $REST --execution_provider cpu \
    --ModelServer:OnnxRuntime:IntraOpNumThreads "$INTRA_OP" "$@" > "$OUT/server-$LABEL.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 120); do
    if curl -sf "http://127.0.0.1:$REST/v1/models/rps" 2>/dev/null | grep -q AVAILABLE; then return 0; fi
    sleep 0.5
  done
  echo "server did not come up" >&2; exit 1
}
stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; }
rss() { echo "$(date +%T) $1: server RSS $(( $(ps -o rss= -p "$SERVER_PID") / 1024 )) MB" | tee -a "$OUT/memory.txt"; }

{ uptime; echo "server cpus: ${SERVER_CPUS:-all}, client cpus: ${CLIENT_CPUS:-all}, intra-op threads: $INTRA_OP, batching: $BATCH x $BATCH_THREADS"; } | tee "$OUT/conditions.txt"
: > "$OUT/memory.txt"
LABEL=inprocess
$INPROC --model rps --inprocess "$MODEL" --intra-op-threads "$INTRA_OP" --concurrency 1,8,32,64 --duration "$DURATION" --label inprocess --out "$OUT/inprocess.json"

for mode in off on; do
  LABEL=batching-$mode
  if [ $mode = on ]; then start_server --enable_batching --batching_parameters_file "$OUT/batching.pbtxt"; else start_server; fi
  $LG --model rps --target http://127.0.0.1:$GRPC --protocol grpc --concurrency 1,8,32,64 --duration "$DURATION" --label "$LABEL" --server-pid $SERVER_PID --out "$OUT/grpc-$mode.json"
  $LG --model rps --target http://127.0.0.1:$REST --protocol rest --concurrency 1,8,32,64 --duration "$DURATION" --label "$LABEL" --server-pid $SERVER_PID --out "$OUT/rest-$mode.json"
  $LG --model rps --target http://127.0.0.1:$GRPC --protocol grpc --rate "$RATE" --duration "$DURATION" --label "$LABEL" --server-pid $SERVER_PID --out "$OUT/grpc-open-$mode.json"
  if [ $mode = on ]; then
    # Overload: far above capacity for 30 s, REST then gRPC; memory before, after each, and after 30 s idle;
    # then the same closed loop as before to show the server still serves at full speed.
    sleep 15; rss "before overload (idle)"
    # REST twice: a client that opens up to 4096 connections, and one with a pool of 512 (a backend's pool).
    $LG --model rps --target http://127.0.0.1:$REST --protocol rest --rate "$OVERLOAD" --duration 30s --timeout 30s --label overload-rest --server-pid $SERVER_PID --out "$OUT/overload-rest.json"
    rss "after REST overload (4096 connections)"
    $LG --model rps --target http://127.0.0.1:$REST --protocol rest --rate "$OVERLOAD" --duration 30s --timeout 30s --max-inflight 512 --label overload-rest-512 --server-pid $SERVER_PID --out "$OUT/overload-rest-512.json"
    rss "after REST overload (512 connections)"
    $LG --model rps --target http://127.0.0.1:$GRPC --protocol grpc --rate "$OVERLOAD" --duration 30s --timeout 30s --label overload-grpc --server-pid $SERVER_PID --out "$OUT/overload-grpc.json"
    rss "after gRPC overload"
    sleep 30; rss "after 30 s idle"
    sleep 90; rss "after 2 min idle"
    $LG --model rps --target http://127.0.0.1:$GRPC --protocol grpc --concurrency 32 --duration "$DURATION" --label after-overload --server-pid $SERVER_PID --out "$OUT/after-overload.json"
    sleep 15; rss "after the closed loop and 15 s idle"
  fi
  stop_server
done
uptime | tee -a "$OUT/conditions.txt"
