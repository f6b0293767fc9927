#!/usr/bin/env bash
# The performance benchmark of attain (issue #4). See bench/README.md.
#
#   bash bench/run.sh                 # everything, about 4 minutes on 2 cores
#   REPEATS=1 bash bench/run.sh       # one run per case (quicker, noisier)
#   KEEP=1 bash bench/run.sh          # keep the work folder (outputs, raw timings)
#
# Builds the release binary and the floor example, generates two large
# catalogs, times attain, the floors and the NumPy peer in REPEATS interleaved
# rounds (medians; ratios paired within a round; peak RSS from GNU time),
# checks the peer's probabilities against attain's,
# and prints a Markdown table. Nothing is written outside a temporary folder:
# output/ is left as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

REPEATS=${REPEATS:-3}
NPROC=$(nproc)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/attain-bench.XXXXXX")
RAW="$WORK/raw.tsv"
PHASES="$WORK/phases.tsv"
if [[ -z "${KEEP:-}" ]]; then
    trap 'rm -rf "$WORK"' EXIT
fi
log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }

# ---------------------------------------------------------------- prerequisites
if ! /usr/bin/time -v true >/dev/null 2>&1; then
    log "GNU time missing: installing the Debian package 'time'"
    apt-get update -qq && apt-get install -y -qq time >/dev/null
fi
if ! python3 -c 'import numpy, pandas, pyarrow' 2>/dev/null; then
    log "installing numpy, pandas, pyarrow with pip"
    python3 -m pip install --quiet numpy pandas pyarrow
fi

log "building (release profile)"
cargo build --release --quiet
cargo build --release --examples --quiet
ATTAIN=target/release/attain
FLOOR=target/release/examples/floor

# ---------------------------------------------------------------- inputs
python3 bench/make_catalog.py --indicators 200 --out "$WORK/big200" >&2
python3 bench/make_catalog.py --indicators 1000 --out "$WORK/big1000" >&2

# counts DATA SCENARIOS -> "indicators targets scenarios normals_per_draw"
counts() {
    python3 bench/numpy_peer.py --data "$1" --scenarios "$2" --counts |
        python3 -c 'import json,sys; c=json.load(sys.stdin); print(c["indicators"], c["targets"], c["scenarios"], c["walk_normals_per_draw"])'
}

printf 'case\timpl\tdraws\tthreads\tindicators\ttargets\tscenarios\tnormals\trep\twall_s\trss_kb\n' >"$RAW"
printf 'case\tdraws\tthreads\trep\tpilot_s\tblocks_s\tpaths_cpu_s\tfans_cpu_s\ttargets_cpu_s\twalks_cpu_s\tcounts_cpu_s\tmilestones_cpu_s\n' >"$PHASES"

# Reads GNU time's -v report: wall seconds and peak RSS (KiB).
parse_time() {
    awk -F': ' '
        /Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; wall = s }
        /Maximum resident set size/ { rss = $2 }
        END { printf "%s\t%s", wall, rss }' "$1"
}

# Every function below times ONE run and appends it to the raw table with its
# round number REP. The rounds interleave the cases (attain, the floors and
# the peer, at every thread count), so the ratios the goals are about are
# taken between runs made minutes apart at most, under the same conditions of
# the machine; report.py gives each ratio as the median over rounds of the
# ratio within a round (a paired comparison).

