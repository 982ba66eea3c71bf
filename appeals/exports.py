"""Bulk export of appeal records, the form's fields in its order (CSV with BOM for Excel, or XLSX)."""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone

from .models import KIND_LABELS_ZH

COLUMNS = [
    ("编号", lambda a: a.reference),
    ("类别", lambda a: KIND_LABELS_ZH[a.kind]),
    ("状态", lambda a: a.state_label),
    ("行文日期", lambda a: a.filed_on.isoformat() if a.filed_on else ""),
    ("反映诉求的青年群体", lambda a: a.youth_group),
    ("统计时段起", lambda a: a.period_start.isoformat() if a.period_start else ""),
    ("统计时段止", lambda a: a.period_end.isoformat() if a.period_end else ""),
    ("主题帖数", lambda a: a.thread_count),
    ("反映诉求的用户姓名", lambda a: a.user_name),
    ("反映时间", lambda a: timezone.localtime(a.reported_at).strftime("%Y-%m-%d %H:%M") if a.reported_at else ""),
    ("跟帖数量", lambda a: a.reply_count),
    ("所在地", lambda a: a.location),
    ("诉求主题", lambda a: a.theme),
    ("诉求详情及开发运维组拟办意见", lambda a: a.details_and_proposal),
    ("综合协调组意见", lambda a: a.coordination_opinion),
    ("办理结果反馈", lambda a: a.result_feedback),
    ("团省委领导批示", lambda a: a.leader_instruction),
    ("办理组织", lambda a: a.organization.name),
    ("牵头单位", lambda a: a.lead_organization.name if a.lead_organization_id else ""),
    ("回访评价", lambda a: a.get_rating_display() if a.rating else ""),
]


def _safe(value):
    """Neutralise spreadsheet formulas in user text (CSV/XLSX injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value


def rows(queryset, viewer=None, request=None):
    """The export's rows. With a `viewer`, the requester's name follows the personal-data rule
    (accounts.selectors.reveal): masked outside the viewer's subtree, logged when shown in the clear."""
    from accounts.selectors import reveal

    from .permissions import can_see_requester

    qs = queryset.select_related("organization", "lead_organization", "requester__organization")
    for appeal in qs.iterator(chunk_size=500):
        if viewer is not None and appeal.user_name:
            appeal.user_name = reveal(viewer, appeal.requester, {"real_name": appeal.user_name},
                                      where="appeals:export", request=request, label=appeal.reference,
                                      allowed=can_see_requester(viewer, appeal))["real_name"]
        yield [_safe(get(appeal)) for _, get in COLUMNS]


def response(queryset, fmt: str, viewer=None, request=None) -> HttpResponse:
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("诉求")
        ws.append([name for name, _ in COLUMNS])
        for row in rows(queryset, viewer, request):
            ws.append(row)
        buf = io.BytesIO()
        wb.save(buf)
        resp = HttpResponse(buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        buf = io.StringIO()
        buf.write("\ufeff")
        writer = csv.writer(buf)
        writer.writerow([name for name, _ in COLUMNS])
        writer.writerows(rows(queryset, viewer, request))
        resp = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="appeals-{stamp}.{fmt}"'
    return resp
