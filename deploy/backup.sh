#!/bin/sh
# The guide's nightly backup: a pg_dump (custom format) readable by its owner only (0600), without
# what the privacy page promises is forgotten by tomorrow: the day's salt and the visitor hashes
# (their tables are in the dump, empty). README.md, "Backups", says how to run it and restore it.
#
#   sudo -u postgres /srv/guide/deploy/backup.sh [FOLDER]     (default /var/backups/guide)
#
# GUIDE_DATABASE names the database (default guide); PGHOST, PGPORT, PGUSER… reach it as libpq does.
# The file is written under a temporary name and renamed when complete: a dump that failed half
# way never looks like a backup. Prints the file's name.
set -eu
folder=${1:-/var/backups/guide}
database=${GUIDE_DATABASE:-guide}
umask 077
mkdir -p "$folder"
file="$folder/guide-$(date +%Y-%m-%d-%H%M%S).dump"
pg_dump --format=custom --exclude-table-data=salt --exclude-table-data=visitor --file="$file.partial" "$database"
mv "$file.partial" "$file"
echo "$file"
