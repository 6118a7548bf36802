#!/usr/bin/env bash
# Runs the whole suite: typecheck, unit tests and integration tests against real MariaDB.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
exec pnpm test
