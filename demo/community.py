"""Demo Q&A: 320+ realistic questions across every domain and city branch, 600+ answers, in every
state (open, answered, accepted, overdue and escalated, transferred, reopened, featured). Built
through the services (so notifications, points and history are real), then back-dated. Idempotent:
a second run finds the questions and changes nothing."""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from alliances.selectors import active_expert
from alliances.services import register_expert
from community import services
from community.domain import deadlines, ranking
from community.models import (
    Answer,
    AnswerRole,
    Comment,
    EventKind,
    Like,
    Question,
    QuestionEvent,
    QuestionStatus,
    QuestionTag,
)
from organizations.models import Organization, OrganizationKind

TARGET_QUESTIONS = 320
# Open questions asked within the last hours (inside their answer window); the rest of the history
# is spread over the past weeks, so that no demo youth is near the daily question limit.
RECENT_OPEN = 10

TAGS = [("劳动合同", "labor-contract"), ("实习", "internship"), ("创业补贴", "startup-subsidy"), ("租房", "renting"),
        ("考研", "postgraduate"), ("心理压力", "stress"), ("团组织关系", "league-transfer"), ("志愿服务", "volunteer"),
        ("婚恋", "dating"), ("社保", "social-insurance"), ("毕业生", "graduates"), ("青年之家", "youth-home"),
        ("网络诈骗", "fraud"), ("入团", "joining-league")]

EXPERTS = [("expert_lawyer", "王建国", "执业律师", ["legal"]),
           ("expert_psych", "陈静怡", "国家二级心理咨询师", ["psychology", "relationships"]),
           ("expert_career", "李文博", "高校就业指导中心讲师", ["employment"]),
           ("expert_startup", "周海峰", "青年创业导师", ["entrepreneurship"])]

