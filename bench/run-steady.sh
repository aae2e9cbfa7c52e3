#!/usr/bin/env bash
# Steady state at one concurrency: the server (batching on) is warmed for WARMUP first, so JIT tiering and dynamic
# PGO have settled, then the in-process ceiling and the server are measured in turn, ROUNDS times. Same pinning as
# run-batching-bench.sh. Usage: bench/run-steady.sh [concurrency=32] [rounds=3] [duration=10s] [warmup=60s]
set -euo pipefail
C=${1:-32}; ROUNDS=${2:-3}; DURATION=${3:-10s}; WARMUP=${4:-60s}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-/tmp/modelserver-steady}
SERVER_CPUS=${SERVER_CPUS-1}; CLIENT_CPUS=${CLIENT_CPUS-0}; INTRA_OP=${INTRA_OP:-1}
mkdir -p "$OUT/repo/rps/1"
dotnet build "$ROOT/src/ModelServer.Host" -c Release -v q -nologo > /dev/null
dotnet build "$ROOT/bench/ModelServer.LoadGen" -c Release -v q -nologo > /dev/null
MODEL=${MODEL:-$ROOT/model_repository/rps/1/model.onnx}
cp "$MODEL" "$OUT/repo/rps/1/model.onnx"
pin() { if [ -n "$1" ]; then echo "taskset -c $1"; fi; }
LGDLL="$ROOT/bench/ModelServer.LoadGen/bin/Release/net10.0/linux-x64/ModelServer.LoadGen.dll"
printf 'max_batch_size { value: 16 }\nbatch_timeout_micros { value: 0 }\nmax_enqueued_batches { value: 8 }\nnum_batch_threads { value: 1 }\n' > "$OUT/batching.pbtxt"
env Logging__LogLevel__Default=Warning $(pin "$SERVER_CPUS") dotnet "$ROOT/src/ModelServer.Host/bin/Release/net10.0/linux-x64/ModelServer.Host.dll" \
  --model_repository "$OUT/repo" --port 18500 --rest_api_port 18501 --execution_provider cpu \
  --ModelServer:OnnxRuntime:IntraOpNumThreads "$INTRA_OP" --enable_batching --batching_parameters_file "$OUT/batching.pbtxt" > "$OUT/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:18501/v1/models/rps 2>/dev/null | grep -q AVAILABLE && break; sleep 0.5; done
uptime | tee "$OUT/conditions.txt"
$(pin "$CLIENT_CPUS") dotnet "$LGDLL" --model rps --target http://127.0.0.1:18500 --concurrency "$C" --duration "$WARMUP" --label warmup | tail -1
for round in $(seq 1 "$ROUNDS"); do
  $(pin "$SERVER_CPUS") dotnet "$LGDLL" --model rps --inprocess "$MODEL" --intra-op-threads "$INTRA_OP" --concurrency "$C" --duration "$DURATION" --warmup 10s --label "inprocess-$round" --out "$OUT/inprocess-$round.json" | tail -1
  $(pin "$CLIENT_CPUS") dotnet "$LGDLL" --model rps --target http://127.0.0.1:18500 --concurrency "$C" --duration "$DURATION" --label "grpc-on-$round" --server-pid $PID --out "$OUT/grpc-on-$round.json" | tail -1
done
uptime | tee -a "$OUT/conditions.txt"
