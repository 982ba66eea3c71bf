"""Demo partners: the six League systems (the footer's links, as partner rows) and the documented
"广东志愿者平台 (demo)" public client for trying the 一号通 flow (README, docs/partners.md)."""

from organizations.models import Organization
from partners import services
from partners.models import Partner

DEMO_CLIENT_ID = "yv-demo-gd-volunteer"
DEMO_REDIRECT_URI = "http://127.0.0.1:8765/callback"
DEMO_LOGOUT_URI = "http://127.0.0.1:8765/"
DEMO_SCOPES = "openid profile phone real_name organization roles qa:read qa:write bookings appeals"

LEAGUE_SYSTEMS = [  # the hard-coded footer links they replace (demo.home.SERVICE_LINKS)
    ("团员管理", "https://www.gdyouth.cn/", "智慧团建：团员发展、组织关系转接", "🪪"),
    ("公益志愿", "https://www.i-volunteer.org.cn/", "志愿者注册、志愿服务活动报名", "🤝"),
    ("就业实习", "https://www.gdyouth.cn/", "青年就业见习岗位与实习信息", "💼"),
    ("创新创业", "https://www.gdyouth.cn/", "创业扶持政策、创业大赛与孵化", "🚀"),
    ("青少年维权", "https://www.gdyouth.cn/", "12355 青少年服务台：心理与法律援助", "⚖️"),
    ("青年之家", "/", "就近找到青年之家，预约线下服务", "🏠"),
]


def load(stdout=None):
    created = 0
    province = Organization.get_root_nodes().first()
    for order, (name, url, description, icon) in enumerate(LEAGUE_SYSTEMS):
        partner = Partner.objects.filter(name=name).first()
        if partner is None:
            partner = Partner(name=name, home_url=url, description=description, icon=icon, sort_order=order,
                              trusted=True, confidential=True, allowed_scopes="openid profile phone real_name organization roles")
            services.save_partner(actor=None, partner=partner, check=False)
            created += 1
    demo = Partner.objects.filter(name="广东志愿者平台 (demo)").first()
    if demo is None:
        demo = Partner(name="广东志愿者平台 (demo)", home_url=DEMO_LOGOUT_URI, description="一号通演示：授权码 + PKCE",
                       icon="🧪", sort_order=99, trusted=False, confidential=False, show_in_footer=False,
                       allowed_scopes=DEMO_SCOPES, redirect_uris=DEMO_REDIRECT_URI,
                       post_logout_redirect_uris=DEMO_LOGOUT_URI)
        services.save_partner(actor=None, partner=demo, client_id=DEMO_CLIENT_ID, check=False)
        created += 1
    if province is not None:
        demo.organizations.add(province)
    if stdout:
        stdout.write(f"partners: {created} new; demo client id {DEMO_CLIENT_ID}, redirect URI {DEMO_REDIRECT_URI}")
    return {"created": created}
