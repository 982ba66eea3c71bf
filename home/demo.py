"""Demo data for branches: the League's online service links [G1.2] and branch introductions."""

from .models import HomePage, ServiceLink

SERVICE_LINKS = [
    ("团员管理", "https://www.gdyouth.cn/", "智慧团建：团员发展、组织关系转接", "🪪"),
    ("公益志愿", "https://www.i-volunteer.org.cn/", "志愿者注册、志愿服务活动报名", "🤝"),
    ("就业实习", "https://www.gdyouth.cn/", "青年就业见习岗位与实习信息", "💼"),
    ("创新创业", "https://www.gdyouth.cn/", "创业扶持政策、创业大赛与孵化", "🚀"),
    ("青少年维权", "https://www.gdyouth.cn/", "12355 青少年服务台：心理与法律援助", "⚖️"),
    ("青年之家", "/", "就近找到青年之家，预约线下服务", "🏠"),
]

PROVINCE_INTRO = (
    "“青年之声”是共青团广东省委打造的青年互动社交服务平台：有问题来这里问，有困难来这里说，"
    "团干部、专家和伙伴们为你解答；线下青年之家就近服务，青年诉求直达有关部门。"
)


def load(stdout=None) -> dict:
    created = 0
    for order, (title, url, description, icon) in enumerate(SERVICE_LINKS):
        _, new = ServiceLink.objects.get_or_create(
            title=title, defaults=dict(url=url, description=description, icon=icon, sort_order=order)
        )
        created += new
    home = HomePage.objects.first()
    if home is not None and not home.intro:
        home.intro = PROVINCE_INTRO
        home.save_revision().publish()
    if stdout:
        stdout.write(f"service links: {ServiceLink.objects.count()} ({created} new)")
    return {"created": created}
