"""Per-action configuration of automations, validated when saved and parsed when run.

- ``webhook``: ``{url, method: POST|PUT|PATCH = POST, headers ≤ 20}`` (no Host,
  Content-Length, Transfer-Encoding or Connection header — the client sets those; values
  are one line of printable ASCII);
- ``slack``: ``{webhookUrl}``, an https Slack incoming-webhook URL;
- ``email``: ``{recipients: 1–20 addresses, subject, body?}`` (only the project's members
  until the owner's account is verified: ``core.mailing``); subject and body are
  templates whose only placeholders are ``{name} {email} {score} {stage} {automation}``
  (no format specs or conversions);
- ``log``: ``{level: debug|info|warning|error = info}``.

Configs are stored in their camelCase JSON form.
"""

from __future__ import annotations

import re
import string
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, EmailStr, Field, StringConstraints, ValidationError

from leadpulse.api.schemas import StrictInput
from leadpulse.errors import InvalidInput, field_errors
from leadpulse.webhooks.schemas import Url

Action = Literal["webhook", "slack", "email", "log"]
PLACEHOLDERS = ("name", "email", "score", "stage", "automation")
MAX_HEADERS = 20
MAX_RECIPIENTS = 20
FORBIDDEN_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$")
# Visible ASCII, spaces and tabs: what every HTTP stack sends as is (RFC 9110 field-value).
_VALUE = re.compile(r"[\x20-\x7e\t]{0,1024}")


def check_template(template: str) -> str:
    """Accept a str.format template that uses only the known placeholders."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"invalid template: {exc}; write {{{{ and }}}} for braces") from exc
    allowed = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
    for _, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in PLACEHOLDERS:
            raise ValueError(f"unknown placeholder {{{field}}}; use {allowed}")
        if spec or conversion:
            raise ValueError(f"placeholder {{{field}}} may not have a format spec or conversion")
    return template


def render(template: str, values: dict[str, str]) -> str:
    """Fill a checked template; values are plain strings."""
    return template.format(**{name: values.get(name, "") for name in PLACEHOLDERS})


def _check_headers(headers: dict[str, str]) -> dict[str, str]:
    if len(headers) > MAX_HEADERS:
        raise ValueError(f"at most {MAX_HEADERS} headers")
    for name, value in headers.items():
        if not _TOKEN.match(name):
            raise ValueError(f"invalid header name {name!r}")
        if name.lower() in FORBIDDEN_HEADERS:
            raise ValueError(f"header {name} is set by LeadPulse and may not be configured")
        if not _VALUE.fullmatch(value):
            raise ValueError(
                f"header {name} must be one line of at most 1024 printable ASCII characters"
            )
    return headers


Template = Annotated[
    str, StringConstraints(min_length=1, max_length=200), AfterValidator(check_template)
]
BodyTemplate = Annotated[
    str, StringConstraints(min_length=1, max_length=5000), AfterValidator(check_template)
]


class WebhookConfig(StrictInput):
    """Call a URL with the firing as JSON."""

    url: Url
    method: Literal["POST", "PUT", "PATCH"] = "POST"
    headers: Annotated[dict[str, str], AfterValidator(_check_headers)] = Field(
        default_factory=dict, description=f"Extra request headers, at most {MAX_HEADERS}"
    )


class SlackConfig(StrictInput):
    """Post a readable message to a Slack incoming webhook."""

    webhook_url: Url


class EmailConfig(StrictInput):
    """Send an e-mail through the configured SMTP server."""

    recipients: Annotated[list[EmailStr], Field(min_length=1, max_length=MAX_RECIPIENTS)]
    subject: Template = "{automation}: {name} is {stage} ({score})"
    body: BodyTemplate | None = None


class LogConfig(StrictInput):
    """Write a structured log line only."""

    level: Literal["debug", "info", "warning", "error"] = "info"


ActionConfig = WebhookConfig | SlackConfig | EmailConfig | LogConfig
MODELS: dict[str, type[ActionConfig]] = {
    "webhook": WebhookConfig,
    "slack": SlackConfig,
    "email": EmailConfig,
    "log": LogConfig,
}


def parse_config(action: str, raw: dict[str, Any]) -> ActionConfig:
    """Validate ``raw`` as the config of ``action``; 422 naming ``body.config.<field>``."""
    try:
        return MODELS[action].model_validate(raw)
    except ValidationError as exc:
        errors = field_errors(exc.errors(), prefix="body.config")
        names = ", ".join(sorted({e.loc for e in errors}))
        raise InvalidInput(f"Invalid {action} config: {names}", errors) from exc


def stored(config: ActionConfig) -> dict[str, Any]:
    """Return the JSON form a config is stored and shown in."""
    return config.model_dump(by_alias=True, mode="json")
