#!/usr/bin/env bash
# Proves the container setup end to end in a real Docker engine (`make compose-smoke`):
# builds the image, starts the compose stack, gets a token from the development identity
# provider (127.0.0.1:8003), checks /orders refuses a call without one, places an order through
# 127.0.0.1:8000 with it, reads it back (and not as another customer), runs the admin
# processes, checks the api's logs are JSON lines, scales api to 3 replicas behind the proxy,
# restarts them one by one under load (loadgen through the proxy: zero failed requests), stops
# api gracefully (exit code and time), and always removes what it created. Needs docker (with compose), curl, bash 4+ and GNU date (Linux; on macOS,
# Homebrew's bash and coreutils). Not part of `npm test`; .ci/run runs it when `docker info`
# works.
#
# It runs as its own compose project, so `down -v` never touches the volumes of a stack you
# started yourself; stop that one first, since both would publish the same host ports
# (API_HOST_PORT/PRODUCTS_HOST_PORT/PAYMENTS_HOST_PORT/IDENTITY_HOST_PORT move them) and pin
# the same network subnet (docker-compose.yml, for the proxy's fixed address).
#
#   SMOKE_PROJECT   compose project name (default order-service-smoke)
#   SMOKE_REPLICAS  api replicas for the scaling and rolling-restart steps (default 3; 1 skips them)
#   SMOKE_LOAD_SECONDS / SMOKE_LOAD_RATE   the load during the rolling restart (45 s at 20/s)
#   SMOKE_KEEP=1    leave the stack running afterwards for a look around
set -Eeuo pipefail
cd "$(dirname "$0")/.."

PROJECT="${SMOKE_PROJECT:-order-service-smoke}"
REPLICAS="${SMOKE_REPLICAS:-3}"
BASE_URL="http://127.0.0.1:${API_HOST_PORT:-8000}"
IDP_URL="http://127.0.0.1:${IDENTITY_HOST_PORT:-8003}" # the development identity provider
IMAGE="order-service:dev" # docker-compose.yml's image for api, migrate and the fakes
RUN_ID="smoke-$(date +%s)-$$"
LOAD_SECONDS="${SMOKE_LOAD_SECONDS:-45}" # covers three restarts of ~7 s each, with margin
LOAD_RATE="${SMOKE_LOAD_RATE:-20}"
PAYMENT_TOKEN="tok_ok"

step_number=0
step() { step_number=$((step_number + 1)); printf '\n== [%d] %s\n' "$step_number" "$*"; }
info() { printf '   %s\n' "$*"; }
fail() { printf '\nFAIL: %s\n' "$*" >&2; exit 1; }
compose() { docker compose --project-name "$PROJECT" "$@"; }
now() { date +%s%N; }
elapsed_ms() { echo $((($(now) - $1) / 1000000)); }

# run_logged WHAT COMMAND...: runs it, shows its output indented (minus the lab shim's notes
# about dropped keys), and fails with that output when it fails.
run_logged() {
  local what=$1 log
  shift
  log=$(mktemp)
  if "$@" >"$log" 2>&1; then
    grep -v -e '^compose-shim:' -e '^ ---> ' -e 'Removing intermediate container' \
      -e 'Running in [0-9a-f]*$' "$log" | sed 's/^/   /' | tail -n 40
    rm -f "$log"
  else
    sed 's/^/   /' "$log" >&2
    rm -f "$log"
    fail "$what"
  fi
}

