"""Print a record as its official form of attachment 4 (A4 portrait, the form's table layout).

fpdf2 (pure Python, from PyPI) embeds a subset of a CJK OpenType font, so the PDF renders the same
everywhere. The font comes from Debian's `fonts-noto-cjk` (Noto Serif CJK SC, a 宋体-style face, as
official forms use); `APPEALS_PDF_FONT` in settings points elsewhere if needed,
as "path" or "path#index" for a font collection (.ttc).
"""

from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from fpdf import FPDF

from .models import Appeal, AppealKind

# Noto CJK collections hold JP, KR, SC, TC, HK in that order: index 2 is Simplified Chinese.
# One face only: subsetting a CJK CFF font costs seconds, so headings are drawn bold by stroking
# the regular face, and a rendered form is cached per record version.
DEFAULT_FONTS = ["/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc#2",
                 "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc#2"]
CACHE_SECONDS = 7 * 24 * 3600

TITLES = {
    AppealKind.COLLECTIVE: "广东“青年之声”平台集中诉求办理表",
    AppealKind.INDIVIDUAL: "广东“青年之声”平台帮扶个案办理表",
}
OPINIONS = [
    ("details_and_proposal", "诉求详情及开发运维组拟办意见："),
    ("coordination_opinion", "综合协调组意见："),
    ("result_feedback", "办理结果反馈（由牵头办理的部门或地市/高校填写）："),
    ("leader_instruction", "团省委领导批示："),
]
MIN_OPINION_LINES = 5


def _font() -> tuple[str, int]:
    configured = getattr(settings, "APPEALS_PDF_FONT", "")
    for spec in ([configured] if configured else []) + DEFAULT_FONTS:
        path, _, index = spec.partition("#")
        if Path(path).is_file():
            return path, int(index or 0)
    raise ImproperlyConfigured(
        "No CJK font for appeal forms: install Debian's fonts-noto-cjk or set APPEALS_PDF_FONT"
    )


def _date(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "    年   月  日"


def _pad(text: str, lines: int) -> str:
    text = (text or "").strip()
    missing = lines - text.count("\n") - 1
    return text + "\n" * max(missing, 0)


def user_name_for_form(appeal: Appeal) -> str:
    """用户姓名 as the form wants it: the requester's real name when known (the platform records it at
    real-name verification, or the youth gave it), else the name recorded with the case — never the
    login name, which is no name (an unnamed requester reads 未实名 with their public nickname)."""
    requester = appeal.requester
    if requester is None:
        return appeal.user_name
    if requester.real_name:
        return requester.real_name
    if appeal.user_name and appeal.user_name not in (requester.username, requester.display_name):
        return appeal.user_name
    return f"未实名（平台昵称：{requester.public_name}）"


def opinion_text(appeal: Appeal, field: str) -> str:
    """The text of an opinion cell. The first is "诉求详情及开发运维组拟办意见": the youth's own
    description (`details`, what they wrote) and then the operations group's proposal."""
    text = getattr(appeal, field) or ""
    if field == "details_and_proposal" and (appeal.details or "").strip():
        details = appeal.details.strip()
        if details not in text:
            text = f"诉求详情：{details}" + (f"\n拟办意见：{text.strip()}" if text.strip() else "")
    return text


def form_rows(appeal: Appeal, *, user_name: str | None = None) -> list[tuple[str, str]]:
    """The header cells of the form, label then value, in the form's order (also used by the tests).
    `user_name` overrides 用户姓名 (the personal-data rule may mask it for the viewer)."""
    if appeal.kind == AppealKind.COLLECTIVE:
        period = ""
        if appeal.period_start or appeal.period_end:
            period = f"{_date(appeal.period_start)}\n至{_date(appeal.period_end)}"
        return [
            ("反映诉求的\n青年群体", appeal.youth_group),
            ("统计时段", period),
            ("主题帖数", "" if appeal.thread_count is None else str(appeal.thread_count)),
            ("青年群体所在地", appeal.location),
            ("诉求主题", appeal.theme),
        ]
    reported = timezone.localtime(appeal.reported_at).strftime("%Y年%m月%d日 %H:%M") if appeal.reported_at else ""
    return [
        ("反映诉求的\n用户姓名", user_name_for_form(appeal) if user_name is None else user_name),
        ("反映时间", reported),
        ("跟帖数量", "" if appeal.reply_count is None else str(appeal.reply_count)),
        ("用户所在地", appeal.location),
        ("诉求主题", appeal.theme),
    ]


def render_form(appeal: Appeal, *, user_name: str | None = None) -> bytes:
    """The form as PDF bytes, cached per record version and printed name (the archived record never
    changes). `user_name`: 用户姓名 as the viewer may see it (default: `user_name_for_form`)."""
    import hashlib

    name = user_name_for_form(appeal) if user_name is None else user_name
    tag = hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()[:12]
    key = (f"appeals:form-pdf:{appeal.pk}:{appeal.version}:{appeal.updated_at.timestamp() if appeal.updated_at else 0}"
           f":{tag}")
    data = cache.get(key)
    if data is None:
        data = build_form(appeal, user_name=name)
        cache.set(key, data, CACHE_SECONDS)
    return data


def build_form(appeal: Appeal, *, user_name: str | None = None) -> bytes:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=18)
    path, index = _font()
    pdf.add_font("cjk", "", path, collection_font_number=index)
    pdf.set_title(f"{TITLES[appeal.kind]} {appeal.reference}")
    pdf.set_creator("青年之声 Youth Voice")
    pdf.add_page()

    pdf.set_font("cjk", size=9)
    pdf.cell(0, 5, f"编号：{appeal.reference}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=18)
    with pdf.local_context(text_mode="FILL_STROKE", line_width=0.35):
        pdf.cell(0, 12, TITLES[appeal.kind], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("cjk", size=12)
    pdf.cell(0, 8, f"行文日期：{_date(appeal.filed_on)}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)

    rows = form_rows(appeal, user_name=user_name)
    pdf.set_font("cjk", size=11)
    with pdf.table(
        col_widths=(22, 18, 12, 22, 12, 14), line_height=6, padding=2, text_align="LEFT",
        first_row_as_headings=False, v_align="MIDDLE",
    ) as table:
        row = table.row()
        for name, value in rows[:3]:
            row.cell(name, align="CENTER")
            row.cell(value)
        for name, value in rows[3:]:
            row = table.row()
            row.cell(name, align="CENTER")
            row.cell(value, colspan=5)
        for field, caption in OPINIONS:
            row = table.row()
            row.cell(f"{caption}\n{_pad(opinion_text(appeal, field), MIN_OPINION_LINES)}", colspan=6, v_align="TOP")
    pdf.ln(3)
    pdf.set_font("cjk", size=11)
    pdf.cell(0, 7, "    请退回综合协调组存档。", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
