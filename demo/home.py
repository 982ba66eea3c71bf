"""Demo data for branches and editorial content: the League's online service links [G1.2], branch
introductions and style, and for the province and every city branch its index pages, an article,
an activity with sign-up, a contest with candidates, a youth offer, a topic and featured slots —
all in Chinese, with images drawn by demo/images/make_images.py and shipped in the repository.
Also the moderation workflow of every branch. Idempotent: pages are found by slug, images by title."""

from datetime import timedelta
from pathlib import Path

from django.core.files.images import ImageFile
from django.utils import timezone
from wagtail.images.models import Image
from wagtail.models import Collection, WorkflowPage

from core.domains import DOMAIN_LABELS_ZH, ServiceDomain
from home.models import (
    AccentColour,
    ActivityIndexPage,
    ActivityPage,
    ArticleIndexPage,
    ArticlePage,
    BranchHomePage,
    CategoryPage,
    ContestCandidate,
    ContestIndexPage,
    ContestPage,
    FeaturedItem,
    HomePage,
    OfferIndexPage,
    OfferPage,
    ServiceLink,
    TopicIndexPage,
    TopicPage,
)
from organizations.data.guangdong import CITY_SLUGS
from organizations.models import Organization

IMAGES_DIR = Path(__file__).parent / "images"

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

INDEXES = [
    (TopicIndexPage, "topics", "议题设置", "围绕青年关心的热点开设议题，欢迎你发表看法、提出问题。"),
    (ArticleIndexPage, "news", "团青资讯", "共青团工作动态、青年政策解读与青春故事。"),
    (ActivityIndexPage, "activities", "主题活动", "志愿服务、职场体验、青年交友……报名参加，和伙伴们一起行动。"),
    (ContestIndexPage, "contests", "推优评选", "寻找身边的优秀青年和青年集体，为他们投上一票。"),
    (OfferIndexPage, "offers", "青年优惠", "面向青年的文化、交通、学习与生活优惠。"),
]

CATEGORY_INTROS = {
    ServiceDomain.ENTREPRENEURSHIP: "创业政策、青创大赛、孵化基地与创业导师，助你把想法变成现实。",
    ServiceDomain.RELATIONSHIPS: "青年联谊、情感沟通与婚恋观分享，认识志同道合的朋友。",
    ServiceDomain.LEGAL: "劳动合同、租房纠纷、网络维权……律师志愿者为你解答。",
    ServiceDomain.PSYCHOLOGY: "学业压力、职场焦虑、人际困扰，心理咨询师倾听你的声音。",
    ServiceDomain.EMPLOYMENT: "就业见习岗位、实习机会、求职技能培训与职业规划。",
    ServiceDomain.VOLUNTEERING: "志愿服务项目、志愿者招募与志愿时长记录。",
    ServiceDomain.LEAGUE: "团员发展、组织关系转接、团费与团籍相关事务。",
}
DOMAIN_IMAGES = {d: f"domain-{d}" for d in ServiceDomain.values}
# One editor-chosen link per category page (the rest of its slots show hot content of that domain).
CATEGORY_LINKS = {
    ServiceDomain.ENTREPRENEURSHIP: ("“挑战杯”广东大学生创业大赛报名", "https://www.gdyouth.cn/", "大赛面向在校生与毕业五年内青年，设创意、实践和公益三个组别。"),
    ServiceDomain.RELATIONSHIPS: ("青年联谊活动报名指南", "https://www.gdyouth.cn/", "团组织主办的青年交友活动，实名报名、真诚交流。"),
    ServiceDomain.LEGAL: ("12355 青少年法律援助", "https://www.12355.net/", "劳动争议、校园欺凌、网络侵权，律师志愿者免费咨询。"),
    ServiceDomain.PSYCHOLOGY: ("12355 心理咨询热线", "https://www.12355.net/", "学业、职场、情感压力，专业心理咨询师在线倾听。"),
    ServiceDomain.EMPLOYMENT: ("广东青年就业见习岗位", "https://www.gdyouth.cn/", "见习期间享受见习补贴，积累工作经验。"),
    ServiceDomain.VOLUNTEERING: ("i志愿：注册成为志愿者", "https://www.i-volunteer.org.cn/", "广东志愿者信息平台，参加活动可记录志愿时长。"),
    ServiceDomain.LEAGUE: ("智慧团建：组织关系转接", "https://www.gdyouth.cn/", "毕业、就业、升学后团组织关系转接一站办理。"),
}

