#!/usr/bin/env bash
# Stands in for docker, kind and kubectl (by the name it is called as) so the tests can run the
# kind make targets with no engine and no cluster. It behaves like the real tool where the
# targets depend on it: `kind load` fails for an image the engine does not have, `kubectl wait`
# waits out its whole --timeout for a condition that never comes, `kubectl kustomize` is the
# real one. Every call is appended to $FAKE_LOG as "<ms since epoch> <tool> <start|end> <args>".
#
#   FAKE_STATE            directory for what the fake engine holds and the cluster was sent
#   FAKE_LOCAL_IMAGES     images the engine has before the run (space-separated)
#   FAKE_KIND_CLUSTERS    clusters `kind get clusters` lists (default: none)
#   FAKE_JOB_CONDITION    Complete or Failed: what the migration Job ends as (default Complete)
#   FAKE_DEPLOYED_IMAGE   what `kubectl get deployment ... -o jsonpath=...` answers
#   FAKE_STEP_SECONDS     how long a build, a cluster creation and a load take (default 0)
#   REAL_KUBECTL          the kubectl that renders kustomizations
set -euo pipefail
tool=$(basename "$0")
images="$FAKE_STATE/images"
touch "$images"
log() { echo "$(date +%s%3N) $tool $*" >>"$FAKE_LOG"; }
slow_step() { log start "$@"; sleep "${FAKE_STEP_SECONDS:-0}"; log end "$@"; }
has_image() { grep -qxF "$1" "$images" || [[ " ${FAKE_LOCAL_IMAGES:-} " == *" $1 "* ]]; }

docker_() {
  case "$1" in
    build)
      local args=("$@") i
      for ((i = 0; i < ${#args[@]}; i++)); do
        [ "${args[i]}" = -t ] && echo "${args[i + 1]}" >>"$images"
      done
      slow_step "$@"
      ;;
    image) # image inspect NAME
      log call "$@"
      has_image "$3" || { echo "Error: No such image: $3" >&2; exit 1; }
      ;;
    pull) log call "$@"; echo "$2" >>"$images" ;;
    *) log call "$@" ;;
  esac
}

kind_() {
  case "$1 ${2:-}" in
    "get clusters") log call "$@"; for c in ${FAKE_KIND_CLUSTERS:-}; do echo "$c"; done ;;
    "create cluster") slow_step "$@" ;;
    "load docker-image")
      local args=("${@:3}") i
      for ((i = 0; i < ${#args[@]}; i++)); do
        [ "${args[i]}" = --name ] && { i=$((i + 1)); continue; }
        has_image "${args[i]}" ||
          { log call "$@"; echo "ERROR: image: \"${args[i]}\" not present locally" >&2; exit 1; }
      done
      slow_step "$@"
      ;;
    *) log call "$@" ;;
  esac
}

kubectl_() {
  local args=() flag_value=""
  # Global flags first (--context X, --namespace X, -n X), then the subcommand.
  while [ $# -gt 0 ]; do
    case "$1" in
      --context | --namespace | -n) shift 2 ;;
      --context=* | --namespace=*) shift ;;
      *) args+=("$1"); shift ;;
    esac
  done
  set -- "${args[@]}"
  case "$1" in
    kustomize) exec "$REAL_KUBECTL" "$@" ;;
    apply)
      log call "$@"
      local n
      n=$(find "$FAKE_STATE" -name 'applied-*.yaml' | wc -l)
      if [ "${2:-}" = -k ]; then "$REAL_KUBECTL" kustomize "$3" >"$FAKE_STATE/applied-$n.yaml"
      else cat >"$FAKE_STATE/applied-$n.yaml"; fi
      ;;
    wait)
      log start "$@"
      local condition timeout=30
      for flag_value in "$@"; do
        case "$flag_value" in
          --for=condition=*) condition=${flag_value#--for=condition=} ;;
          --timeout=*s) timeout=${flag_value#--timeout=}; timeout=${timeout%s} ;;
        esac
      done
      local outcome=${FAKE_JOB_CONDITION:-Complete}
      if [[ "${condition,,}" == ready || "${condition,,}" == "${outcome,,}" ]]; then
        log end "$@"
        exit 0
      fi
      sleep "$timeout"
      echo "error: timed out waiting for the condition on jobs/order-service-migrate" >&2
      exit 1
      ;;
    get)
      log call "$@"
      case "$2" in
        job | jobs | job/*) echo "${FAKE_JOB_CONDITION:-Complete}: FakeReason the fake Job is ${FAKE_JOB_CONDITION:-Complete}" ;;
        deployment | deployment/*) printf '%s' "${FAKE_DEPLOYED_IMAGE:-}" ;;
        pods) echo "pod/order-service-rollout-check-fake" ;;
      esac
      ;;
    logs) log call "$@"; echo "fake log line of $*" ;;
    *) log call "$@" ;;
  esac
}

"${tool}_" "$@"
