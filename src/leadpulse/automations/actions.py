"""What each automation action does, given the stored config and the firing's payload.

Every action returns an ``AttemptResult`` (never raises): ``webhook`` and ``slack`` go
through the same SSRF-guarded transport as webhook deliveries (a webhook request carries
``Idempotency-Key: lp_exec_<execution id>``, the same on every retry); ``email`` goes through
``leadpulse.mail`` (SMTP; a missing SMTP server or a recipient ``core.mailing`` does not
allow is a permanent failure, an SMTP error a retryable one); ``log`` writes one structured
log line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
import structlog

from leadpulse.automations import configs
from leadpulse.config import Settings
from leadpulse.core.mailing import UNVERIFIED_HINT, MailPolicy, refused_recipients
from leadpulse.errors import InvalidInput, Unavailable
from leadpulse.mail import send_mail
from leadpulse.webhooks import transport
from leadpulse.webhooks.policy import AttemptResult

log = structlog.get_logger("leadpulse.automations")


@dataclass(frozen=True, slots=True)
class ActionContext:
    """What actions may use: settings and the shared outgoing HTTP client."""

    settings: Settings
    client: httpx.AsyncClient


def template_values(payload: dict[str, Any]) -> dict[str, str]:
    """Return the placeholder values of a firing (name falls back to email, then ids)."""
    lead = payload.get("lead") or {}
    name = (
        lead.get("name") or lead.get("email") or lead.get("anonymousId") or f"lead {lead.get('id')}"
    )
    return {
        "name": str(name),
        "email": str(lead.get("email") or ""),
        "score": str(payload.get("score", "")),
        "stage": str(payload.get("stage", "")),
        "automation": str((payload.get("automation") or {}).get("name", "")),
    }


def slack_text(payload: dict[str, Any]) -> str:
    """Write the Slack message of a firing."""
    v = template_values(payload)
    email = f" <{v['email']}>" if v["email"] and v["email"] != v["name"] else ""
    return (
        f"*{v['automation']}*: {v['name']}{email} is *{v['stage']}* "
        f"(score {v['score']}, velocity {payload.get('velocityScore', 0)}/10)"
    )


def email_body(payload: dict[str, Any]) -> str:
    """Write the default plain-text e-mail body of a firing."""
    v = template_values(payload)
    lead = payload.get("lead") or {}
    return (
        f'Automation "{v["automation"]}" fired for {v["name"]}.\n\n'
        f"Email: {v['email'] or '-'}\nStage: {v['stage']}\nScore: {v['score']}\n"
        f"Velocity: {payload.get('velocityScore', 0)}/10\nLead id: {lead.get('id')}\n"
        f"Fired at: {payload.get('firedAt')}\n"
    )


async def _webhook(
    ctx: ActionContext, cfg: configs.WebhookConfig, payload: dict[str, Any], key: str | None
) -> AttemptResult:
    # Retries resend the same key, so a receiver can drop the duplicates of at-least-once runs.
    extra = {"Idempotency-Key": key} if key else {}
    return await transport.send(
        ctx.client,
        method=cfg.method,
        url=cfg.url,
        headers={**cfg.headers, **extra, "Content-Type": "application/json"},
        content=json.dumps(payload, separators=(",", ":")).encode(),
        allow_private=ctx.settings.webhooks_allow_private,
    )


async def _slack(
    ctx: ActionContext, cfg: configs.SlackConfig, payload: dict[str, Any]
) -> AttemptResult:
    return await transport.send(
        ctx.client,
        method="POST",
        url=cfg.webhook_url,
        headers={"Content-Type": "application/json"},
        content=json.dumps({"text": slack_text(payload)}).encode(),
        allow_private=ctx.settings.webhooks_allow_private,
    )


async def _email(
    ctx: ActionContext, cfg: configs.EmailConfig, payload: dict[str, Any], mail: MailPolicy
) -> AttemptResult:
    refused = [cfg.recipients[i] for i in refused_recipients(cfg.recipients, mail)]
    if refused:  # checked on save too; the account or its owner may have changed since
        return AttemptResult(None, f"recipients {', '.join(refused)} refused: {UNVERIFIED_HINT}")
    if not ctx.settings.smtp_host:
        return AttemptResult(None, "no SMTP server is configured (LEADPULSE_SMTP_HOST)")
    values = template_values(payload)
    # A lead's name is user data: keep it from breaking the Subject header.
    subject = " ".join(configs.render(cfg.subject, values).split())
    body = configs.render(cfg.body, values) if cfg.body else email_body(payload)
    try:
        await send_mail(ctx.settings, to=list(cfg.recipients), subject=subject, body=body)
    except Unavailable as exc:
        return AttemptResult(None, exc.detail, retryable=True)
    return AttemptResult(None)


def _log(cfg: configs.LogConfig, payload: dict[str, Any]) -> AttemptResult:
    getattr(log, cfg.level)("automation_fired", **payload)
    return AttemptResult(None)


async def perform(
    ctx: ActionContext,
    *,
    action: str,
    config: dict[str, Any],
    payload: dict[str, Any],
    mail: MailPolicy,
    execution_id: int | None = None,
) -> AttemptResult:
    """Run one action once; a config that no longer parses fails permanently; e-mail goes
    only to the recipients ``mail`` allows."""
    try:
        cfg = configs.parse_config(action, config)
    except (InvalidInput, KeyError) as exc:
        return AttemptResult(None, f"invalid {action} config: {exc}")
    if isinstance(cfg, configs.WebhookConfig):
        key = f"lp_exec_{execution_id}" if execution_id is not None else None
        return await _webhook(ctx, cfg, payload, key)
    if isinstance(cfg, configs.SlackConfig):
        return await _slack(ctx, cfg, payload)
    if isinstance(cfg, configs.EmailConfig):
        return await _email(ctx, cfg, payload, mail)
    return _log(cfg, payload)
