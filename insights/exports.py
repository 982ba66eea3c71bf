"""CSV / XLSX export of every dashboard table, and the per-cadre yearly appraisal sheet [G4.2]."""

import csv
import io

ORG_COLUMNS = [
    ("period", "期间"), ("name", "组织"), ("rank", "排名"), ("score", "组织得分"),
    ("registered_users", "新注册用户"), ("active_users", "活跃用户（人次·日）"), ("questions", "提问数"),
    ("answer_rate", "回答率"), ("on_time_rate", "按时回答率"), ("first_response_median_min", "首次响应中位数（分钟）"),
    ("first_response_p90_min", "首次响应90分位（分钟）"), ("answers", "回答数"), ("staff_answer_share", "工作人员回答占比"),
    ("expert_answer_share", "专家回答占比"), ("peer_answer_share", "青年互助回答占比"), ("comments", "评论数"),
    ("outcomes_solved", "已解决"), ("outcomes_partly", "部分解决"), ("outcomes_not_solved", "未解决"),
    ("qa_satisfaction", "问答满意度（1–5）"), ("bookings", "站点预约"), ("bookings_completed", "已服务"),
    ("booking_on_time_rate", "预约按时响应率"), ("booking_satisfaction", "站点满意度（1–5）"),
    ("invitations_sent", "邀请回答"), ("invitations_accepted", "接受邀请"), ("alliance_joins", "新加入联盟"),
    ("expert_answers", "专家回答"), ("appeals_opened", "新诉求"), ("appeals_closed", "办结诉求"),
    ("appeals_on_time_rate", "诉求按时办结率"), ("appeals_sent_back", "诉求退回次数"),
    ("appeal_satisfaction_rate", "诉求回访满意率"), ("cadre_interactions", "团干部与青年互动"),
]

PERSON_COLUMNS = [
    ("period", "期间"), ("rank", "排名"), ("name", "姓名"), ("organization", "组织"), ("score", "贡献分"),
    ("answers", "回答数"), ("first_responses", "首次响应"), ("on_time", "按时响应"), ("on_time_rate", "按时率"),
    ("first_response_median_min", "响应中位数（分钟）"), ("first_response_p90_min", "响应90分位（分钟）"),
    ("accepted", "被采纳"), ("solved", "已解决"), ("partly", "部分解决"), ("not_solved", "未解决"),
    ("satisfaction", "满意度（1–5）"), ("ratings", "评价数"), ("comments", "评论"),
    ("invitations_received", "收到邀请"), ("invitations_accepted", "接受邀请"), ("invitations_declined", "谢绝邀请"),
    ("invitations_answered", "邀请已回答"), ("bookings_handled", "处理预约"), ("bookings_on_time", "按时处理预约"),
]

RATE_KEYS = {"answer_rate", "on_time_rate", "staff_answer_share", "expert_answer_share", "peer_answer_share",
             "booking_on_time_rate", "appeals_on_time_rate", "appeal_satisfaction_rate"}


def _cell(key, value):
    if value is None:
        return ""
    if key in RATE_KEYS and isinstance(value, float):
        return round(value * 100, 1)  # percent
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # no spreadsheet formulas from user text (CSV injection)
    return value


def table(rows: list[dict], columns) -> tuple[list[str], list[list]]:
    present = [(k, h) for k, h in columns if any(k in r for r in rows)] or list(columns)
    headers = [h + ("（%）" if k in RATE_KEYS else "") for k, h in present]
    return headers, [[_cell(k, r.get(k)) for k, _ in present] for r in rows]


def to_csv(headers, body) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers)
    writer.writerows(body)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(headers, body, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31] or "KPI"
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in body:
        ws.append(row)
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def appraisal_xlsx(*, person: dict, year: int, months: list[dict], total: dict, trainings, shifts: int) -> bytes:
    """One cadre's yearly appraisal sheet: who, the year's totals and score, month by month, training."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = f"{year}年度考核"
    bold = Font(bold=True)
    ws.append([f"青年之声 {year} 年度工作考核表"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["姓名", person["name"], "组织", person.get("organization", ""), "角色", person.get("roles", "")])
    ws.append(["贡献分", total["score"], "值班班次", shifts, "培训学时", float(sum(t.hours for t in trainings))])
    ws.append([])
    columns = [(k, h) for k, h in PERSON_COLUMNS if k not in ("rank", "name", "organization")]
    headers = [h + ("（%）" if k in RATE_KEYS else "") for k, h in columns]
    ws.append(headers)
    for cell in ws[ws.max_row]:
        cell.font = bold
    for m in [*[{**m, "period": m["period"].strftime("%Y-%m")} for m in months], {**total, "period": "全年"}]:
        ws.append([_cell(k, m.get(k)) for k, _ in columns])
    for cell in ws[ws.max_row]:
        cell.font = bold
    ws.append([])
    ws.append(["培训记录"])
    ws[f"A{ws.max_row}"].font = bold
    ws.append(["日期", "培训", "类型", "学时", "举办单位", "通过"])
    for t in trainings:
        ws.append([t.held_on.isoformat(), t.title, str(t.get_kind_display()), float(t.hours), t.provider,
                   "是" if t.passed else "否"])
    ws.append([])
    ws.append(["考核意见", "", "", "", "签字", ""])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
