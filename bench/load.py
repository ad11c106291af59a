"""A small, bounded load generator: N threads, each signed in with its own session, GET their
paths (following the pages' own redirects) until a time limit or a request budget is reached;
prints JSON with requests per second, latency percentiles and errors. Loopback only.

    python bench/load.py --base http://127.0.0.1:8107 --user U --password P \
        --path /people/ --path /people/?q=yusmari --concurrency 20 --duration 20 --max-requests 3000

With ``--think 0`` each user sends its next request as soon as the last one is answered (the
server's capacity); with ``--think 1`` a user waits 0.5-1.5 s between pages (a busy user).
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import statistics
import sys
import threading
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class Session:
    """One signed-in user on one keep-alive connection."""

    def __init__(self, host: str, port: int, timeout: float):
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(host, port, timeout=timeout)

    def request(
        self, method: str, path: str, body: str | None = None, headers=None
    ) -> tuple[int, bytes, dict]:
        headers = dict(headers or {})
        headers["Host"] = f"{self.host}:{self.port}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                if attempt == 2:
                    raise
        for value in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(value)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, data, dict(response.headers)

    def login(self, username: str, password: str) -> None:
        status, body, _ = self.request("GET", "/accounts/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or not match:
            raise RuntimeError(f"login page answered {status}")
        form = urlencode(
            {"csrfmiddlewaretoken": match.group(1).decode(), "username": username, "password": password}
        )
        status, _body, headers = self.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": "/accounts/login/"},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"sign-in failed ({status})")


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def run(args) -> dict:
    parts = urlsplit(args.base)
    if parts.hostname not in LOOPBACK:
        raise SystemExit("load.py only sends traffic to this machine (127.0.0.1, localhost, ::1)")
    host, port = parts.hostname, parts.port or 80
    sessions = []
    for _ in range(args.concurrency):
        session = Session(host, port, args.timeout)
        session.login(args.user, args.password)
        sessions.append(session)
    paths = args.path
    # Warm-up: each path a few times, not measured.
    for i, path in enumerate(paths * 2):
        sessions[i % len(sessions)].request("GET", path)

    lock = threading.Lock()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    issued = 0
    deadline = time.monotonic() + args.duration

    def worker(session: Session, offset: int) -> None:
        nonlocal issued
        rng = random.Random(offset)
        n = offset
        while True:
            with lock:
                if issued >= args.max_requests or time.monotonic() >= deadline:
                    return
                issued += 1
            path = paths[n % len(paths)]
            n += 1
            if args.think and n > offset + 1:
                pause = args.think * (0.5 + rng.random())
                if time.monotonic() + pause >= deadline:
                    return
                time.sleep(pause)
            started = time.perf_counter()
            try:
                status, _body, headers = session.request("GET", path)
                # Follow the page's own redirects (e.g. a search moved out of the URL), as a browser
                # would: the user waits for the whole chain.
                for _hop in range(3):
                    location = headers.get("Location")
                    if status not in (301, 302, 303) or not location or not location.startswith("/"):
                        break
                    status, _body, headers = session.request("GET", location)
                problem = None if status == 200 else f"HTTP {status}"
            except Exception as exc:  # every failure is counted, none stops the run
                problem = type(exc).__name__
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if problem:
                    errors[problem] = errors.get(problem, 0) + 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(s, i), daemon=True) for i, s in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=args.duration + args.timeout + 5)
    wall = time.monotonic() - started
    return {
        "requests": len(latencies),
        "seconds": round(wall, 2),
        "rps": round(len(latencies) / wall, 1) if wall else 0.0,
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "max_ms": round(max(latencies, default=0) * 1000, 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else 0.0,
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "concurrency": args.concurrency,
        "think_s": args.think,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--path", action="append", required=True)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--max-requests", type=int, default=3000)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--think", type=float, default=0.0, help="mean pause between a user's pages (s)")
    args = parser.parse_args(argv)
    json.dump(run(args), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
