#!/usr/bin/env bash
# Zero-drop rollout, proven on the cluster (`make rollout-check`): starts the load Job of
# k8s/components/rollout-check on the image the Deployment runs now, restarts the Deployment
# under that load, waits for the rollout, and fails unless the load saw only 2xx answers and
# no connection error (the load generator exits non-zero otherwise, and the Job fails).
#
#   scripts/kind-rollout-check.sh [KUBECTL ARGS...]    e.g. --context kind-order-service -n order-service
#
#   KUBECTL              the kubectl to use (default kubectl)
#   KIND_OVERLAY         the overlay the component extends (default k8s/overlays/kind)
#   LOAD_WARMUP_SECONDS  seconds of load before the restart begins (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."

job=order-service-rollout-check
kubectl() { "${KUBECTL:-kubectl}" "$@"; }
step() { printf '== %s\n' "$*"; }

# The load generator ships in the service's image: run the tag that is deployed, so the check
# needs no build and cannot roll out another image by accident.
image=$(kubectl "$@" get deployment/order-service \
  -o 'jsonpath={.spec.template.spec.containers[?(@.name=="order-service")].image}')
[ -n "$image" ] || { echo "no deployment/order-service: run \`make deploy\` first" >&2; exit 1; }

step "start the load ($image)"
kubectl "$@" delete job "$job" --ignore-not-found
# Only the component's objects (the Job and its NetworkPolicies); the rest is applied already.
scripts/kind-manifests.sh "$image" k8s/components/rollout-check |
  kubectl "$@" apply --selector app.kubernetes.io/component=rollout-check -f -
for _ in $(seq 1 60); do
  [ -n "$(kubectl "$@" get pods --selector "batch.kubernetes.io/job-name=$job" -o name)" ] && break
  sleep 1
done
kubectl "$@" wait --for=condition=Ready pod --selector "batch.kubernetes.io/job-name=$job" \
  --timeout=120s
# Some load before the restart, so the run also shows the service's steady state.
sleep "${LOAD_WARMUP_SECONDS:-10}"

step "restart the service under load"
kubectl "$@" rollout restart deployment/order-service
kubectl "$@" rollout status deployment/order-service --timeout=300s

step "the load's verdict"
scripts/wait-for-job.sh "$job" 300 "$@"
report=$(kubectl "$@" logs "job/$job" | tail -n 1)
echo "$report"
