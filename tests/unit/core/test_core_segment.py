"""The Segment → LeadPulse mapping and the external-id rule are pure functions."""

from __future__ import annotations

from typing import Any

import pytest

from leadpulse.core.identity import external_id_action
from leadpulse.core.segment import SegmentFieldError, map_message, normalize_event_type


def key(user_id: str) -> str:
    return f"$user:{user_id}"


def mapped(call: str, **message: Any) -> dict[str, Any]:
    return map_message(call, message, user_key=key).event


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Demo Requested", "demo_requested"),
        ("demo-request", "demo_request"),
        ("Pricing - Page  Visit!", "pricing_page_visit"),
        ("  Signed Up (v2) ", "signed_up_v2"),
        ("checkout.completed", "checkoutcompleted"),
        ("Ünïcode Name", "ncode_name"),
        ("x" * 70, "x" * 64),
        ("a" * 63 + " b", "a" * 63),
    ],
)
def test_event_names_become_scoring_event_types(name: str, expected: str) -> None:
    assert normalize_event_type(name) == expected


def test_a_track_maps_its_fields() -> None:
    event = mapped(
        "track",
        messageId="m-1",
        userId=42,
        anonymousId="a-1",
        event="Demo Request",
        properties={"plan": "pro"},
        context={"ip": "203.0.113.1", "traits": {"email": "a@b.io"}},
        originalTimestamp="2026-01-01T00:00:00Z",
        timestamp="2026-01-01T00:00:05Z",
        sentAt="2026-01-01T00:00:10Z",
    )

    assert event == {
        "event": "demo_request",
        "eventId": "m-1",
        "anonymousId": "a-1",
        "userId": "42",
        "properties": {"plan": "pro"},
        "traits": {"email": "a@b.io"},
        "email": "a@b.io",
        "context": {"ip": "203.0.113.1", "traits": {"email": "a@b.io"}},
        "timestamp": "2026-01-01T00:00:00Z",
        "sentAt": "2026-01-01T00:00:10Z",
    }


def test_a_user_id_alone_gives_the_lead_key_from_it() -> None:
    assert mapped("track", userId="u-1", event="x")["anonymousId"] == "$user:u-1"


def test_page_and_screen_carry_name_and_category() -> None:
    page = mapped("page", anonymousId="a", name="Home", category="Docs", properties={"url": "/"})
    screen = mapped("screen", anonymousId="a", name="Settings")

    assert (page["event"], page["properties"]) == (
        "page_view",
        {"url": "/", "name": "Home", "category": "Docs"},
    )
    assert (screen["event"], screen["properties"]) == ("screen_view", {"name": "Settings"})


def test_identify_traits_fit_the_lead_columns() -> None:
    event = mapped(
        "identify",
        userId="u",
        traits={"firstName": "Ada", "lastName": "Lovelace", "company": {"name": "AE", "id": 1}},
        context={"traits": {"plan": "pro", "company": "ignored"}},
    )

    assert event["traits"] == {
        "plan": "pro",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "company": "AE",
        "name": "Ada Lovelace",
    }
    assert "email" not in event


def test_group_sets_company_and_group_traits() -> None:
    event = mapped(
        "group", userId="u", groupId=7, traits={"name": "Initech", "email": "x@y.io", "plan": "e"}
    )

    assert event["traits"] == {"plan": "e", "groupId": "7", "company": "Initech"}
    assert event["properties"] == {"groupId": "7"} and "email" not in event


def test_alias_keys_the_previous_id_and_identifies_the_user() -> None:
    event = mapped("alias", previousId="anon-9", userId="u-9")

    assert (event["anonymousId"], event["userId"]) == ("anon-9", "u-9")
    assert event["properties"] == {"previousId": "anon-9"}


@pytest.mark.parametrize(
    ("call", "message", "field"),
    [
        ("track", {"anonymousId": "a"}, "event"),
        ("track", {"anonymousId": "a", "event": "!!!"}, "event"),
        ("track", {"event": "x"}, "userId"),
        ("track", {"anonymousId": "a", "event": "x", "properties": []}, "properties"),
        ("track", {"anonymousId": ["a"], "event": "x"}, "anonymousId"),
        ("track", {"userId": "u" * 256, "event": "x"}, "userId"),
        ("group", {"userId": "u"}, "groupId"),
        ("alias", {"userId": "u"}, "previousId"),
        ("alias", {"previousId": "p"}, "previousId"),
    ],
)
def test_unmappable_messages_name_the_segment_field(
    call: str, message: dict[str, Any], field: str
) -> None:
    with pytest.raises(SegmentFieldError) as caught:
        map_message(call, message, user_key=key)

    assert caught.value.field == field


@pytest.mark.parametrize(
    ("current", "holders", "action"),
    [
        (None, [], "claim"),
        (None, [2], "merge"),
        (None, [1], "keep"),  # a lead merged into this one holds the id
        ("u", [1], "keep"),
        ("other", [], "conflict"),
        ("other", [2], "conflict"),
    ],
)
def test_an_external_id_is_set_once_and_merges_like_an_email(
    current: str | None, holders: list[int], action: str
) -> None:
    assert (
        external_id_action(current=current, external_id="u", lead_id=1, holders=holders) == action
    )
