"""CSV export of a project's leads, streamed page by page.

The rows are fetched in keyset pages of ``EXPORT_PAGE`` leads ordered by (score desc, id
desc) on ``ix_leads_project_score``, each page in its own short session, and written to the
response as they come: memory stays flat whatever the project size, and no database
connection is held while the client reads. Filters are those of the list.

Formula injection: a text cell whose first visible character is ``= + - @`` (or their
full-width forms) — after any leading whitespace, Unicode spaces such as NBSP, line breaks or
zero-width characters, which spreadsheet programs skip — or that starts with a tab, carriage
return or line feed, is prefixed with a single quote, so it is shown as text, never run.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator, Sequence
from datetime import datetime

from sqlalchemy import and_, or_, select
from starlette.responses import StreamingResponse

from leadpulse.leads.service import LeadFilters, conditions
from leadpulse.store.db import Database
from leadpulse.store.models import Lead

EXPORT_PAGE = 1000
HEADER = ("Name", "Email", "Company", "Score", "Stage", "Velocity", "Last event", "Created")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
CONTROL_PREFIXES = ("\t", "\r", "\n")
# \s is every Unicode whitespace (NBSP, U+2000–U+200A, U+3000, line and paragraph
# separators…); the zero-width characters and the BOM are invisible too, but not \s.
_LEADING_BLANKS = re.compile(r"^[\s\u200b-\u200d\u2060\ufeff]+")


def escape_cell(value: str | None) -> str:
    """Neutralise a text cell a spreadsheet would read as a formula."""
    if value is None:
        return ""
    visible = _LEADING_BLANKS.sub("", value, count=1)
    if value.startswith(CONTROL_PREFIXES) or visible.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _stamp(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def csv_row(lead: Lead) -> list[str]:
    """Return the CSV cells of one lead, text cells escaped."""
    return [
        escape_cell(lead.name),
        escape_cell(lead.email),
        escape_cell(lead.company),
        str(lead.score),
        lead.stage,
        str(lead.velocity_score),
        _stamp(lead.last_event_at),
        _stamp(lead.created_at),
    ]


def _encode(rows: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


async def stream_csv(
    db: Database, *, project_id: int, filters: LeadFilters, page_size: int = EXPORT_PAGE
) -> AsyncIterator[str]:
    """Yield the CSV: the header, then one chunk per keyset page of leads."""
    yield _encode([HEADER])
    where = conditions(project_id=project_id, filters=filters)
    position: tuple[int, int] | None = None
    while True:
        query = select(Lead).where(*where)
        if position is not None:
            score, lead_id = position
            query = query.where(
                or_(Lead.score < score, and_(Lead.score == score, Lead.id < lead_id))
            )
        async with db.sessions() as session:
            page = list(
                await session.scalars(
                    query.order_by(Lead.score.desc(), Lead.id.desc()).limit(page_size)
                )
            )
        if not page:
            return
        yield _encode([csv_row(lead) for lead in page])
        if len(page) < page_size:
            return
        position = (page[-1].score, page[-1].id)


def csv_response(db: Database, *, project_id: int, filters: LeadFilters) -> StreamingResponse:
    """Return the streamed CSV download of the project's leads."""
    return StreamingResponse(
        stream_csv(db, project_id=project_id, filters=filters),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="leads.csv"'},
    )
