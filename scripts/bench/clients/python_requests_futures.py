"""Python requests-futures: FuturesSession(max_workers=C), the library this project ports.

Same argv, warm-up and JSON line as the Node clients (see harness.ts):
    python3 python_requests_futures.py URL N C EXPECTED_LENGTH [--warmup W] [--warmup-ms T] [--probe]

Not named requests_futures.py: Python puts the script's directory first on sys.path, so that name
would shadow the requests_futures package it imports.
"""
import collections
import json
import resource
import sys
import time

try:
    from requests_futures.sessions import FuturesSession
except ImportError as error:
    print(json.dumps({"kind": "skip", "reason": f"import requests_futures failed: {error}"}), flush=True)
    sys.exit(0)


def main(argv):
    positional, warmup, warmup_ms, probe = [], 200, 500, False
    args = iter(argv)
    for arg in args:
        if arg == "--probe":
            probe = True
        elif arg == "--warmup":
            warmup = int(next(args))
        elif arg == "--warmup-ms":
            warmup_ms = int(next(args))
        else:
            positional.append(arg)
    url, requests, concurrency, expected_length = positional[0], *map(int, positional[1:4])

    if probe:
        print(json.dumps({"kind": "probe-ok"}), flush=True)
        return

    # max_workers > 10 also makes requests-futures size the urllib3 pool to C, so connections are reused.
    session = FuturesSession(max_workers=concurrency)
    tally = {"errors": 0, "first_error": None}

    def fail(message):
        tally["errors"] += 1
        if tally["first_error"] is None:
            tally["first_error"] = message

    def batch(count):
        # requests-futures style: queue every future, then collect; the executor bounds what is in flight.
        # Each future is dropped once checked, as the Node clients do (see clients/harness.ts).
        futures = collections.deque(session.get(url) for _ in range(count))
        while futures:
            future = futures.popleft()
            try:
                response = future.result()
                if response.status_code != 200:
                    fail(f"status {response.status_code}")
                elif len(response.content) != expected_length:
                    fail(f"body {len(response.content)} bytes, expected {expected_length}")
            except Exception as error:  # noqa: BLE001 - any failure makes the run invalid
                fail(f"{type(error).__name__}: {error}")

    warmup_until = time.monotonic() + warmup_ms / 1000
    batch(warmup)
    while time.monotonic() < warmup_until:
        batch(warmup)

    # RUSAGE_SELF covers every thread, like process.cpuUsage() in Node.
    usage_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    batch(requests)
    elapsed = time.perf_counter() - started
    usage_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu_seconds = (usage_after.ru_utime - usage_before.ru_utime) + (usage_after.ru_stime - usage_before.ru_stime)

    session.close()
    print(json.dumps({
        "kind": "result",
        "requests": requests,
        "rps": requests / elapsed,
        "cpuMsPerReq": cpu_seconds * 1000 / requests,
        "peakRssKiB": usage_after.ru_maxrss,  # KiB on Linux
        "errors": tally["errors"],
        "firstError": tally["first_error"],
    }), flush=True)


main(sys.argv[1:])
