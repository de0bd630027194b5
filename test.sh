#!/usr/bin/env bash
# Runs every test project of the solution, installing what the tests need when it is missing, and ends with one line
# "N passed, N failed" totalled over all test projects. Exits non-zero when a test failed or none ran.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

need() { # need COMMAND DEBIAN_PACKAGE: install the package when the command is missing
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "test.sh: installing $2 (for $1)"
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if [ -z "${APT_UPDATED:-}" ]; then $sudo apt-get update -qq >/dev/null; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$2" >/dev/null
}

command -v dotnet >/dev/null 2>&1 || { echo "test.sh: the .NET SDK (dotnet) is required: https://dot.net"; exit 2; }
# The Redis tests and the packaging tests (the README's Redis quick start) start their own redis-server.
if ls tests | grep -q 'Redis\|Packaging'; then need redis-server redis-server; fi
if ls tests | grep -q AspNetCore; then need chromium chromium; fi

results="$(pwd)/TestResults"
rm -rf "$results"
status=0
dotnet build Cancellable.Jobs.sln -c Release
for project in $(find tests samples -name '*Tests.csproj' | sort); do
  name=$(basename "$project" .csproj)
  # LogFilePrefix: one TRX per target framework (the core's tests also run on .NET 8).
  dotnet test "$project" -c Release --no-build --logger "trx;LogFilePrefix=$name" --results-directory "$results" "$@" || status=$?
done

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -nE "s/.* $1=\"([0-9]+)\".*/\1/p"; }
  passed=$((passed + $(get passed))); failed=$((failed + $(get failed)))
  skipped=$((skipped + $(get notExecuted)))
done

echo "$passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then exit 1; fi
