#!/usr/bin/env bash
# Starts MariaDB on 127.0.0.1:3307 and Cathode on 127.0.0.1:8066 (user cathode / cathode, schema demo).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
exec pnpm run quickstart
