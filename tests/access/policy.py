"""The access policy of the platform, as a table: for every API operation and every admin view our
apps register, which columns (who) are let through. The access-matrix test
(tests/test_access_matrix.py) calls every cell and compares; docs/access-matrix.md is generated from
this file (`python -m tests.access.policy > docs/access-matrix.md`).

Columns (see tests/access/world.py): anonymous; `author` — the youth who owns the resources (asked
the question, booked, raised the appeal, gets the notification); `youth` — another youth; `expert` —
an alliance expert (invited to answer, member of the alliance); `station` — the station's
administrator; `ops` — the appeal operations group of the organisation; and, for `admin`
(org_admin), `liaison` and `moderator`, staff of the resource's own organisation (广州), its parent
(广东), a sibling (深圳) and a child (天河区). Every resource belongs to the own organisation.

A rule names the columns that are allowed; every other column must be refused (API: 401/403/404;
admin: a redirect to the login page or the dashboard, 403 or 404). For writes an allowed column only
has to get past the permission check (400/409/422 from the business rules are fine). `sees` turns
a list into a check on personal data: the column is allowed only when the world's resource is in the
list it gets back.
"""

from dataclasses import dataclass

from .world import COLUMNS, PEOPLE, POSITIONS

SUBTREE = "own parent"  # the resource's organisation and its ancestors: the staff who may act on it
ANYWHERE = " ".join(POSITIONS)  # staff of any organisation (a list scoped to their own subtree, a report…)
MODERATION = "admin liaison moderator"  # organizations.models.MODERATION_ROLES
PUBLISHING = "admin liaison"  # PUBLISHING_ROLES (the liaison officer runs the branch)


def staff(roles: str = "admin liaison moderator", where: str = SUBTREE) -> frozenset:
    return frozenset(f"{r}@{p}" for r in roles.split() for p in where.split())


def people(names: str) -> frozenset:
    assert set(names.split()) <= set(PEOPLE), names
    return frozenset(names.split())


ANYONE = frozenset(COLUMNS)
USERS = ANYONE - {"anon"}
NOBODY = frozenset()  # superusers (and, for model-permission viewsets, a group granted them) only
PROVINCE_MODERATORS = staff(MODERATION, "parent")  # the province's word lists
PROVINCE_ADMINS = staff("admin", "parent")  # the working calendar (holidays, the yearly schedule import)


@dataclass(frozen=True)
class Rule:
    allow: frozenset
    body: dict | None = None  # JSON for API writes (ids filled from the world: "$question_id")
    query: str = ""
    sees: str = ""  # world id that must appear in the (list) response for the column to count as allowed
    note: str = ""


def R(allow, body=None, *, query="", sees="", note=""):
    return Rule(frozenset(allow), body, query, sees, note)


