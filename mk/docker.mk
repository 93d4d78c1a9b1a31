# Containers: the image and the compose stack (docs/containers.md). Included by the Makefile.
# One image for compose, kind and CI: `make image` builds it, mk/kind.mk loads and deploys it.

DOCKER ?= docker
IMAGE_REPO ?= order-service
# Unique per build (scripts/image-tag.sh): the commit, plus a hash of what is not committed.
# Worked out once per make run, on first use, so `make image kind-load deploy` builds, loads and
# deploys one tag even while files change under it.
IMAGE_TAG = $(eval IMAGE_TAG := $(shell scripts/image-tag.sh))$(IMAGE_TAG)
IMAGE = $(IMAGE_REPO):$(IMAGE_TAG)
# The moving tag docker-compose.yml and a plain `kubectl apply -k k8s/overlays/kind` run.
DEV_IMAGE = $(IMAGE_REPO):dev
API_REPLICAS ?= 3
# OCI labels: which commit, which version, where from (docker inspect shows them).
DOCKER_BUILD_ARGS ?= \
  --build-arg VERSION=$(shell node -p 'require("./package.json").version' 2>/dev/null || echo 0.0.0-dev) \
  --build-arg REVISION=$(shell git rev-parse HEAD 2>/dev/null || echo unknown) \
  --build-arg CREATED=$(shell git log -1 --format=%cI 2>/dev/null || echo 1970-01-01T00:00:00Z) \
  $(if $(shell git remote get-url origin 2>/dev/null),--build-arg SOURCE=$(shell git remote get-url origin))
# Compose with the observability profile and the api settings that point at it
# (deploy/compose/observability.yaml): traces, metrics and the log file for Fluent Bit.
COMPOSE_OBSERVE = docker compose -f docker-compose.yml -f deploy/compose/observability.yaml \
  --profile observability

.PHONY: image docker-build sbom compose-up compose-scale compose-observe compose-logs \
  compose-watch compose-migrate compose-reconcile compose-down compose-clean compose-smoke

image: ## Build order-service:<commit>[-dirty-<hash>] and :dev, with OCI labels and its SBOM
	$(DOCKER) build $(DOCKER_BUILD_ARGS) -t $(IMAGE) -t $(DEV_IMAGE) .

docker-build: image ## The same build as `make image` (one target, one set of tags and labels)

sbom: ## Write the production dependencies' CycloneDX SBOM to sbom.cdx.json (the image has its own)
	npm run sbom

compose-up: ## start the whole stack and wait until healthy: http://127.0.0.1:8000
	docker compose up -d --build --wait

compose-scale: ## run API_REPLICAS (3) api replicas behind the proxy on 127.0.0.1:8000
	docker compose up -d --build --wait --scale api=$(API_REPLICAS)

compose-observe: ## the stack plus Jaeger (:16686), Prometheus (:9090), Grafana (:3000), statsd-exporter, Fluent Bit
	$(COMPOSE_OBSERVE) up -d --build --wait

compose-watch: ## the stack, rebuilding and restarting api when src/ changes (docker compose watch)
	docker compose watch

compose-logs: ## follow the api's JSON logs
	docker compose logs -f api

compose-migrate: ## run the migrate admin process in the running stack's network
	docker compose run --rm --no-deps api migrate

compose-reconcile: ## run the reconcile admin process (settles old pending orders)
	docker compose run --rm --no-deps api reconcile

compose-down: ## stop and remove the stack's containers (keeps the Postgres volume)
	$(COMPOSE_OBSERVE) down --remove-orphans

compose-clean: ## remove the stack with its volumes (the database too)
	$(COMPOSE_OBSERVE) down -v --remove-orphans

compose-smoke: ## build, run and prove the compose stack (needs a Docker engine)
	scripts/compose-smoke.sh
