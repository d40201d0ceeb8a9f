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
# Demo accounts with a fresh random password, kept beside the demo database (mode 600).
password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(12))')
for who in "lead child_safety_lead" "reviewer reviewer" "analyst investigator" "admin admin"; do
  set -- $who
  printf '%s\n' "$password" | $vp user add "$1" --role "$2" --password-stdin --db "$db" >/dev/null
done
umask 077
printf 'users: lead (child-safety lead), reviewer, analyst (investigator), admin\npassword: %s\n' "$password" > "$demo/credentials.txt"
$vp review sync --db "$db"
echo
echo "Review UI: http://127.0.0.1:$port  — log in as 'lead' or 'reviewer', password: $password"
echo "(also in $demo/credentials.txt; stop the server with Ctrl-C)"
exec $vp serve --db "$db" --port "$port"