# domain -> [(title with {place}, body, tags)]
QUESTIONS = {
    "legal": [
        ("在{place}实习，单位不签合同也不给实习工资，合法吗？", "我是大三学生，暑假在{place}一家公司实习两个月，公司说实习生不用签合同，也没有工资，只包午饭。请问这样合法吗？", ["实习", "劳动合同"]),
        ("{place}租房押金被房东扣了一半，该怎么维权？", "退租时房东说墙面有划痕，直接扣了押金的一半，但入住时就有这些痕迹，我手里有当时的照片。", ["租房"]),
        ("在{place}打工被拖欠工资三个月，去哪里投诉？", "老板一直说下个月发，已经拖了三个月，工友们都很着急。应该找劳动监察还是直接申请仲裁？", ["劳动合同", "社保"]),
        ("在{place}遇到刷单诈骗被骗了两千元，还能追回吗？", "对方说做任务返佣金，前几单都返了，后来让我垫付大额就联系不上了。已经在当地派出所报案。", ["网络诈骗"]),
        ("试用期被{place}的公司无故辞退，能要求赔偿吗？", "入职一个半月，公司说我不符合录用条件，但从没告诉过我录用条件是什么。", ["劳动合同"]),
    ],
    "psychology": [
        ("在{place}备考压力很大，晚上总是失眠怎么办？", "今年第二次考研，每天学习十几个小时，最近晚上躺下就心慌，睡不着，白天效率也很低。", ["考研", "心理压力"]),
        ("刚到{place}工作，很孤独，不知道怎么交朋友", "毕业后一个人来{place}，除了同事没有认识的人，下班回出租屋就刷手机，感觉越来越不想说话。", ["心理压力"]),
        ("想留在{place}工作，和父母总因此吵架，很内耗", "父母希望我回老家考公，我想留在{place}做设计，每次打电话都不欢而散。", ["心理压力"]),
        ("{place}有没有免费的青少年心理咨询热线或者线下咨询？", "想给正在读高中的弟弟找专业的心理咨询，他最近情绪很低落。", ["心理压力", "青年之家"]),
    ],
    "employment": [
        ("应届生在{place}找工作，有哪些就业见习岗位？", "今年毕业，专业是市场营销，想先找个见习岗位积累经验，请问{place}有没有见习补贴？", ["毕业生", "实习"]),
        ("{place}的二本计算机专业，考研还是直接工作？", "目前大四，成绩中等，{place}有公司愿意给我offer，但家里希望我考研。", ["考研", "毕业生"]),
        ("在{place}灵活就业，社保怎么自己交？", "我现在做自由职业，想自己交社保，不知道在哪里办理、每月大概要交多少。", ["社保"]),
        ("和{place}的公司签了三方协议还能违约吗？", "秋招签了{place}一家公司的三方，现在拿到了更合适的offer。", ["毕业生", "劳动合同"]),
        ("{place}的“粤菜师傅”“南粤家政”培训怎么报名？", "想学一门技术，听说政府有免费的技能培训，还能拿证书。", ["毕业生"]),
    ],
    "entrepreneurship": [
        ("在{place}创业，能申请哪些青年创业补贴？", "我和同学准备在{place}开一家文创工作室，听说有一次性创业资助和租金补贴，具体怎么申请？", ["创业补贴"]),
        ("在{place}申请大学生创业担保贷款需要什么条件？", "想在{place}开奶茶店，资金还差十万元左右，听说有贴息贷款。", ["创业补贴"]),
        ("{place}有没有免费的青年创业孵化基地？", "团队三个人，做农产品电商，需要一个办公场地和导师辅导。", ["创业补贴", "青年之家"]),
        ("第一次在{place}创业，个体户和公司怎么选？", "准备在{place}做小型餐饮，不知道注册个体工商户好还是有限公司好，税怎么交？", ["创业补贴"]),
    ],
    "relationships": [
        ("{place}团委有组织青年联谊活动吗？怎么报名？", "工作三年，圈子很小，想参加正规的单身青年交友活动。", ["婚恋"]),
        ("异地恋三年，要不要为对方搬去{place}？", "男朋友在{place}，我在老家，双方都不想放弃现在的工作。", ["婚恋", "心理压力"]),
        ("在{place}相亲认识的人要我投资理财，是不是骗局？", "聊了两周，对方一直给我看他的收益截图，让我也在某个平台充值。", ["婚恋", "网络诈骗"]),
    ],
    "volunteering": [
        ("在{place}怎么注册成为志愿者？志愿时长怎么认证？", "想参加社区的志愿服务，学校要求志愿时长，不知道在哪个平台登记。", ["志愿服务"]),
        ("{place}青年之家周末有什么公益活动可以参加？", "大学生，周末有空，想参加一些有意义的活动。", ["志愿服务", "青年之家"]),
        ("想在{place}发起关爱留守儿童的志愿项目，需要什么手续？", "我们几个大学生想在{place}的乡村学校做暑期支教。", ["志愿服务"]),
    ],
    "league": [
        ("毕业后团组织关系怎么从学校转到{place}？", "已经在{place}工作，学校说要在“智慧团建”上转接，但不知道接收组织怎么找。", ["团组织关系", "毕业生"]),
        ("在{place}读书，团员证丢了怎么补办？", "高中入团的，团员证搬家时弄丢了，现在在{place}读大学。", ["团组织关系"]),
        ("工作了还能在{place}申请入团吗？年龄有要求吗？", "今年24岁，在企业工作，单位没有团组织。", ["入团"]),
        ("团组织关系转到{place}后，团费怎么交？", "转到{place}的团支部后，支部书记让我自己在系统交团费。", ["团组织关系"]),
    ],
}

