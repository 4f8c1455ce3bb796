#!/bin/sh
# Restore a dump of deploy/backup.sh, on this server or a new one: makes the owner role and the
# database when they are missing, then restores into the database, which must be empty (before the
# service's first start on a new server; on this one: `systemctl stop guide`, `dropdb guide`).
#
#   sudo -u postgres /srv/guide/deploy/restore.sh FILE.dump
#
# GUIDE_DATABASE (default guide) and GUIDE_DATABASE_OWNER (default guide, the service's user) name
# them; PGHOST, PGPORT, PGUSER… reach the server as libpq does. One transaction: all or nothing.
set -eu
file=$1
database=${GUIDE_DATABASE:-guide}
owner=${GUIDE_DATABASE_OWNER:-guide}
exists() { psql --dbname=postgres --no-psqlrc --tuples-only --no-align --command="$1" | grep -qx 1; }
exists "SELECT 1 FROM pg_roles WHERE rolname = '$owner'" || createuser "$owner"
exists "SELECT 1 FROM pg_database WHERE datname = '$database'" || createdb --owner="$owner" "$database"
pg_restore --exit-on-error --single-transaction --no-owner --role="$owner" --dbname="$database" "$file"
echo "restored $file into $database (owner $owner)"
