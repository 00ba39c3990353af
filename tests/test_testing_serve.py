"""``python -m zkrecipes.testing serve``'s options and failures that need no server."""

from __future__ import annotations

from pathlib import Path

import pytest

from zkrecipes.exceptions import HarnessError
from zkrecipes.testing import serve


def test_port_and_tls_are_refused_with_an_ensemble(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        serve.main(["serve", "--ensemble", "3", "--port", "15000"])
    assert info.value.code == 2
    assert "not with --ensemble" in capsys.readouterr().err


def test_a_command_is_required() -> None:
    with pytest.raises(SystemExit) as info:
        serve.main([])
    assert info.value.code == 2


def test_tls_without_keytool_is_a_harness_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(serve.shutil, "which", lambda name: None)
    with pytest.raises(HarnessError, match="keytool"):
        serve.self_signed_tls(tmp_path)


def test_a_failed_start_exits_1_with_the_reason(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(serve.shutil, "which", lambda name: None)
    assert serve.main(["serve", "--tls"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing that a script could take for a connect string
    assert captured.err.startswith("zkrecipes.testing: HarnessError: --tls needs the JDK's keytool")
