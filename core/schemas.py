"""Strict input types for the API's schemas (issue 11: fuzzing found pydantic's lax coercions).

pydantic's default ("lax") mode turns `false` into 0 for an integer field, `"5"` or `5.0` into 5, `1`
or `"yes"` into True for a boolean, and `0` (or `"0"`) into 1970-01-01 for a date: a client's mistake
becomes a silent, wrong write. Input schemas annotate their fields with these types instead:

- `StrictInt`, `StrictBool`: JSON bodies only (a JSON integer / `true`/`false`, nothing else). Query and
  path parameters arrive as text and keep plain `int` / `bool`.
- `Date`: `YYYY-MM-DD` text (body or query); `DateTime`: ISO 8601 date and time (`YYYY-MM-DDTHH:MM[:SS…]`,
  optional offset). No Unix timestamps, no other spellings.

The other half of strict input is in youthvoice/api.py: body schemas forbid undeclared fields and an
undeclared query parameter is a 422.
"""

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BeforeValidator, Strict
from pydantic_core import PydanticCustomError

StrictInt = Annotated[int, Strict()]
StrictBool = Annotated[bool, Strict()]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?", re.ASCII)


def _iso_date(value):
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value):
        return value  # pydantic checks that the day exists
    raise PydanticCustomError("date_format", "Date must be text in the form YYYY-MM-DD")


def _iso_datetime(value):
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATETIME.fullmatch(value):
        return value
    raise PydanticCustomError("datetime_format", "Date and time must be ISO 8601 text, YYYY-MM-DDTHH:MM[:SS][±HH:MM]")


Date = Annotated[date, BeforeValidator(_iso_date)]
DateTime = Annotated[datetime, BeforeValidator(_iso_datetime)]
