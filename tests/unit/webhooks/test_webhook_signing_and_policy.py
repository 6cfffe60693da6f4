"""Standard Webhooks signing (checked against the reference verifier) and the retry policy."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from leadpulse.store.types import utcnow
from leadpulse.webhooks import policy, signing
from leadpulse.webhooks.delivery import encode, outcome_values
from leadpulse.webhooks.policy import AttemptResult


def test_secret_is_whsec_prefixed_base64_of_24_random_bytes() -> None:
    secret = signing.new_secret()

    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 24
    assert signing.new_secret() != secret


def test_our_signature_is_accepted_by_the_reference_verifier() -> None:
    secret = signing.new_secret()
    body = encode({"type": "lead.scored", "timestamp": "2026-01-01T00:00:00Z", "data": {"é": 1}})

    headers = signing.signed_headers(secret, message_id="msg_1", sent_at=utcnow(), body=body)

    assert Webhook(secret).verify(body, headers)["data"] == {"é": 1}


def test_our_signature_equals_the_reference_signers() -> None:
    secret = signing.new_secret()
    at = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    body = b'{"a":1}'

    ours = signing.sign(secret, message_id="msg_2", timestamp=int(at.timestamp()), body=body)

    assert ours == Webhook(secret).sign("msg_2", at, body.decode())


def test_a_tampered_body_or_other_secret_fails_verification() -> None:
    secret = signing.new_secret()
    body = b'{"a":1}'
    headers = signing.signed_headers(secret, message_id="msg_3", sent_at=utcnow(), body=body)

    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(b'{"a":2}', headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(body, headers)


@pytest.mark.parametrize(
    ("status", "retryable"),
    [
        (None, True),
        (408, True),
        (429, True),
        (500, True),
        (503, True),
        (400, False),
        (401, False),
        (404, False),
        (410, False),
        (301, False),
    ],
)
def test_only_network_errors_408_429_and_5xx_are_retried(
    status: int | None, retryable: bool
) -> None:
    assert policy.is_retryable(status) is retryable


def test_backoff_grows_from_seconds_to_hours_then_stays_daily() -> None:
    delays = [policy.retry_delay(n) for n in range(1, 10)]

    assert delays[:6] == [
        timedelta(seconds=30),
        timedelta(minutes=2),
        timedelta(minutes=10),
        timedelta(hours=1),
        timedelta(hours=4),
        timedelta(hours=12),
    ]
    assert delays[6:] == [timedelta(days=1)] * 3


def test_outcome_of_a_success_marks_the_row_delivered() -> None:
    now = utcnow()

    values = outcome_values(AttemptResult(204), attempts=1, max_attempts=8, now=now)

    assert values["status"] == "succeeded" and values["delivered_at"] == now
    assert values["locked_until"] is None and values["response_code"] == 204


def test_outcome_of_a_retryable_failure_schedules_the_next_attempt() -> None:
    now = utcnow()
    failure = AttemptResult(503, "HTTP 503", retryable=True)

    values = outcome_values(failure, attempts=2, max_attempts=8, now=now)

    assert "status" not in values
    assert values["next_attempt_at"] == now + timedelta(minutes=2)


def test_outcome_after_the_last_attempt_is_failed() -> None:
    failure = AttemptResult(503, "HTTP 503", retryable=True)

    values = outcome_values(failure, attempts=8, max_attempts=8, now=utcnow())

    assert values["status"] == "failed" and values["error"] == "HTTP 503"
