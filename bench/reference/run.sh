#!/bin/sh
# Times one training epoch of rgflow and of the two implementations it
# replaces, side by side on this machine, in rounds (each round runs every
# implementation once, so that a change of load falls on all of them):
#   the seed's (github.com/jshe2304/dlrg at SEED_COMMIT): A1 CD with 24
#     trajectories and A1+E CD with 64, its reference loop (seed_epoch.py);
#   Hou & You's (github.com/EverettYou/MLRG at HOUYOU_COMMIT): A1+E and
#     2A1+E with 64 trajectories, their notebook's loop (houyou_epoch.py);
#   rgflow bench epoch-time on every kernel path this CPU runs, with the
#     reference configurations of bench/anchors.go.
# Needs a python with torch (PYTHON, default python3; Debian: apt-get install
# python3-torch, then PYTHON=/usr/bin/python3) and git; DLRG_DIR and MLRG_DIR
# name existing copies of the two repositories instead of fetching them.
#
# usage: bench/reference/run.sh OUTDIR [ROUNDS]     (from the repository root,
#        after make build)
# writes OUTDIR/python.csv (implementation,rep,trajectories,round,epoch,seconds),
# OUTDIR/round-N/ (rgflow bench's output), OUTDIR/cpu.txt
set -eu
out=${1:?usage: bench/reference/run.sh OUTDIR [ROUNDS]}
rounds=${2:-3}
SEED_COMMIT=5ddcefb
HOUYOU_COMMIT=539c3da
here=$(cd "$(dirname "$0")" && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/rgflow/reference
rgflow=${RGFLOW:-bin/rgflow}
python=${PYTHON:-python3}
"$python" -c 'import torch' 2>/dev/null || { echo "run.sh: $python cannot import torch (Debian: apt-get install python3-torch, then PYTHON=/usr/bin/python3)" >&2; exit 1; }
[ -x "$rgflow" ] || { echo "run.sh: $rgflow is not built (make build)" >&2; exit 1; }
[ -e "$out" ] && { echo "run.sh: $out exists; give a new directory" >&2; exit 1; }

fetch() { # fetch URL COMMIT DIR PATH... : only the code, not the data files
	url=$1 commit=$2 dir=$3
	shift 3
	[ -d "$dir/.git" ] || git clone -q --no-checkout "$url" "$dir"
	git -C "$dir" checkout -q "$commit" -- "$@"
}
mkdir -p "$cache"
dlrg=${DLRG_DIR:-$cache/dlrg}
mlrg=${MLRG_DIR:-$cache/MLRG}
[ -n "${DLRG_DIR:-}" ] || fetch https://github.com/jshe2304/dlrg "$SEED_COMMIT" "$dlrg" __init__.py neuralnet rbm utils
[ -n "${MLRG_DIR:-}" ] || fetch https://github.com/EverettYou/MLRG "$HOUYOU_COMMIT" "$mlrg" MLRG.py

mkdir -p "$out"
{ "$rgflow" version; grep -m1 'model name' /proc/cpuinfo; nproc; uptime; } > "$out/cpu.txt"
cat > "$out/epoch-time.toml" <<TOML
suite = "epoch-time"
reps = ["A1+E"]
losses = ["cd"]
models = ["flow"]
trajectories = [64]
kernels = ["available", "fastest"]
reference = true
large_kl = []
warmup = 2
epochs = 3
repeats = 1
TOML
echo "implementation,rep,trajectories,round,epoch,seconds" > "$out/python.csv"
py() { # py IMPL SCRIPT REPO REP N
	# 2 warm-up epochs, then 5 timed ones
	"$python" "$here/$2" "$3" "$4" "$5" 7 | tail -n 5 | awk -v i="$1" -v r="$4" -v n="$5" -v k="$round" '{ printf "%s,%s,%s,%s,%d,%s\n", i, r, n, k, NR, $1 }' >> "$out/python.csv"
}
round=1
while [ "$round" -le "$rounds" ]; do
	echo "round $round of $rounds: the seed's code" >&2
	py seed seed_epoch.py "$dlrg" a1 24
	py seed seed_epoch.py "$dlrg" a1e 64
	echo "round $round of $rounds: Hou & You's code" >&2
	py houyou houyou_epoch.py "$mlrg" A1+E 64
	py houyou houyou_epoch.py "$mlrg" 2A1+E 64
	echo "round $round of $rounds: rgflow" >&2
	"$rgflow" bench epoch-time -quiet -config "$out/epoch-time.toml" -out "$out/round-$round" >&2
	round=$((round + 1))
done
uptime >> "$out/cpu.txt"