API = {
    # ---- organisations: the tree is public; its administrators edit their subtree
    "GET /api/organizations/": R(ANYONE),
    "GET /api/organizations/{org_id}/": R(ANYONE),
    "PATCH /api/organizations/{org_id}/": R(staff("admin"), {"short_name": "广州市"}),
    # ---- accounts: joining and resetting a password are for everybody (bad input: 4xx, nothing written)
    "POST /api/accounts/sms-code/": R(ANYONE, {"phone": "1", "purpose": "signup"}, note="rate-limited per number and address"),
    "POST /api/accounts/signup/": R(ANYONE, {"phone": "1", "code": "000000", "password": "x", "display_name": "x",
                                            "organization_id": 1, "birth_year": 2000, "agree_privacy": True}),
    "POST /api/accounts/password-reset/": R(ANYONE, {"phone": "1", "code": "000000", "password": "x"}),
    # ---- Q&A: reading is public, posting needs an account, the question's staff run it
    "GET /api/community/questions/": R(ANYONE),
    "POST /api/community/questions/": R(USERS, {"title": "毕业生档案应该转到哪里", "domain": "employment",
                                                "body": "刚毕业还没找到工作。"}),
    "GET /api/community/questions/{question_id}/": R(ANYONE),
    "GET /api/community/questions/{question_id}/related/": R(ANYONE),
    "POST /api/community/questions/{question_id}/answers/": R(USERS, {"body": "建议先咨询当地人社部门的劳动监察大队。"}),
    "POST /api/community/questions/{question_id}/comments/": R(USERS, {"body": "同问，谢谢"}),
    "POST /api/community/questions/{question_id}/like/": R(USERS),
    "DELETE /api/community/questions/{question_id}/like/": R(USERS),
    "POST /api/community/questions/{question_id}/follow/": R(USERS),
    "DELETE /api/community/questions/{question_id}/follow/": R(USERS),
    "POST /api/community/answers/{answer_id}/accept/": R(people("author")),
    "POST /api/community/questions/{question_id}/outcome/": R(people("author"), {"outcome": "solved", "rating": 5}),
    "POST /api/community/questions/{question_id}/invitations/": R(
        people("author") | staff(PUBLISHING), {"invitee_id": "$expert_user_id"}),
    "GET /api/community/questions/{question_id}/suggestions/": R(staff("admin liaison")),
    "POST /api/community/questions/{question_id}/invitations/suggested/": R(
        staff("admin liaison"), {"expert_ids": ["$expert_id"]}),
    "POST /api/community/questions/{question_id}/referrals/": R(
        staff("admin liaison"), {"station_id": "$station_id", "note": "可到站点当面咨询"}),
    "GET /api/community/invitations/": R(people("expert"), sees="invitation_id"),
    "POST /api/community/invitations/{invitation_id}/respond/": R(people("expert"), {"accept": True}),
    "POST /api/community/questions/{question_id}/transfer/": R(
        staff("admin liaison"), {"to_organization_id": "$child_org_id", "reason": "属地问题，转天河区团委办理"}),
    "POST /api/community/questions/{question_id}/decline/": R(staff("admin liaison"), {"reason": "不属于服务范围"}),
    "POST /api/community/questions/{question_id}/feature/": R(staff(PUBLISHING), {"featured": True}),
    "GET /api/community/mine/": R(people("author"), sees="question_id"),
    "GET /api/community/queue/": R(staff(PUBLISHING), sees="question_id"),
    "GET /api/community/users/{user_id}/stats/": R(ANYONE, note="public points and counts, no personal data"),
    # ---- editorial content: sign-ups are personal data of the activity's branch
    "GET /api/content/activities/{activity_id}/signup": R(ANYONE),
    "POST /api/content/activities/{activity_id}/signup": R(USERS, {"name": "李青", "phone": "13912345678"}),
    "DELETE /api/content/activities/{activity_id}/signup": R(people("author"), note="cancels one's own sign-up"),
    "GET /api/content/activities/{activity_id}/signups": R(staff(PUBLISHING)),
    "GET /api/content/contests/{contest_id}/voting": R(ANYONE),
    "POST /api/content/contests/{contest_id}/votes": R(USERS, {"candidate_id": "$candidate_id"}),
    "POST /api/content/pages/{page_id}/view": R(ANYONE),
    # ---- stations: public directory; a booking is its youth's and its station's business
    "GET /api/stations/": R(ANYONE),
    "GET /api/stations/nearest": R(ANYONE, query="lat=23.13&lng=113.26"),
    "GET /api/stations/map": R(ANYONE),
    "GET /api/stations/{station_id}": R(ANYONE),
    "GET /api/stations/{station_id}/slots": R(ANYONE),
    "GET /api/stations/{station_id}/ratings": R(ANYONE),
    "GET /api/stations/bookings": R(people("author"), sees="booking_id"),
    "POST /api/stations/bookings": R(USERS, {"slot_id": "$slot_id"}),
    "GET /api/stations/bookings/managed": R(people("station") | staff(PUBLISHING), sees="booking_id"),
    "GET /api/stations/coverage": R(staff(where=ANYWHERE), note="province-wide counts of public stations"),
    "POST /api/stations/bookings/{booking_id}/confirm": R(people("station") | staff(PUBLISHING)),
    "POST /api/stations/bookings/{booking_id}/decline": R(people("station") | staff(PUBLISHING), {"reason": "当天名额已满"}),
    "POST /api/stations/bookings/{booking_id}/cancel": R(people("author")),
    "POST /api/stations/bookings/{booking_id}/result": R(people("station") | staff(PUBLISHING), {"result": "已完成咨询"}),
    "POST /api/stations/bookings/{booking_id}/rating": R(people("author"), {"score": 5, "comment": "很耐心"}),
    "POST /api/stations/referrals": R(staff(PUBLISHING), {
        "question_id": "$question_id", "asker_id": "$author_id", "station_id": "$station_id"}),
    # ---- alliances: public directory; the alliance's organisation runs its memberships
    "GET /api/alliances/": R(ANYONE),
    "GET /api/alliances/{alliance_id}/": R(ANYONE),
    "GET /api/alliances/experts": R(ANYONE),
    "GET /api/alliances/experts/{expert_id}/": R(ANYONE, note="contact fields only when the expert made them public"),
    "GET /api/alliances/experts/{expert_id}/statistics": R(ANYONE),
    "GET /api/alliances/experts/{expert_id}/staff": R(staff(PUBLISHING), note="ID number, staff notes"),
    "GET /api/alliances/experts/me": R(people("expert")),
    "PATCH /api/alliances/experts/me": R(people("expert"), {"title": "执业律师"}),
    "GET /api/alliances/member-organizations": R(ANYONE),
    "GET /api/alliances/suggestions": R(staff(where=ANYWHERE), query="domain=legal"),
    "GET /api/alliances/demand": R(people("expert") | staff(where=ANYWHERE)),
    "GET /api/alliances/memberships": R(staff(PUBLISHING), sees="membership_id"),
    "GET /api/alliances/memberships/mine": R(people("expert"), sees="membership_id"),
    "POST /api/alliances/memberships/{membership_id}/decision": R(staff(PUBLISHING), {"approve": True}),
    "POST /api/alliances/memberships/{membership_id}/response": R(people("expert"), {"accept": True}),
    "POST /api/alliances/memberships/{membership_id}/suspend": R(staff(PUBLISHING), {"reason": "长期未回答"}),
    "POST /api/alliances/memberships/{membership_id}/reinstate": R(staff(PUBLISHING), {"reason": "恢复"}),
    "POST /api/alliances/memberships/{membership_id}/remove": R(staff(PUBLISHING), {"reason": "本人申请退出"}),
    "POST /api/alliances/{alliance_id}/applications": R(USERS, {
        "real_name": "张律", "title": "律师", "domains": ["legal"], "credentials": "律师执业证 1440"}),
    "POST /api/alliances/{alliance_id}/invitations": R(staff(PUBLISHING), {"expert_id": "$expert_id"}),
    "GET /api/alliances/{alliance_id}/statistics": R(staff(PUBLISHING)),
    # ---- appeals: the appeal handlers of the organisation; the youth sees their own case
    "GET /api/appeals/": R(people("ops"), sees="appeal_id"),
    "POST /api/appeals/collective/": R(people("ops"), {
        "organization_id": "$org_id", "theme": "外卖骑手社保", "youth_group": "外卖骑手"}),
    "POST /api/appeals/individual/": R(people("ops"), {"organization_id": "$org_id", "theme": "欠薪", "user_name": "李青"}),
    "GET /api/appeals/export.{fmt}": R(people("ops")),
    "GET /api/appeals/{appeal_id}/": R(people("ops")),
    "PATCH /api/appeals/{appeal_id}/": R(people("ops"), {"youth_group": "实习生"}),
    "GET /api/appeals/{appeal_id}/form.pdf": R(people("ops")),
    "POST /api/appeals/{appeal_id}/transitions/{name}/": R(people("ops"), {"comment": "已电话核实"}),
    "POST /api/appeals/mine/": R(USERS, {"theme": "求职被骗", "details": "交了培训费之后公司就联系不上了。", "consent": True}),
    "GET /api/appeals/mine/": R(people("author"), sees="appeal_id"),
    "GET /api/appeals/mine/{appeal_id}/": R(people("author")),
    "POST /api/appeals/mine/{appeal_id}/rate/": R(people("author"), {"rating": "satisfied"}),
    "POST /api/appeals/mine/{appeal_id}/withdraw/": R(people("author"), {"reason": "问题已经解决"}),
    # ---- search: public
    "GET /api/search/": R(ANYONE, query="q=劳动合同"),
    "GET /api/search/suggest": R(ANYONE, query="q=劳动"),
    "GET /api/search/similar": R(ANYONE, query="q=公司不签劳动合同"),
    # ---- notifications: one's own
    "GET /api/notifications/": R(people("author"), sees="notification_id"),
    "GET /api/notifications/unread-count/": R(USERS),
    "POST /api/notifications/read/": R(USERS, {"ids": None}),
    # ---- moderation: reports from anyone logged in; the organisation's moderators decide
    "POST /api/moderation/reports/": R(USERS, {"content_kind": "question", "object_id": "$question_id", "reason": "spam"}),
    "GET /api/moderation/queue/": R(staff(MODERATION), sees="case_id"),
    "GET /api/moderation/queue/{case_id}/": R(staff(MODERATION)),
    "POST /api/moderation/queue/{case_id}/decision/": R(staff(MODERATION), {"action": "approve", "reason": "未违规"}),
    "POST /api/moderation/queue/bulk/": R(staff(MODERATION, ANYWHERE), {"action": "approve", "ids": ["$case_id"]},
                                          note="moderators anywhere; cases outside their subtree are skipped"),
    "POST /api/moderation/sanctions/": R(staff(MODERATION), {
        "user_id": "$youth_id", "organization_id": "$org_id", "kind": "mute", "hours": 24, "reason": "刷屏"}),
    "GET /api/moderation/sanctions/": R(staff(MODERATION), sees="sanction_id"),
    "POST /api/moderation/sanctions/{sanction_id}/lift/": R(staff(MODERATION), {"reason": "申诉成立"}),
    "GET /api/moderation/alerts/": R(staff(MODERATION), sees="alert_id"),
    "GET /api/moderation/alerts/{alert_id}/": R(staff(MODERATION)),
    "POST /api/moderation/alerts/{alert_id}/steps/": R(staff(MODERATION), {"step": "verify"}),
    "POST /api/moderation/words/import/": R(PROVINCE_MODERATORS, {"data": "测试违禁词"}),
    # ---- incremental export: a partner's client-credentials token with `export`, never a session
    "GET /api/export/{table}/changes": R(NOBODY, note="bearer tokens only (docs/partners.md)"),
    # ---- insights: KPIs of an organisation and its subtree, for its staff (any role) and those above
    "GET /api/insights/orgs/{org_id}/kpis": R(staff(), query="from=2026-01-01&to=2026-01-31"),
    "GET /api/insights/orgs/{org_id}/children": R(staff(), query="from=2026-01-01&to=2026-01-31"),
    "GET /api/insights/orgs/{org_id}/people": R(staff(), query="from=2026-01-01&to=2026-01-31"),
}