# JSON is read with the node inside the image just built: the host needs neither node nor jq.
node_in_image() { docker run --rm -i --network none --entrypoint node "$IMAGE" "$@"; }
json_field() { node_in_image -e '
  let text = ""; process.stdin.on("data", (c) => (text += c)).on("end", () => {
    const value = process.argv[1].split(".").reduce((v, k) => v?.[k], JSON.parse(text));
    process.stdout.write(value === undefined ? "" : String(value));
  });' "$1"; }

cleanup() {
  local status=$?
  if [ "$status" -ne 0 ]; then
    printf '\n== the last api log lines (status %s)\n' "$status" >&2
    compose logs --no-color --tail 30 api proxy migrate identity >&2 2>/dev/null || true
  fi
  if [ "${SMOKE_KEEP:-0}" = 1 ]; then
    printf '\n== SMOKE_KEEP=1: left running; remove with: docker compose -p %s down -v\n' "$PROJECT"
  else
    printf '\n== cleanup: docker compose down -v\n'
    compose down -v --remove-orphans --timeout 20 >/dev/null 2>&1 || true
    compose ps -q 2>/dev/null | grep -q . && echo "   warning: containers left behind" >&2
  fi
  if [ "$status" -eq 0 ]; then echo "PASS: compose smoke"; else echo "FAIL: compose smoke" >&2; fi
  exit "$status"
}
trap cleanup EXIT

# http METHOD PATH [BODY] -> the body in $http_body, the status code in $http_status; with
# `Authorization: Bearer $bearer_token` when a token is set (every /orders call needs one).
bearer_token=""
http() {
  local method=$1 path=$2 body=${3:-} out auth=()
  if [ -n "$bearer_token" ]; then auth=(-H "Authorization: Bearer $bearer_token"); fi
  out=$(curl -sS --max-time 20 -X "$method" "$BASE_URL$path" \
    -H "X-Request-Id: $RUN_ID-$step_number" -H 'Content-Type: application/json' \
    ${auth[@]+"${auth[@]}"} ${body:+--data "$body"} -w '\n%{http_code}') ||
    fail "$method $path: no answer from $BASE_URL"
  http_status=${out##*$'\n'}
  http_body=${out%$'\n'*}
}
# as_customer TOKEN COMMAND...: runs the command with another caller's token.
as_customer() { local bearer_token=$1; shift; "$@"; }

# token_for CUSTOMER: an access token the identity provider signs for CUSTOMER (its `sub`).
token_for() {
  local out status
  out=$(curl -sS --max-time 20 -X POST "$IDP_URL/token" -H 'Content-Type: application/json' \
    --data "{\"customerId\":\"$1\"}" -w '\n%{http_code}') || fail "POST $IDP_URL/token: no answer"
  status=${out##*$'\n'}
  [ "$status" = 200 ] || fail "POST $IDP_URL/token for $1: HTTP $status: ${out%$'\n'*}"
  json_field access_token <<<"${out%$'\n'*}"
}
expect_status() { # expect_status CODE WHAT
  [ "$http_status" = "$1" ] || fail "$2: expected HTTP $1, got $http_status: $http_body"
  info "$2: HTTP $http_status"
}

step "docker engine and compose"
docker info --format '   engine {{.ServerVersion}} ({{.OperatingSystem}})' || fail "no Docker engine answers"
docker compose version >/dev/null || fail "docker compose is missing"
info "$(docker compose version | head -n 1)"
command -v curl >/dev/null || fail "curl is missing"
compose down -v --remove-orphans >/dev/null 2>&1 || true # leftovers of an interrupted run

step "build the images (docker compose build)"
started=$(now)
run_logged "docker compose build failed" compose build
info "built in $(elapsed_ms "$started") ms; $IMAGE is $(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.1f MB", $1 / 1e6}')"

step "start the stack and wait for health (docker compose up -d --wait)"
started=$(now)
run_logged "the stack did not become healthy" compose up -d --wait
info "healthy in $(elapsed_ms "$started") ms"
compose ps | sed 's/^/   /'

step "probes through the proxy on $BASE_URL"
for attempt in $(seq 1 30); do
  http GET /health/ready
  [ "$http_status" = 200 ] && break
  [ "$attempt" = 30 ] || sleep 1
done
expect_status 200 "GET /health/ready"
http GET /health/live
expect_status 200 "GET /health/live"
http GET /health/startup
expect_status 200 "GET /health/startup"

step "get a token from the identity provider ($IDP_URL)"
jwks=$(curl -sS --max-time 20 "$IDP_URL/.well-known/jwks.json") || fail "GET $IDP_URL/.well-known/jwks.json: no answer"
# shellcheck disable=SC2016 # JavaScript, not shell, in single quotes
node_in_image -e '
  let text = ""; process.stdin.on("data", (c) => (text += c)).on("end", () => {
    const { keys } = JSON.parse(text);
    if (!Array.isArray(keys) || keys.length === 0) throw new Error(`no keys: ${text}`);
    const secret = keys.filter((k) => ["d", "p", "q", "dp", "dq", "qi", "oth", "k"].some((m) => m in k));
    if (secret.length) throw new Error(`private key material published for ${secret.map((k) => k.kid)}`);
    console.log(`   JWKS: ${keys.length} public ${keys.map((k) => `${k.kty}/${k.alg}`).join(", ")} key(s), no private members`);
  });' <<<"$jwks" || fail "the identity provider's JWKS is not a public key set"
bearer_token=$(token_for "$RUN_ID")
[ -n "$bearer_token" ] || fail "the identity provider answered no access_token"
info "POST /token for $RUN_ID: a ${#bearer_token}-character JWT"

step "no token, no orders (GET /orders without Authorization)"
challenge=$(curl -sS --max-time 20 -o /dev/null -w '%{http_code} %header{www-authenticate}' \
  -H "X-Request-Id: $RUN_ID-$step_number" "$BASE_URL/orders") || fail "GET /orders: no answer from $BASE_URL"
[[ "$challenge" == "401 Bearer"* ]] ||
  fail "GET /orders without a token: expected 401 with WWW-Authenticate: Bearer, got '$challenge'"
info "GET /orders without a token: HTTP ${challenge%% *}, WWW-Authenticate: ${challenge#* }"
as_customer "not-a-jwt" http GET /orders
expect_status 401 "GET /orders with a token that is no JWT"

step "place an order (POST /orders)"
http POST /orders "{\"customerId\":\"$RUN_ID\",\"items\":[{\"productId\":\"sku-mug\",\"quantity\":2}],\"paymentToken\":\"$PAYMENT_TOKEN\"}"
expect_status 201 "POST /orders"
order_id=$(json_field id <<<"$http_body")
order_status=$(json_field status <<<"$http_body")
[ -n "$order_id" ] || fail "the order has no id: $http_body"
[ "$order_status" = paid ] || fail "order $order_id is '$order_status', expected 'paid': $http_body"
info "order $order_id: $order_status, $(json_field totalCents <<<"$http_body") cents"
order_request_id="$RUN_ID-$step_number"

step "read it back (GET /orders/$order_id)"
http GET "/orders/$order_id"
expect_status 200 "GET /orders/$order_id"
[ "$(json_field id <<<"$http_body")" = "$order_id" ] || fail "a different order came back: $http_body"
[ "$(json_field status <<<"$http_body")" = paid ] || fail "the stored order is not paid: $http_body"
info "same id, status paid"
as_customer "$(token_for "$RUN_ID-someone-else")" http GET "/orders/$order_id"
expect_status 404 "GET /orders/$order_id as another customer"

step "admin processes from the same image (docker compose run --rm api ...)"
# admin COMMAND: its stdout (the JSON log) in $admin_output; stderr shown only on failure.
admin() {
  local errors
  errors=$(mktemp)
  if ! admin_output=$(compose run --rm --no-deps api "$1" 2>"$errors"); then
    printf '%s\n' "$admin_output" >&2
    grep -v '^compose-shim:' "$errors" >&2
    rm -f "$errors"
    fail "docker compose run --rm api $1 exited non-zero"
  fi
  rm -f "$errors"
}
admin migrate
info "migrate: exit 0, \"$(json_field msg <<<"$(tail -n 1 <<<"$admin_output")")\""
admin reconcile
info "reconcile: exit 0, \"$(json_field msg <<<"$(tail -n 1 <<<"$admin_output")")\""

step "api logs are JSON lines, carry the request id and no secrets (no bearer token either)"
api_container=$(compose ps -q api | head -n 1)
# shellcheck disable=SC2016 # JavaScript, not shell, in single quotes
docker logs "$api_container" 2>&1 | node_in_image -e '
  const [requestId, ...secrets] = process.argv.slice(1);
  let text = "";
  process.stdin.on("data", (c) => (text += c)).on("end", () => {
    const lines = text.split("\n").filter((line) => line.trim() !== "");
    const bad = lines.filter((line) => {
      try { const e = JSON.parse(line); return typeof e !== "object" || !("level" in e) || !("time" in e); }
      catch { return true; }
    });
    if (lines.length === 0) throw new Error("no log lines at all");
    if (bad.length) throw new Error(`${bad.length} of ${lines.length} lines are not JSON log events:\n${bad.slice(0, 3).join("\n")}`);
    if (!lines.some((line) => JSON.parse(line).reqId === requestId)) throw new Error(`no line has reqId ${requestId}`);
    const leaked = secrets.filter((s) => text.includes(s));
    if (leaked.length) throw new Error(`secret values in the logs: ${leaked.join(", ")}`);
    console.log(`   ${lines.length} lines, all JSON; the order request ${requestId} is logged; no token or key`);
  });' "$order_request_id" "$PAYMENT_TOKEN" "compose-fake-payment-key" "$bearer_token" || fail "the api logs are not what they should be"

if [ "$REPLICAS" -gt 1 ]; then
  step "scale api to $REPLICAS replicas behind the proxy (docker compose up --scale api=$REPLICAS)"
  started=$(now)
  run_logged "scaling to $REPLICAS replicas failed" compose up -d --wait --scale "api=$REPLICAS"
  mapfile -t replicas < <(compose ps -q api)
  [ "${#replicas[@]}" = "$REPLICAS" ] || fail "expected $REPLICAS api containers, found ${#replicas[@]}"
  info "$REPLICAS replicas healthy in $(elapsed_ms "$started") ms"
  # The proxy finds new replicas through DNS and its own health checks within ~2 s.
  deadline=$((SECONDS + 30))
  while :; do
    for _ in $(seq 1 "$((REPLICAS * 2))"); do http GET "/orders/$order_id"; done
    [ "$http_status" = 200 ] || fail "GET /orders/$order_id through the proxy: HTTP $http_status"
    served=0
    for replica in "${replicas[@]}"; do
      docker logs "$replica" 2>&1 | grep -q "\"reqId\":\"$RUN_ID-$step_number\"" && served=$((served + 1))
    done
    [ "$served" = "$REPLICAS" ] && break
    [ $SECONDS -lt $deadline ] || fail "only $served of $REPLICAS replicas received traffic"
    sleep 1
  done
  info "every replica served requests through 127.0.0.1:${API_HOST_PORT:-8000}"

  step "rolling restart under load: loadgen through the proxy while each api replica restarts"
  # The project's own load generator (node dist/cli.js loadgen), in a one-off container on the
  # stack's network: callers with tokens from the identity provider, 5 of them so the per-caller
  # rate limit never answers 429, placing and reading orders through the proxy. Each replica is
  # restarted in turn (docker restart: SIGTERM, drain, start) and must be healthy before the
  # next goes, so two of three always serve. The load must see only 2xx answers.
  load_out=$(mktemp)
  load_err=$(mktemp)
  compose run --rm --no-deps -T api loadgen --url http://proxy:8000 \
    --seconds "$LOAD_SECONDS" --rate "$LOAD_RATE" --post-percent 20 \
    --token-url http://identity:8003/token --customer "$RUN_ID-load" --customers 5 \
    >"$load_out" 2>"$load_err" &
  load_pid=$!
  sleep 5 # the load at its rate before the first restart
  started=$(now)
  for replica in "${replicas[@]}"; do
    restart_started=$(now)
    docker restart "$replica" >/dev/null
    deadline=$((SECONDS + 60))
    until [ "$(docker inspect -f '{{.State.Health.Status}}' "$replica")" = healthy ]; do
      [ $SECONDS -lt $deadline ] || fail "api replica ${replica:0:12} not healthy 60 s after its restart"
      sleep 0.5
    done
    info "${replica:0:12}: restarted and healthy again in $(elapsed_ms "$restart_started") ms"
  done
  info "all $REPLICAS replicas restarted in $(elapsed_ms "$started") ms; waiting for the load to end"
  load_status=0
  wait "$load_pid" || load_status=$?
  report=$(tail -n 1 "$load_out")
  grep -v -e '^compose-shim:' "$load_err" | sed 's/^/   /' >&2 || true
  rm -f "$load_out" "$load_err"
  # shellcheck disable=SC2016 # JavaScript, not shell, in single quotes
  node_in_image -e '
    const r = JSON.parse(process.argv[1]);
    const statuses = Object.entries(r.statuses).map(([s, n]) => `${n} x ${s}`).join(", ");
    const errors = Object.entries(r.errors).map(([e, n]) => `${n} x ${e}`).join(", ") || "none";
    console.log(`   ${r.requests} requests at ${r.rate}/s: ${statuses}; non-2xx ${r.non2xx}; connection errors ${r.connectionErrors} (${errors})`);
    console.log(`   latency ms: p50 ${r.latencyMs?.p50}, p90 ${r.latencyMs?.p90}, p99 ${r.latencyMs?.p99}, max ${r.latencyMs?.max}`);
  ' "$report" || fail "the load generator printed no report: $report"
  [ "$load_status" = 0 ] || fail "the rolling restart dropped requests (loadgen exit $load_status): $report"
  info "zero failed requests across the rolling restart"
fi

step "graceful stop (docker compose stop api)"
mapfile -t replicas < <(compose ps -q api)
delay_ms=$(docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "${replicas[0]}" |
  sed -n 's/^SHUTDOWN_DELAY_MS=//p')
started=$(now)
run_logged "docker compose stop api failed" compose stop api
info "docker compose stop api returned after $(elapsed_ms "$started") ms"
# Per container, from the SIGTERM it logged to the moment it exited: the compose CLI's own
# start-up time is not the service's. At least the delay (readiness fails first, the proxy
# stops sending), and well under docker's SIGKILL (stop_grace_period, 10 s by default).
for replica in "${replicas[@]}"; do
  code=$(docker inspect -f '{{.State.ExitCode}}' "$replica")
  [ "$code" = 0 ] || fail "api container ${replica:0:12} exited $code, expected 0"
  # shellcheck disable=SC2016 # JavaScript, not shell, in single quotes
  took_ms=$(docker logs "$replica" 2>&1 | node_in_image -e '
    let text = "";
    process.stdin.on("data", (c) => (text += c)).on("end", () => {
      const events = text.split("\n").flatMap((line) => { try { return [JSON.parse(line)]; } catch { return []; } });
      // The last shutdown: a replica restarted under load has logged an earlier one.
      const signalled = events.findLast((e) => /^shutdown started/.test(e.msg ?? ""));
      const completed = events.findLast((e) => /^shutdown complete/.test(e.msg ?? ""));
      if (!signalled || !completed) { console.error("no shutdown started/complete log lines"); process.exit(1); }
      console.log(Date.parse(process.argv[1]) - signalled.time);
    });' "$(docker inspect -f '{{.State.FinishedAt}}' "$replica")") ||
    fail "api container ${replica:0:12} did not log its graceful shutdown"
  info "${replica:0:12}: exit 0, SIGTERM to exit $took_ms ms (SHUTDOWN_DELAY_MS=$delay_ms)"
  [ "$took_ms" -ge "$delay_ms" ] || fail "exited $took_ms ms after SIGTERM, before SHUTDOWN_DELAY_MS"
  [ "$took_ms" -le $((delay_ms + 2000)) ] || fail "exited $took_ms ms after SIGTERM, far beyond SHUTDOWN_DELAY_MS"
done
