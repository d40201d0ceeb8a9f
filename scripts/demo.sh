#!/usr/bin/env bash
# The main job on the embedded default (SQLite): generate a demo world, scan it,
# show what was found, then serve the review UI if this build has one.
set -euo pipefail
demo=${1:-demo}; db=${2:-sqlite:///demo/vaktpost.db}; port=${3:-8000}
vp=.venv/bin/vaktpost
mkdir -p "$demo"
rm -f "$demo/vaktpost.db" "$demo/vaktpost.db-wal" "$demo/vaktpost.db-shm"
$vp synth --scenario demo --seed 7 --out "$demo/world"
$vp scan "$demo/world/chats.jsonl" --db "$db"
$vp funnel --db "$db" --top 15
if $vp serve --help >/dev/null 2>&1; then
  echo "Review UI on http://127.0.0.1:$port  (create a user with: $vp user add --db $db)"
  exec $vp serve --db "$db" --port "$port"
fi
