# Kubernetes on a local kind cluster; docs/kubernetes.md explains. Included by the Makefile:
#   make kind-up image kind-load deploy smoke      ...      make kind-down
KIND ?= kind
KUBECTL ?= kubectl
DOCKER ?= docker
KIND_CLUSTER ?= order-service
KIND_CONFIG ?= k8s/kind-config.yaml
KIND_OVERLAY ?= k8s/overlays/kind
KIND_NAMESPACE ?= order-service
IMAGE ?= order-service:dev
SMOKE_PORT ?= 18000
SMOKE_IDP_PORT ?= 18003

KIND_CONTEXT = --context kind-$(KIND_CLUSTER)
KUBECTL_NS = $(KUBECTL) $(KIND_CONTEXT) --namespace $(KIND_NAMESPACE)

.PHONY: kind-up image kind-load deploy smoke kind-down

kind-up: ## Create the kind cluster from k8s/kind-config.yaml (needs kind v0.33+)
	@$(KIND) get clusters 2>/dev/null | grep -qx '$(KIND_CLUSTER)' \
	  || $(KIND) create cluster --name $(KIND_CLUSTER) --config $(KIND_CONFIG) --wait 180s

image: ## Build the service image (order-service:dev)
	$(DOCKER) build -t $(IMAGE) .

kind-load: ## Copy the image onto the kind nodes (it is never pulled from a registry)
	$(KIND) load docker-image $(IMAGE) --name $(KIND_CLUSTER)

# A Job's pod template is immutable: the last migration Job goes first, so each deploy runs
# the migrations of the image it ships. On failure the Job's logs say why.
deploy: ## Apply k8s/overlays/kind, wait for Postgres, the migration Job and the rollout
	$(KUBECTL_NS) delete job order-service-migrate --ignore-not-found
	$(KUBECTL) $(KIND_CONTEXT) apply -k $(KIND_OVERLAY)
	$(KUBECTL_NS) rollout status statefulset/postgres --timeout=180s
	$(KUBECTL_NS) wait --for=condition=complete job/order-service-migrate --timeout=300s \
	  || { $(KUBECTL_NS) logs job/order-service-migrate --tail=50; exit 1; }
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
# them) in a few requests.
smoke: ## Port-forward, get a token from the identity provider, place an order, read it back
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

kind-down: ## Delete the kind cluster
	$(KIND) delete cluster --name $(KIND_CLUSTER)