# domain -> the answer to each question of QUESTIONS[domain], in the same order ({org}: the
# organisation the question was asked of, {place}: the place in its title).
ANSWERS = {
    "legal": [
        "在校生实习一般不按劳动关系处理，但用人单位应与你和学校签订实习协议，约定实习期限、报酬、保险和安全责任。单位只包午饭、不给任何报酬却要求全职上班，存在侵权风险。建议保留考勤、工作记录和聊天记录，先与单位协商补签实习协议；协商不成可请学校就业部门出面，或到{org}青年之家找驻点律师咨询。",
        "房东扣押金要有依据，入住时就有的划痕不是你造成的损坏，你手里入住时的照片是关键证据。建议先把照片和租赁合同发给房东书面协商；不成可向街道人民调解委员会申请调解，或向房屋所在地法院起诉，押金纠纷金额小，可适用小额诉讼程序，费用很低。",
        "拖欠工资可以两条路并行：一是向用工所在地的劳动保障监察大队投诉（也可拨打12333），监察部门可以责令限期支付；二是申请劳动仲裁，仲裁不收费，时效为一年。建议工友们一起收集工资条、考勤记录、工作群聊天记录和转账记录，证据越全越好。",
        "“做任务返佣金”是典型的刷单诈骗，已经报案是正确的第一步。请把转账记录、聊天截图、对方账号等材料补充交给办案民警，并保留好报案回执。能否追回取决于资金能否被及时冻结，请配合警方调查。今后凡是要求先垫付再返利的都是诈骗，可拨打96110反诈热线咨询。",
        "根据《劳动合同法》，试用期内以“不符合录用条件”解除合同，单位要证明事先告知过录用条件，并有你不符合的证据。公司从未告知录用条件的，解除可能属于违法解除，你可以主张赔偿金（经济补偿的二倍）。建议先书面要求公司说明解除理由，再向当地劳动人事争议仲裁委员会申请仲裁。",
    ],
    "psychology": [
        "二战考研压力很大，失眠和心慌是身体在提醒你需要调整。可以试试：固定起床时间，白天安排20分钟运动，睡前一小时放下手机和书本，把担心的事写在纸上再睡；学习按番茄钟分段，效率比拉长时间更重要。如果失眠持续两周以上、白天明显难受，建议预约心理咨询或到医院睡眠门诊看看。",
        "刚到新城市感到孤独很常见，不是你的问题。可以从门槛低的小事开始：每周固定参加一次{org}青年之家的活动或志愿服务，加入一个兴趣社群（跑步、桌游、读书会），约一两位聊得来的同事吃午饭。给自己几个月时间，关系是慢慢建立起来的。",
        "父母的期望和你的选择都有各自的理由。沟通时先讲清楚你的计划：在{place}做设计的发展路径、收入和生活安排，让父母看到你考虑过风险；也可以约定一个观察期，比如两年后再一起评估。情绪激动时先暂停通话，换个时间再谈。",
        "可以拨打12355青少年服务台热线，提供免费的心理咨询和法律咨询；{org}的青年之家也有心理咨询服务，可在本平台“服务站点”里预约面谈。如果弟弟持续低落、不愿上学或有伤害自己的想法，请尽快陪他到医院精神心理科就诊。",
    ],
    "employment": [
        "{org}所在地的人社部门每年都会发布就业见习岗位，离校两年内未就业的高校毕业生和16–24岁失业青年可以报名，见习期间由见习单位发放基本生活补助，政府按规定给单位见习补贴。可在“粤省事”小程序或当地人社局网站查询岗位并报名。",
        "两条路没有绝对好坏，关键看目标岗位：想做算法、研究类岗位，学历门槛较高，考研更有价值；想做开发、测试、运维，手上又有offer，先工作积累项目经验也很好，以后还可以在职读研。建议先和offer单位的学长聊聊岗位发展，再结合自己的备考状态决定。",
        "灵活就业人员可以在“粤省事”小程序或社保经办机构办理参保登记，按月缴纳养老保险和医疗保险，缴费基数可在当地规定的上下限之间自选，办理时可以查到每月的具体金额。",
        "三方协议签订后可以违约，但要承担协议约定的违约责任，一般是支付违约金，并由原单位出具解约函，学校才能重新发放三方协议。建议先看清协议里的违约条款，和原单位HR坦诚沟通，再到学校就业指导中心办理改派手续。",
        "“粤菜师傅”“广东技工”“南粤家政”三项工程的培训可以在“粤省事”或当地人社部门报名，符合条件的可享受免费培训或培训补贴，考核合格可取得职业技能等级证书。{org}的青年之家也会发布培训报名信息。",
    ],
    "entrepreneurship": [
        "在广东，毕业5年内的高校毕业生等群体创办初创企业，可按规定申请一次性创业资助；租用经营场地的，还可以申请租金补贴。一般向当地人社部门提交营业执照、场地租赁合同等材料，具体金额以{org}所在地当年的政策为准。",
        "创业担保贷款个人最高一般为30万元，财政按规定贴息。通常要求在当地注册经营、本人无其他经营性贷款逾期，需要营业执照、身份证明和创业计划书。开奶茶店差十万元左右，可以先到当地人社部门或经办银行窗口咨询。",
        "{org}有青年创业孵化基地和众创空间，入驻团队可享受免费或低价工位、创业导师辅导和政策对接，农产品电商项目还可以关注乡村振兴青年创业扶持。入驻一般需要提交项目计划书，通过评审后签订入驻协议。",
        "小型餐饮起步，个体工商户注册简单、税负较低，小规模经营常按定期定额征收，但要以个人财产承担责任；有限公司以出资额为限承担责任，便于以后融资和扩张，但账务和税务要求更规范。建议先注册个体户，规模扩大后再考虑成立公司。",
    ],
    "relationships": [
        "{org}团委每年都会举办青年联谊交友活动，报名需要实名认证，活动信息在本平台和团委公众号发布。请通过官方渠道报名，谨防以“相亲”为名的收费骗局。",
        "这是两个人的决定，可以先各自列出最在意的三件事（工作发展、城市生活、家庭），再一起商量谁搬、什么时候搬、搬过去后工作怎么找。也可以先利用一次长假去{place}住一段时间，看看能不能适应。",
        "这是典型的“杀猪盘”诈骗：网上认识、感情升温后引导你在某个平台投资充值，前期小额能提现，等你投入大额就无法提取。请立即停止充值，保存聊天记录和转账凭证，拨打96110反诈热线或到派出所报案。",
    ],
    "volunteering": [
        "在广东可以通过“i志愿”平台（微信小程序或网站）注册成为志愿者，参加活动后由组织方在平台录入志愿服务时长，平台可以出具志愿服务记录证明，学校一般都认可。",
        "{org}青年之家周末有社区服务、环保宣传、关爱长者等公益活动，可在本平台“服务站点”页面查看，并预约“志愿服务报名”时段。",
        "发起暑期支教项目，建议依托学校团委或{org}志愿者协会立项：提前联系乡村学校确认需求，制定活动方案和安全预案，为每位志愿者购买意外保险，在“i志愿”平台发布项目招募志愿者，服务时长可以正式记录。",
    ],
    "league": [
        "毕业生团员在“智慧团建”系统由本人发起转接：登录后选择“组织关系转接”，按就业单位或居住地搜索接收团支部。不清楚接收组织的，可转到工作单位所在地的街道（乡镇）团组织，或联系{org}协助查找。",
        "团员证遗失可向现在所在的团支部申请补办，团支部以“智慧团建”系统中的团员信息为准核实身份，报上级团委审核后补发。",
        "入团年龄为14周岁以上、28周岁以下，24岁可以申请。单位没有团组织的，可以向居住地的街道（乡镇）团组织提出申请，经过团课学习和考察后发展入团。",
        "团费按月交纳，可在“智慧团建”系统的团费交纳入口在线交纳。学生团员和无收入团员按规定的标准交纳，在职团员按收入比例交纳，具体以团支部的通知为准。",
    ],
}
assert all(len(ANSWERS[d]) == len(QUESTIONS[d]) for d in QUESTIONS), "one answer per question template"

