"""The Rasa launcher hands the API token over in-process and keeps it from child processes."""

from __future__ import annotations

from carpimko.rasa_server import rasa_argv


def test_token_from_the_environment_enables_the_api() -> None:
    env = {"RASA_AUTH_TOKEN": "s3cr3t", "OTHER": "x"}
    argv = rasa_argv(["run", "--port", "5005"], env)
    assert argv == ["run", "--port", "5005", "--enable-api", "--auth-token", "s3cr3t"]
    assert env == {"OTHER": "x"}  # not inherited by what Rasa starts


def test_without_a_token_the_api_stays_off() -> None:
    for env in ({}, {"RASA_AUTH_TOKEN": ""}):
        assert rasa_argv(["run"], env) == ["run"]
