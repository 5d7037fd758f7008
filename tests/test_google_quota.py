"""Google's quotas and outages, as the test server enforces and answers them (tests/google_api/
strict.py): a spent minute is waited out, Retry-After is honoured, a quota held by others is
told apart from a service that does not answer, and a dead service costs one try a unit.

The server and the worker share a virtual clock (tests/conftest.py): the waits take no time,
and `fake_google.clock` says how long they were."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import Result
from gspread.exceptions import APIError

from tests.conftest import good_unit
from tests.test_google_strict import configure, sync, unit_keys
from worker.adapters.google.retries import MAX_BACKOFF, QUOTA_MINUTE, Policy, Retries, retry_after
from worker.core.settings import GoogleSettings

Cli = Callable[..., Result]
on_google = pytest.mark.parametrize("backend", ["google"])
PROJECT = "mohinh-thu"  # the project of the test account (tests/conftest.py ACCOUNT)


@pytest.fixture
def province(workspace: Callable[..., Path]) -> Path:
    return workspace(*[(f"U{n}", good_unit(1), f"u{n}@example.gov.vn") for n in range(1, 6)])


def waited(fake: Any) -> float:
    return sum(fake.clock.slept)


@on_google
def test_reads_past_the_minutes_quota_are_refused_then_waited_out(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(*[(f"U{n}", good_unit(1), f"u{n}@example.gov.vn") for n in range(70)])
    configure(root, "per_minute = 1000")  # above Google's 60: the server refuses the rest
    result = sync(cli, root)
    assert "70 cập nhật tab Kết quả, 0 không đổi, 0 không đọc được" in result.output, result
    assert fake_google.calls["spreadsheets.get"] > 1 + 70  # some were refused and sent again
    assert waited(fake_google) >= 55  # the 61st read of the minute waited for the oldest


@on_google
def test_a_429_with_retry_after_is_waited_as_told(
    province: Path, cli: Cli, fake_google: Any
) -> None:
    configure(province, "per_minute = 1000")
    fake_google.quotas.retry_after = True
    fake_google.quotas.others("read", PROJECT, 300)  # the project's minute spent by others
    result = sync(cli, province)
    assert "5 cập nhật tab Kết quả, 0 không đổi, 0 không đọc được" in result.output, result
    assert fake_google.calls["spreadsheets.get"] == 1 + 1 + 5  # the registry went twice
    assert max(fake_google.clock.slept) == 60  # what Retry-After said, not 1, 2, 4 …


@on_google
def test_a_quota_spent_by_other_programs_of_the_project_is_waited_out(
    province: Path, cli: Cli, fake_google: Any
) -> None:
    fake_google.quotas.others("read", PROJECT, 300)
    result = sync(cli, province)
    assert "5 cập nhật tab Kết quả, 0 không đổi, 0 không đọc được" in result.output, result
    assert QUOTA_MINUTE <= waited(fake_google) < QUOTA_MINUTE + MAX_BACKOFF + 2


@on_google
def test_a_quota_that_stays_spent_past_a_minute_is_told_as_a_quota(
    province: Path, cli: Cli, fake_google: Any
) -> None:
    sync(cli, province)
    key = unit_keys(fake_google)[0]
    fake_google.edit(key, "Chỉ tiêu", 1, 5, 3)
    fake_google.calls.clear()
    fake_google.fail("spreadsheets.get", None, *[429] * 20)  # the registry, then the unit
    result = sync(cli, province)
    assert result.exit_code == 1
    assert (
        "Google từ chối vì đã dùng hết hạn mức (quota) mỗi phút (429 RESOURCE_EXHAUSTED): đã "
        "chờ hơn một phút mà vẫn bị từ chối"
    ) in result.output, result.output
    tries = fake_google.calls["spreadsheets.get"] - 1
    assert 6 <= tries <= 9  # 1, 2, 4, 8, 16, 32 s: a try past the minute, then given up
    assert waited(fake_google) >= QUOTA_MINUTE


@on_google
def test_a_dead_service_costs_one_try_a_unit_once_the_first_has_spent_its_tries(
    province: Path, cli: Cli, fake_google: Any
) -> None:
    sync(cli, province)
    for key in unit_keys(fake_google):
        fake_google.edit(key, "Chỉ tiêu", 1, 5, 3)
        fake_google.broken[key] = 503
    fake_google.calls.clear()
    result = sync(cli, province)
    assert result.exit_code == 1
    assert "5 không đọc được" in result.output
    assert (
        "Google Sheets không trả lời được (503 UNAVAILABLE): dịch vụ của Google đang gián đoạn"
    ) in result.output
    assert fake_google.calls["spreadsheets.get"] == 1 + 6 + 4  # the registry; 6 tries; then 1 each
    assert waited(fake_google) < 40  # minutes of real outage, not 5 x 31 s


@on_google
def test_the_service_is_trusted_again_once_it_answers(
    province: Path, cli: Cli, fake_google: Any
) -> None:
    sync(cli, province)
    keys = unit_keys(fake_google)
    for key in keys:
        fake_google.edit(key, "Chỉ tiêu", 1, 5, 3)
    fake_google.broken[keys[0]] = 503  # U1: six tries, and Google is taken for down
    # the registry answers; U2's one try fails; U3 answers; U4's first try fails, and is retried
    fake_google.fail("spreadsheets.get", None, 503, None, 503)
    fake_google.calls.clear()
    result = sync(cli, province)
    assert "3 cập nhật tab Kết quả, 0 không đổi, 2 không đọc được" in result.output, result
    assert fake_google.calls["spreadsheets.get"] == 1 + 6 + 1 + 1 + 2 + 1


def test_backoff_is_truncated_exponential_with_up_to_one_unit_of_jitter() -> None:
    rules = Retries(GoogleSettings(key_file=Path("k.json"), registry="r"))
    policy = Policy(rules, lambda exc: True)
    refused = requests.Response()
    refused.status_code = 503
    refused._content = b'{"error": {"code": 503, "message": "x", "status": "UNAVAILABLE"}}'

    class State:
        def __init__(self, n: int) -> None:
            self.attempt_number = n
            self.outcome = type("Outcome", (), {"failed": True, "exception": lambda _: error})()

    error = APIError(refused)
    waits = [policy.wait(State(n)) for n in range(1, 9)]  # type: ignore[arg-type]
    for n, wait in enumerate(waits[:5]):
        assert 2**n <= wait <= 2**n + 1
    assert waits[5:] == [MAX_BACKOFF] * 3


def test_retry_after_is_read_as_seconds_or_as_a_date() -> None:
    def answer(header: str) -> APIError:
        response = requests.Response()
        response.status_code = 429
        response._content = b'{"error": {"code": 429, "message": "q"}}'
        response.headers["Retry-After"] = header
        return APIError(response)

    now = datetime(2026, 11, 5, 6, 30, tzinfo=UTC)
    assert retry_after(answer("17")) == 17
    later = format_datetime(now + timedelta(seconds=45), usegmt=True)
    assert retry_after(answer(later), now) == 45
    assert retry_after(answer("soon")) is None
