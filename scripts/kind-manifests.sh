#!/usr/bin/env bash
# Prints the kind overlay as `make deploy` applies it: every container of the app's image runs
# IMAGE (the service, the migration Job, the CronJob, the fakes), so no Job can migrate with a
# newer image than the pods it migrates for. Optional components are added on top, e.g. the
# rollout check's load Job. The pin lives in a throw-away kustomization, never in k8s/.
#
#   scripts/kind-manifests.sh IMAGE [COMPONENT_DIR...]
#   scripts/kind-manifests.sh order-service:a1b2c3d4e5f6 k8s/components/rollout-check
#
#   KIND_OVERLAY  the overlay to render (default k8s/overlays/kind)
#   KUBECTL       the kubectl whose built-in kustomize renders (default kubectl)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 1 ] || [[ "$1" != *:* ]]; then
  echo "usage: $0 IMAGE:TAG [COMPONENT_DIR...]" >&2
  exit 1
fi
image=$1
shift
overlay=${KIND_OVERLAY:-k8s/overlays/kind}
# The overlay's own namespace, so what a component adds lands next to what it extends.
namespace=$(sed -n 's/^namespace: *//p' "$overlay/kustomization.yaml")

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# kustomize takes no absolute paths: climb from the temporary directory to / (/tmp/x -> ../..).
root=$(sed 's|[^/]*|..|g; s|^/||' <<<"$dir")$PWD
{
  echo "apiVersion: kustomize.config.k8s.io/v1beta1"
  echo "kind: Kustomization"
  echo "namespace: $namespace"
  echo "resources: [\"$root/$overlay\"]"
  echo "components: ["
  for component in "$@"; do echo "  \"$root/$component\","; done
  echo "]"
  echo "images:"
  echo "  - name: order-service"
  echo "    newName: \"${image%:*}\""
  echo "    newTag: \"${image##*:}\""
} >"$dir/kustomization.yaml"
"${KUBECTL:-kubectl}" kustomize "$dir"
