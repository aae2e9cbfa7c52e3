#!/usr/bin/env bash
# On a shared machine, minutes apart is not a fair comparison: this runs the in-process ceiling, the server with
# batching off and the server with batching on (both up at once) in turn, several rounds of the same step, so all
# three see the same neighbours. Usage: bench/run-interleaved.sh [concurrency=32] [rounds=3] [duration=8s]
set -euo pipefail
C=${1:-32}
ROUNDS=${2:-3}
DURATION=${3:-8s}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-/tmp/modelserver-bench-interleaved}
mkdir -p "$OUT/repo/rps/1"
HOST="$ROOT/src/ModelServer.Host/bin/Release/net10.0/linux-x64/ModelServer.Host.dll"
LG="dotnet $ROOT/bench/ModelServer.LoadGen/bin/Release/net10.0/linux-x64/ModelServer.LoadGen.dll"
MODEL=${MODEL:-$OUT/repo/rps/1/model.onnx}
[ -f "$MODEL" ] || $LG synth-model "$MODEL"
printf 'max_batch_size { value: 16 }\nbatch_timeout_micros { value: 0 }\nmax_enqueued_batches { value: 4 }\nnum_batch_threads { value: 2 }\n' > "$OUT/batching.pbtxt"
Logging__LogLevel__Default=Warning dotnet "$HOST" --model_repository "$OUT/repo" --port 18600 --rest_api_port 18601 --execution_provider cpu > "$OUT/off.log" 2>&1 &
OFF=$!
Logging__LogLevel__Default=Warning dotnet "$HOST" --model_repository "$OUT/repo" --port 18700 --rest_api_port 18701 --execution_provider cpu --enable_batching --batching_parameters_file "$OUT/batching.pbtxt" > "$OUT/on.log" 2>&1 &
ON=$!
trap 'kill $OFF $ON 2>/dev/null || true' EXIT
for port in 18601 18701; do
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/v1/models/rps" 2>/dev/null | grep -q AVAILABLE && break; sleep 0.5; done
done
uptime | tee "$OUT/conditions.txt"
for round in $(seq 1 "$ROUNDS"); do
  $LG --model rps --inprocess "$MODEL" --concurrency "$C" --duration "$DURATION" --label "inproc-$round" --out "$OUT/inproc-$round.json" | tail -1
  $LG --model rps --target http://127.0.0.1:18600 --concurrency "$C" --duration "$DURATION" --label "off-$round" --server-pid $OFF --out "$OUT/off-$round.json" | tail -1
  $LG --model rps --target http://127.0.0.1:18700 --concurrency "$C" --duration "$DURATION" --label "on-$round" --server-pid $ON --out "$OUT/on-$round.json" | tail -1
done
uptime | tee -a "$OUT/conditions.txt"
