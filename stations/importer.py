"""CSV import of the station registration form (青年之家登记表) [A3.3.5].

Every row is validated first; errors are reported by line number and nothing is written unless the
whole file is valid. Then all stations are created in one transaction through services.create_station.

Columns (Chinese or English header; UTF-8, with or without BOM):
  站点名称/name, 所属组织/organization (slug, adcode or full name), 阵地类型/base_type
  (团属阵地|合作共建|公共场所 or league|partner|public), 批次/batch (1–3), 地址/address,
  纬度/latitude, 经度/longitude, 服务项目/services ("心理咨询:60:2|法律咨询:30:3" = name:minutes:places),
  服务时间/hours ("1-5 09:00-17:30; 6 09:00-12:00", 1 = Monday), 承载人数/capacity, 联系人/contact_person,
  联系电话/contact_phone, 站点管理员/admins (usernames or mobile numbers, "|"-separated),
  牌匾/has_plaque, 服务岗/has_service_desk, 电脑/has_computer (是/否, yes/no, 1/0).
"""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import Invalid
from organizations.models import PUBLISHING_ROLES, Organization
from organizations.permissions import can_act

from .domain.calendar import parse_hours
from .domain.geo import in_china

HEADERS = {
    "站点名称": "name", "所属组织": "organization", "阵地类型": "base_type", "批次": "batch", "地址": "address",
    "纬度": "latitude", "经度": "longitude", "服务项目": "services", "服务时间": "hours", "承载人数": "capacity",
    "联系人": "contact_person", "联系电话": "contact_phone", "站点管理员": "admins", "牌匾": "has_plaque",
    "服务岗": "has_service_desk", "电脑": "has_computer",
}
REQUIRED = ("name", "organization", "address", "latitude", "longitude", "services", "admins")
BASE_TYPES = {"团属阵地": "league", "合作共建": "partner", "公共场所": "public", "league": "league",
              "partner": "partner", "public": "public"}
YES = {"是", "有", "yes", "y", "true", "1"}
NO = {"否", "无", "no", "n", "false", "0", ""}
MAX_ROWS = 2000
MAX_BYTES = 2 * 1024 * 1024


@dataclass
class ImportReport:
    rows: list[dict] = field(default_factory=list)
    errors: dict[int, list[str]] = field(default_factory=dict)
    created: list = field(default_factory=list)

    def error(self, line: int, message: str):
        self.errors.setdefault(line, []).append(message)


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    if len(data) > MAX_BYTES:
        raise Invalid(_("The file is too large (2 MB at most)"))
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise Invalid(_("Cannot read the file: save it as UTF-8 CSV"))


def _find_org(value: str, orgs_by_key: dict):
    return orgs_by_key.get(value.strip())


def _parse_services(text: str) -> list[dict]:
    result = []
    for part in filter(None, (p.strip() for p in text.replace("｜", "|").split("|"))):
        bits = [b.strip() for b in part.replace("：", ":").split(":")]
        name = bits[0]
        try:
            minutes = int(bits[1]) if len(bits) > 1 and bits[1] else 60
            places = int(bits[2]) if len(bits) > 2 and bits[2] else 5
        except ValueError:
            raise ValueError(f"服务项目格式应为 名称:分钟:名额 “{part}” / service must be name:minutes:places") from None
        if not name or len(name) > 60 or not 15 <= minutes <= 480 or not 1 <= places <= 500:
            raise ValueError(f"服务项目无效“{part}” / invalid service '{part}'")
        result.append({"name": name, "duration_minutes": minutes, "slot_capacity": places})
    if not result:
        raise ValueError("至少填写一项服务 / at least one service")
    return result


def _bool(value: str, column: str):
    v = (value or "").strip().lower()
    if v in YES:
        return True
    if v in NO:
        return False
    raise ValueError(f"{column} 应填 是/否 / {column} must be yes or no")


