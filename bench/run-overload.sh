#!/usr/bin/env bash
# Overload only (the last part of run-batching-bench.sh): the server with batching on, a closed loop before,
# REST then gRPC far above capacity for 30 s each, memory sampled while idle, and the closed loop again.
# Same pinning and environment variables as run-batching-bench.sh. Usage: [IDLE_MINUTES=2] bench/run-overload.sh [rate=600]
set -euo pipefail
OVERLOAD=${1:-600}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-/tmp/modelserver-overload}
SERVER_CPUS=${SERVER_CPUS-1}
CLIENT_CPUS=${CLIENT_CPUS-0}
INTRA_OP=${INTRA_OP:-1}
mkdir -p "$OUT/repo/rps/1"
dotnet build "$ROOT/src/ModelServer.Host" -c Release -v q -nologo > /dev/null
dotnet build "$ROOT/bench/ModelServer.LoadGen" -c Release -v q -nologo > /dev/null
cp "${MODEL:-$ROOT/model_repository/rps/1/model.onnx}" "$OUT/repo/rps/1/model.onnx"
pin() { if [ -n "$1" ]; then echo "taskset -c $1"; fi; }
LG="$(pin "$CLIENT_CPUS") dotnet $ROOT/bench/ModelServer.LoadGen/bin/Release/net10.0/linux-x64/ModelServer.LoadGen.dll"
printf 'max_batch_size { value: 16 }\nbatch_timeout_micros { value: 0 }\nmax_enqueued_batches { value: 8 }\nnum_batch_threads { value: 1 }\n' > "$OUT/batching.pbtxt"
env Logging__LogLevel__Default=Warning "Logging__LogLevel__ModelServer.Runtime.Memory=Information" $(pin "$SERVER_CPUS") \
  dotnet "$ROOT/src/ModelServer.Host/bin/Release/net10.0/linux-x64/ModelServer.Host.dll" --model_repository "$OUT/repo" \
  --port 18500 --rest_api_port 18501 --execution_provider cpu --ModelServer:OnnxRuntime:IntraOpNumThreads "$INTRA_OP" \
  --enable_batching --batching_parameters_file "$OUT/batching.pbtxt" > "$OUT/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:18501/v1/models/rps 2>/dev/null | grep -q AVAILABLE && break; sleep 0.5; done
rss() { echo "$(date +%T) $1: server RSS $(( $(ps -o rss= -p "$PID") / 1024 )) MB" | tee -a "$OUT/memory.txt"; }
: > "$OUT/memory.txt"
rss "started"
$LG --model rps --target http://127.0.0.1:18500 --protocol grpc --concurrency 32 --duration 10s --label before --server-pid $PID --out "$OUT/before.json" | tail -1
sleep 40; rss "before overload, idle"
$LG --model rps --target http://127.0.0.1:18501 --protocol rest --rate "$OVERLOAD" --duration 30s --timeout 30s --label overload-rest --server-pid $PID --out "$OUT/overload-rest.json" | tail -1
rss "after REST overload (up to 4096 connections)"
$LG --model rps --target http://127.0.0.1:18501 --protocol rest --rate "$OVERLOAD" --duration 30s --timeout 30s --max-inflight 512 --label overload-rest-512 --server-pid $PID --out "$OUT/overload-rest-512.json" | tail -1
rss "after REST overload (512 connections)"
$LG --model rps --target http://127.0.0.1:18500 --protocol grpc --rate "$OVERLOAD" --duration 30s --timeout 30s --label overload-grpc --server-pid $PID --out "$OUT/overload-grpc.json" | tail -1
rss "after gRPC overload"
# Kestrel's pool gives idle blocks back at 5 % per 10 s, so watch for IDLE_MINUTES (default 2).
for i in $(seq 1 "${IDLE_MINUTES:-2}"); do sleep 60; rss "idle $i min after"; done
$LG --model rps --target http://127.0.0.1:18500 --protocol grpc --concurrency 32 --duration 10s --label after --server-pid $PID --out "$OUT/after.json" | tail -1
grep -h "reclaimed" "$OUT/server.log" | sed 's/^ *//' | tee -a "$OUT/memory.txt"
