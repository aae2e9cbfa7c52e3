#!/usr/bin/env python3
"""Closed-loop load on the image routes: C workers, each with its own keep-alive connection, send the same
image for D seconds; prints requests/s and client latency (mean, p50, p99).

  python3 bench/images/classify_load.py --route upload --image photo.jpg --model rps --concurrency 8 --seconds 20
  routes: upload (POST :classify, image/jpeg body), b64 (POST :predict {"instances": [{"b64": ...}]})
"""
import argparse, base64, http.client, json, statistics, threading, time

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="localhost"); p.add_argument("--port", type=int, default=8501)
    p.add_argument("--model", default="rps"); p.add_argument("--image", required=True)
    p.add_argument("--route", choices=["upload", "b64"], default="upload")
    p.add_argument("--concurrency", type=int, default=8); p.add_argument("--seconds", type=float, default=20)
    a = p.parse_args()
    data = open(a.image, "rb").read()
    ctype = "image/png" if data[:4] == b"\x89PNG" else "image/jpeg"
    if a.route == "upload":
        path, body, headers = f"/v1/models/{a.model}:classify", data, {"Content-Type": ctype}
    else:
        path = f"/v1/models/{a.model}:predict"
        body = json.dumps({"instances": [{"b64": base64.b64encode(data).decode()}]}).encode()
        headers = {"Content-Type": "application/json"}
    latencies, errors, lock = [], [0], threading.Lock()
    deadline = time.perf_counter() + a.seconds
    def worker():
        conn = http.client.HTTPConnection(a.host, a.port)
        mine = []
        while time.perf_counter() < deadline:
            t = time.perf_counter()
            conn.request("POST", path, body, headers)
            r = conn.getresponse(); r.read()
            mine.append(time.perf_counter() - t)
            if r.status != 200:
                with lock: errors[0] += 1
        with lock: latencies.extend(mine)
    threads = [threading.Thread(target=worker) for _ in range(a.concurrency)]
    start = time.perf_counter()
    for t in threads: t.start()
    for t in threads: t.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    ms = [x * 1000 for x in latencies]
    print(f"route={a.route} image={a.image} ({len(data)} B) concurrency={a.concurrency} requests={len(ms)} errors={errors[0]} "
          f"rps={len(ms)/elapsed:.1f} mean={statistics.mean(ms):.2f}ms p50={ms[len(ms)//2]:.2f}ms p99={ms[int(len(ms)*0.99)-1]:.2f}ms")

if __name__ == "__main__":
    main()
