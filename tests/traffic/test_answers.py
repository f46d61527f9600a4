"""Which of a store's answers are business outcomes, which failures, and how long a 429 waits."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from stampede.traffic import classify, json_list, json_object, retry_after


@dataclass
class Answer:
    """An HTTP answer as the users see one: status 0 and an error when none came."""

    status_code: int
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    error: Exception | None = None

    def json(self) -> Any:
        return json.loads(self.body)


def _error(status: int, code: str) -> Answer:
    return Answer(status, json.dumps({"error": code}))


@pytest.mark.parametrize(
    ("answer", "ok", "expected"),
    [
        (Answer(200), (200,), (None, None)),
        (Answer(201), (201,), (None, None)),
        (Answer(200), (201,), (None, "HTTP 200")),  # not what this call expects
        (Answer(429), (200,), ("rate_limited", None)),
        (_error(402, "payment_declined"), (201,), ("payment_declined", None)),
        (_error(409, "sold_out"), (201,), ("sold_out", None)),
        (_error(409, "limit_exceeded"), (201,), ("limit_exceeded", None)),
        (_error(409, "checkout_in_progress"), (201,), ("checkout_retried", None)),
        (_error(409, "version_conflict"), (201,), (None, "HTTP 409 version_conflict")),
        (
            _error(503, "payment_unavailable"),
            (201,),
            ("payment_unavailable", "HTTP 503 payment_unavailable"),
        ),
        (Answer(500, "<html>oops</html>"), (200,), (None, "HTTP 500")),
        (
            Answer(0, error=TimeoutError("timed out")),
            (200,),
            (None, "no answer: TimeoutError('timed out')"),
        ),
    ],
)
def test_business_answers_are_outcomes_and_the_rest_failures(
    answer: Answer, ok: tuple[int, ...], expected: tuple[str | None, str | None]
) -> None:
    assert classify(answer, ok) == expected


def test_a_long_error_is_cut_to_200_characters() -> None:
    _, failure = classify(Answer(0, error=OSError("x" * 500)), (200,))
    assert failure is not None and len(failure) == 200


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ({"Retry-After": "2"}, 2.0),
        ({}, 1.0),
        ({"Retry-After": "soon"}, 1.0),
        ({"Retry-After": "-5"}, 0.0),
        ({"Retry-After": "3600"}, 10.0),
    ],
)
def test_retry_after_is_read_and_capped(header: dict[str, str], seconds: float) -> None:
    assert retry_after(Answer(429, headers=header)) == seconds


def test_bodies_of_the_wrong_shape_read_as_empty() -> None:
    assert json_object(Answer(200, '{"token": "t"}')) == {"token": "t"}
    assert json_object(Answer(200, "[1]")) == {} and json_object(Answer(200, "not json")) == {}
    assert json_list(Answer(200, "[1, 2]")) == [1, 2]
    assert json_list(Answer(200, "{}")) == [] and json_list(Answer(200, "")) == []
