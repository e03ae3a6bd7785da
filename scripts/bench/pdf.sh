#!/usr/bin/env bash
# PDF text extraction: ours (release build of the bench_extract test in
# src-tauri/core/tests/documents_pdf.rs) against poppler's pdftotext on the
# same generated 100-page PDF, in one run. Not a test: it prints figures for
# docs/BENCHMARKS.md ("PDF extraction").
#
#   scripts/bench/pdf.sh              # 100 pages, 5 timed runs each
#   scripts/bench/pdf.sh 300 10       # pages, runs
#
# Needs groff and poppler-utils (deps_test in scripts/lib/deps.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
pages="${1:-100}"
runs="${2:-5}"
for tool in groff pdftotext; do
  command -v "$tool" >/dev/null || { echo "pdf.sh needs $tool: run scripts/test.sh once (deps_test)" >&2; exit 1; }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# About 8.65 paragraphs (600 words) a page of -ms text (A4, 10 pt); numbered so that no
# two paragraphs are the same. groff's page count is checked, not assumed.
awk -v pages="$pages" 'BEGIN {
  split("The committee reviewed the quarterly figures before the annual meeting|Shipping costs rose sharply after the harbour closed for repairs|Our engineers replaced the cooling pumps without stopping production|Customers in the northern region asked for longer warranties|The board approved a modest dividend and a new research budget|Several suppliers agreed to deliver parts within two weeks", s, "|");
  print ".nr HY 0\n.nh\n.TL\nBenchmark report";
  for (i = 0; i < int(pages * 8.65); i++) {
    print ".PP";
    line = "";
    for (j = 0; j < 7; j++) line = line s[(i + j) % 6 + 1] " (item " i * 7 + j ").  ";
    print line;
  }
}' > "$work/bench.ms"
groff -ms -Tps "$work/bench.ms" > "$work/bench.ps"
# ps2pdf's output reads right in the corpus test; gropdf's has a known gap.
if command -v ps2pdf >/dev/null; then
  ps2pdf "$work/bench.ps" "$work/bench.pdf"
else
  groff -ms -Tpdf "$work/bench.ms" > "$work/bench.pdf"
fi
actual_pages="$(pdfinfo "$work/bench.pdf" | awk '/^Pages:/ { print $2 }')"
echo "==> $actual_pages-page PDF, $(stat -c %s "$work/bench.pdf") bytes"

echo "==> building the release bench (first time: minutes)"
# The test binary is run directly: cargo would wait on the target folder's
# lock whenever another build holds it, and that wait is not extraction.
bench="$(nice -n 19 cargo test --release -p megallm-core --test documents_pdf --no-run 2>&1 \
  | sed -n 's/.*Executable .*(\(.*\)).*/\1/p' | tail -1)"
[ -x "$bench" ] || { echo "pdf.sh: the bench binary was not built" >&2; exit 1; }
ours="$(PDF_BENCH_FILE="$work/bench.pdf" PDF_BENCH_RUNS="$runs" \
  "$bench" bench_extract --ignored --nocapture | grep '^ours:')"
echo "$ours"

# pdftotext: the same number of runs after one warm-up, each a whole process
# (that is how it is used); median and minimum.
pdftotext -enc UTF-8 "$work/bench.pdf" "$work/oracle.txt"
times=()
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  pdftotext -enc UTF-8 "$work/bench.pdf" "$work/oracle.txt"
  times+=("$(( ($(date +%s%N) - start) / 1000 ))")
done
sorted="$(printf '%s\n' "${times[@]}" | sort -n)"
median_us="$(echo "$sorted" | awk -v n="$runs" 'NR == int(n / 2) + 1')"
min_us="$(echo "$sorted" | head -1)"
chars="$(wc -m < "$work/oracle.txt")"
awk -v c="$chars" -v m="$median_us" -v n="$min_us" 'BEGIN { printf "pdftotext: chars=%d median_ms=%.1f min_ms=%.1f\n", c, m / 1000, n / 1000 }'
ours_ms="$(echo "$ours" | sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p')"
awk -v o="$ours_ms" -v p="$median_us" 'BEGIN { printf "ratio (ours / pdftotext, medians): %.2f\n", o / (p / 1000) }'