ACCENTS = [AccentColour.LEAGUE_RED, AccentColour.SUNRISE, AccentColour.JADE, AccentColour.SEA, AccentColour.INDIGO]

CANDIDATES = [
    ("林晓彤", "扎根社区六年的青年社工，组织长者助餐与青少年课后托管服务，累计服务时长 2300 小时。"),
    ("陈柏宇", "返乡创业的农学硕士，带动村里 40 多户种植富硒稻米，搭建电商直播间帮助乡亲增收。"),
    ("黄诗琪", "急诊科护士、应急救护培训志愿讲师，三年来为 5000 多名市民普及心肺复苏技能。"),
    ("周子健", "高校科创团队负责人，研发的智能助盲手杖获全国大学生“挑战杯”竞赛金奖。"),
]


def _at(now, days: int, hour: int):
    """`days` from now at `hour` o'clock, local (Asia/Shanghai) time."""
    local = timezone.localtime(now) + timedelta(days=days)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


def _rich(*paragraphs) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _image(name: str, title: str) -> Image:
    image = Image.objects.filter(title=title).first()
    if image is None:
        path = IMAGES_DIR / f"{name}.jpg"
        if not path.exists():
            path = IMAGES_DIR / f"{name}.png"
        with path.open("rb") as f:
            root = Collection.get_first_root_node() or Collection.add_root(name="Root")
            image = Image(title=title, collection=root)
            image.file.save(path.name, ImageFile(f, name=path.name), save=False)
            image.save()
    return image


def _child(parent, model, slug, **fields):
    """The child page with this slug under `parent`, created and published if missing."""
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing is not None:
        return existing, False
    tags = fields.pop("tags", [])
    children = fields.pop("children", {})
    # Created live in one save (no revision): the demo builds ~250 pages and publishing each through
    # a revision triples the writes. Editors' first edit creates the first revision as usual.
    now = timezone.now()
    page = model(slug=slug, live=True, first_published_at=now, last_published_at=now, **fields)
    for relation, rows in children.items():
        for row in rows:
            getattr(page, relation).add(row)
    if tags:
        page.tags.add(*tags)
    parent.add_child(instance=page)
    return page, True


