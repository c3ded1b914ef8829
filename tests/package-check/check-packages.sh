#!/usr/bin/env bash
# Checks that the packed packages are ready to publish (tests/LeakGuard.Packaging.Tests): nuspec metadata (description,
# tags, license expression, repository, readme), XML docs next to every library, embedded PDBs from a deterministic
# build and, when CI=true, source paths mapped to /_/ (ContinuousIntegrationBuild) and the repository commit.
#
#   tests/package-check/check-packages.sh [packages-dir]    # default: artifacts/packages
#
# TRX results go to $PACKAGE_CHECK_RESULTS (default: artifacts/test-results). Exit codes: 0 every package is ready,
# 1 a package has a problem (the test output names the package and the problem), 2 the packages folder is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
packages="${1:-artifacts/packages}"
if [ ! -d "$packages" ]; then
  echo "package-check: no folder $packages; run dotnet pack LeakGuard.sln -c Release -o $packages first." >&2
  exit 2
fi
export LEAKGUARD_PACKAGES_DIRECTORY
LEAKGUARD_PACKAGES_DIRECTORY="$(cd "$packages" && pwd)"
echo "package-check: $(ls "$LEAKGUARD_PACKAGES_DIRECTORY" | tr '\n' ' ')(CI=${CI:-unset})"
dotnet test tests/LeakGuard.Packaging.Tests -c Release --logger trx --results-directory "${PACKAGE_CHECK_RESULTS:-artifacts/test-results}" || exit 1