# attain_run CASE DATA SCEN DRAWS THREADS SIZES REP
attain_run() {
    local case=$1 data=$2 scen=$3 draws=$4 threads=$5 sizes=$6 rep=$7
    local out="$WORK/out/$case-attain-$draws-t$threads"
    local sizes_tsv=${sizes// /$'\t'}
    local tfile="$WORK/time.txt"
    /usr/bin/time -v -o "$tfile" "$ATTAIN" run --data "$data" --scenarios "$scen" \
        --out "$out" --draws "$draws" --threads "$threads" --quiet >/dev/null
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$case" attain "$draws" "$threads" "$sizes_tsv" "$rep" \
        "$(parse_time "$tfile")" >>"$RAW"
    # attain's own account of its phases (run.json "timing").
    python3 -c 'import json, sys
t = json.load(open(sys.argv[1]))["timing"]
print("\t".join(sys.argv[2:] + [str(t[k]) for k in ("pilot", "blocks", "paths", "fans", "targets", "walks", "counts", "milestones")]))' \
        "$out/run.json" "$case" "$draws" "$threads" "$rep" >>"$PHASES"
}

# numpy_run CASE DATA SCEN DRAWS SIZES REP: the NumPy peer (one thread).
numpy_run() {
    local case=$1 data=$2 scen=$3 draws=$4 sizes=$5 rep=$6
    local out="$WORK/out/$case-numpy-$draws-t1"
    local sizes_tsv=${sizes// /$'\t'}
    local tfile="$WORK/time.txt"
    /usr/bin/time -v -o "$tfile" python3 bench/numpy_peer.py --data "$data" --scenarios "$scen" \
        --draws "$draws" --out "$out.csv" >/dev/null
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$case" numpy "$draws" 1 "$sizes_tsv" "$rep" \
        "$(parse_time "$tfile")" >>"$RAW"
}

# floor_run CASE DRAWS THREADS SIZES REP: the floor with the case's sizes (its own clock).
floor_run() {
    local case=$1 draws=$2 threads=$3 sizes=$4 rep=$5
    read -r _ _ scenarios normals <<<"$sizes"
    local sizes_tsv=${sizes// /$'\t'}
    local tfile="$WORK/time.txt"
    local line
    line=$(/usr/bin/time -v -o "$tfile" "$FLOOR" --draws "$draws" --normals-per-draw "$normals" \
        --scenarios "$scenarios" --threads "$threads")
    local secs=${line#*seconds=}
    secs=${secs%% *}
    local rss
    rss=$(parse_time "$tfile" | cut -f2)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$case" floor "$draws" "$threads" "$sizes_tsv" "$rep" \
        "$secs" "$rss" >>"$RAW"
}

# variates_run CASE DATA SCEN DRAWS THREADS SIZES REP: the variates floor
# (every random number the model draws for the catalog; its own clock).
variates_run() {
    local case=$1 data=$2 scen=$3 draws=$4 threads=$5 sizes=$6 rep=$7
    local indicators targets scenarios
    read -r indicators targets scenarios _ <<<"$sizes"
    local tfile="$WORK/time.txt"
    local line
    line=$(/usr/bin/time -v -o "$tfile" "$FLOOR" --draws "$draws" --threads "$threads" \
        --data "$data" --scenario-files "$scen")
    local secs=${line#*seconds=}
    secs=${secs%% *}
    local n=${line#*variates=}
    n=${n%% *}
    local rss
    rss=$(parse_time "$tfile" | cut -f2)
    # The normals column holds the variates per draw.
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$case" variates "$draws" "$threads" \
        "$indicators" "$targets" "$scenarios" "$((n / draws))" "$rep" "$secs" "$rss" >>"$RAW"
}

# The default job's features, each against the same job without it:
# uncertain levers fixed at their central values (issue #17), and the
# catalog without its drift-persistence prior (φ = 1, issue #19).
python3 bench/fix_levers.py scenarios "$WORK/fixed_levers"
mkdir -p "$WORK/no_persistence"
cp data/*.csv "$WORK/no_persistence/"

DEFAULT_SIZES=$(counts data scenarios)
BIG200_SIZES=$(counts "$WORK/big200/data" "$WORK/big200/scenarios")
BIG1000_SIZES=$(counts "$WORK/big1000/data" "$WORK/big1000/scenarios")
log "sizes (indicators targets scenarios normals/draw): default $DEFAULT_SIZES; 200: $BIG200_SIZES; 1000: $BIG1000_SIZES"
log "load average before timing: $(cut -d' ' -f1-3 /proc/loadavg) on $NPROC cores"

THREADS=$(printf '%s\n' 1 2 "$NPROC" | sort -nu | tr '\n' ' ')

# ---------------------------------------------------------------- rounds
# Each round: the default catalog at 10^5 and 10^6 draws (attain, floor and
# variates floor at every thread count, then the NumPy peer), the default
# job at 10^6 draws with its levers fixed and without its persistence prior
# (every thread count), then the
# scaling cases on the generated catalogs, indicators × draws: 200 × 5·10^4,
# 200 × 2.5·10^5 (draws ×5), 1000 × 5·10^4 (indicators ×5; the same
# indicator·draws as 200 × 2.5·10^5), all cores.
for rep in $(seq 1 "$REPEATS"); do
    for draws in 100000 1000000; do
        for t in $THREADS; do
            attain_run default data scenarios "$draws" "$t" "$DEFAULT_SIZES" "$rep"
            floor_run default "$draws" "$t" "$DEFAULT_SIZES" "$rep"
            variates_run default data scenarios "$draws" "$t" "$DEFAULT_SIZES" "$rep"
        done
        numpy_run default data scenarios "$draws" "$DEFAULT_SIZES" "$rep"
    done
    for t in $THREADS; do
        attain_run fixed_levers data "$WORK/fixed_levers" 1000000 "$t" "$DEFAULT_SIZES" "$rep"
        attain_run no_persistence "$WORK/no_persistence" scenarios 1000000 "$t" "$DEFAULT_SIZES" "$rep"
    done
    for spec in "big200 50000" "big200 250000" "big1000 50000"; do
        read -r case draws <<<"$spec"
        sizes_var="${case^^}_SIZES"
        attain_run "$case" "$WORK/$case/data" "$WORK/$case/scenarios" "$draws" "$NPROC" "${!sizes_var}" "$rep"
        floor_run "$case" "$draws" "$NPROC" "${!sizes_var}" "$rep"
    done
    log "round $rep of $REPEATS done (load average $(cut -d' ' -f1 /proc/loadavg))"
done

# ---------------------------------------------------------------- report
python3 bench/report.py --raw "$RAW" --phases "$PHASES" --work "$WORK" --nproc "$NPROC"
if [[ -n "${KEEP:-}" ]]; then
    log "work folder kept: $WORK"
fi
