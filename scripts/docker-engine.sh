#!/usr/bin/env bash
# The Docker side of the test run: an engine and the local ZooKeeper image.
#
#   scripts/docker-engine.sh up     make a Docker engine answer: install Debian's docker.io if
#                                   dockerd is missing, start dockerd if no engine answers.
#                                   Records what it started in $STATE_DIR/started.
#   scripts/docker-engine.sh image  build the local ZooKeeper image unless an image with the same
#                                   content hash of docker/ exists; prints its name.
#   scripts/docker-engine.sh down   remove the containers/networks labelled with this run's id,
#                                   and stop dockerd only if `up` of this run started it.
#
# The run id is ZKRECIPES_DOCKER_RUN_ID (scripts/test.sh sets it); `down` of another run never
# stops an engine this run started. Every step is bounded by a timeout and says what failed.
# dockerd started here publishes ports on 127.0.0.1 only (--ip 127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."

STATE_DIR=${ZKRECIPES_DOCKER_STATE_DIR:-/tmp/zkrecipes-docker}
RUN_ID=${ZKRECIPES_DOCKER_RUN_ID:-manual}
IMAGE_REPO=${ZKRECIPES_ZK_IMAGE_REPO:-zkrecipes/zookeeper}
ENGINE_START_TIMEOUT=${ZKRECIPES_DOCKER_START_TIMEOUT:-90}
BUILD_TIMEOUT=${ZKRECIPES_IMAGE_BUILD_TIMEOUT:-1200}
MIRROR=${ZKRECIPES_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# The Debian client matches the Debian engine; another client on PATH may be much newer.
if [[ -x /usr/bin/docker ]]; then DOCKER=${DOCKER:-/usr/bin/docker}; else DOCKER=${DOCKER:-docker}; fi

log() { printf '[docker] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s; }

SUDO=()
if [[ $(id -u) != 0 ]] && command -v sudo >/dev/null 2>&1; then SUDO=(sudo); fi
ROOT_TMP=""
cleanup_tmp() { [[ -z $ROOT_TMP ]] || "${SUDO[@]}" rm -rf "$ROOT_TMP"; }
trap cleanup_tmp EXIT

engine_answers() { timeout 10 "$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

apt_install() {
    log "installing Debian packages: $*"
    timeout 300 "${SUDO[@]}" apt-get update -qq || die "apt-get update failed or took more than 300 s"
    DEBIAN_FRONTEND=noninteractive timeout 600 "${SUDO[@]}" apt-get install -y -qq "$@" >/dev/null \
        || die "apt-get install $* failed or took more than 600 s"
}

cmd_up() {
    mkdir -p "$STATE_DIR"
    if command -v "$DOCKER" >/dev/null 2>&1 && engine_answers; then
        log "a Docker engine answers: $("$DOCKER" version --format '{{.Server.Version}}' 2>/dev/null)"
        return 0
    fi
    command -v dockerd >/dev/null 2>&1 || apt_install docker.io
    [[ -x /usr/bin/docker ]] && DOCKER=/usr/bin/docker
    [[ $(id -u) == 0 ]] || die "no Docker engine answers and starting dockerd needs root (or start Docker yourself)"
    local t0 logf=$STATE_DIR/dockerd.log pid
    t0=$(now)
    log "starting dockerd (log: $logf)"
    # setsid: a Ctrl-C of the test run reaches the trap in test.sh, not dockerd directly.
    setsid dockerd --ip 127.0.0.1 --host unix:///var/run/docker.sock >"$logf" 2>&1 </dev/null &
    pid=$!
    echo "$pid $RUN_ID" > "$STATE_DIR/started"
    while ! engine_answers; do
        if ! kill -0 "$pid" 2>/dev/null; then
            rm -f "$STATE_DIR/started"
            tail -n 20 "$logf" >&2 || true
            die "dockerd exited while starting (log tail above)"
        fi
        if (( $(now) - t0 > ENGINE_START_TIMEOUT )); then
            tail -n 20 "$logf" >&2 || true
            stop_engine
            die "dockerd did not answer within ${ENGINE_START_TIMEOUT} s (log tail above)"
        fi
        sleep 0.5
    done
    log "dockerd (pid $pid) answers after $(( $(now) - t0 )) s"
}

stop_engine() {
    [[ -f $STATE_DIR/started ]] || return 0
    local pid owner children waited=0
    read -r pid owner < "$STATE_DIR/started"
    if [[ $owner != "$RUN_ID" ]]; then
        log "dockerd was started by run $owner, not this one ($RUN_ID): leaving it running"
        return 0
    fi
    if kill -0 "$pid" 2>/dev/null && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == dockerd ]]; then
        children=$(pgrep -P "$pid" || true)   # its managed containerd
        log "stopping dockerd (pid $pid) started by this run"
        kill -TERM "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null && (( waited < 60 )); do sleep 0.5; waited=$((waited + 1)); done
        if kill -0 "$pid" 2>/dev/null; then
            log "dockerd did not stop within 30 s: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            for child in $children; do kill -KILL "$child" 2>/dev/null || true; done
        fi
    fi
    rm -f "$STATE_DIR/started"
}

cmd_down() {
    if [[ -f $STATE_DIR/started ]] || { command -v "$DOCKER" >/dev/null 2>&1 && engine_answers; }; then
        if engine_answers; then
            local ids
            ids=$(timeout 30 "$DOCKER" ps -aq --filter "label=zkrecipes.testing.run=$RUN_ID" || true)
            if [[ -n $ids ]]; then
                log "removing containers left by this run: $(echo "$ids" | wc -w)"
                # shellcheck disable=SC2086
                timeout 60 "$DOCKER" rm -f -v $ids >/dev/null || log "could not remove: $ids"
            fi
            ids=$(timeout 30 "$DOCKER" network ls -q --filter "label=zkrecipes.testing.run=$RUN_ID" || true)
            # shellcheck disable=SC2086
            [[ -z $ids ]] || timeout 60 "$DOCKER" network rm $ids >/dev/null || log "could not remove networks: $ids"
        fi
    fi
    stop_engine
}

content_hash() {  # of every file under the given dirs/files, names included
    find "$@" -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12
}

image_exists() { timeout 30 "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

build_base() {
    local base=$1 root t0
    # shellcheck disable=SC1091
    source docker/zookeeper/rootfs.env
    command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
    root=$(mktemp -d "$STATE_DIR/rootfs.XXXXXX")
    ROOT_TMP=$root
    t0=$(now)
    log "debootstrap $ROOTFS_SUITE ($ROOTFS_VARIANT, +$ROOTFS_PACKAGES) from $MIRROR"
    if ! timeout "$BUILD_TIMEOUT" "${SUDO[@]}" debootstrap --variant="$ROOTFS_VARIANT" \
            --include="$ROOTFS_PACKAGES" "$ROOTFS_SUITE" "$root" "$MIRROR" >"$STATE_DIR/debootstrap.log" 2>&1; then
        tail -n 20 "$STATE_DIR/debootstrap.log" >&2 || true
        die "debootstrap failed or took more than ${BUILD_TIMEOUT} s (log: $STATE_DIR/debootstrap.log)"
    fi
    log "debootstrap took $(( $(now) - t0 )) s"
    # What a server image does not need: package caches, docs, man pages.
    "${SUDO[@]}" rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
           "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/locale/*
    t0=$(now)
    if ! tar -C "$root" -c . | timeout 600 "$DOCKER" import - "$base" >/dev/null; then
        die "docker import of the root into $base failed or took more than 600 s"
    fi
    log "docker import took $(( $(now) - t0 )) s"
    cleanup_tmp
    ROOT_TMP=""
}

cmd_image() {
    mkdir -p "$STATE_DIR"
    engine_answers || die "no Docker engine answers (run: scripts/docker-engine.sh up)"
    local base_hash full_hash base image t0
    base_hash=$(content_hash docker/zookeeper/rootfs.env)
    full_hash=$(content_hash docker)
    base="$IMAGE_REPO-rootfs:$base_hash"
    image="$IMAGE_REPO:local-$full_hash"
    if image_exists "$image"; then
        log "image $image is cached"
    else
        t0=$(now)
        image_exists "$base" || build_base "$base"
        log "building $image from $base"
        if ! DOCKER_BUILDKIT=0 timeout 600 "$DOCKER" build -q --build-arg "BASE=$base" \
                --label "zkrecipes.docker-hash=$full_hash" -t "$image" docker/zookeeper >"$STATE_DIR/build.log" 2>&1; then
            cat "$STATE_DIR/build.log" >&2
            die "docker build of $image failed or took more than 600 s (log above)"
        fi
        log "image $image built in $(( $(now) - t0 )) s"
    fi
    timeout 30 "$DOCKER" tag "$image" "$IMAGE_REPO:local" >/dev/null || die "docker tag $image failed"
    echo "$image"
}

case ${1:-} in
    up) cmd_up ;;
    down) cmd_down ;;
    image) cmd_image ;;
    *) echo "usage: $0 up|image|down" >&2; exit 2 ;;
esac
