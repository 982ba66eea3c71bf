"""Demo data: the seven alliances (six service domains + the youth-work experts alliance) at the
province and six cities, member organisations, and 120 experts with Chinese profiles spread over
domains and cities; a few pending applications, an invitation and a suspension to show the flow.
Idempotent: everything is looked up by a natural key before it is created.

Home stations: stations are loaded after this module, so `assign_home_stations()` links experts to a
station of their organisation when stations exist (call it at the end of demo.stations, see
docs/alliances.md); it is idempotent too."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.models import RealNameStatus
from alliances.models import (
    AllianceIndexPage,
    AllianceLiaison,
    AllianceMembership,
    AlliancePage,
    Availability,
    ExpertDomain,
    ExpertKind,
    ExpertProfile,
    ExpertStatus,
    MemberOrganization,
    MemberOrganizationKind,
    MembershipStatus,
)
from core.domains import DOMAIN_LABELS_ZH, ServiceDomain
from demo.accounts import demo_password_hash
from home.models import BranchHomePage
from organizations.models import Organization

D = ServiceDomain
ALLIANCE_ORGS = ["guangdong", "guangzhou", "shenzhen", "foshan", "dongguan", "zhuhai", "shantou"]
LIAISONS = {"guangdong": "province_admin", "guangzhou": "gz_liaison", "shenzhen": "sz_liaison"}

ALLIANCE_NAMES = {
    D.ENTREPRENEURSHIP: ("青年创新创业服务联盟", "汇聚创业导师、投资人和孵化机构，为青年创业者提供政策解读、项目诊断和融资对接。"),
    D.RELATIONSHIPS: ("青年婚恋交友服务联盟", "联合婚恋服务机构和心理专家，倡导健康婚恋观，组织青年联谊活动，解答情感困惑。"),
    D.LEGAL: ("青少年法律服务联盟", "律师和法律工作者为青年提供劳动、租房、消费、网络权益等方面的法律咨询和援助。"),
    D.PSYCHOLOGY: ("青少年心理健康服务联盟", "心理咨询师和社工为青少年提供学业压力、人际关系、情绪困扰等心理支持。"),
    D.EMPLOYMENT: ("青年就业实习服务联盟", "企业人力资源专家和职业规划师提供求职指导、简历诊断和见习岗位信息。"),
    D.VOLUNTEERING: ("青年志愿服务联盟", "志愿服务组织骨干指导青年参与社区服务、应急救援和公益项目。"),
    D.LEAGUE: ("青年工作专家联盟", "专兼职团干部组成的青年工作专家队伍，解答团务、青年政策和组织生活问题。"),
}

CHARTER = (
    "<h3>宗旨</h3><p>在共青团组织领导下，整合专业力量，为青年提供便捷、专业、公益的咨询和服务。</p>"
    "<h3>成员</h3><ul><li>认同联盟宗旨、具备相应专业资质的个人和机构，经申请或邀请，由联络专员审核后加入。</li>"
    "<li>成员应在规定时限内回答邀请问题，每季度至少参与一次线下青年之家服务。</li></ul>"
    "<h3>退出与暂停</h3><p>无故连续三个月未参与服务、或发布违规内容的成员，联络专员可暂停或移除其成员资格并说明理由。</p>"
)

SURNAMES = "陈林黄张李王吴刘蔡杨许郑谢郭洪曾邱廖赖周徐苏叶庄吕江何罗高潘梁朱钟彭"
GIVEN = ["志强", "嘉欣", "俊杰", "晓敏", "伟华", "丽娟", "国栋", "文静", "浩然", "雅琪", "建明", "婉婷", "振宇",
         "思远", "美玲", "家豪", "慧琳", "子轩", "秀英", "明辉", "佩珊", "锦荣", "诗雨", "卓然"]

PROFILES = {
    D.ENTREPRENEURSHIP: [("创业导师", "{city}青年创业孵化基地", "国家三级创业咨询师；主导孵化青年创业项目 40 余个",
                          "长期从事青年创业辅导，擅长商业模式梳理、创业政策申报和早期融资对接。"),
                         ("投资经理", "{city}科创投资有限公司", "基金从业资格；创新创业大赛评委",
                          "关注科技、文创和乡村振兴领域的早期项目，愿意为青年创业者看项目、提建议。")],
    D.RELATIONSHIPS: [("婚恋咨询师", "{city}青年婚恋服务中心", "婚姻家庭咨询师；从事婚恋辅导 8 年",
                       "帮助青年建立健康的婚恋观，处理恋爱沟通、家庭关系和婚前准备等问题。"),
                      ("社工师", "{city}家庭综合服务中心", "中级社会工作师",
                       "组织青年联谊活动，擅长家庭关系调适和亲密关系沟通。")],
    D.LEGAL: [("执业律师", "广东{surname}律师事务所", "律师执业证；广东省律师协会会员；劳动法专业",
               "专注劳动争议、租赁纠纷和消费维权，常年为青年提供公益法律咨询。"),
              ("法律援助律师", "{city}法律援助处", "法律职业资格；法律援助值班律师",
               "处理青年务工人员欠薪、工伤和合同纠纷，熟悉法律援助申请流程。")],
    D.PSYCHOLOGY: [("心理咨询师", "{city}青少年心理健康服务中心", "国家二级心理咨询师；12355 心理热线督导",
                    "擅长学业压力、情绪管理和人际关系咨询，累计服务青少年 3000 余人次。"),
                   ("精神科医生", "{city}精神卫生中心", "执业医师；精神科主治医师",
                    "关注青少年抑郁、焦虑和睡眠问题，提供就医和危机干预建议。")],
    D.EMPLOYMENT: [("职业规划师", "{city}人才发展服务中心", "高级职业指导师；全球职业规划师（GCDF）",
                    "为应届毕业生提供求职规划、简历优化和面试辅导。"),
                   ("人力资源总监", "{city}制造业集团", "高级人力资源管理师",
                    "熟悉制造业和互联网行业招聘，提供见习岗位信息和职场适应建议。")],
    D.VOLUNTEERING: [("志愿服务督导", "{city}志愿者联合会", "五星级志愿者；志愿服务时长 3000 小时",
                      "组织社区关爱、应急救援和大型赛会志愿服务，指导青年志愿团队建设。"),
                     ("公益项目主管", "{city}青少年发展基金会", "公益项目管理师",
                      "负责助学和乡村振兴公益项目，指导青年设计和运营公益项目。")],
    D.LEAGUE: [("专职团干部", "{league}", "团务工作 10 年；智慧团建管理员",
                "熟悉团员发展、组织关系转接和团费收缴等团务工作。"),
               ("兼职团干部", "{city}某高校团委", "兼职团委副书记；青年工作研究会会员",
                "关注青年发展政策和基层团组织建设，乐于解答团员青年的组织生活问题。")],
}

EXPERT_ORGS = ["guangdong", "guangzhou", "440106", "440104", "shenzhen", "440305", "440304", "foshan", "dongguan",
               "zhuhai", "shantou", "zhongshan", "huizhou", "jiangmen"]

MEMBER_ORGS = [
    ("广东省青年创业促进会", MemberOrganizationKind.SOCIAL, "51440000MJL203561X", [D.ENTREPRENEURSHIP], "guangdong"),
    ("广州市青年创新创业孵化中心", MemberOrganizationKind.PUBLIC, "12440100MB2C58713K", [D.ENTREPRENEURSHIP], "guangzhou"),
    ("广东正平律师事务所", MemberOrganizationKind.PROFESSIONAL, "31440000455821347P", [D.LEGAL], "guangdong"),
    ("深圳市青少年法律援助工作站", MemberOrganizationKind.SOCIAL, "52440300MJL110237B", [D.LEGAL], "shenzhen"),
    ("广州市阳光心理服务中心", MemberOrganizationKind.SOCIAL, "52440106MJL004218R", [D.PSYCHOLOGY], "guangzhou"),
    ("深圳市心晴青少年心理服务社", MemberOrganizationKind.SOCIAL, "52440305MJL223409D", [D.PSYCHOLOGY], "shenzhen"),
    ("佛山市家庭综合服务中心", MemberOrganizationKind.SOCIAL, "52440600MJL301852E", [D.RELATIONSHIPS, D.PSYCHOLOGY], "foshan"),
    ("东莞市人才发展服务中心", MemberOrganizationKind.PUBLIC, "12441900MB2D90461A", [D.EMPLOYMENT], "dongguan"),
    ("珠海市青年就业见习基地联盟", MemberOrganizationKind.ENTERPRISE, "91440400MA4W2P7K3N", [D.EMPLOYMENT], "zhuhai"),
    ("汕头市志愿者联合会", MemberOrganizationKind.SOCIAL, "51440500MJL108622F", [D.VOLUNTEERING], "shantou"),
    ("广东省青少年发展基金会", MemberOrganizationKind.SOCIAL, "53440000MJL001947Q", [D.VOLUNTEERING], "guangdong"),
    ("广州市青年婚恋服务协会", MemberOrganizationKind.SOCIAL, "51440100MJL305716W", [D.RELATIONSHIPS], "guangzhou"),
]

DOMAINS = [D.ENTREPRENEURSHIP, D.RELATIONSHIPS, D.LEGAL, D.PSYCHOLOGY, D.EMPLOYMENT, D.VOLUNTEERING, D.LEAGUE]
N_EXPERTS = 120


def _index_page(branch) -> AllianceIndexPage:
    existing = AllianceIndexPage.objects.child_of(branch).first()
    if existing is not None:
        return existing
    page = AllianceIndexPage(title="服务联盟", slug="alliances",
                             intro="专业服务联盟和青年工作专家，为青年提供专业、便捷的咨询服务。")
    branch.add_child(instance=page)
    return page


def _alliances(orgs, users) -> tuple[dict, int]:
    created = 0
    alliances = {}
    for slug in ALLIANCE_ORGS:
        org = orgs[slug]
        branch = BranchHomePage.objects.filter(organization=org).first()
        if branch is None:
            continue
        index = _index_page(branch)
        place = "广东省" if slug == "guangdong" else org.display_name
        for domain in DOMAINS:
            page = AlliancePage.objects.filter(organization=org, domain=domain).first()
            if page is None:
                name, intro = ALLIANCE_NAMES[domain]
                page = AlliancePage(title=f"{place}{name}", slug=f"{domain}", organization=org, domain=domain,
                                    intro=intro, charter=CHARTER)
                index.add_child(instance=page)
                created += 1
                liaison = users.get(LIAISONS.get(slug))
                if liaison is not None:
                    AllianceLiaison.objects.create(page=page, user=liaison)
            alliances[(slug, domain)] = page
    return alliances, created


def _expert_specs():
    for n in range(N_EXPERTS):
        domain = DOMAINS[n % len(DOMAINS)]
        surname = SURNAMES[(n * 7) % len(SURNAMES)]
        name = surname + GIVEN[(n * 5 + n // len(GIVEN)) % len(GIVEN)]
        org_slug = EXPERT_ORGS[(n // len(DOMAINS) + n) % len(EXPERT_ORGS)]
        title, workplace, credentials, bio = PROFILES[domain][n % 2]
        second = DOMAINS[(n + 3) % 6] if n % 4 == 0 else None  # some experts serve two domains
        yield n, name, domain, second, org_slug, title, workplace, credentials, bio


def load(stdout=None) -> dict:
    User = get_user_model()
    orgs = {o.slug: o for o in Organization.objects.filter(slug__in=set(ALLIANCE_ORGS) | set(EXPERT_ORGS))}
    if "guangdong" not in orgs:
        return {"created": 0}
    users = {u.username: u for u in User.objects.filter(username__in=set(LIAISONS.values()))}
    alliances, created = _alliances(orgs, users)
    now = timezone.now()
    admin = User.objects.filter(username="admin").first()
    new_experts = 0
    for n, name, domain, second, org_slug, title, workplace, credentials, bio in _expert_specs():
        org = orgs.get(org_slug)
        if org is None:
            continue
        username = f"expert_{n + 1:03d}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, display_name=f"{name}{'老师' if domain != D.LEAGUE else ''}", real_name=name,
                        phone=f"1372026{n + 1:04d}", real_name_status=RealNameStatus.VERIFIED,
                        real_name_verified_at=now, organization=org, email=f"{username}@example.org")
            user.password = demo_password_hash()
            user.save()
        if ExpertProfile.objects.filter(user=user).exists():
            continue
        # as the League writes them: 广东省…, 广州市…; the League body by its full name
        city = org.name.removeprefix("共青团").removesuffix("委员会") or org.short_name
        pending = n % 30 == 29  # a few applications wait for their liaison
        with transaction.atomic():
            expert = ExpertProfile.objects.create(
                user=user, real_name=name, title=title,
                workplace=workplace.format(city=city, league=org.name, surname=name[0] + "信"), credentials=credentials, bio=bio,
                organization=org, status=ExpertStatus.PENDING if pending else ExpertStatus.ACTIVE,
                kind=(ExpertKind.CADRE_FULL if n % 2 == 0 else ExpertKind.CADRE_PART) if domain == D.LEAGUE
                else ExpertKind.PROFESSIONAL,
                availability=[Availability.AVAILABLE, Availability.AVAILABLE, Availability.BUSY][n % 3],
                contact_email=user.email, contact_public=n % 5 == 0, contact_phone=user.phone,
                verified_at=None if pending else now, verified_by=None if pending else admin,
                max_open_questions=5 if domain != D.PSYCHOLOGY else 3,
            )
            ExpertDomain.objects.create(expert=expert, domain=domain)
            if second:
                ExpertDomain.objects.get_or_create(expert=expert, domain=second)
            city_slug = org_slug if org_slug in ALLIANCE_ORGS else None
            if city_slug is None and org.depth > 2:
                city_slug = next((s for s in ALLIANCE_ORGS if orgs.get(s) and org.path.startswith(orgs[s].path)
                                  and orgs[s].depth == 2), None)
            alliance = alliances.get((city_slug or "guangdong", domain)) or alliances.get(("guangdong", domain))
            if alliance is not None:
                status = MembershipStatus.APPLIED if pending else MembershipStatus.ACTIVE
                reason = ""
                if n == 41:
                    status, reason = MembershipStatus.SUSPENDED, "连续三个月未回答受邀问题，暂停成员资格"
                AllianceMembership.objects.create(
                    alliance=alliance, expert=expert, status=status, reason=reason, created_by=user,
                    message="希望加入联盟，为青年提供专业服务。" if pending else "",
                    decided_at=None if pending else now, decided_by=None if pending else admin,
                )
        new_experts += 1
    new_orgs = 0
    for name, kind, licence, domains, slug in MEMBER_ORGS:
        member, new = MemberOrganization.objects.get_or_create(
            name=name, defaults=dict(kind=kind, licence_number=licence, domains=[str(d) for d in domains],
                                     organization=orgs[slug], contact_name="联络人",
                                     description=f"{name}是{DOMAIN_LABELS_ZH[domains[0]]}服务联盟成员单位。"))
        new_orgs += new
        for domain in domains:
            alliance = alliances.get((slug, domain))
            if alliance is not None and not AllianceMembership.objects.filter(
                    alliance=alliance, member_organization=member).exists():
                AllianceMembership.objects.create(alliance=alliance, member_organization=member,
                                                  status=MembershipStatus.ACTIVE, decided_at=now, decided_by=admin)
    assigned = assign_home_stations()
    if stdout:
        stdout.write(f"alliances: {AlliancePage.objects.count()} ({created} new), experts: "
                     f"{ExpertProfile.objects.count()} ({new_experts} new), member organisations: "
                     f"{MemberOrganization.objects.count()} ({new_orgs} new), home stations set: {assigned}")
    return {"created": created + new_experts + new_orgs}


def assign_home_stations() -> int:
    """Give experts without a home station the first live station of their organisation (or its city)."""
    from django.apps import apps

    try:
        station_model = apps.get_model("stations", "StationPage")
    except LookupError:
        return 0
    if not any(f.name == "organization" for f in station_model._meta.get_fields()):
        return 0
    stations = {}
    for pk, path in station_model.objects.live().order_by("pk").values_list("pk", "organization__path"):
        stations.setdefault(path, pk)
    assigned = 0
    for expert in ExpertProfile.objects.filter(home_station_id__isnull=True, organization__isnull=False) \
            .select_related("organization"):
        path = expert.organization.path
        station = stations.get(path) or next((pk for p, pk in stations.items() if p.startswith(path)), None)
        if station is not None:
            expert.home_station_id = station
            expert.save(update_fields=["home_station_id"])
            assigned += 1
    return assigned