PEER_ANSWERS = ["我之前也遇到过类似的情况，后来去青年之家咨询，工作人员很耐心。", "同问，坐等专业老师回答。",
                "可以先打12355问问，我上次打过，回复很快。", "建议把材料准备齐全再去窗口办理，能省不少时间。",
                "我是去年办理的，大概一周就好了，不用太担心。", "楼上说得对，另外记得保留好相关凭证。"]

COMMENTS = ["谢谢解答，很有帮助！", "请问需要本人到场吗？", "收到，我去试试。", "这个信息太及时了。"]


def _ensure_experts(User):
    experts = {}
    for username, real, title, domains in EXPERTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        if active_expert(user) is None:
            register_expert(actor=None, user=user, real_name=real, title=title, domains=domains)
        for d in domains:
            experts.setdefault(d, []).append(user)
    return experts


def _backdate(q: Question, asked_at, rng) -> None:
    """Move a question (and its answers, events) back in time; recompute the stored deadline."""
    dl = deadlines.answer_deadline(asked_at)
    answers = list(Answer.objects.filter(question=q).order_by("pk"))
    first_stop = None
    for i, a in enumerate(answers):
        created = asked_at + timedelta(minutes=rng.randint(20, 150) * (i + 1))
        Answer.objects.filter(pk=a.pk).update(created_at=created)
        if a.stops_clock and first_stop is None:
            first_stop = created
    fields = dict(asked_at=asked_at, clock_started_at=dl.start, remind_at=dl.remind, deadline_at=dl.due,
                  deadline_hours=dl.hours, last_activity_at=asked_at,
                  hot_score=ranking.hot_score(asked_at=asked_at, answers=q.answer_count, likes=q.like_count,
                                              follows=q.follow_count, views=q.view_count, featured=q.is_featured))
    if first_stop is not None:
        fields.update(first_answered_at=first_stop, answered_on_time=first_stop <= dl.due)
    Question.objects.filter(pk=q.pk).update(**fields)
    QuestionEvent.objects.filter(question=q).update(created_at=asked_at)
    Comment.objects.filter(question=q).update(
        created_at=min(asked_at + timedelta(hours=rng.randint(3, 30)), timezone.now() - timedelta(minutes=10)))
    if first_stop is not None:
        QuestionEvent.objects.filter(question=q, kind=EventKind.ANSWERED).update(created_at=first_stop)


