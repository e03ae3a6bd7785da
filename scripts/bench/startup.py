#!/usr/bin/env python3
"""Start-up and memory of the app against an empty Tauri app, side by side.

Not a test: scripts/bench/startup.sh builds both and runs this under Xvfb
and a D-Bus session; docs/BENCHMARKS.md has the figures.

Each round launches, in turn, the empty app, the app on an empty history and
(with --history) the app on a big one, so load on the machine hits all of
them alike. For each launch:

- time: from just before the process is spawned to the first request that
  reaches the local listener (the empty app's page calls a command that
  connects; the app's UI asks for the model list, which the backend fetches
  from the service), i.e. launch to a UI whose script ran and whose first
  call went through;
- memory: 5 s after that, RSS and PSS of the process and all its
  descendants (WebKitWebProcess, WebKitNetworkProcess), summed from
  /proc/PID/smaps_rollup.

Every launch gets a fresh HOME (and XDG folders): WebKit starts cold for
each, the same for every contender.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODELS = {
    "data": [
        {"id": "claude-sonnet-4", "type": "model", "display_name": "Claude Sonnet 4", "created_at": "2025-05-14T00:00:00Z"}
    ],
    "has_more": False,
    "first_id": "claude-sonnet-4",
    "last_id": "claude-sonnet-4",
}


class Listener:
    """A local stand-in for the service: answers the model list, and notes
    when the first request of the current launch arrived."""

    def __init__(self):
        self.first = None
        self.lock = threading.Lock()
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                listener.arrived()
                body = json.dumps(MODELS).encode()
                try:
                    self.send_response(200)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the launch was measured and ended before the answer

            def do_POST(self):
                listener.arrived()
                try:
                    self.send_response(404)
                    self.send_header("content-length", "0")
                    self.end_headers()
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def addr(self):
        return f"127.0.0.1:{self.server.server_address[1]}"

    def arrived(self):
        now = time.monotonic()
        with self.lock:
            if self.first is None:
                self.first = now

    def reset(self):
        with self.lock:
            self.first = None

    def wait(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.first is not None:
                    return self.first
            time.sleep(0.002)
        return None


def descendants(root):
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def memory(root):
    """(RSS, PSS) in KiB of `root` and its descendants, and their names."""
    rss = pss = 0
    names = []
    for pid in descendants(root):
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
            with open(f"/proc/{pid}/comm") as f:
                names.append(f.read().strip())
        except OSError:
            continue
    return rss, pss, names


def launch(binary, listener, env_extra, idle):
    home = tempfile.mkdtemp(prefix="megallm-startup-")
    env = {k: v for k, v in os.environ.items() if k in ("DISPLAY", "XAUTHORITY", "DBUS_SESSION_BUS_ADDRESS", "PATH")}
    env.update(
        {
            "HOME": home,
            "XDG_DATA_HOME": f"{home}/data",
            "XDG_CACHE_HOME": f"{home}/cache",
            "XDG_CONFIG_HOME": f"{home}/config",
            "LANG": "C.UTF-8",
            # As the e2e suite: DMA-BUF paints nothing under Xvfb. Both sides.
            "WEBKIT_DISABLE_DMABUF_RENDERER": "1",
            "BENCH_READY_ADDR": listener.addr,
        }
    )
    env.update(env_extra)
    for sub in ("data", "cache", "config"):
        os.makedirs(f"{home}/{sub}", exist_ok=True)
    listener.reset()
    start = time.monotonic()
    proc = subprocess.Popen(
        [binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        first = listener.wait(60)
        if first is None:
            raise RuntimeError(f"{binary}: no request within 60 s")
        time.sleep(idle)
        rss, pss, names = memory(proc.pid)
        return (first - start) * 1000, rss / 1024, pss / 1024, names
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        shutil.rmtree(home, ignore_errors=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--app", required=True)
    p.add_argument("--empty", required=True)
    p.add_argument("--history", help="a data folder holding a big history.db")
    p.add_argument("--runs", type=int, default=11)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--idle", type=float, default=5.0)
    a = p.parse_args()

    listener = Listener()
    contenders = [("empty Tauri app", a.empty, None), ("app, empty history", a.app, "fresh")]
    if a.history:
        contenders.append(("app, big history", a.app, a.history))
    results = {name: [] for name, _, _ in contenders}
    for round_ in range(a.warmup + a.runs):
        for name, binary, history in contenders:
            env = {}
            scratch = None
            if history is not None:
                env = {"MEGALLM_API_KEY": "bench-key", "MEGALLM_BASE_URL": listener.url}
                if history == "fresh":
                    scratch = tempfile.mkdtemp(prefix="megallm-startup-data-")
                    env["MEGALLM_DATA_DIR"] = scratch
                else:
                    env["MEGALLM_DATA_DIR"] = history
            try:
                ms, rss, pss, names = launch(binary, listener, env, a.idle)
            finally:
                if scratch:
                    shutil.rmtree(scratch, ignore_errors=True)
            warm = round_ < a.warmup
            print(
                f"{'warm-up' if warm else f'run {round_ - a.warmup + 1}'}: {name}: "
                f"{ms:.0f} ms, RSS {rss:.0f} MiB, PSS {pss:.0f} MiB ({', '.join(sorted(names))})",
                flush=True,
            )
            if not warm:
                results[name].append((ms, rss, pss))

    def med(name, i):
        return statistics.median(r[i] for r in results[name])

    base = contenders[0][0]
    print()
    print(f"medians of {a.runs} interleaved runs (memory after {a.idle:.0f} s idle, app + WebKit processes)")
    print(f"{'':24} {'start':>9} {'RSS':>9} {'PSS':>9}   start ×  RSS ×  PSS ×")
    ok = True
    for name, _, history in contenders:
        t, r, s = med(name, 0), med(name, 1), med(name, 2)
        line = f"{name:24} {t:7.0f} ms {r:5.0f} MiB {s:5.0f} MiB"
        if name != base:
            tr, rr, sr = t / med(base, 0), r / med(base, 1), s / med(base, 2)
            mem_target = 1.3 if history not in (None, "fresh") else 1.2
            verdict = "PASS" if tr <= 1.15 and rr <= mem_target and sr <= mem_target else "MISS"
            ok &= verdict == "PASS"
            line += f"   {tr:5.2f}  {rr:5.2f}  {sr:5.2f}   {verdict} (targets 1.15 / {mem_target} / {mem_target})"
        print(line)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
