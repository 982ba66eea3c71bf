"""Pagination for our API: ninja's classes with bounded inputs, so that absurd values are a 422
instead of a database overflow. Every list endpoint uses these; hand-made pages bound their offset
and limit with MAX_OFFSET and MAX_LIMIT, and counts and ids stored in integer columns with MAX_INT."""

from ninja import Field, Schema
from ninja.pagination import CursorPagination as NinjaCursorPagination
from ninja.pagination import LimitOffsetPagination as NinjaLimitOffsetPagination

MAX_LIMIT = 100
MAX_OFFSET = 1_000_000


class LimitOffsetPagination(NinjaLimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(20, ge=1, le=MAX_LIMIT, description=f"Items per page (at most {MAX_LIMIT})")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip")

    def __init__(self, **kwargs):
        kwargs.setdefault("max_limit", MAX_LIMIT)
        super().__init__(**kwargs)


class CursorPagination(NinjaCursorPagination):
    class Input(Schema):
        page_size: int | None = Field(None, ge=1, le=MAX_LIMIT, description=f"Items per page (at most {MAX_LIMIT})")
        cursor: str | None = Field(None, max_length=500, description="Opaque cursor from `next` or `previous`")


# Database integer ranges. An id or a count beyond them cannot exist: schemas bound such inputs so that
# they are a 422 (or, for path ids, simply not found) instead of a database overflow.
MAX_INT = 2**31 - 1  # IntegerField, PositiveIntegerField
MAX_BIGINT = 2**63 - 1  # BigAutoField primary keys
