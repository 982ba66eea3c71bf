"""Coverage against A3.2: each city ≥ 1 city-level station, each county ≥ 1 station, 东莞/中山/顺德
≥ 5 in total, one station per university; built in three batches."""

from dataclasses import dataclass, field

SPECIAL_MINIMUM = 5
SPECIAL_SLUGS = frozenset({"dongguan", "zhongshan", "shunde"})


@dataclass(frozen=True)
class Unit:
    """An organisation the requirement applies to, with its stations counted by batch.
    `own` counts stations of the organisation itself; `total` includes its sub-organisations."""

    org_id: int
    name: str
    kind: str  # city | county | university
    slug: str
    parent_id: int | None
    own_by_batch: dict[int, int] = field(default_factory=dict)
    total_by_batch: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    unit: Unit
    requirement: str
    required: int
    actual: int

    @property
    def gap(self) -> int:
        return max(0, self.required - self.actual)

    @property
    def met(self) -> bool:
        return self.gap == 0


def evaluate(units: list[Unit]) -> list[Row]:
    rows = []
    for u in units:
        if u.kind == "city" and u.slug in SPECIAL_SLUGS:
            rows.append(Row(u, "total>=5", SPECIAL_MINIMUM, sum(u.total_by_batch.values())))
        elif u.kind == "city":
            rows.append(Row(u, "city-level>=1", 1, sum(u.own_by_batch.values())))
        elif u.kind in ("county", "university"):
            rows.append(Row(u, f"{u.kind}>=1", 1, sum(u.total_by_batch.values())))
    return rows


def gaps(rows: list[Row]) -> list[Row]:
    return [r for r in rows if not r.met]