def parse(actor, data: bytes | str) -> ImportReport:
    """Read and validate the whole file; no writes."""
    text = _decode(data)
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise Invalid(_("The file is empty"))
    columns = {h: HEADERS.get((h or "").strip(), (h or "").strip()) for h in reader.fieldnames}
    missing = [c for c in REQUIRED if c not in columns.values()]
    if missing:
        raise Invalid(_("Required columns are missing"), fields={"columns": missing})
    orgs = list(Organization.objects.filter(is_active=True))
    orgs_by_key = {}
    for o in orgs:
        for key in (o.slug, o.adcode, o.name, o.short_name):
            if key:
                orgs_by_key.setdefault(key, o)
    User = get_user_model()
    report = ImportReport()
    seen = set()
    from .models import StationPage

    for i, raw in enumerate(reader, start=2):  # line 1 is the header
        if i - 1 > MAX_ROWS:
            report.error(i, f"超过 {MAX_ROWS} 行上限 / more than {MAX_ROWS} rows")
            break
        row = {columns[k]: (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue
        for col in REQUIRED:
            if not row.get(col):
                report.error(i, f"缺少 {col} / {col} is required")
        org = _find_org(row.get("organization", ""), orgs_by_key) if row.get("organization") else None
        if row.get("organization") and org is None:
            report.error(i, f"未知的组织“{row['organization']}” / unknown organisation")
        elif org is not None and actor is not None and not can_act(actor, org, PUBLISHING_ROLES):
            report.error(i, f"无权为“{org.display_name}”登记站点 / not allowed for this organisation")
        out = {"organization": org, "title": row.get("name", "")[:255], "address": row.get("address", "")[:200],
               "contact_person": row.get("contact_person", "")[:40], "contact_phone": row.get("contact_phone", "")[:30]}
        try:
            lat, lng = Decimal(row.get("latitude") or "x"), Decimal(row.get("longitude") or "x")
            if not in_china(float(lat), float(lng)):
                report.error(i, "坐标不在中国境内 / coordinates outside China")
            out["latitude"], out["longitude"] = lat.quantize(Decimal("0.000001")), lng.quantize(Decimal("0.000001"))
        except InvalidOperation:
            if row.get("latitude") and row.get("longitude"):
                report.error(i, "坐标应为数字 / coordinates must be numbers")
        base = BASE_TYPES.get(row.get("base_type") or "团属阵地")
        if base is None:
            report.error(i, f"阵地类型无效“{row.get('base_type')}” / unknown base type")
        out["base_type"] = base
        try:
            out["batch"] = int(row.get("batch") or 1)
            if out["batch"] not in (1, 2, 3):
                raise ValueError
        except ValueError:
            report.error(i, "批次应为 1、2 或 3 / batch must be 1, 2 or 3")
        try:
            out["capacity"] = int(row.get("capacity") or 20)
            if out["capacity"] < 1:
                raise ValueError
        except ValueError:
            report.error(i, "承载人数应为正整数 / capacity must be a positive number")
        for key, fn in (("services", _parse_services), ("hours", parse_hours)):
            try:
                out[key] = fn(row.get(key, "")) if row.get(key) or key == "services" else {}
            except ValueError as exc:
                if row.get(key):
                    report.error(i, str(exc))
        checklist = {}
        for key in ("has_plaque", "has_service_desk", "has_computer"):
            try:
                checklist[key] = _bool(row.get(key, ""), key)
            except ValueError as exc:
                report.error(i, str(exc))
        out["checklist"] = checklist
        names = [n.strip() for n in row.get("admins", "").replace("｜", "|").split("|") if n.strip()]
        admins = list(User.objects.filter(Q(username__in=names) | Q(phone__in=names), is_active=True))
        found = {u.username for u in admins} | {u.phone for u in admins}
        unknown = [n for n in names if n not in found]
        if unknown:
            report.error(i, f"未知的站点管理员：{'、'.join(unknown)} / unknown administrators")
        out["admins"] = admins
        if org is not None and out["title"]:
            key = (org.pk, out["title"])
            if key in seen:
                report.error(i, "文件中重复的站点 / duplicate station in this file")
            elif StationPage.objects.filter(organization=org, title=out["title"]).exists():
                report.error(i, "该组织已有同名站点 / this organisation already has a station with that name")
            seen.add(key)
        report.rows.append({"line": i, **out})
    if not report.rows and not report.errors:
        raise Invalid(_("The file has no data rows"))
    return report


def import_stations(*, actor, data: bytes | str) -> ImportReport:
    """Validate every row, then create all stations in one transaction — or none."""
    from .services import create_station

    report = parse(actor, data)
    if report.errors:
        return report
    with transaction.atomic():
        for row in report.rows:
            fields = {k: v for k, v in row.items() if k != "line"}
            slug = f"st-{timezone.now():%y%m%d%H%M%S}-{row['line']}"
            report.created.append(create_station(actor=actor, slug=slug, **fields))
    return report
