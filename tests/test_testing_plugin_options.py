"""The pytest plugin's handler choice and ensemble healing, seen from inner pytest runs.

Each test writes a small test file and runs pytest on it in-process (``pytester``)
with the zkrecipes plugin. No inner test starts a ZooKeeper: they use only
``zk_handler_name`` (which needs no server) or a fake ``zk_ensemble``.
"""

from __future__ import annotations

import re

import pytest

import zkrecipes.testing.handler_choice as handler_choice
from zkrecipes.exceptions import InvalidArgumentError
from zkrecipes.testing import ClientFactory
from zkrecipes.testing.handler_choice import available_handlers, resolve_handlers

pytest_plugins = ["pytester"]

#: The plugin, loaded by module name (``no:zkrecipes`` keeps its entry point from loading it
#: twice); hypothesis' plugin is left out: it adds about a second to every inner session.
PLUGIN_ARGS = ("-p", "no:zkrecipes", "-p", "zkrecipes.testing.pytest_plugin", "-p", "no:hypothesispytest")

HANDLER_TEST = """
import pytest

SEEN = []

def test_handler(zk_handler_name):
    SEEN.append(zk_handler_name)
    print("HANDLER=" + zk_handler_name)
"""

GEVENT = "gevent" in available_handlers()


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(*PLUGIN_ARGS, "-v", "-s", *args)


def handlers_run(result: pytest.RunResult) -> list[str]:
    return re.findall(r"HANDLER=(\w+)", "\n".join(result.outlines))


# --- resolving the option (no inner run)

def test_resolve_values() -> None:
    assert resolve_handlers(None) == ("threading",)
    assert resolve_handlers("") == ("threading",)
    assert resolve_handlers(" Threading ") == ("threading",)
    assert resolve_handlers("all") == available_handlers()
    with pytest.raises(InvalidArgumentError, match=r"--zk-handler: unknown handler 'thread'.*threading, "
                                                   r"gevent, all"):
        resolve_handlers("thread")


def test_resolve_without_gevent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handler_choice, "gevent_available", lambda: False)
    assert resolve_handlers("all") == ("threading",)
    with pytest.raises(InvalidArgumentError, match="gevent is not installed"):
        resolve_handlers("gevent", source="zk_handler")


# --- the option in inner runs

