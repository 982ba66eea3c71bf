"""Rate limits as pure rules over the settings table (settings.YV_RATE_LIMITS["kinds"]).

A row is {window in seconds: (limit for established users, limit for new users)}; None means no
limit for that group in that window. `exceeded` answers which window a write would break given the
counts already made in each window; `message` words the refusal (Chinese, English).
"""

from dataclasses import dataclass

# What each kind of write is called in a refusal (zh, en); unknown kinds read as "操作" / "actions".
LABELS = {
    "question": ("提问", "questions"),
    "answer": ("回答", "answers"),
    "comment": ("评论", "comments"),
    "like": ("点赞", "likes"),
    "report": ("举报", "reports"),
    "appeal": ("提交求助", "requests for help"),
    "application": ("申请加入联盟", "alliance applications"),
    "booking": ("预约", "bookings"),
    "signup": ("注册", "sign-ups"),
    "sms_code": ("获取验证码", "SMS codes"),
}


@dataclass(frozen=True)
class Breach:
    kind: str
    window: int  # seconds
    limit: int
    new_user: bool


def limits_for(row: dict, *, new_user: bool) -> dict[int, int]:
    """{window: limit} that apply to this user (windows without a limit for their group left out)."""
    column = 1 if new_user else 0
    return {int(w): pair[column] for w, pair in row.items() if pair[column] is not None}


def exceeded(kind: str, row: dict, counts: dict[int, int], *, new_user: bool) -> Breach | None:
    """The first window (shortest first) whose count already reached its limit: one more write
    would break it. `counts` maps a window to the writes made within it."""
    for window, limit in sorted(limits_for(row, new_user=new_user).items()):
        if counts.get(window, 0) >= limit:
            return Breach(kind, window, limit, new_user)
    return None


def _span(seconds: int) -> tuple[str, str]:
    if seconds % 86400 == 0:
        days = seconds // 86400
        return ("每天", "a day") if days == 1 else (f"每 {days} 天", f"per {days} days")
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return ("每小时", "an hour") if hours == 1 else (f"每 {hours} 小时", f"per {hours} hours")
    if seconds % 60 == 0:
        minutes = seconds // 60
        return ("每分钟", "a minute") if minutes == 1 else (f"每 {minutes} 分钟", f"per {minutes} minutes")
    return f"每 {seconds} 秒", f"per {seconds} seconds"


def message(breach: Breach) -> tuple[str, str]:
    zh_label, en_label = LABELS.get(breach.kind, ("操作", "actions"))
    zh_span, en_span = _span(breach.window)
    who_zh, who_en = ("新注册用户", "New accounts may make ") if breach.new_user else ("", "At most ")
    if breach.new_user:
        return (f"{who_zh}{zh_span}最多{zh_label} {breach.limit} 次，请稍后再试",
                f"{who_en}at most {breach.limit} {en_label} {en_span}; please try again later")
    return (f"操作太频繁：{zh_span}最多{zh_label} {breach.limit} 次，请稍后再试",
            f"{who_en}{breach.limit} {en_label} {en_span}; please try again later")
