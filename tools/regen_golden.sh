#!/usr/bin/env bash
# Regenerates vectors/golden/sample_audit.json, the golden output test_audit_cli compares
# against. Run it only when a change to the audit's numbers or schema is intended, and say why
# in the commit message.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
cmake --build "$build" --target fpaudit_cli >/dev/null
mkdir -p "$root/vectors/golden"
cd "$root"
"$build/fpaudit" audit vectors/samples --quiet --threads 2 --json vectors/golden/sample_audit.json >/dev/null
echo "wrote vectors/golden/sample_audit.json ($(wc -c < vectors/golden/sample_audit.json) bytes)"
