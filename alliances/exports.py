"""CSV / XLSX export of expert statistics for appraisals [A2.5]."""

import csv
import io

from .domain.stats import format_duration

HEADERS = ["排名", "姓名", "职称", "所属组织", "回答数", "被采纳", "按时回答", "中位响应时间", "平均响应时间",
           "平均评分", "评分数", "收到邀请", "接受邀请", "邀请按时回答", "线下服务"]


def rows(ranked) -> list[list]:
    out = []
    for i, (expert, s) in enumerate(ranked, start=1):
        out.append([
            i, expert.real_name, expert.title, expert.organization.name if expert.organization_id else "",
            s.answers, s.accepted, s.on_time, format_duration(s.median_response_seconds),
            format_duration(s.mean_response_seconds), round(s.rating, 2) if s.rating is not None else "", s.ratings,
            s.invitations, s.invitations_accepted, s.invitations_answered_on_time, s.offline_services,
        ])
    return out


def _safe(value):
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def to_csv(ranked) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADERS)
    for row in rows(ranked):
        writer.writerow([_safe(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 Chinese correctly


def to_xlsx(ranked, title: str = "专家统计") -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(HEADERS)
    for row in rows(ranked):
        ws.append([_safe(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
