"""Which of a store's answers are business outcomes, which failures, and how long a 429 waits."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from stampede.core.target_description import reference_description
from stampede.traffic import json_list, json_object, response_text, retry_after


@dataclass
class Answer:
    """An HTTP answer as the users see one: status 0 and an error when none came."""

    status_code: int
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    error: Exception | None = None

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body


def _error(status: int, code: str) -> Answer:
    return Answer(status, json.dumps({"error": code}))


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (Answer(200), None),
        (Answer(201), None),
        (Answer(429), ("rate_limited", False)),
        (_error(402, "payment_declined"), ("payment_declined", False)),
        (_error(409, "sold_out"), ("sold_out", False)),
        (_error(409, "limit_exceeded"), ("limit_exceeded", False)),
        (_error(409, "checkout_in_progress"), ("checkout_retried", False)),
        (_error(409, "version_conflict"), None),
        (_error(503, "payment_unavailable"), ("payment_unavailable", True)),
        (_error(503, "overloaded"), None),
        (Answer(500, "<html>oops</html>"), None),
        (Answer(0, error=TimeoutError("timed out")), None),
    ],
)
def test_the_reference_stores_business_answers_are_outcomes(
    answer: Answer, expected: tuple[str, bool] | None
) -> None:
    """The reference description's outcomes: a 409 sold out is an outcome, a 503
    payment_unavailable an outcome and a failure, anything else is judged by its status."""
    rule = reference_description().outcome_of(answer.status_code, lambda: response_text(answer))
    assert (None if rule is None else (rule.name, rule.failure)) == expected


def test_the_body_is_read_only_when_a_rule_asks_for_it() -> None:
    reads: list[int] = []

    def body() -> str:
        reads.append(1)
        return ""

    description = reference_description()
    assert description.outcome_of(429, body) is not None and not reads
    assert description.outcome_of(409, body) is None and len(reads) == 3  # three 409 rules


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