# Admin views. Wagtail's standard views of a ModelViewSet/SnippetViewSet, by kind.
INDEX, ADD, INSTANCE = ("", "results/"), ("new/",), ("edit/<int:pk>/", "delete/<int:pk>/", "history/<int:pk>/",
                                                     "history-results/<int:pk>/", "usage/<int:pk>/")
SNIPPET_ADD = ("add/",)
CHOOSER = ("", "results/", "chosen/<str:pk>/", "chosen-multiple/", "create/")


def viewset(prefix, *, index, add, instance, copy=True, inspect=None, add_urls=ADD):
    rows = {f"/admin/{prefix}/{s}": R(index) for s in INDEX}
    rows.update({f"/admin/{prefix}/{s}": R(add) for s in add_urls})
    rows.update({f"/admin/{prefix}/{s}": R(instance) for s in INSTANCE})
    if copy:
        rows[f"/admin/{prefix}/copy/<int:pk>/"] = R(add)
    if inspect is not None:
        rows[f"/admin/{prefix}/inspect/<int:pk>/"] = R(inspect)
    return rows


def chooser(prefix, *, choose, create):
    rows = {f"/admin/snippets/choose/{prefix}/{s}": R(choose) for s in CHOOSER}
    rows[f"/admin/snippets/choose/{prefix}/create/"] = R(create)
    return rows


