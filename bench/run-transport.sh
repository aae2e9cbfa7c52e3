#!/usr/bin/env bash
# What the server costs per request apart from the model: it serves the transport probe (the rps model's input and
# output around almost no compute; `ModelServer.LoadGen synth-model --kind transport`) on SERVER_CPUS, batching on as
# in run-steady.sh, and the load generator on CLIENT_CPUS drives it closed loop. On one core, 1 / throughput is the
# server's CPU time per request: the number a transport change must lower. The server's CPU time (utime + stime from
# /proc) is also read around each round, so the figure holds even where the client, not the server, is the limit.
# Repeated ROUNDS times after a warm-up.
# RATE=N/s sends at a fixed open-loop rate instead, so two builds do the same work and their CPU per request compares
# directly (the closed loop's batches, and so its cost per request, grow with throughput).
# Usage: [RATE=500] bench/run-transport.sh [protocol=grpc] [concurrency=32] [rounds=3] [duration=10s] [warmup=30s]
set -euo pipefail
PROTOCOL=${1:-grpc}; C=${2:-32}; ROUNDS=${3:-3}; DURATION=${4:-10s}; WARMUP=${5:-30s}
OUT=${OUT:-/tmp/modelserver-transport}
source "$(dirname "$0")/lib.sh"
build_release
mkdir -p "$OUT/repo/rps/1"
dotnet "$LGDLL" synth-model "$OUT/repo/rps/1/model.onnx" --kind transport > /dev/null
LG="$(pin "$CLIENT_CPUS") dotnet $LGDLL"
write_batching "$OUT/batching.pbtxt" 16 8 1
start_server "$OUT/repo" "$OUT/server.log" --enable_batching --batching_parameters_file "$OUT/batching.pbtxt"
PID=$SERVER_PID
trap 'kill $PID 2>/dev/null || true' EXIT
[ "$PROTOCOL" = rest ] && PORT=$REST || PORT=$GRPC
uptime | tee "$OUT/conditions.txt"
$LG --model rps --protocol "$PROTOCOL" --target "http://127.0.0.1:$PORT" --concurrency "$C" --duration "$WARMUP" --label warmup | tail -1
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }
HZ=$(getconf CLK_TCK)
for round in $(seq 1 "$ROUNDS"); do
  before=$(cpu_ticks)
  $LG --model rps --protocol "$PROTOCOL" --target "http://127.0.0.1:$PORT" --concurrency "$C" ${RATE:+--rate "$RATE"} --duration "$DURATION" --warmup 0s \
    --label "$PROTOCOL-$round" --out "$OUT/$PROTOCOL-$round.json" | tail -1 > "$OUT/round.txt"
  cpu=$(( $(cpu_ticks) - before ))
  cat "$OUT/round.txt"
  awk -v cpu="$cpu" -v hz="$HZ" '{ for (i = 1; i < NF; i++) if ($(i + 1) == "req/s") rps = $i;
      for (i = 1; i < NF; i++) if ($i ~ /^[0-9]+\/[0-9]+$/) { split($i, ok, "/"); n = ok[1] } }
    END { printf "%s: %.0f req/s, server CPU %.2f s, %.0f us of server CPU per request\n", $1, rps, cpu / hz, 1e6 * cpu / hz / n }' \
    "$OUT/round.txt" | tee -a "$OUT/rounds.txt"
done
uptime | tee -a "$OUT/conditions.txt"
