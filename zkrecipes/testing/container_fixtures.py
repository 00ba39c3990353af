"""Container fixtures for the pytest plugin (exported by ``pytest_plugin`` through ``__all__``).

``zk_container_engine``
    session: returns once a Docker engine answers (and testcontainers is importable). Where
    none does the test is skipped with the reason, except under CI (``CI`` or
    ``ZKRECIPES_REQUIRE_DOCKER`` set to a true value), where it fails: a CI run that is meant
    to exercise containers must not pass by skipping them.
``zk_container_image``
    session: the image container tests run: ``--zk-image`` / ``ZKRECIPES_ZK_IMAGE``, else
    zkrecipes' local image ``zkrecipes/zookeeper:local`` when it is on the engine, else the
    official ``zookeeper:3.8``.
"""

from __future__ import annotations

import os

import pytest

__all__ = ["zk_container_engine", "zk_container_image"]

REQUIRE_ENV = "ZKRECIPES_REQUIRE_DOCKER"
LOCAL_IMAGE = "zkrecipes/zookeeper:local"
_TRUE = ("1", "true", "yes", "on")


def docker_required(env: dict[str, str] | None = None) -> bool:
    """True when a missing engine must fail the run (``CI`` or ``ZKRECIPES_REQUIRE_DOCKER`` true)."""
    environ = os.environ if env is None else env
    return any(environ.get(name, "").strip().lower() in _TRUE for name in ("CI", REQUIRE_ENV))


@pytest.fixture(scope="session")
def zk_container_engine() -> None:
    """A Docker engine answers; else skip (fail under CI) with the reason."""
    from zkrecipes.exceptions import ContainerEngineUnavailableError
    from zkrecipes.testing.docker_support import engine_available

    try:
        engine_available(timeout=10.0)
    except ContainerEngineUnavailableError as exc:
        if docker_required():
            pytest.fail(f"no container engine, and this run requires one (CI/{REQUIRE_ENV}): {exc}")
        pytest.skip(f"no container engine here: {exc}")


@pytest.fixture(scope="session")
def zk_container_image(pytestconfig: pytest.Config, zk_container_engine: None) -> str:
    """The image for container tests (option, env, the local build if present, the official one)."""
    import zkrecipes.testing.docker_support as ds

    explicit = pytestconfig.getoption("--zk-image", default=None) or os.environ.get(ds.IMAGE_ENV, "").strip()
    if explicit:
        return str(explicit)
    client = ds.docker_client()
    try:
        client.images.get(LOCAL_IMAGE)
        return LOCAL_IMAGE
    except Exception:  # not built here: the official image (pulled if it can be)
        return ds.DEFAULT_IMAGE
    finally:
        client.close()
