#!/usr/bin/env bash
# Enterprise security scan — rendered by Paved from the security-scan template, version [[ template.version ]].
#
# Usage: enterprise-security-scan.sh --type full|dependencies|secrets|config
#                                    --threshold low|medium|high|critical
#                                    [--path DIR] [--sarif FILE]
#
# Runs Trivy over DIR with the scanners the type names, writes a SARIF report of every finding,
# prints a table of the findings at or above the threshold (also to the job summary when run in
# GitHub Actions), sets the `findings` output, and exits 1 when there is any such finding.
set -euo pipefail

TRIVY_VERSION="${TRIVY_VERSION:-[[ params["trivy-version"] ]]}"
type="[[ params["scan-type"] ]]"
threshold="[[ params["severity-threshold"] ]]"
scan_path="."
sarif="security-scan.sarif"

usage() {
  sed -n '4,6p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --type) type="${2:-}"; shift 2 ;;
    --threshold) threshold="${2:-}"; shift 2 ;;
    --path) scan_path="${2:-}"; shift 2 ;;
    --sarif) sarif="${2:-}"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done

case "$type" in
  full) scanners="vuln,secret,misconfig" ;;
  dependencies) scanners="vuln" ;;
  secrets) scanners="secret" ;;
  config) scanners="misconfig" ;;
  *) echo "--type must be full, dependencies, secrets or config (got '$type')" >&2; exit 2 ;;
esac

case "$threshold" in
  low) severities="LOW,MEDIUM,HIGH,CRITICAL" ;;
  medium) severities="MEDIUM,HIGH,CRITICAL" ;;
  high) severities="HIGH,CRITICAL" ;;
  critical) severities="CRITICAL" ;;
  *) echo "--threshold must be low, medium, high or critical (got '$threshold')" >&2; exit 2 ;;
esac

# Use the runner's Trivy when it has one; otherwise install the pinned release for this job only.
if ! command -v trivy >/dev/null 2>&1; then
  bin_dir="${RUNNER_TEMP:-/tmp}/trivy-bin"
  mkdir -p "$bin_dir"
  echo "Installing Trivy ${TRIVY_VERSION} into ${bin_dir}"
  curl -sSfL https://raw.githubusercontent.com/aquasecurity/trivy/main/contrib/install.sh \
    | sh -s -- -b "$bin_dir" "v${TRIVY_VERSION}"
  export PATH="$bin_dir:$PATH"
fi

echo "Scanning ${scan_path} (${type}: ${scanners}), failing at ${threshold} (${severities})"

# Every finding goes to the SARIF report, so code scanning shows the full picture.
trivy fs --quiet --scanners "$scanners" --format sarif --output "$sarif" "$scan_path"

# The gate: findings at or above the threshold, as a table and as a count.
report="$(mktemp)"
trivy fs --quiet --scanners "$scanners" --severity "$severities" --format json --output "$report" "$scan_path"
findings="$(jq '[.Results[]? | (.Vulnerabilities // []) + (.Secrets // []) + ((.Misconfigurations // []) | map(select(.Status == "FAIL")))] | add // [] | length' "$report")"
trivy fs --quiet --scanners "$scanners" --severity "$severities" --format table "$scan_path" || true

if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "findings=${findings}" >> "$GITHUB_OUTPUT"
fi
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  {
    echo "### Security scan (${type})"
    echo
    echo "| threshold | findings at or above it | SARIF report |"
    echo "| --- | --- | --- |"
    echo "| ${threshold} | ${findings} | \`${sarif}\` |"
  } >> "$GITHUB_STEP_SUMMARY"
fi

if [ "$findings" -gt 0 ]; then
  echo "::error::${findings} finding(s) at or above ${threshold}"
  exit 1
fi
echo "No finding at or above ${threshold}."