# (organisation slug, username of a staff member of it) on duty: answering in duty hours.
DUTY = [("guangdong", "province_admin"), ("guangzhou", "gz_liaison"), ("440106", "tianhe_duty"),
        ("shenzhen", "sz_liaison"), ("sysu", "sysu_liaison")]


def load_duty_roster(stdout=None) -> int:
    """This week's and next week's duty (09:00–21:00 every day: workday shifts on workdays, holiday
    shifts on days off) and the next statutory holiday's, for the organisations in DUTY — so that
    duty staff see their shifts and the roster-gap check finds these organisations covered.
    Idempotent: a shift is keyed by organisation, person and start."""
    from datetime import datetime, time

    from organizations.domain.calendar import statutory_holiday
    from organizations.models import DutyShift, ShiftKind, StaffMembership
    from organizations.selectors import calendar_overrides

    User = get_user_model()
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    overrides = calendar_overrides(monday)
    days = [monday + timedelta(days=k) for k in range(14)]
    holiday = [d for d in (today + timedelta(days=k) for k in range(14, 200)) if statutory_holiday(d, overrides)[1]]
    if holiday:  # the first holiday after the two weeks, all its days
        first = holiday[0]
        days += [d for d in holiday if (d - first).days < 10]
    tz = timezone.get_current_timezone()
    users = {u.username: u for u in User.objects.filter(username__in=[u for _, u in DUTY])}
    orgs = {o.slug: o for o in Organization.objects.filter(slug__in=[s for s, _ in DUTY])}
    members = set(StaffMembership.objects.active().filter(organization__in=orgs.values())
                  .values_list("organization_id", "user_id"))
    have = set(DutyShift.objects.filter(organization__in=orgs.values()).values_list("organization_id", "user_id", "starts_at"))
    rows = []
    for slug, username in DUTY:
        org, user = orgs.get(slug), users.get(username)
        if org is None or user is None or (org.pk, user.pk) not in members:
            continue
        for k, day in enumerate(days):
            starts = datetime.combine(day, time(9), tzinfo=tz)
            if (org.pk, user.pk, starts) in have:
                continue
            workday, _ = statutory_holiday(day, overrides)
            rows.append(DutyShift(organization=org, user=user, starts_at=starts, ends_at=starts + timedelta(hours=12),
                                  kind=ShiftKind.WORKDAY if workday else ShiftKind.HOLIDAY,
                                  phone=f"020-8{(org.pk * 7919 + k) % 10_000_000:07d}"[:20]))
    DutyShift.objects.bulk_create(rows)
    if stdout:
        stdout.write(f"duty roster: {DutyShift.objects.count()} shifts ({len(rows)} new)")
    return len(rows)