def _city_content(branch: BranchHomePage, city: str, images: dict, now, seq: int, league: str = "") -> int:
    """`city` as in 广州市; `league` the League committee as people say it (团广州市委, 团省委)."""
    league = league or f"团{city}委"
    created = 0
    indexes = {}
    for model, slug, title, intro in INDEXES:
        indexes[slug], new = _child(branch, model, slug, title=title, intro=intro)
        created += new
    tag = f"{city}青年就业季"
    topic, new = _child(
        indexes["topics"], TopicPage, "jobs-season", title=f"{city}青年就业季：你最关心什么？",
        intro=(f"毕业季将至，{league}联合人社部门开设本议题，收集青年在求职、实习、见习中的困惑与建议。"
               "你的提问会由联络专员和就业实习联盟专家在规定时限内回复，集中反映的问题将提交有关部门。"),
        tag=tag, image=images["topic"], starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=40),
        invitation="说说你在求职路上遇到的问题，或给正在找工作的伙伴一点建议。",
    )
    created += new
    _article, new = _child(
        indexes["news"], ArticlePage, "youth-service-week", title=f"{city}启动“青年之声”服务周",
        summary=f"{league}联合各区青年之家开展为期一周的集中服务，涵盖法律咨询、心理疏导与就业指导。",
        image=images["article"], author=f"{league}宣传部", source="青年之声",
        domain=ServiceDomain.values[seq % len(ServiceDomain.values)], tags=[tag, "青年之家"],
        body=[("paragraph", _rich(
            f"近日，{league}在{city}青少年宫启动“青年之声”服务周活动。活动期间，全市各青年之家将安排律师、"
            "心理咨询师和就业指导师驻点服务，青年可在平台上提前预约。",
            "服务周还将组织“团干部面对面”座谈，听取青年对住房、就业和婚恋交友等方面的意见建议。"))
              , ("quote", {"text": "把服务送到青年身边，让每一个问题都有回应。", "source": f"{league}负责人"})],
    )
    created += new
    activity, new = _child(
        indexes["activities"], ActivityPage, "beach-cleanup", title=f"“守护蓝色家园”{city}青年志愿服务行动",
        summary="周末一起参加志愿服务：分组开展环境清洁、垃圾分类宣传和志愿者经验分享。",
        image=images["activity"], domain=ServiceDomain.VOLUNTEERING, tags=[tag, "志愿服务"],
        starts_at=_at(now, 10 + seq % 5, 9), ends_at=_at(now, 10 + seq % 5, 12),
        location=f"{city}青少年宫广场集合", signup_enabled=True, capacity=30 + (seq % 3) * 10,
        signup_deadline=_at(now, 8 + seq % 5, 18),
        body=[("paragraph", _rich("活动流程：09:00 集合签到 → 09:30 安全培训 → 10:00 分组服务 → 12:00 分享合影。",
                                  "请穿着轻便服装，自备水杯；主办方提供手套、垃圾袋与意外保险。")),
              ("faq", {"items": [
                  {"question": "未成年人可以报名吗？", "answer": "<p>16 岁以上可在监护人同意后报名。</p>"},
                  {"question": "可以记录志愿时长吗？", "answer": "<p>可以，活动结束后统一录入志愿服务时长。</p>"}]})],
    )
    created += new
    contest, new = _child(
        indexes["contests"], ContestPage, "youth-stars", title=f"{city}“最美青年”推选活动",
        summary="寻找身边敬业奉献、创新创业、志愿服务的好青年，每人每天可为每位候选人投一票。",
        image=images["contest"], domain=ServiceDomain.LEAGUE, tags=["推优评选"],
        voting_starts_at=now - timedelta(days=2), voting_ends_at=now + timedelta(days=12),
        results_visibility="always" if seq % 2 == 0 else "after_close",
        children={"candidates": [ContestCandidate(name=name, description=desc, photo=images[f"candidate{i}"],
                                                  sort_order=i) for i, (name, desc) in enumerate(CANDIDATES)]},
        body=[("paragraph", _rich("推选分为网络投票、专家评审和社会公示三个阶段，网络投票结果占总成绩的 30%。"))],
    )
    created += new
    _offer, new = _child(
        indexes["offers"], OfferPage, "museum-pass", title=f"{city}青年文化场馆优惠",
        summary="14–35 周岁青年凭身份证可享合作博物馆、美术馆、剧院门票优惠。",
        image=images["offer"], domain=ServiceDomain.LEAGUE, tags=["青年优惠"],
        provider=f"{city}文化广电旅游局、{league}", valid_from=(now - timedelta(days=30)).date(),
        valid_until=(now + timedelta(days=150)).date(), region=branch.organization,
        how_to_redeem=_rich("在场馆售票处出示本人身份证，或在小程序中完成青年认证后购票；每人每日限购 2 张。"),
    )
    created += new
    if not branch.featured_items.exists():
        branch.featured_items.add(FeaturedItem(link_page=activity, sort_order=0, summary="名额有限，报名从速！"))
        branch.featured_items.add(FeaturedItem(link_page=topic, sort_order=1))
        branch.featured_items.add(FeaturedItem(
            external_url="https://www.i-volunteer.org.cn/", title="i志愿：注册成为志愿者", sort_order=2,
            summary="在广东志愿者信息平台完成注册，参加志愿服务可记录时长。", image=images["banner_city"]))
        branch.featured_items.add(FeaturedItem(link_page=contest, sort_order=3, starts_at=now - timedelta(days=1),
                                               ends_at=now + timedelta(days=12)))
        branch.featured_slots = 6
        branch._demo_dirty = True
    if getattr(branch, "_demo_dirty", False):
        branch.save_revision().publish()
    return created


