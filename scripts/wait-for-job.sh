#!/usr/bin/env bash
# Waits until a Job has finished, either way: exit 0 once it is Complete, or, the moment it is
# Failed (back-off limit or deadline reached), prints why and its pods' last log lines and exits
# 1. `kubectl wait` takes one condition, so waiting for Complete alone would sit out the whole
# timeout on a Job that failed in its first minute.
#
#   scripts/wait-for-job.sh JOB TIMEOUT_SECONDS [KUBECTL ARGS...]
#   scripts/wait-for-job.sh order-service-migrate 300 --context kind-order-service -n order-service
set -euo pipefail

if [ $# -lt 2 ] || ! [[ "$2" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 JOB TIMEOUT_SECONDS [KUBECTL ARGS...]" >&2
  exit 1
fi
job=$1 timeout=$2
shift 2
kubectl() { "${KUBECTL:-kubectl}" "$@"; }
# 2 s: a Job's pods take seconds to start, and the API server is asked nothing heavier.
poll_seconds=2

# One line per condition that holds: "<type>: <reason> <message>" (Complete or Failed, and on
# Kubernetes 1.31+ the SuccessCriteriaMet / FailureTarget that come before them).
conditions='{range .status.conditions[?(@.status=="True")]}{.type}{": "}{.reason}{" "}{.message}{"\n"}{end}'

deadline=$((SECONDS + timeout))
while :; do
  state=$(kubectl "$@" get job "$job" -o "jsonpath=$conditions")
  if grep -q '^Complete:' <<<"$state"; then
    echo "job/$job complete"
    exit 0
  fi
  if grep -q '^Failed:' <<<"$state"; then
    echo "job/$job failed: $(grep '^Failed:' <<<"$state" | cut -d' ' -f2-)" >&2
    echo "--- the last log lines of its pods" >&2
    kubectl "$@" logs --selector "batch.kubernetes.io/job-name=$job" --prefix --tail=50 >&2 || true
    exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "job/$job still running after ${timeout}s" >&2
    kubectl "$@" logs --selector "batch.kubernetes.io/job-name=$job" --prefix --tail=50 >&2 || true
    exit 1
  fi
  sleep "$poll_seconds"
done
