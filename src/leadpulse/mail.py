"""Outgoing e-mail: SMTP (aiosmtplib) when configured, otherwise a structured log line."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib
import structlog

from leadpulse.config import Settings
from leadpulse.errors import Unavailable

log = structlog.get_logger("leadpulse.mail")


async def send_mail(settings: Settings, *, to: list[str], subject: str, body: str) -> None:
    """Send a plain-text message, or log it when no SMTP server is configured."""
    if not settings.smtp_host:
        log.info("mail_not_sent_no_smtp", to=to, subject=subject, body=body)
        return
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message.set_content(body)
    try:
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            start_tls=settings.smtp_starttls,
            timeout=10,
        )
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise Unavailable(f"SMTP delivery failed: {exc}") from exc