def _categories(branch, images) -> int:
    from home.models import CategoryFeaturedItem

    created = 0
    for domain in ServiceDomain.values:
        title, url, summary = CATEGORY_LINKS[domain]
        _, new = _child(branch, CategoryPage, f"category-{domain}", title=DOMAIN_LABELS_ZH[domain], domain=domain,
                        intro=CATEGORY_INTROS[domain], featured_slots=4, children={"featured_items": [
                            CategoryFeaturedItem(external_url=url, title=title, summary=summary, image=images[domain])]})
        created += new
    return created


def _interactions(now) -> None:
    """A few sign-ups and votes by the demo youths, through the services (skipped when present)."""
    from django.contrib.auth import get_user_model

    from home import services
    from home.models import ActivitySignup, Vote

    youths = list(get_user_model().objects.filter(username__startswith="youth_"))
    gz = BranchHomePage.objects.filter(organization__slug="guangzhou").first()
    if gz is None:
        return
    for activity in ActivityPage.objects.live().descendant_of(gz):
        for user in youths:
            if not ActivitySignup.objects.filter(activity=activity, user=user).exists():
                services.sign_up(actor=user, activity_id=activity.pk, name=user.display_name,
                                 phone=user.phone or "13900000000")
    for contest in ContestPage.objects.live().descendant_of(gz):
        candidates = list(contest.candidates.all())
        for i, user in enumerate(youths):
            candidate = candidates[i % len(candidates)]
            if not Vote.objects.filter(candidate=candidate, user=user).exists():
                services.vote(actor=user, contest_id=contest.pk, candidate_id=candidate.pk)


def load(stdout=None) -> dict:
    from home.services import ensure_branch_workflow

    created = 0
    for order, (title, url, description, icon) in enumerate(SERVICE_LINKS):
        _, new = ServiceLink.objects.get_or_create(
            title=title, defaults=dict(url=url, description=description, icon=icon, sort_order=order)
        )
        created += new
    home = HomePage.objects.first()
    if home is None:
        return {"created": created}
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    images = {
        "banner_province": _image("banner-province", "青年之声横幅"),
        "banner_city": _image("banner-city", "青年之家横幅"),
        "logo": _image("logo", "青年之声标志"),
        "topic": _image("topic-talk", "议题设置配图"),
        "article": _image("article-news", "团青资讯配图"),
        "activity": _image("activity-volunteer", "志愿服务活动配图"),
        "contest": _image("contest-award", "推优评选配图"),
        "offer": _image("offer-discount", "青年优惠配图"),
        **{f"candidate{i}": _image(f"candidate-{i + 1}", f"候选人头像 {i + 1}") for i in range(len(CANDIDATES))},
    }
    for domain, name in DOMAIN_IMAGES.items():
        images[domain] = _image(name, f"{DOMAIN_LABELS_ZH[domain]}配图")
    if not home.intro or home.banner_id is None:
        home.intro = home.intro or PROVINCE_INTRO
        home.banner, home.logo = images["banner_province"], images["logo"]
        home._demo_dirty = True
    created += _city_content(home, "广东省", images, now, 0, league="团省委")
    created += _categories(home, images)
    cities = Organization.objects.filter(slug__in=list(CITY_SLUGS.values())).order_by("path")
    branches = {b.organization_id: b for b in BranchHomePage.objects.filter(organization__in=cities)}
    for seq, org in enumerate(cities, start=1):
        branch = branches.get(org.pk)
        if branch is None:
            continue
        if branch.banner_id is None:
            branch.banner = images["banner_city"]
            branch.accent = ACCENTS[seq % len(ACCENTS)]
            branch.intro = branch.intro or f"团{org.display_name}委的“青年之声”分站：本地青年的问答、活动、优惠与青年之家服务。"
            branch._demo_dirty = True  # published once, with the featured items, by _city_content
        created += _city_content(branch, org.display_name, images, now, seq)
    with_workflow = set(WorkflowPage.objects.values_list("page_id", flat=True))
    for page in BranchHomePage.objects.exclude(pk__in=with_workflow).select_related("organization"):
        if page.organization.admins_group_id:
            ensure_branch_workflow(organization=page.organization, page=page)
    _interactions(now)
    feature_questions()  # a no-op until the Q&A demo has run (demo.community calls it again at its end)
    from core.page_cache import invalidate

    invalidate()  # pages created live without the publish signal
    if stdout:
        stdout.write(f"editorial content: {created} new pages; service links: {ServiceLink.objects.count()}")
    return {"created": created}


