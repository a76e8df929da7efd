#!/usr/bin/env bash
# Known vulnerabilities in what the project ships:
# - pip-audit over requirements.lock, what the image ships (every pinned package at its exact
#   version, hashes checked, no resolution;
#   vulnerability data from PyPI's JSON API);
# - npm audit over web/ (the chat widget's production dependencies; npm registry's audit API).
# Accepted findings: one id per line with its reason in security/audit-ignore.txt, explained in
# docs/reliability.md. Any other finding fails the run.
# When a source of vulnerability data cannot be reached (an index mirror without the JSON or
# audit API), the run says so loudly: « AUDIT NOT PERFORMED »; it fails only with
# AUDIT_REQUIRED=1 (set it where the registries' APIs are reachable, e.g. a release pipeline).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t ignored < <(grep -Eo '^[A-Za-z0-9-]+' security/audit-ignore.txt || true)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
args=()
for id in "${ignored[@]}"; do args+=(--ignore-vuln "$id"); done
.venv-tools/bin/pip-audit --require-hashes --disable-pip --progress-spinner off --format json \
  -r requirements.lock ${args[@]+"${args[@]}"} >"$work/pip.json" 2>"$work/pip.err" || true
(cd web && npm audit --omit=dev --json >"$work/npm.json" 2>"$work/npm.err") || true
IGNORED="${ignored[*]:-}" .venv-tools/bin/python - "$work" <<'PY'
import json, os, sys
from pathlib import Path

work = Path(sys.argv[1])
ignored = set(os.environ.get("IGNORED", "").split())
required = os.environ.get("AUDIT_REQUIRED") == "1"
problems, not_done = [], []

try:
    pip = json.loads((work / "pip.json").read_text() or "{}")
except ValueError:
    pip = {}
deps = pip.get("dependencies", [])
audited = [d for d in deps if "skip_reason" not in d]
if not audited:
    reason = (work / "pip.err").read_text()[-500:] or "no package could be looked up"
    not_done.append(f"pip-audit: vulnerability data unreachable ({len(deps)} packages skipped). {reason}")
for dep in audited:
    for vuln in dep.get("vulns", []):
        ids = {vuln["id"], *vuln.get("aliases", [])}
        if not ids & ignored:
            problems.append(f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in {vuln.get('fix_versions')})")
print(f"pip-audit: {len(audited)}/{len(deps)} packages of requirements.lock audited")

try:
    npm = json.loads((work / "npm.json").read_text() or "{}")
except ValueError:
    npm = {"error": {"summary": "no JSON answer"}}
if "error" in npm:
    summary = npm["error"].get("summary", "") if isinstance(npm["error"], dict) else npm["error"]
    not_done.append(f"npm audit: audit API unreachable ({summary})")
else:
    for name, vuln in (npm.get("vulnerabilities") or {}).items():
        for via in vuln.get("via", []):
            if isinstance(via, dict):
                ghsa = str(via.get("url", "")).rsplit("/", 1)[-1]
                if ghsa not in ignored:
                    problems.append(f"{name} (npm): {via.get('title')} {ghsa} {via.get('severity')}")
    print(f"npm audit: {npm.get('metadata', {}).get('dependencies', {}).get('prod', '?')} production packages audited")

for line in not_done:
    print(f"AUDIT NOT PERFORMED — {line}")
for line in problems:
    print(f"VULNERABILITY — {line}")
if not problems and not not_done:
    print("audit: no known vulnerability (accepted ones: security/audit-ignore.txt)")
sys.exit(1 if problems or (not_done and required) else 0)
PY
