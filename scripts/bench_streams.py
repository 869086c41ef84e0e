#!/usr/bin/env python3
"""Live updates at scale (issue 25): opens N event streams on the gateway (GET /api/views/events, raw asyncio
sockets, standard library only), then measures

  * RSS of the gateway and query-service before and with the streams open (per stream);
  * GET /api/views/datasets and GET /api/views/datasets/{id} p50/p99 with none open and with all open;
  * the time from a dataset's registration (its 201) until each client has its change, over all N clients
    (p50, p99, max), and the spread from the first client to the last;
  * that closing the streams leaves nothing open.

  python3 scripts/bench_streams.py --url http://localhost:8080 --token dev-token --streams 10000 \
      --pids gateway=123,query=456
"""
import argparse
import asyncio
import http.client
import json
import statistics
import sys
import time
import urllib.parse


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return float("nan")
    return float("nan")


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(p / 100 * len(s) + 0.5)) - 1))]


def call(url, token, method, path, body=None):
    u = urllib.parse.urlparse(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    headers = {"Authorization": "Bearer " + token}
    if body is not None:
        headers["Content-Type"] = "application/json"
    t = time.perf_counter()
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    data = r.read()
    ms = (time.perf_counter() - t) * 1000
    c.close()
    return r.status, data, ms


def read_timings(url, token, paths, n):
    out = {}
    for p in paths:
        ms = []
        for _ in range(n):
            status, _, t = call(url, token, "GET", p)
            if status != 200:
                raise SystemExit(f"GET {p} answered {status}")
            ms.append(t)
        out[p] = (statistics.median(ms), pct(ms, 99))
    return out


class Client:
    def __init__(self):
        self.status = None
        self.arrivals = {}
        self.writer = None


async def open_stream(host, port, token, client, watch):
    reader, writer = await asyncio.open_connection(host, port)
    client.writer = writer
    writer.write((f"GET /api/views/events HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
                  "Accept: text/event-stream\r\n\r\n").encode())
    await writer.drain()
    status = await reader.readline()
    client.status = int(status.split()[1])
    while True:
        line = await reader.readline()
        if not line:
            return
        if line.startswith(b"data:") and watch[0] is not None and watch[0] in line:
            client.arrivals.setdefault(watch[0], time.perf_counter())


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://localhost:8080")
    ap.add_argument("--token", default="dev-token")
    ap.add_argument("--streams", type=int, default=10000)
    ap.add_argument("--reads", type=int, default=200)
    ap.add_argument("--pids", default="")
    args = ap.parse_args()
    u = urllib.parse.urlparse(args.url)
    pids = dict(kv.split("=") for kv in args.pids.split(",") if kv)

    # a dataset to read, then the baseline
    status, body, _ = call(args.url, args.token, "POST", "/api/datasets",
                           json.dumps({"name": "bench streams", "columns": [{"name": "y", "type": "numeric"}]}))
    if status != 201:
        raise SystemExit(f"registration answered {status}: {body[:200]}")
    ds = json.loads(body)["id"]
    time.sleep(1)
    paths = ["/api/views/datasets", f"/api/views/datasets/{ds}"]
    rss0 = {k: rss_mb(p) for k, p in pids.items()}
    idle = read_timings(args.url, args.token, paths, args.reads)

    watch = [None]
    clients = [Client() for _ in range(args.streams)]
    tasks = []
    t_open = time.perf_counter()
    for i in range(0, args.streams, 500):
        for c in clients[i:i + 500]:
            tasks.append(asyncio.create_task(open_stream(u.hostname, u.port, args.token, c, watch)))
        await asyncio.sleep(0.05)
    while sum(1 for c in clients if c.status is not None) < args.streams:
        if time.perf_counter() - t_open > 300:
            break
        await asyncio.sleep(0.2)
    opened = time.perf_counter() - t_open
    statuses = {}
    for c in clients:
        statuses[c.status] = statuses.get(c.status, 0) + 1
    await asyncio.sleep(2)
    rss1 = {k: rss_mb(p) for k, p in pids.items()}
    loop = asyncio.get_running_loop()
    busy = await loop.run_in_executor(None, read_timings, args.url, args.token, paths, args.reads)

    # a change to every client
    rounds = []
    for r in range(3):
        name = f"bench streams {r}"
        status, body, _ = await loop.run_in_executor(None, call, args.url, args.token, "POST", "/api/datasets",
                                                     json.dumps({"name": name,
                                                                 "columns": [{"name": "y", "type": "numeric"}]}))
        t0 = time.perf_counter()
        target = json.loads(body)["id"]
        watch[0] = target.encode()
        open_clients = [c for c in clients if c.status == 200]
        deadline = t0 + 30
        while time.perf_counter() < deadline and sum(1 for c in open_clients if target.encode() in c.arrivals) \
                < len(open_clients):
            await asyncio.sleep(0.01)
        got = [(c.arrivals[target.encode()] - t0) * 1000 for c in open_clients if target.encode() in c.arrivals]
        rounds.append((len(got), len(open_clients), statistics.median(got), pct(got, 99), max(got),
                       max(got) - min(got)))
        await asyncio.sleep(1)

    for c in clients:
        if c.writer:
            c.writer.close()
    for t in tasks:
        t.cancel()
    await asyncio.sleep(3)
    rss2 = {k: rss_mb(p) for k, p in pids.items()}

    n = statuses.get(200, 0)
    print(f"| streams opened | {n} of {args.streams} answered 200 in {opened:.1f} s; statuses {statuses} |")
    for k in pids:
        per = (rss1[k] - rss0[k]) * 1024 / max(1, n)
        print(f"| {k} RSS | {rss0[k]:.0f} MB before, {rss1[k]:.0f} MB with {n} streams open "
              f"({per:.1f} KB per stream), {rss2[k]:.0f} MB after they closed |")
    for p in paths:
        print(f"| GET {p.replace(ds, '{id}')} | none open: p50 {idle[p][0]:.1f} ms, p99 {idle[p][1]:.1f} ms; "
              f"{n} open: p50 {busy[p][0]:.1f} ms, p99 {busy[p][1]:.1f} ms |")
    for i, (got, total, p50, p99, mx, spread) in enumerate(rounds):
        print(f"| registration {i + 1}: 201 to the change on each client | {got} of {total} clients; "
              f"p50 {p50:.0f} ms, p99 {p99:.0f} ms, max {mx:.0f} ms; first to last client {spread:.0f} ms |")
    ok = n == args.streams and all(r[0] == r[1] for r in rounds)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    asyncio.run(main())