ALL_STAFF = staff(where=ANYWHERE)
ADMIN = {
    # Organisations: staff see their subtree, its administrators edit it; the tree is made in code.
    **viewset("organizations", index=ALL_STAFF, add=NOBODY, instance=staff("admin"), inspect=staff()),
    "/admin/organizations/delete/<int:pk>/": R(NOBODY),
    # Rosters (admins and liaisons of the subtree) and staff memberships (its administrators).
    **viewset("roster", index=ALL_STAFF, add=staff(PUBLISHING, ANYWHERE), instance=staff(PUBLISHING), copy=False),
    **viewset("staff", index=ALL_STAFF, add=staff("admin", ANYWHERE), instance=staff("admin"), copy=False),
    # Q&A workbench: answering staff; tags are province business (model permissions).
    "/admin/qa/queue/": R(staff(PUBLISHING, ANYWHERE)),
    "/admin/qa/overdue/": R(staff(PUBLISHING, ANYWHERE)),
    **viewset("calendar", index=PROVINCE_ADMINS, add=PROVINCE_ADMINS, instance=PROVINCE_ADMINS),
    # The working calendar: a year at a glance and the yearly schedule import (issue 22).
    "/admin/calendar/year/": R(PROVINCE_ADMINS),
    "/admin/calendar/year/<int:year>/": R(PROVINCE_ADMINS),
    "/admin/calendar/import/": R(PROVINCE_ADMINS),
    **viewset("qa_tags", index=NOBODY, add=NOBODY, instance=NOBODY),
    # Editors pick featured questions from the public questions (nothing there is not already public).
    **{f"/admin/home/question-chooser/{s}": R(ALL_STAFF | people("ops"), note="public questions only; every admin user")
       for s in ("", "results/", "chosen/<str:pk>/", "chosen-multiple/")},
    "/admin/home/question-chooser/create/": R(NOBODY, note="questions are asked on the site, not in the admin"),
    # Insights: every staff member sees the dashboard and staff list of their own subtree; a person's
    # page and appraisal sheet to those who act on one of the person's organisations.
    "/admin/insights/": R(ALL_STAFF, note="scoped to the viewer's subtree"),
    "/admin/insights/staff/": R(ALL_STAFF, note="scoped to the viewer's subtree"),
    "/admin/insights/staff/<int:user_id>/": R(staff()),
    "/admin/insights/staff/<int:user_id>/appraisal-<int:year>.xlsx": R(staff()),
    **viewset("insights_training", index=ALL_STAFF, add=staff(PUBLISHING, ANYWHERE), instance=staff(PUBLISHING),
              copy=False),
    # Promotion work: as training records. Awards rounds: every staff member lists those of their
    # subtree (and may open one for an organisation they administer); a round's page for the staff of
    # its organisation and those above (the parent approves there).
    **viewset("insights_promotion", index=ALL_STAFF, add=staff(PUBLISHING, ANYWHERE), instance=staff(PUBLISHING),
              copy=False),
    "/admin/insights/awards/": R(ALL_STAFF, note="scoped to the viewer's subtree"),
    "/admin/insights/awards/<int:round_id>/": R(staff()),
    # Wagtail's user admin, with our forms (accounts.admin_users): Django's user permissions (superusers or
    # groups granted them), and then only the users of the admin's subtree (tests/accounts/test_cadres.py).
    **viewset("users", index=NOBODY, add=NOBODY, instance=NOBODY),
    # The personal-data access log: read-only, for the province's administrators (and superusers).
    **viewset("personal_data_access", index=staff("admin", "parent"), add=NOBODY, instance=NOBODY,
              inspect=staff("admin", "parent")),
    # Stations: the coverage report and the CSV import (each row checked against the subtree).
    "/admin/stations/coverage/": R(ALL_STAFF, note="province-wide counts of public stations"),
    "/admin/stations/import/": R(ALL_STAFF, note="each row is checked against the importer's subtree"),
    # Alliances' experts, member organisations, memberships: model permissions (every staff column
    # holds view/change/delete through a group, nobody add) AND the subtree: lists scoped, inspect for
    # the subtree's staff, edit/delete/history/usage for its administrators and liaison officers.
    **viewset("experts", index=ALL_STAFF, add=NOBODY, instance=staff(PUBLISHING), inspect=staff()),
    **viewset("member_organizations", index=ALL_STAFF, add=NOBODY, instance=staff(PUBLISHING)),
    **viewset("alliance_memberships", index=ALL_STAFF, add=NOBODY, instance=staff(PUBLISHING), inspect=staff()),
    # Appeals: the handlers' workbench; handler roles and step deadlines are model permissions.
    "/admin/appeals/": R(people("ops")),
    "/admin/appeals/<int:pk>/": R(people("ops")),
    "/admin/appeals/<int:pk>/form.pdf": R(people("ops")),
    "/admin/appeals/export.<str:fmt>": R(people("ops")),
    "/admin/appeals/<int:pk>/step/<slug:name>/": R(people("ops"), {"comment": "已电话核实"}),
    **viewset("appeal_handlers", index=NOBODY, add=NOBODY, instance=NOBODY),
    **viewset("appeal_step_deadlines", index=NOBODY, add=NOBODY, instance=NOBODY),
    # Moderation: the queue and alerts of the subtree; the word lists are the province moderators'.
    "/admin/moderation/queue/": R(staff(MODERATION, ANYWHERE)),
    "/admin/moderation/queue/bulk/": R(staff(MODERATION, ANYWHERE), {"ids": "$case_id", "action": "approve"}),
    "/admin/moderation/cases/<int:case_id>/": R(staff(MODERATION)),
    "/admin/moderation/alerts/": R(staff(MODERATION, ANYWHERE)),
    "/admin/moderation/alerts/<int:alert_id>/": R(staff(MODERATION)),
    "/admin/moderation/alerts/<int:alert_id>/appeal/": R(
        staff(MODERATION), note="the alert's staff pass; appeals then require the operations group (a message)"),
    "/admin/moderation/words/import/": R(PROVINCE_MODERATORS),
    **viewset("snippets/moderation/sensitiveword", index=PROVINCE_MODERATORS, add=PROVINCE_MODERATORS,
              instance=PROVINCE_MODERATORS, add_urls=SNIPPET_ADD),
    **chooser("moderation/sensitiveword", choose=PROVINCE_MODERATORS, create=PROVINCE_MODERATORS),
    **viewset("snippets/moderation/allowedword", index=PROVINCE_MODERATORS, add=PROVINCE_MODERATORS,
              instance=PROVINCE_MODERATORS, add_urls=SNIPPET_ADD),
    **chooser("moderation/allowedword", choose=PROVINCE_MODERATORS, create=PROVINCE_MODERATORS),
    # Search dictionary and the League's service links: model permissions.
    **viewset("snippets/yvsearch/dictionaryterm", index=NOBODY, add=NOBODY, instance=NOBODY, add_urls=SNIPPET_ADD),
    **viewset("snippets/home/servicelink", index=NOBODY, add=NOBODY, instance=NOBODY, add_urls=SNIPPET_ADD),
    **chooser("home/servicelink", choose=frozenset(ALL_STAFF | {"ops"}), create=NOBODY),
}

