# Every target has a `## description`; `make help` lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash
# A failing command on the left of a pipe fails the recipe (`render | kubectl apply -f -`).
.SHELLFLAGS := -eu -o pipefail -c

.PHONY: help install dev test lint format build start migrate reconcile bench

help: ## list the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sort | \
	  awk 'BEGIN {FS = ":.*## "} {printf "  %-18s %s\n", $$1, $$2}'

install: ## install the pinned dependencies (npm ci)
	npm ci

dev: ## run the service and the fake upstreams without Docker (npm run dev)
	npm run dev

test: ## lint, build and run every test against the local Postgres and Redis
	npm test

lint: ## type-check, lint and check formatting
	npm run lint

format: ## format and auto-fix lint findings
	npm run format

build: ## compile TypeScript to dist/
	npm run build

start: build ## run the compiled service (configure with env or .env)
	npm start

migrate: ## apply pending database migrations
	npm run migrate

reconcile: ## settle pending orders older than RECONCILE_MIN_AGE_MS
	npm run reconcile

bench: ## measure the service against bare baselines (docs/benchmarks.md)
	npm run bench

-include mk/*.mk
