# Containers: the image and the compose stack (docs/containers.md). Included by the Makefile.
# mk/kind.mk owns `image` (the same image, for kind); these targets build and run it locally.

# docker-compose.yml runs this tag for api, migrate and the fakes.
DOCKER_IMAGE ?= order-service:dev
API_REPLICAS ?= 3
# OCI labels: which commit, which version, where from (docker inspect shows them).
DOCKER_BUILD_ARGS ?= \
  --build-arg VERSION=$(shell node -p 'require("./package.json").version' 2>/dev/null || echo 0.0.0-dev) \
  --build-arg REVISION=$(shell git rev-parse HEAD 2>/dev/null || echo unknown) \
  --build-arg CREATED=$(shell git log -1 --format=%cI 2>/dev/null || echo 1970-01-01T00:00:00Z) \
  $(if $(shell git remote get-url origin 2>/dev/null),--build-arg SOURCE=$(shell git remote get-url origin))

.PHONY: docker-build compose-up compose-scale compose-observe compose-logs \
  compose-migrate compose-reconcile compose-down compose-clean compose-smoke

docker-build: ## build the production image (order-service:dev) with OCI labels from git
	docker build $(DOCKER_BUILD_ARGS) -t $(DOCKER_IMAGE) .

compose-up: ## start the whole stack and wait until healthy: http://127.0.0.1:8000
	docker compose up -d --build --wait

compose-scale: ## run API_REPLICAS (3) api replicas behind the proxy on 127.0.0.1:8000
	docker compose up -d --build --wait --scale api=$(API_REPLICAS)

compose-observe: ## the stack plus statsd-exporter (127.0.0.1:9102) and fluent-bit
	STATSD_HOST=statsd-exporter LOG_FILE=/var/log/app/app.log \
	  docker compose --profile observability up -d --build --wait

compose-logs: ## follow the api's JSON logs
	docker compose logs -f api

compose-migrate: ## run the migrate admin process in the running stack's network
	docker compose run --rm --no-deps api migrate

compose-reconcile: ## run the reconcile admin process (settles old pending orders)
	docker compose run --rm --no-deps api reconcile

compose-down: ## stop and remove the stack's containers (keeps the Postgres volume)
	docker compose --profile observability down --remove-orphans

compose-clean: ## remove the stack with its volumes (the database too)
	docker compose --profile observability down -v --remove-orphans

compose-smoke: ## build, run and prove the compose stack (needs a Docker engine)
	scripts/compose-smoke.sh
