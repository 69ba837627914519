#!/usr/bin/env bash
# The one command the GitHub action, the GitLab job and humans share: inputs come from MLPS_* variables.
set -euo pipefail
args=(iac ${MLPS_PATHS:-.} --level "${MLPS_LEVEL:-3}" --format terminal,json,sarif,junit
      --output-dir "${MLPS_OUT:-mlps-iac}")
[ -n "${MLPS_FAIL_ON:-}" ] && args+=(--fail-on "$MLPS_FAIL_ON")
[ -n "${MLPS_WAIVERS:-}" ] && args+=(--waivers "$MLPS_WAIVERS")
[ -n "${MLPS_BASELINE:-}" ] && args+=(--baseline "$MLPS_BASELINE")
exec "${MLPS_PYTHON:-python3}" -m cli "${args[@]}"
