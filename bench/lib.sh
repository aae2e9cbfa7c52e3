# Shared by run-batching-bench.sh, run-overload.sh and run-steady.sh (source it): paths, the Release build, CPU
# pinning, the batching parameters file and starting the server. The server and the in-process ceiling run on
# SERVER_CPUS with INTRA_OP ONNX Runtime threads, the load generator on CLIENT_CPUS; SERVER_CPUS= turns pinning off.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HOST="$ROOT/src/ModelServer.Host/bin/Release/net10.0/linux-x64/ModelServer.Host.dll"
LGDLL="$ROOT/bench/ModelServer.LoadGen/bin/Release/net10.0/linux-x64/ModelServer.LoadGen.dll"
SERVER_CPUS=${SERVER_CPUS-1}
CLIENT_CPUS=${CLIENT_CPUS-0}
INTRA_OP=${INTRA_OP:-1}
GRPC=18500
REST=18501

build_release() {
  dotnet build "$ROOT/src/ModelServer.Host" -c Release -v q -nologo > /dev/null
  dotnet build "$ROOT/bench/ModelServer.LoadGen" -c Release -v q -nologo > /dev/null
}

pin() { if [ -n "$1" ]; then echo "taskset -c $1"; fi; }

# prepare_run: a Release build, $OUT/repo/rps/1 holding the shipped model (or $MODEL), and $LG, the pinned load
# generator. Every script that serves rps from $OUT starts with it.
prepare_run() {
  mkdir -p "$OUT/repo/rps/1"
  build_release
  cp "${MODEL:-$ROOT/model_repository/rps/1/model.onnx}" "$OUT/repo/rps/1/model.onnx"
  LG="$(pin "$CLIENT_CPUS") dotnet $LGDLL"
}

# write_batching FILE MAX_BATCH_SIZE MAX_ENQUEUED_BATCHES NUM_BATCH_THREADS (timeout 0: send what is queued)
write_batching() {
  printf 'max_batch_size { value: %s }\nbatch_timeout_micros { value: 0 }\nmax_enqueued_batches { value: %s }\nnum_batch_threads { value: %s }\n' \
    "$2" "$3" "$4" > "$1"
}

# start_server REPOSITORY LOG [more flags]: sets SERVER_PID and returns once rps is AVAILABLE. SERVER_FLAGS (split on
# spaces) are added to every server, e.g. SERVER_FLAGS="--ModelServer:ReclaimableTransportMemoryPool false" for an A/B;
# SERVER_ENV (NAME=VALUE, split on spaces) goes into the server's environment only.
start_server() {
  local repository=$1 log=$2
  shift 2
  env ${SERVER_ENV:-} Logging__LogLevel__Default=Warning "Logging__LogLevel__ModelServer.Runtime.Memory=Information" \
    "Logging__LogLevel__ModelServer.Host.Memory=Debug" $(pin "$SERVER_CPUS") dotnet "$HOST" \
    --model_repository "$repository" --port $GRPC --rest_api_port $REST --execution_provider cpu \
    --ModelServer:OnnxRuntime:IntraOpNumThreads "$INTRA_OP" ${SERVER_FLAGS:-} "$@" > "$log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 120); do
    if curl -sf "http://127.0.0.1:$REST/v1/models/rps" 2>/dev/null | grep -q AVAILABLE; then return 0; fi
    sleep 0.5
  done
  echo "server did not come up" >&2
  return 1
}

stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; }

# rss LABEL: the server's resident memory now, printed and appended to $OUT/memory.txt.
rss() { echo "$(date +%T) $1: server RSS $(( $(ps -o rss= -p "$SERVER_PID") / 1024 )) MB" | tee -a "$OUT/memory.txt"; }

# overload_steps RATE: the overload run's four 30 s steps at RATE requests/s (30 s client timeout) against the server
# started last, each followed by its RSS: REST from a client that opens up to 4096 connections, one with a pool of
# 512 (a backend's pool), one that sends Expect: 100-continue (as curl does above 1 MB: a refused request never
# uploads its body), then gRPC. Needs $LG (the pinned load generator) and $OUT; writes overload-*.json there.
overload_steps() {
  local rate=$1
  $LG --model rps --target "http://127.0.0.1:$REST" --protocol rest --rate "$rate" --duration 30s --timeout 30s --label overload-rest --server-pid "$SERVER_PID" --out "$OUT/overload-rest.json" | tail -1
  rss "after REST overload (up to 4096 connections)"
  $LG --model rps --target "http://127.0.0.1:$REST" --protocol rest --rate "$rate" --duration 30s --timeout 30s --max-inflight 512 --label overload-rest-512 --server-pid "$SERVER_PID" --out "$OUT/overload-rest-512.json" | tail -1
  rss "after REST overload (512 connections)"
  $LG --model rps --target "http://127.0.0.1:$REST" --protocol rest --rate "$rate" --duration 30s --timeout 30s --expect-continue --label overload-rest-expect --server-pid "$SERVER_PID" --out "$OUT/overload-rest-expect.json" | tail -1
  rss "after REST overload (Expect: 100-continue)"
  $LG --model rps --target "http://127.0.0.1:$GRPC" --protocol grpc --rate "$rate" --duration 30s --timeout 30s --label overload-grpc --server-pid "$SERVER_PID" --out "$OUT/overload-grpc.json" | tail -1
  rss "after gRPC overload"
}
