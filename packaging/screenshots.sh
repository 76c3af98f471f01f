#!/usr/bin/env bash
# Regenerates the README's screenshots with `algoadmin --screenshot` on the offscreen platform:
# the Schema panel during and after a migration of the bundled migrations plus a slow one, each
# on a fresh database of a throwaway cluster. Builds first if needed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/packaging/build.sh" >/dev/null
build=${ALGOADMIN_BUILD_DIR:-$top/build}
out=$top/docs/screenshots
work=$(mktemp -d /tmp/algoadmin-screenshots.XXXXXX)
chmod 755 "$work" # as root the server runs as postgres, who must reach the cluster directory
export QT_QPA_PLATFORM=offscreen ALGOADMIN_LOCAL_UNSAFE_FAST=1
cleanup() {
    "$build/algoadmin" local stop --data-dir "$work/cluster" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

"$build/algoadmin" local start --data-dir "$work/cluster" >/dev/null
url=$("$build/algoadmin" local url --data-dir "$work/cluster")
for db in during after; do
    psql -X -q -d "$url" -c "CREATE DATABASE shot_$db"
done
# The bundled migrations and one that takes a while, as an index on a big table would.
mkdir "$work/migrations"
cp "$top"/sql/*.sql "$work/migrations/"
cat >"$work/migrations/011_changelog_by_source.sql" <<'SQL'
-- Looks changes up by the client that made them (slow on a big table; the changelog is
-- append-only, so a backfill would be refused: an index it is).
SELECT pg_sleep(2.5);
CREATE INDEX IF NOT EXISTS idx_algorithm_changelog_source ON algorithm_changelog (source);
SQL
conn="host=$work/cluster/run port=5432 user=postgres"
mkdir -p "$out"
"$build/algoadmin" -d "$conn dbname=shot_during" --panel schema --migrations "$work/migrations" \
    --run migrate --screenshot "$out/schema-during-migration.png" --screenshot-delay 1500
"$build/algoadmin" -d "$conn dbname=shot_after" --panel schema --migrations "$work/migrations" \
    --run migrate --screenshot "$out/schema-after-migration.png"
echo "screenshots: $out/schema-during-migration.png $out/schema-after-migration.png"
