#!/usr/bin/env bash
# Makes pnpm and the workspace's dependencies (including the pinned Node 26) available, on a machine
# that has only Node >= 20, npm and apt. Sourced by quickstart.sh and test.sh.
set -euo pipefail
PNPM_VERSION=12.21.0
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  npm install --global --no-fund --no-audit "pnpm@$PNPM_VERSION" >&2
fi
pnpm install --frozen-lockfile >&2
