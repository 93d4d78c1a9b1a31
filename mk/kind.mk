# Kubernetes on a local kind cluster; docs/kubernetes.md explains. Included by the Makefile:
#   make kind-up image kind-load deploy smoke rollout-check      ...      make kind-down
# Each target names what it needs (deploy needs kind-load, which needs image and kind-up), so
# `make -j` runs the build and the cluster creation side by side and never loads an image
# before it is built; `make deploy` alone builds, loads and deploys.
KIND ?= kind
KUBECTL ?= kubectl
KIND_CLUSTER ?= order-service
KIND_CONFIG ?= k8s/kind-config.yaml
KIND_OVERLAY ?= k8s/overlays/kind
KIND_NAMESPACE ?= order-service
# docker-image: `kind load docker-image`. archive: `docker image save --platform` + `kind load
# image-archive`, for Docker's containerd image store, where `kind load docker-image` fails on
# multi-platform images ("ctr: content digest ... not found", kubernetes-sigs/kind#3795).
KIND_LOAD ?= docker-image
# The nodes' platform, for archive loads (needs Docker 28+ for `save --platform`).
KIND_PLATFORM ?= linux/$(shell uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')
# Seconds of load before rollout-check restarts the Deployment.
LOAD_WARMUP_SECONDS ?= 10
SMOKE_PORT ?= 18000
SMOKE_IDP_PORT ?= 18003

KIND_CONTEXT = --context kind-$(KIND_CLUSTER)
KUBECTL_NS = $(KUBECTL) $(KIND_CONTEXT) --namespace $(KIND_NAMESPACE)
# The overlay as deploy applies it, every container of the app's image on $(IMAGE).
KIND_MANIFESTS = KUBECTL="$(KUBECTL)" KIND_OVERLAY="$(KIND_OVERLAY)" scripts/kind-manifests.sh
# Every image the overlay runs, rendered once per make run: kind nodes pull nothing.
KIND_IMAGES = $(eval KIND_IMAGES := $(shell \
  $(KIND_MANIFESTS) $(IMAGE) | sed -n 's/^ *image: *//p' | sort -u))$(KIND_IMAGES)

.PHONY: kind-up kind-load deploy smoke rollout-check kind-down

kind-up: ## Create the kind cluster from k8s/kind-config.yaml (needs kind v0.33+)
	@$(KIND) get clusters 2>/dev/null | grep -qx '$(KIND_CLUSTER)' \
	  || $(KIND) create cluster --name $(KIND_CLUSTER) --config $(KIND_CONFIG) --wait 180s

# Third-party images are pulled once, on the host (anonymous pulls from every node count against
# Docker Hub's rate limit), then copied onto the nodes with the app's own image.
kind-load: image kind-up ## Put every image the overlay runs on the nodes, pulling missing ones on the host
	for image in $(filter-out $(IMAGE),$(KIND_IMAGES)); do \
	  $(DOCKER) image inspect "$$image" >/dev/null 2>&1 || $(DOCKER) pull "$$image"; \
	done
ifeq ($(KIND_LOAD),archive)
	archive=$$(mktemp) && trap 'rm -f "$$archive"' EXIT && \
	  $(DOCKER) image save --platform $(KIND_PLATFORM) -o "$$archive" $(KIND_IMAGES) && \
	  $(KIND) load image-archive --name $(KIND_CLUSTER) "$$archive"
else
	$(KIND) load docker-image --name $(KIND_CLUSTER) $(KIND_IMAGES)
endif

# A Job's pod template is immutable: the last migration Job goes first, so each deploy runs
# the migrations of the image it ships, and the pods wait on /health/startup meanwhile. A
# failed migration stops the deploy at once, with the Job's logs.
deploy: kind-load ## Apply the overlay at this build's tag; wait for Postgres, the migration Job, the rollout
	$(KUBECTL_NS) delete job order-service-migrate --ignore-not-found
	$(KIND_MANIFESTS) $(IMAGE) | $(KUBECTL) $(KIND_CONTEXT) apply -f -
	$(KUBECTL_NS) rollout status statefulset/postgres --timeout=180s
	KUBECTL="$(KUBECTL)" scripts/wait-for-job.sh order-service-migrate 300 $(KIND_CONTEXT) \
	  --namespace $(KIND_NAMESPACE)
	$(KUBECTL_NS) rollout status deployment/order-service --timeout=180s

# Node one-liners for smoke (no jq needed): the token the identity provider signed, the new
# order's id; the order read back is paid.
SMOKE_ACCESS_TOKEN = console.log(JSON.parse(require("fs").readFileSync(0, "utf8")).access_token)
SMOKE_ORDER_ID = console.log(JSON.parse(require("fs").readFileSync(0, "utf8")).id)
SMOKE_CHECK = const o = JSON.parse(require("fs").readFileSync(0, "utf8")); \
  if (o.id !== process.argv[1] || o.status !== "paid") { console.error(o); process.exit(1); } \
  console.log("read back:", o.status, o.totalCents, o.currency)

# Gets a token from the development identity provider, checks that /orders refuses a call
# without one, then places an order and reads it back through port-forwards: the whole path
# (service, Postgres, Redis, the fakes, the identity provider, the network policies between
# them) in a few requests. After deploy when both are asked for; on its own it checks what runs.
smoke: $(filter deploy,$(MAKECMDGOALS)) ## Port-forward, get a token from the identity provider, place an order, read it back
	@set -eu; \
	$(KUBECTL_NS) port-forward service/order-service $(SMOKE_PORT):8000 >/dev/null & pf=$$!; \
	$(KUBECTL_NS) port-forward service/identity-provider $(SMOKE_IDP_PORT):8003 >/dev/null & idp_pf=$$!; \
	trap 'kill $$pf $$idp_pf 2>/dev/null || true' EXIT; \
	base=http://127.0.0.1:$(SMOKE_PORT); idp=http://127.0.0.1:$(SMOKE_IDP_PORT); \
	for i in $$(seq 1 30); do \
	  curl -fsS $$base/health/ready >/dev/null 2>&1 && \
	    curl -fsS $$idp/.well-known/jwks.json >/dev/null 2>&1 && break; \
	  sleep 1; \
	done; \
	token=$$(curl -fsS -X POST $$idp/token -H 'Content-Type: application/json' \
	  -d '{"customerId":"smoke"}' | node -e '$(SMOKE_ACCESS_TOKEN)'); \
	status=$$(curl -sS -o /dev/null -w '%{http_code}' $$base/orders); \
	[ "$$status" = 401 ] || { echo "smoke: GET /orders without a token: $$status, expected 401" >&2; exit 1; }; \
	echo "no token: 401"; \
	order=$$(curl -fsS -X POST $$base/orders -H "Authorization: Bearer $$token" \
	  -H 'Content-Type: application/json' -H "Idempotency-Key: smoke-$$(date +%s)-$$$$" \
	  -d '{"customerId":"smoke","items":[{"productId":"sku-mug","quantity":2}],"paymentToken":"tok_smoke"}'); \
	id=$$(printf '%s' "$$order" | node -e '$(SMOKE_ORDER_ID)'); \
	echo "placed order $$id"; \
	curl -fsS $$base/orders/$$id -H "Authorization: Bearer $$token" | node -e '$(SMOKE_CHECK)' "$$id"; \
	echo "smoke: OK"

# The load Job (k8s/components/rollout-check) runs the image the Deployment runs now, so the
# check needs no rebuild; scripts/kind-rollout-check.sh has the steps.
rollout-check: $(filter deploy smoke,$(MAKECMDGOALS)) ## Restart the service under load; fail on any non-2xx answer or connection error
	KUBECTL="$(KUBECTL)" KIND_OVERLAY="$(KIND_OVERLAY)" LOAD_WARMUP_SECONDS=$(LOAD_WARMUP_SECONDS) \
	  scripts/kind-rollout-check.sh \
	  $(KIND_CONTEXT) --namespace $(KIND_NAMESPACE)

kind-down: ## Delete the kind cluster
	$(KIND) delete cluster --name $(KIND_CLUSTER)
