#!/usr/bin/env bash
# Smoke test of the Docker image (not part of scripts/test; needs a running
# Docker daemon, redis-cli and python3):
#   tests/docker/smoke.sh            build larder:smoke from docker/Dockerfile, then check it
#   LARDER_IMAGE=larder:dev tests/docker/smoke.sh   check an existing image, no build
# Checks: image size < 100 MB, non-root user, PING/SET/GET through a published
# port, the HEALTHCHECK turns healthy, `docker stop` exits 0 within 2 s,
# appended flags (--maxclients 123) and a mounted config take effect, and the
# metrics endpoint answers when enabled.
#
# Without a running engine it starts Debian's dockerd (installing docker.io if
# needed); without a registry it builds the debian:bookworm-slim base itself
# with debootstrap from apt's Debian mirror (root).
set -euo pipefail
cd "$(dirname "$0")/../.."

REDIS_CLI=${REDIS_CLI:-redis-cli}
BASE=debian:bookworm-slim
containers=()
tmp=$(mktemp -d)
cleanup() {
  for c in "${containers[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }

# A Docker engine: use the running one, or start Debian's docker.io dockerd.
start_engine() {
  docker info >/dev/null 2>&1 && return
  if ! command -v dockerd >/dev/null; then
    echo "installing Debian's docker.io"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io iptables >/dev/null
  fi
  echo "starting dockerd"
  (dockerd --host unix:///var/run/docker.sock >"$tmp/dockerd.log" 2>&1 &)
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return
    sleep 1
  done
  cat "$tmp/dockerd.log" >&2
  fail "dockerd did not start"
}
start_engine

# The Debian archive apt uses here: the first `deb` line of a one-line
# .list file or `URIs:` field of a deb822 .sources file that names a .../debian
# archive (never a comment, never a missing file). Empty when there is none.
apt_mirror() {
  local files=() f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] && files+=("$f")
  done
  ((${#files[@]})) || return 0
  awk '/^[[:space:]]*deb[[:space:]]/ || /^[[:space:]]*URIs:/ {
         for (i = 2; i <= NF; i++) if ($i ~ /^https?:\/\/.*\/debian\/?$/) { print $i; exit }
       }' "${files[@]}"
}

# A debian:bookworm-slim equivalent from debootstrap when none can be pulled.
ensure_base() {
  docker image inspect "$BASE" >/dev/null 2>&1 && return
  timeout 120 docker pull "$BASE" >/dev/null 2>&1 && return
  echo "cannot pull $BASE: building it with debootstrap"
  command -v debootstrap >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
  local mirror root="$tmp/rootfs"
  mirror=$(apt_mirror)
  mirror=${mirror:-http://deb.debian.org/debian}
  echo "building $BASE with debootstrap from $mirror"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$tmp/debootstrap.log" 2>&1 ||
    fail "debootstrap failed (log: $(tail -3 "$tmp/debootstrap.log"))"
  # Trimmed the way the official slim image is.
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
    'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' 'path-exclude /usr/share/locale/*' \
    >"$root/etc/dpkg/dpkg.cfg.d/docker"
  echo 'APT::Install-Recommends "false";' >"$root/etc/apt/apt.conf.d/docker-no-recommends"
  printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb http://deb.debian.org/debian-security bookworm-security main\n' \
    "$mirror" "$mirror" >"$root/etc/apt/sources.list"
  find "$root/usr/share/doc" -mindepth 2 ! -name copyright -delete 2>/dev/null || true
  # debootstrap keeps the packages it installed in apt's archive (~30 MB).
  rm -rf "$root"/usr/share/{man,info,locale}/* "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
    "$root"/var/cache/apt/archives/*.deb
  tar -C "$root" -c . | docker import -c 'CMD ["bash"]' - "$BASE" >/dev/null
  rm -rf "$root"
}

image=${LARDER_IMAGE:-}
if [[ -z $image ]]; then
  image=larder:smoke
  ensure_base
  echo "building $image"
  docker build -q -f docker/Dockerfile -t "$image" . >/dev/null || fail "docker build failed"
fi

size=$(docker image inspect -f '{{.Size}}' "$image")
((size < 100 * 1000 * 1000)) || fail "image is $((size / 1000000)) MB (limit 100 MB)"
pass "image $image is $((size / 1000000)) MB"
user=$(docker image inspect -f '{{.Config.User}}' "$image")
[[ -n $user && $user != root && $user != 0 ]] || fail "image runs as root (User='$user')"
pass "runs as user '$user'"

# start NAME PORT [docker-run-args...] -- [server-flags...]
start() {
  local name=$1 port=$2
  shift 2
  local run=() flags=()
  while (($#)) && [[ $1 != -- ]]; do run+=("$1"); shift; done
  (($#)) && shift
  flags=("$@")
  containers+=("$name")
  docker run -d --name "$name" -p "127.0.0.1:$port:6379" "${run[@]}" "$image" "${flags[@]}" >/dev/null
  for _ in $(seq 100); do
    [[ $("$REDIS_CLI" -p "$port" PING 2>/dev/null) == PONG ]] && return
    sleep 0.1
  done
  docker logs "$name" >&2 || true
  fail "$name does not answer PING on port $port"
}

# 1. Defaults: PING/SET/GET, healthcheck, docker stop.
p=$(free_port)
c=larder-smoke-$$-a
start "$c" "$p"
[[ $("$REDIS_CLI" -p "$p" SET greeting hello) == OK ]] || fail "SET"
[[ $("$REDIS_CLI" -p "$p" GET greeting) == hello ]] || fail "GET"
pass "PING/SET/GET on the published port"
docker exec "$c" larder-server --ping 127.0.0.1:6379 >/dev/null || fail "larder-server --ping inside the container"
if docker exec "$c" larder-server --ping 127.0.0.1:1 2>/dev/null; then fail "--ping of a closed port succeeded"; fi
pass "larder-server --ping exits 0 on PONG, 1 on a closed port"
status=
for _ in $(seq 60); do
  status=$(docker inspect -f '{{.State.Health.Status}}' "$c")
  [[ $status == healthy ]] && break
  sleep 0.5
done
[[ $status == healthy ]] || fail "health status '$status' after 30 s"
pass "healthcheck turned healthy"
t0=$(now)
docker stop -t 10 "$c" >/dev/null
elapsed=$(python3 -c "print(round($(now) - $t0, 2))")
code=$(docker inspect -f '{{.State.ExitCode}}' "$c")
[[ $code == 0 ]] || fail "exit code $code after docker stop"
python3 -c "import sys; sys.exit(0 if $elapsed < 2 else 1)" || fail "docker stop took ${elapsed}s"
pass "docker stop: exit code 0 in ${elapsed}s"

# 2. Appended flags.
p=$(free_port)
mp=$(free_port)
start larder-smoke-$$-b "$p" -p "127.0.0.1:$mp:9121" -- --maxclients 123 --metrics-port 9121 --metrics-bind 0.0.0.0
got=$("$REDIS_CLI" -p "$p" CONFIG GET maxclients | tail -1)
[[ $got == 123 ]] || fail "--maxclients 123: CONFIG GET maxclients says '$got'"
pass "appended flag --maxclients 123 applies"
python3 - "$mp" <<'PY' || fail "metrics endpoint"
import sys, urllib.request
body = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode()
assert "# TYPE larder_connected_clients gauge" in body, body[:200]
PY
pass "metrics endpoint answers on the published port"

# 3. A mounted configuration file replaces the default one.
conf=$tmp/larder.conf
printf 'bind 0.0.0.0\nport 6379\nmaxclients 77\ndatabases 4\n' >"$conf"
chmod 644 "$conf"
p=$(free_port)
start larder-smoke-$$-c "$p" -v "$conf:/etc/larder/larder.conf:ro" --
got=$("$REDIS_CLI" -p "$p" CONFIG GET maxclients | tail -1)
[[ $got == 77 ]] || fail "mounted config: maxclients is '$got'"
got=$("$REDIS_CLI" -p "$p" CONFIG GET databases | tail -1)
[[ $got == 4 ]] || fail "mounted config: databases is '$got'"
pass "mounted config applies (maxclients 77, databases 4)"

echo "docker smoke test passed"