# Admin views that only take POST (they are called with the rule's body).
ADMIN_POST = {"/admin/appeals/<int:pk>/step/<slug:name>/", "/admin/moderation/queue/bulk/",
              "/admin/moderation/alerts/<int:alert_id>/appeal/"}


def markdown() -> str:
    """docs/access-matrix.md: one table per surface, ✓ allowed, · refused."""
    short = {c: c.replace("@", " @") for c in COLUMNS}
    lines = [
        "# Access matrix",
        "",
        "Generated from `tests/access/policy.py` by `python -m tests.access.policy > docs/access-matrix.md`;",
        "`tests/test_access_matrix.py` calls every cell and fails when the platform disagrees, when an",
        "endpoint or admin view exists that is not in the table, or when this file is out of date.",
        "",
        "Columns: **author** = the youth who owns the resource (asked, booked, appealed); **youth** = another",
        "youth; **expert** = an alliance expert (invited, member); **station** = the station's administrator;",
        "**ops** = the appeal operations group of the organisation; **admin / liaison / moderator @ own,",
        "parent, sibling, child** = staff in that role of the resource's organisation (广州), its parent (广东),",
        "a sibling (深圳) or a child (天河区). ✓ = allowed (for lists marked *sees*: the resource is in the list),",
        "· = refused (API 401/403/404; admin: login redirect, dashboard redirect, 403 or 404).",
        "",
        "Run it: `make test ARGS=\"tests/test_access_matrix.py\"`. A new API operation or admin view fails",
        "`test_every_endpoint_is_in_the_table` until it gets a row in `tests/access/policy.py` (who is allowed,",
        "a minimal body for writes, `sees=` for lists of personal data); then regenerate this file.",
        "The world (`tests/access/world.py`) owns one resource of each kind in 广州; add one there when a new",
        "endpoint needs a new path parameter.",
        "",
        "Admin views only Wagtail itself registers (pages, images, documents, users, groups…) are Wagtail's",
        "own permission system and not in this table. NOBODY rows are model-permission viewsets: only",
        "superusers and groups explicitly granted those Django permissions get in.",
        "",
    ]
    for title, table in (("API (/api/)", API), ("Admin (/admin/)", ADMIN)):
        lines += [f"## {title}", "", "| endpoint | " + " | ".join(short[c] for c in COLUMNS) + " | note |",
                  "|---|" + "---|" * (len(COLUMNS) + 1)]
        for key in sorted(table, key=lambda k: (k.split(" ", 1)[-1], k)):
            rule = table[key]
            note = rule.note + (f" (sees {rule.sees})" if rule.sees else "")
            cells = " | ".join("✓" if c in rule.allow else "·" for c in COLUMNS)
            lines.append(f"| `{key}` | {cells} | {note} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(), end="")
