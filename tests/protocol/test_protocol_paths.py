"""Path normalisation (kazoo's rule, ZooKeeper's characters) and the chroot helpers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zkrecipes.client.protocol import (
    add_chroot,
    is_in_chroot,
    normalize_chroot,
    parent_paths,
    strip_chroot,
    validate_path,
)
from zkrecipes.exceptions import BadArgumentsError, InvalidPathError, InvalidTypeError


@pytest.mark.parametrize(
    "path",
    ["/", "/a", "/a/b/c", "/a.b", "/.a", "/a/..b", "/a/b.", "/ünïcode", "/sp ace", "/zookeeper/config",
     "/\u00a0", "/\ufeff"],
)
def test_valid_paths(path: str) -> None:
    assert validate_path(path) == path


@pytest.mark.parametrize(
    ("path", "normal"),
    [("", "/"), ("a", "/a"), ("a/b", "/a/b"), ("/a/", "/a"), ("//", "/"), ("/a//b", "/a/b"),
     ("//a///b//", "/a/b")],
)
def test_paths_are_normalised_as_kazoo_does(path: str, normal: str) -> None:
    # Issue 10: kazoo makes every path absolute and drops empty segments; these were refusals.
    assert validate_path(path) == normal
    assert validate_path(path) == normal  # and from the cache


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        ("/.", "relative"),
        ("/..", "relative"),
        ("/a/./b", "relative"),
        ("/a/../b", "relative"),
        ("/a/..", "relative"),
        ("/a\x00b", "null character"),
        ("/a\x01", "U+0001"),
        ("/a\x1f", "U+001F"),
        ("/a\x7f", "U+007F"),
        ("/a\x9f", "U+009F"),
        ("/a\ud800", "U+D800"),
        ("/a\ue000", "U+E000"),
        ("/a\uf8ff", "U+F8FF"),
        ("/a\ufff0", "U+FFF0"),
        ("/a\uffff", "U+FFFF"),
        ("/emoji\U0001F600", "U+1F600"),
    ],
)
def test_invalid_paths(path: str, fragment: str) -> None:
    with pytest.raises(InvalidPathError) as info:
        validate_path(path)
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)
    # kazoo: "." / ".." is a ValueError; a bad character the server's BadArgumentsError.
    assert isinstance(info.value, BadArgumentsError) == (fragment != "relative")


def test_sequential_paths_may_end_with_slash() -> None:
    assert validate_path("/queue/", sequential=True) == "/queue/"
    assert validate_path("/lock-", sequential=True) == "/lock-"
    assert validate_path("/a//", sequential=True) == "/a/"  # kazoo: the slash before the counter stays
    assert validate_path("/", sequential=True) == "/"
    with pytest.raises(InvalidPathError):  # kazoo refuses a "." segment, sequential or not
        validate_path("/a/.", sequential=True)
    with pytest.raises(InvalidPathError):
        validate_path("/a/..", sequential=False)


def test_non_string_path() -> None:
    with pytest.raises(InvalidTypeError):
        validate_path(b"/a")
    with pytest.raises(InvalidTypeError):
        validate_path(None)


def test_chroot_helpers() -> None:
    assert normalize_chroot(None) == normalize_chroot("/") == normalize_chroot("") == ""
    assert normalize_chroot("/app/x") == "/app/x"
    assert normalize_chroot("/app/") == normalize_chroot("app") == "/app"  # normalised as any path
    with pytest.raises(InvalidPathError):
        normalize_chroot("/app/..")
    assert add_chroot("", "/a") == "/a"
    assert add_chroot("/app", "/") == "/app"
    assert add_chroot("/app", "/a/b") == "/app/a/b"
    assert strip_chroot("/app", "/app") == "/"
    assert strip_chroot("/app", "/app/a") == "/a"
    assert strip_chroot("/app", "/apple") == "/apple"  # not inside the chroot: unchanged
    assert strip_chroot("/app", "/other") == "/other"
    assert strip_chroot("", "/x") == "/x"
    assert is_in_chroot("/app", "/app/a") and is_in_chroot("/app", "/app") and is_in_chroot("", "/x")
    assert not is_in_chroot("/app", "/apple")
    assert parent_paths("/a/b/c") == ["/a/b/c", "/a/b", "/a", "/"]
    assert parent_paths("/") == ["/"]


_segment = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1, max_size=8
).filter(lambda s: s not in (".", ".."))


@given(st.lists(_segment, min_size=1, max_size=4), st.lists(_segment, min_size=0, max_size=3))
def test_chroot_round_trip(chroot_parts: list[str], parts: list[str]) -> None:
    chroot = "/" + "/".join(chroot_parts)
    path = "/" + "/".join(parts)
    assert strip_chroot(chroot, add_chroot(chroot, path)) == path


@given(st.text(max_size=30))
def test_validate_path_raises_only_invalid_path(path: str) -> None:
    try:
        normal = validate_path(path)
    except InvalidPathError:
        return
    assert normal.startswith("/") and "//" not in normal and (normal == "/" or not normal.endswith("/"))
    assert validate_path(normal) == normal


def test_the_valid_path_cache_never_admits_an_invalid_path() -> None:
    from zkrecipes.client.protocol import paths

    for _ in range(2):  # the second round is served from the cache where it may be
        assert validate_path("/cached/ok") == "/cached/ok"
        assert validate_path("/cached/ok", sequential=True) == "/cached/ok"
        for bad in ("/cached/..", "/cached/./x", "/cached/\x01"):
            with pytest.raises(InvalidPathError):
                validate_path(bad)
        assert validate_path("/cached/", sequential=True) == "/cached/"
        assert validate_path("/cached/") == "/cached"  # the two caches never mix
    assert paths._DONE["/cached/ok"] == "/cached/ok"
    assert "/cached/.." not in paths._DONE


def test_the_valid_path_cache_is_bounded() -> None:
    from zkrecipes.client.protocol import paths

    for index in range(paths._DONE_LIMIT + 10):
        validate_path(f"/bounded/{index}")
    assert len(paths._DONE) <= paths._DONE_LIMIT
