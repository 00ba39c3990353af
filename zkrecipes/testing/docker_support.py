"""Docker plumbing shared by :mod:`container` and :mod:`container_ensemble`.

* :func:`engine_available` — is testcontainers importable and does an engine answer?
* :func:`default_image` — ``ZKRECIPES_ZK_IMAGE`` or the official ``zookeeper:3.8``.
* :func:`ensure_image` — the image is on the engine (pulled if it can be), else a clear error.
* :func:`prepare_reaper` — testcontainers' reaper (Ryuk) stays on where its image can be had
  and is turned off (with a warning) where it cannot; zkrecipes removes its own containers.
* :func:`labels` and :func:`track`/:func:`untrack` — every container and network started here
  carries ``zkrecipes.testing.run=<ZKRECIPES_DOCKER_RUN_ID>`` and is removed at interpreter
  exit if its owner forgot (``scripts/docker-engine.sh down`` removes what a crash left).

testcontainers and docker are imported inside the functions, never at module import.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from zkrecipes.exceptions import ContainerEngineUnavailableError, ServerStartError

log = logging.getLogger("zkrecipes.testing")

#: The official image, the default when ``ZKRECIPES_ZK_IMAGE`` is not set.
DEFAULT_IMAGE = "zookeeper:3.8"
IMAGE_ENV = "ZKRECIPES_ZK_IMAGE"
RUN_ID_ENV = "ZKRECIPES_DOCKER_RUN_ID"
RYUK_ENV = "TESTCONTAINERS_RYUK_DISABLED"
LOCAL_IMAGE_HINT = ("build zkrecipes' local image with `bash scripts/docker-engine.sh image` (in a "
                    "zkrecipes checkout) and pass its name as image= or in ZKRECIPES_ZK_IMAGE")

_cleanups: dict[str, Callable[[], None]] = {}
_cleanups_lock = threading.Lock()
_reaper_note: str | None = None
_reaper_checked = False


def default_image() -> str:
    """``ZKRECIPES_ZK_IMAGE`` when set (non-empty), else :data:`DEFAULT_IMAGE`."""
    return os.environ.get(IMAGE_ENV, "").strip() or DEFAULT_IMAGE


def labels() -> dict[str, str]:
    """Labels put on every container and network zkrecipes starts."""
    return {"zkrecipes.testing": "1", "zkrecipes.testing.run": os.environ.get(RUN_ID_ENV, "none")}


def docker_client(timeout: float = 30.0) -> Any:
    """A docker-py client from the environment (``DOCKER_HOST`` …); the caller closes it."""
    from docker.client import from_env

    return from_env(timeout=max(1, int(timeout)))


def engine_available(timeout: float = 5.0) -> None:
    """Return if testcontainers is importable and a Docker engine answers a ping.

    Raises :class:`ContainerEngineUnavailableError` saying which one is missing.
    """
    try:
        import testcontainers.core.container  # noqa: F401

        import docker  # noqa: F401
    except ImportError as exc:
        raise ContainerEngineUnavailableError(
            f"testcontainers is not installed ({exc}); pip install 'zkrecipes[containers]'"
        ) from exc
    try:
        client = docker_client(timeout)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # docker raises many unrelated types here
        raise ContainerEngineUnavailableError(
            f"no Docker engine answers ({type(exc).__name__}: {exc}); start Docker or set DOCKER_HOST"
            " (in a zkrecipes checkout, `bash scripts/docker-engine.sh up` starts one as root)"
        ) from exc


def _has_image(client: Any, image: str) -> bool:
    import docker.errors

    try:
        client.images.get(image)
        return True
    except docker.errors.ImageNotFound:
        return False


def _pull(client: Any, image: str) -> str | None:
    """Pull ``image``; return None on success, else why not."""
    try:
        client.images.pull(image)
        return None
    except Exception as exc:  # registry unreachable, unknown image, auth …
        return f"{type(exc).__name__}: {exc}"


def ensure_image(image: str, timeout: float = 300.0) -> None:
    """Make sure ``image`` is on the engine: present, or pulled now.

    Raises :class:`ServerStartError` naming the image, why the pull failed and how to get a
    local image instead.
    """
    client = docker_client(timeout)
    try:
        if _has_image(client, image):
            return
        why = _pull(client, image)
    finally:
        client.close()
    if why is not None:
        raise ServerStartError(f"image {image} is not on this Docker engine and cannot be pulled "
                               f"({why}); {LOCAL_IMAGE_HINT}")


def prepare_reaper(timeout: float = 120.0) -> str | None:
    """Decide once per process whether testcontainers' reaper (Ryuk) can run.

    An explicit ``TESTCONTAINERS_RYUK_DISABLED`` is obeyed. Otherwise the reaper stays on when
    its image is on the engine or can be pulled, and is turned off when it cannot (a machine
    without registry access); the returned note (None when nothing was changed) says why.
    """
    global _reaper_checked, _reaper_note
    if _reaper_checked:
        return _reaper_note
    from testcontainers.core.config import testcontainers_config

    _reaper_checked = True
    if os.environ.get(RYUK_ENV, "").strip() or testcontainers_config.ryuk_disabled:
        return None
    image = testcontainers_config.ryuk_image
    client = docker_client(timeout)
    try:
        why = None if _has_image(client, image) else _pull(client, image)
    finally:
        client.close()
    if why is not None:
        testcontainers_config.ryuk_disabled = True
        _reaper_note = (f"testcontainers' reaper image {image} cannot be had ({why}): reaper disabled "
                        f"(as {RYUK_ENV}=true); zkrecipes removes its containers itself")
        log.warning("%s", _reaper_note)
    return _reaper_note


def start_reaper() -> None:
    """Start testcontainers' reaper now (if it is on) so that its failure is reported as such:
    ServerStartError naming its image and ``TESTCONTAINERS_RYUK_DISABLED=true`` as the way out."""
    from testcontainers.core.config import testcontainers_config
    from testcontainers.core.container import Reaper

    if testcontainers_config.ryuk_disabled:
        return
    try:
        Reaper.get_instance()
    except Exception as exc:  # image missing and not pullable, socket not mountable …
        raise ServerStartError(
            f"testcontainers' reaper (image {testcontainers_config.ryuk_image}) cannot start "
            f"({type(exc).__name__}: {exc}); where that image cannot be pulled set {RYUK_ENV}=true "
            "(zkrecipes removes its containers itself)") from exc


def track(key: str, cleanup: Callable[[], None]) -> None:
    """Run ``cleanup`` at interpreter exit unless :func:`untrack` ``key`` first."""
    with _cleanups_lock:
        _cleanups[key] = cleanup


def untrack(key: str) -> None:
    with _cleanups_lock:
        _cleanups.pop(key, None)


@atexit.register
def _cleanup_at_exit() -> None:
    with _cleanups_lock:
        pending = list(_cleanups.values())
        _cleanups.clear()
    for cleanup in reversed(pending):
        try:
            cleanup()
        except Exception:  # the engine may be gone already; nothing more to do at exit
            pass