def test_default_runs_threading_once(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(HANDLER_TEST)
    result = run(pytester)
    result.assert_outcomes(passed=1)
    assert handlers_run(result) == ["threading"]
    result.stdout.fnmatch_lines(["*::test_handler?threading? *"])


def test_all_runs_once_per_available_handler(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(HANDLER_TEST)
    result = run(pytester, "--zk-handler", "all")
    expected = list(available_handlers())
    result.assert_outcomes(passed=len(expected))
    assert handlers_run(result) == expected
    for name in expected:
        result.stdout.fnmatch_lines([f"*::test_handler?{name}? *"])


def test_all_without_gevent_is_threading_only(pytester: pytest.Pytester,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handler_choice, "gevent_available", lambda: False)
    pytester.makepyfile(HANDLER_TEST)
    result = run(pytester, "--zk-handler", "all")
    result.assert_outcomes(passed=1)
    assert handlers_run(result) == ["threading"]


@pytest.mark.skipif(not GEVENT, reason="gevent is not installed")
def test_gevent_only(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(HANDLER_TEST)
    result = run(pytester, "--zk-handler=gevent")
    result.assert_outcomes(passed=1)
    assert handlers_run(result) == ["gevent"]


def test_ini_option(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nzk_handler = all\n")
    pytester.makepyfile(HANDLER_TEST)
    result = run(pytester)
    assert handlers_run(result) == list(available_handlers())


def test_pyproject_ini_option(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\nzk_handler = "all"\n')
    pytester.makepyfile(HANDLER_TEST)
    result = run(pytester)
    assert handlers_run(result) == list(available_handlers())


def test_command_line_wins_over_ini(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nzk_handler = all\n")
    pytester.makepyfile(HANDLER_TEST)
    result = run(pytester, "--zk-handler", "threading")
    result.assert_outcomes(passed=1)
    assert handlers_run(result) == ["threading"]


def test_bad_command_line_value_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(HANDLER_TEST)
    result = run(pytester, "--zk-handler", "greenlet")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*--zk-handler: unknown handler 'greenlet'; expected one of threading, gevent, all*"])
    assert handlers_run(result) == []


def test_bad_ini_value_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nzk_handler = both\n")
    pytester.makepyfile(HANDLER_TEST)
    result = run(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*zk_handler (ini): unknown handler 'both'*"])


def test_gevent_without_gevent_is_a_usage_error(pytester: pytest.Pytester,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handler_choice, "gevent_available", lambda: False)
    pytester.makepyfile(HANDLER_TEST)
    result = run(pytester, "--zk-handler", "gevent")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*gevent is not installed*"])


def test_overridden_or_parametrised_handler_is_left_alone(pytester: pytest.Pytester) -> None:
    # integration/cli/conftest.py pins threading by overriding the fixture; a test may parametrise it.
    pytester.makeconftest("""
import pytest

@pytest.fixture
def zk_handler_name():
    return "threading"
""")
    pytester.makepyfile(test_pinned="""
def test_pinned(zk_handler_name):
    print("HANDLER=" + zk_handler_name)
""", test_param="""
import pytest

@pytest.mark.parametrize("zk_handler_name", ["threading"])
def test_param(zk_handler_name):
    print("HANDLER=" + zk_handler_name)
""")
    result = run(pytester, "--zk-handler", "all")
    result.assert_outcomes(passed=2)
    assert handlers_run(result) == ["threading", "threading"]


def test_entry_point_loads_the_plugin(pytester: pytest.Pytester) -> None:
    from importlib.metadata import entry_points

    if not any(ep.name == "zkrecipes" for ep in entry_points(group="pytest11")):
        pytest.skip("zkrecipes is not installed with its pytest11 entry point here")
    pytester.makepyfile(HANDLER_TEST)
    result = pytester.runpytest("-p", "no:hypothesispytest", "-s", "--zk-handler", "all")
    assert handlers_run(result) == list(available_handlers())


def test_help_lists_the_option(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--help")
    result.stdout.fnmatch_lines(["*--zk-handler=threading|gevent|all*", "*zk_handler (string)*"])


# --- ensemble healing

def test_tests_without_the_ensemble_never_touch_it(pytester: pytest.Pytester) -> None:
    # The real zk_ensemble would start three servers: it must not be set up, nor anything else.
    pytester.makepyfile(HANDLER_TEST)
    result = run(pytester, "--setup-show", "--zk-handler", "all")
    result.assert_outcomes(passed=len(available_handlers()))
    setup_lines = [line for line in result.outlines if "SETUP" in line]
    assert setup_lines
    for name in ("zk_ensemble ", "zk_server", "zk_hosts"):
        assert not any(name in line for line in setup_lines), (name, setup_lines)


ENSEMBLE_CONFTEST = """
import pytest

EVENTS = []


class Member:
    running = True


class FakeEnsemble:
    def __init__(self):
        self.members = [Member(), Member(), Member()]

    def ensure_running(self):
        EVENTS.append("heal")
        for member in self.members:
            member.running = True


@pytest.fixture(scope="session")
def zk_ensemble():
    EVENTS.append("ensemble-setup")
    return FakeEnsemble()


@pytest.fixture(scope="session")
def events():
    return EVENTS
"""


def test_heal_runs_only_after_tests_that_use_the_ensemble(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(ENSEMBLE_CONFTEST)
    pytester.makepyfile("""
def test_1_plain(zk_handler_name, events):
    pass

def test_2_nothing_happened(events):
    assert events == []

def test_3_kills_a_member(zk_ensemble, events):
    zk_ensemble.members[1].running = False

def test_4_healed_after_it(events):
    assert events == ["ensemble-setup", "heal"]

def test_5_leaves_members_running(zk_ensemble, events):
    assert all(member.running for member in zk_ensemble.members)

def test_6_no_needless_heal(events):
    assert events == ["ensemble-setup", "heal"]

def test_7_marked(request, zk_ensemble):
    assert request.node.get_closest_marker("ensemble") is not None
""")
    result = run(pytester)
    result.assert_outcomes(passed=7)


def test_heal_is_quiet_when_the_ensemble_failed_to_start(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("""
import pytest

@pytest.fixture(scope="session")
def zk_ensemble():
    raise RuntimeError("no ensemble here")
""")
    pytester.makepyfile("""
def test_uses_it(zk_ensemble):
    pass
""")
    result = run(pytester)
    result.assert_outcomes(errors=1)  # the setup error only, no second one from the heal
    result.stdout.fnmatch_lines(["*RuntimeError: no ensemble here*"])


# --- the factory's type

def test_client_factory_is_exported_for_type_hints() -> None:
    import zkrecipes.testing

    assert "ClientFactory" in zkrecipes.testing.__all__
    for argument in ("hosts", "chroot", "admin_hosts", "handler_name", "start", "client_kwargs"):
        assert argument in (ClientFactory.__doc__ or "")
