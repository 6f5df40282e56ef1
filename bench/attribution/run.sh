#!/bin/sh
# Re-runs the attribution evaluation recorded in docs/attribution-eval.md.
# Clones are brought in from outside the project (never committed): pass their git dirs as arguments, e.g.
#   bench/attribution/run.sh /work/.mirror/linux-nvme+nvme-cli/repo /work/.mirror/shemminger+iproute2/repo
# Each run writes bench/.work/attribution/<name>.json (every pair) and prints the markdown table.
# Settings used for the recorded tables: nvme-cli all pairs; iproute2 --sample 200; ovs --sample 200 --quick;
# frr with EVAL_FLAGS="--tags frr-* --sample 150 --quick" (globbing is off, so the tag pattern reaches hindsight).
set -euf
here=$(cd "$(dirname "$0")/../.." && pwd)
out="$here/bench/.work/attribution"
mkdir -p "$out"
for repo in "$@"; do
  name=$(basename "$(dirname "$repo")")
  node "$here/dist/cli/main.js" --repo "$repo" eval attribution ${EVAL_FLAGS:-} --out "$out/$name.json"
done
