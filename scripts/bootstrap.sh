#!/usr/bin/env bash
# Set up everything zkrecipes' demo and tests need on a fresh Debian machine:
# Debian's ZooKeeper package (and a JRE), and a virtualenv in .venv with the
# package installed editable with its dev extras. Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[bootstrap] %s\n' "$*" >&2; }

need_zk=0
if [[ -z "${ZK_HOSTS:-}" && -z "${ZOOKEEPER_HOME:-}" ]]; then
    [[ -f /usr/share/java/zookeeper.jar ]] || need_zk=1
    command -v java >/dev/null 2>&1 || need_zk=1
fi
if [[ $need_zk == 1 ]]; then
    log "installing Debian's zookeeper package (and a JRE)"
    SUDO=""
    if [[ $(id -u) != 0 ]]; then
        command -v sudo >/dev/null 2>&1 || { log "need root or sudo to apt-get install zookeeper"; exit 1; }
        SUDO="sudo"
    fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq zookeeper >/dev/null
fi

# Apache Curator 5.4 (Debian's jars under /usr/share/java) for the Curator interop tests
# (zkrecipes/testing/curator compiles its Java peer against them with javac, hence the JDK).
# Skipped when present.
if [[ ! -f /usr/share/java/curator-recipes.jar || ! -f /usr/share/java/curator-x-discovery.jar ]] \
        || ! command -v javac >/dev/null 2>&1; then
    log "installing Debian's Apache Curator packages"
    SUDO=""
    if [[ $(id -u) != 0 ]]; then
        command -v sudo >/dev/null 2>&1 || { log "need root or sudo to apt-get install curator"; exit 1; }
        SUDO="sudo"
    fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
        libcurator-recipes-java libcurator-discovery-java default-jdk-headless >/dev/null
fi

# The openssl command: the security tests make their CA and certificates with it.
if ! command -v openssl >/dev/null 2>&1; then
    log "installing openssl"
    SUDO=""; [[ $(id -u) != 0 ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq openssl >/dev/null
fi

PY=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
    log "creating .venv with $($PY --version)"
    "$PY" -m venv .venv
fi
stamp=.venv/.zkrecipes-deps
want=$(cat setup.cfg pyproject.toml | sha256sum | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
    log "installing zkrecipes[dev] into .venv"
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip 2>/dev/null || true
    pip_log=.venv/pip-install.log
    if ! .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]' >"$pip_log" 2>&1; then
        cat "$pip_log" >&2
        log "pip install failed (log above)"
        exit 1
    fi
    echo "$want" > "$stamp"
fi
log "ready"
