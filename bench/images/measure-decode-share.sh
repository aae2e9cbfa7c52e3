#!/usr/bin/env bash
# Decode+resize share of request time on the upload route at concurrency 8, with the shipped rps model.
# Server on SERVER_CPUS (core 1), Python client on CLIENT_CPUS (core 0), with bench/lib.sh's pinning and settings.
# For each image, a fresh server log gives the
# server's own times: decode+resize per request (log event 6000) and the whole request (ASP.NET Core's
# "Request finished"). Test images come from one committed sample photo (bench/images/make-images.cs).
# Usage: [SECONDS_PER_IMAGE=15] bench/images/measure-decode-share.sh
set -euo pipefail
OUT=${OUT:-/tmp/modelserver-decode-share}
source "$(dirname "$0")/../lib.sh"
prepare_run
dotnet run --file "$ROOT/bench/images/make-images.cs" -- \
  "$ROOT/tests/ModelServer.Host.Tests/Images/Samples/rock/rock.0003_png.rf.9bcfca705d67775d244ac7f85110d31d_01010.jpg" "$OUT/images"
for image in sample.jpg sample.png phone.jpg phone.png; do
  log="$OUT/server-$image.log"
  SERVER_FLAGS="--Logging:LogLevel:ModelServer.Runtime.Imaging=Debug --Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics=Information --Logging:Console:FormatterOptions:SingleLine=true" \
    start_server "$OUT/repo" "$log"
  $(pin "$CLIENT_CPUS") python3 "$ROOT/bench/images/classify_load.py" --port "$REST" --model rps --image "$OUT/images/$image" \
    --concurrency 8 --seconds "${SECONDS_PER_IMAGE:-15}" | tee "$OUT/client-$image.txt"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
  python3 - "$log" "$image" <<'PY'
import re, statistics, sys
text = open(sys.argv[1]).read()
decode = [float(m) for m in re.findall(r"Decoded 1 image\(s\) for input '[^']*' in ([0-9.]+) ms", text)]
request = [float(m) for m in re.findall(r"Request finished HTTP/1.1 POST \S+:classify - 200 - \S+ ([0-9.]+)ms", text)]
d, r = statistics.mean(decode), statistics.mean(request)
print(f"{sys.argv[2]}: {len(request)} requests, server request mean {r:.2f} ms, decode+resize mean {d:.2f} ms, share {100 * d / r:.0f} %")
PY
done | tee "$OUT/summary.txt"