# Topics whose tag the demo puts on questions: the province's and Guangzhou's job-season topics.
TOPIC_QUESTION_BRANCHES = ("", "guangzhou")  # "" = the province (HomePage)
TOPIC_QUESTIONS = 6


def feature_questions(stdout=None) -> dict:
    """Link the Q&A demo to the editorial demo (run after demo.community; idempotent): the province
    home features its most answered employment question as an editor's slot, and the job-season
    topics of the province and Guangzhou gather employment questions of their branch that carry the
    topic's tag (the tag becomes a curated question tag, so the topic's "参与议题" link prefills it)."""
    from django.apps import apps

    if not apps.is_installed("community"):
        return {"featured": 0, "tagged": 0}
    from community.models import QuestionTag, TaggedQuestion
    from home.selectors import public_questions

    featured = tagged = 0
    home = HomePage.objects.first()
    if home is None or not public_questions().exists():
        return {"featured": 0, "tagged": 0}
    if not home.featured_items.filter(link_question__isnull=False).exists():
        question = (public_questions().filter(domain=ServiceDomain.EMPLOYMENT, answer_count__gt=0)
                    .order_by("-answer_count", "pk").first() or public_questions().order_by("pk").first())
        home.featured_items.add(FeaturedItem(link_question=question, sort_order=home.featured_items.count(),
                                             summary="联络专员和就业实习联盟专家已作答，看看对你有没有帮助。"))
        home.featured_slots = max(home.featured_slots, home.featured_items.count())
        home.save_revision().publish()
        featured = 1
    for slug in TOPIC_QUESTION_BRANCHES:
        branch = home if not slug else BranchHomePage.objects.filter(organization__slug=slug).first()
        index = TopicIndexPage.objects.child_of(branch).first() if branch else None  # the branch's own topics
        topic = TopicPage.objects.child_of(index).filter(slug="jobs-season").first() if index else None
        if topic is None or not topic.tag:
            continue
        tag = QuestionTag.objects.filter(name=topic.tag).first()
        if tag is None:
            tag = QuestionTag.objects.create(name=topic.tag, slug=f"jobs-season-{slug or 'guangdong'}")
        if TaggedQuestion.objects.filter(tag=tag).exists():
            continue
        questions = list(public_questions().filter(organization__path__startswith=branch.organization.path,
                                                   domain=ServiceDomain.EMPLOYMENT)
                         .order_by("-answer_count", "pk").values_list("pk", flat=True)[:TOPIC_QUESTIONS])
        TaggedQuestion.objects.bulk_create([TaggedQuestion(tag=tag, content_object_id=pk) for pk in questions],
                                           ignore_conflicts=True)
        tagged += len(questions)
    if featured or tagged:
        from core.page_cache import invalidate

        invalidate()
    if stdout:
        stdout.write(f"questions in editorial content: {featured} featured, {tagged} tagged with topics")
    return {"featured": featured, "tagged": tagged}
