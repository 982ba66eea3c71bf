"""Incremental export (/api/export/…) for the provincial big-data centre: client-credentials tokens
with the `export` scope (partners/export.py explains the cursor)."""

from typing import Any, Literal

from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from pydantic import Field

from core.errors import Invalid

from . import export

router = Router()


def token_scope(scope: str):
    """Marks an operation as token-only with `scope` (youthvoice.api applies it)."""

    def mark(view):
        view._yv_token_scope = scope
        return view

    return mark


class ChangeOut(Schema):
    seq: int
    op: Literal["I", "U", "D"] = Field(..., description="I insert, U update, D delete")
    id: int
    changed_at: Any
    row: dict | None = Field(None, description="The row now (null once deleted or outside your organisations)")


class ChangePage(Schema):
    table: str
    items: list[ChangeOut]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; keep it for the next sync")
    has_more: bool


class ChangesQuery(Schema):
    cursor: str | None = Field(None, max_length=60, pattern=r"^\d+\.\d+$")
    limit: int = Field(500, ge=1, le=export.PAGE_MAX)


@router.get("/{table}/changes", response=ChangePage, summary="What changed since a cursor (增量导出)")
@token_scope("export")
def changes(request, table: Literal["questions", "answers", "bookings", "stations", "appeals", "kpis"],
            params: Query[ChangesQuery]):
    partner = getattr(request, "oauth_partner", None)
    if partner is None:
        raise Invalid(_("This endpoint needs a partner's token"))
    paths = None if partner.trusted else [o.path for o in partner.organizations.all()]
    return export.page(table, params.cursor, params.limit, paths)
