#!/usr/bin/env bash
# Peak memory and time of reading big files the way the app does (a worker
# process of our own binary), side by side in one run: a 100 MB text file
# read, a 150 MB file refused, a 60 MB DOCX-like zip bomb refused, against
# the same binary doing nothing (`megallm --version`). Not a test: it prints
# figures (peak RSS of the process and its worker, from the kernel's
# rusage of waited-for children) and MISS lines against the targets (the
# refused files must cost no more than the idle binary plus their size is
# not read at all; the read file at most 3x its size). Method and recorded
# figures: docs/BENCHMARKS.md ("Documents: memory").
#
#   scripts/bench/documents.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

cargo build --release -p megallm-cli --quiet
bin=target/release/megallm
work=target/bench-documents
mkdir -p "$work"

python3 - "$bin" "$work" <<'PY'
import os, resource, subprocess, sys, time, zipfile

bin, work = sys.argv[1], sys.argv[2]
MB = 1024 * 1024

def make_text(path, size):
    if os.path.exists(path) and os.path.getsize(path) == size:
        return
    line = ("Квартальный отчёт: revenue grew, costs fell, the outlook is steady. " * 4 + "\n").encode()
    with open(path, "wb") as f:
        left = size
        while left > 0:
            chunk = line[: min(len(line), left)]
            f.write(chunk)
            left -= len(chunk)

def make_bomb(path):
    if os.path.exists(path):
        return
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", b"<w:t>" + b"A" * (400 * MB) + b"</w:t>")

text100 = os.path.join(work, "big.txt")
text150 = os.path.join(work, "huge.txt")
bomb = os.path.join(work, "bomb.docx")
make_text(text100, 100 * MB)
make_text(text150, 150 * MB)
make_bomb(bomb)

def run(args):
    """Peak RSS (MiB) of the child and everything it waited for, and seconds."""
    # Each run in its own child so the rusage maximum is this run's alone.
    code = (
        "import resource,subprocess,sys,time;"
        "t=time.perf_counter();"
        "r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL);"
        "d=time.perf_counter()-t;"
        "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, d)"
    )
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    rc, kib, secs = out.stdout.split()
    return int(rc), int(kib) / 1024, float(secs)

rows = [
    ("idle (`megallm --version`)", [bin, "--version"], None),
    ("100 MB text, read", [bin, "extract", text100], os.path.getsize(text100)),
    ("150 MB text, refused (too large)", [bin, "extract", text150], os.path.getsize(text150)),
    (f"zip bomb ({os.path.getsize(bomb) // MB} MB, 400 MB inside), refused", [bin, "extract", bomb], os.path.getsize(bomb)),
]
results = []
for label, args, size in rows:
    best = min((run(args) for _ in range(3)), key=lambda r: r[2])
    results.append((label, size, *best))

idle = results[0][3]
print(f"{'file':52} {'exit':>4} {'peak RSS':>10} {'x idle':>7} {'time':>8}")
for label, size, rc, mib, secs in results:
    print(f"{label:52} {rc:>4} {mib:>7.1f} MiB {mib / idle:>6.1f}x {secs * 1000:>6.0f} ms")
read = results[1]
if read[3] > 3 * read[1] / MB:
    print(f"MISS: reading 100 MB peaked at {read[3]:.0f} MiB (> 3x its size)")
for label, size, rc, mib, secs in results[2:]:
    if rc == 0:
        print(f"MISS: {label} was not refused")
    if mib > idle + 64:
        print(f"MISS: {label} peaked at {mib:.0f} MiB, > idle + 64 MiB")
PY