def load(stdout=None) -> dict:
    load_duty_roster(stdout)
    User = get_user_model()
    if Question.objects.filter(asker__username__startswith="youth_").count() >= TARGET_QUESTIONS:
        if stdout:
            stdout.write(f"questions: {Question.objects.count()} (0 new)")
        return {"created": 0}
    rng = random.Random(2026)
    for name, slug in TAGS:
        QuestionTag.objects.get_or_create(slug=slug, defaults={"name": name})
    experts = _ensure_experts(User)
    youths = list(User.objects.filter(username__startswith="youth_").order_by("username"))
    admin = User.objects.filter(username="province_admin").first() or User.objects.filter(is_superuser=True).first()
    places = list(Organization.objects.filter(kind__in=[OrganizationKind.CITY, OrganizationKind.COUNTY,
                                                        OrganizationKind.UNIVERSITY], is_active=True).order_by("path"))
    if not youths or admin is None or not places:
        return {"created": 0}
    cities = [o for o in places if o.kind == OrganizationKind.CITY]
    now = timezone.now()
    domains = list(QUESTIONS)
    created = answers = recent = 0
    seen_titles = set(Question.objects.values_list("title", flat=True))
    i = 0
    peer_rows, like_rows, to_backdate = [], [], []
    while created < TARGET_QUESTIONS and i < TARGET_QUESTIONS * 4:
        i += 1
        domain = domains[i % len(domains)]
        k_question = (i // len(domains)) % len(QUESTIONS[domain])
        title_t, body_t, tags = QUESTIONS[domain][k_question]
        org = cities[i % len(cities)] if i % 3 == 0 else places[(i * 7) % len(places)]
        place = org.display_name
        title = title_t.format(place=place)[:80]
        if title in seen_titles:
            continue
        seen_titles.add(title)
        asker = youths[i % len(youths)]
        state = i % 10
        q = services.ask_question(asker=asker, title=title, body=body_t.format(place=place), domain=domain,
                                  tags=tags, organization=org, is_anonymous=(domain == "psychology" and i % 2 == 0))
        created += 1
        if state in (0, 1) and recent >= RECENT_OPEN:
            state = 7  # a live site has a handful of questions inside their 3-hour window, not 64
        if state in (0, 1):
            recent += 1
        if state == 0:  # open, just asked, inside its window
            to_backdate.append((q.pk, now - timedelta(minutes=rng.randint(5, 90))))
            continue
        if state == 1:  # open with a peer answer that does not stop the clock
            peer_rows.append(Answer(question=q, author=youths[(i + 3) % len(youths)], role=AnswerRole.PEER,
                                    body=rng.choice(PEER_ANSWERS), created_at=now))
            answers += 1
            to_backdate.append((q.pk, now - timedelta(minutes=rng.randint(30, 100))))
            continue
        if state == 2:  # overdue: only a peer answer, asked days ago (the sweep escalates it below)
            peer_rows.append(Answer(question=q, author=youths[(i + 1) % len(youths)], role=AnswerRole.PEER,
                                    body=rng.choice(PEER_ANSWERS), created_at=now))
            answers += 1
            to_backdate.append((q.pk, now - timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 12))))
            continue
        if state == 3 and org.kind == OrganizationKind.CITY:  # transferred to a county with a reason
            child = Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1, is_active=True).order_by("?").first()
            if child is not None:
                services.transfer_question(actor=admin, question=q, to_organization=child,
                                           reason=f"属{child.display_name}辖区事务，转由属地团组织办理")
        # answered: an expert or the organisation's official account, then peers
        expert = rng.choice(experts[domain]) if experts.get(domain) and i % 2 else None
        text = ANSWERS[domain][k_question].format(org=q.organization.display_name, place=place)
        q.refresh_from_db()
        if expert is not None:
            a = services.answer_question(actor=expert, question=q, body=text)
        else:
            a = services.answer_question(actor=admin, question=q, body=text, as_organization=q.organization,
                                         source="广东省人力资源和社会保障厅官网" if domain in ("employment", "entrepreneurship") else "")
        answers += 1
        # Peers' answers and likes are plain rows (bulk-written below): the services' side effects
        # (notifications, points) add nothing to a demo and cost most of its loading time.
        for k in range(1 + i % 3):
            peer_rows.append(Answer(question=q, author=youths[(i + k + 2) % len(youths)], role=AnswerRole.PEER,
                                    body=PEER_ANSWERS[(i + k) % len(PEER_ANSWERS)], created_at=now))
            answers += 1
        if i % 4 == 0:
            services.add_comment(actor=asker, question=q, answer=a, body=rng.choice(COMMENTS))
        for k in range(i % 5):
            liker = youths[(i + k + 5) % len(youths)]
            if liker.pk != asker.pk:
                like_rows.append(Like(user=liker, question=q))
            if liker.pk != a.author_id:
                like_rows.append(Like(user=liker, question=q, answer=a))
        if state in (7, 8):
            services.accept_answer(actor=asker, answer=a)
            if state == 8:
                services.mark_outcome(actor=asker, question=q, outcome="solved", rating=5)
        if state == 9:
            services.set_featured(actor=admin, question=q, featured=True)
            services.mark_outcome(actor=asker, question=q, outcome="partly" if i % 20 == 9 else "not_solved", rating=3)
        to_backdate.append((q.pk, now - timedelta(days=rng.randint(0, 45), hours=rng.randint(3, 20))))
    Answer.objects.bulk_create(peer_rows)
    Like.objects.bulk_create(like_rows, ignore_conflicts=True)
    for row in (Question.objects.filter(pk__in=[pk for pk, _ in to_backdate])
                .annotate(n_answers=Count("answers", distinct=True),
                          n_likes=Count("likes", filter=Q(likes__answer__isnull=True), distinct=True))):
        Question.objects.filter(pk=row.pk).update(answer_count=row.n_answers, like_count=row.n_likes)
    for row in Answer.objects.filter(question_id__in=[pk for pk, _ in to_backdate]).annotate(n=Count("likes")).filter(n__gt=0):
        Answer.objects.filter(pk=row.pk).update(like_count=row.n)
    questions = Question.objects.in_bulk([pk for pk, _ in to_backdate])
    for pk, asked_at in to_backdate:
        _backdate(questions[pk], asked_at, rng)
    Question.objects.filter(pk__in=Question.objects.filter(status=QuestionStatus.OPEN, reopen_count__gt=0)
                            .values("pk")).update(deadline_at=now + timedelta(hours=2), remind_at=now + timedelta(hours=1),
                                                  clock_started_at=now - timedelta(hours=1))
    swept = services.sweep_deadlines(now=now)
    if stdout:
        stdout.write(f"questions: {Question.objects.count()} ({created} new), answers: +{answers}, swept: {swept}")
    from demo.home import feature_questions

    feature_questions(stdout=stdout)  # home's demo ran before there were questions to feature
    return {"created": created}
