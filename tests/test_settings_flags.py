"""Yes/no settings and the worker's lease from the environment: every boolean setting reads 0/false/off/no as off
and 1/true/on/yes as on (any case, spaces around), keeps its default when unset or empty, and refuses anything
else (a typo must not switch private webhook delivery on); the lease has bounds."""

from __future__ import annotations

import argparse

import pytest

from server import worker
from server.settings import Settings

# every boolean setting: (variable, attribute, default)
FLAGS = [
    ("LEADGEN_WEBHOOK_ALLOW_PRIVATE", "webhook_allow_private", False),
    ("LEADGEN_COMPILED_READS", "compiled_reads", True),
]
FALSE = ["0", "false", "False", "FALSE", "off", "Off", "no", "NO", " 0 ", "false\n"]
TRUE = ["1", "true", "True", "TRUE", "on", "yes", "Yes", " 1 "]


def test_every_boolean_setting_is_covered() -> None:
    booleans = {name for name, value in vars(Settings()).items() if isinstance(value, bool)}
    assert booleans == {attribute for _, attribute, _ in FLAGS}


@pytest.mark.parametrize(("variable", "attribute", "default"), FLAGS)
def test_boolean_settings_read_false_words_as_false_and_true_words_as_true(
    variable: str, attribute: str, default: bool
) -> None:
    for text in FALSE:
        assert getattr(Settings.from_env({variable: text}), attribute) is False, repr(text)
    for text in TRUE:
        assert getattr(Settings.from_env({variable: text}), attribute) is True, repr(text)
    for text in ("", "   "):
        assert getattr(Settings.from_env({variable: text}), attribute) is default, repr(text)
    assert getattr(Settings.from_env({}), attribute) is default


@pytest.mark.parametrize(("variable", "attribute", "default"), FLAGS)
@pytest.mark.parametrize("text", ["2", "enabled", "disable", "nope", "y", "tru"])
def test_boolean_settings_refuse_other_words(variable: str, attribute: str, default: bool, text: str) -> None:
    with pytest.raises(ValueError, match=variable):
        Settings.from_env({variable: text})


def test_the_worker_lease_setting() -> None:
    assert Settings.from_env({}).worker_lease_seconds == 30.0
    assert Settings.from_env({"LEADGEN_WORKER_LEASE_SECONDS": "15"}).worker_lease_seconds == 15.0
    for text in ("0", "0.5", "-3", "3601", "soon"):
        with pytest.raises(ValueError, match="LEADGEN_WORKER_LEASE_SECONDS"):
            Settings.from_env({"LEADGEN_WORKER_LEASE_SECONDS": text})


@pytest.mark.parametrize("lease", [0.0, 0.5, 4000.0])
def test_leadgen_worker_refuses_a_lease_out_of_bounds_before_connecting(
    lease: float, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = argparse.ArgumentParser()
    worker.add_arguments(parser)
    args = parser.parse_args(["--lease-seconds", str(lease)])
    assert worker.run(args, Settings(database_url="postgresql://nowhere.invalid/x")) == 2
    assert "--lease-seconds" in capsys.readouterr().err
