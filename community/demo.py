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
from organizations.models import Organization, OrganizationKind

from . import services
from .domain import deadlines, ranking
from .models import Answer, AnswerRole, EventKind, Like, Question, QuestionEvent, QuestionStatus, QuestionTag

TARGET_QUESTIONS = 320

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

ANSWERS = {
    "legal": ["根据《劳动合同法》，已与用人单位形成劳动关系的应订立书面劳动合同；在校生实习一般签订三方实习协议，约定实习报酬和保险。建议保留考勤、工作记录，可向{org}或当地劳动监察部门咨询。",
              "建议先固定证据（聊天记录、转账凭证、照片），与对方协商；协商不成可向当地消费者协会、劳动监察大队投诉，或申请劳动仲裁，劳动仲裁不收费。",
              "可拨打12348公共法律服务热线获得免费法律咨询，{org}青年之家每周也有律师驻点。"],
    "psychology": ["你的感受很正常，长期高压下出现失眠很常见。建议固定作息，睡前一小时放下手机，白天适度运动；如果持续两周以上影响生活，可以预约专业咨询。",
                   "可以先从一个小目标开始，比如每周参加一次{org}青年之家的活动，认识同龄人。孤独感会随着建立新的联系慢慢减轻。",
                   "全省青少年心理咨询热线12355提供免费服务，{org}也有线下心理服务站点，可以在本平台预约。"],
    "employment": ["{org}每年都会发布就业见习岗位，见习期间有见习补贴，可在“粤省事”或人社部门网站查询并报名。",
                   "两条路没有绝对好坏，关键看你的职业规划：如果目标岗位看重学历，考研值得；如果想尽早积累经验，先工作也可以在职提升。",
                   "灵活就业人员可以在“粤省事”小程序或社保经办机构办理参保登记，按月缴费，基数可在规定范围内选择。"],
    "entrepreneurship": ["符合条件的毕业5年内高校毕业生在{org}创办初创企业，可申请一次性创业资助和租金补贴，具体可咨询当地人社部门或创业孵化基地。",
                         "创业担保贷款个人最高可贷30万元，由财政贴息，需要提供营业执照、创业计划书等材料，建议先到当地人社部门窗口咨询。",
                         "{org}有青年创业孵化基地，提供免费工位和导师辅导，可以关注“青年之声”发布的入驻通知。"],
    "relationships": ["{org}团委每年都会举办青年联谊活动，报名需要实名认证，信息在本平台活动栏目发布，请留意。",
                      "感情中的重大决定需要两个人充分沟通，可以先列出各自最在意的事情，再一起商量一个时间表。",
                      "凡是网恋对象引导投资、充值的，基本都是“杀猪盘”诈骗，请立即停止转账并拨打96110反诈热线。"],
    "volunteering": ["可以在“i志愿”平台注册成为志愿者，参加活动后由组织方在平台录入志愿时长，学校认可平台出具的证明。",
                     "{org}青年之家每周末都有公益活动，包括社区服务、环保宣传、关爱长者等，可在本平台站点页面预约。",
                     "发起志愿项目建议依托学校团委或{org}的志愿者协会，办理活动备案并购买保险，确保安全。"],
    "league": ["毕业生团员在“智慧团建”系统中由本人发起转接申请，选择就业单位或居住地所在的团组织；不清楚接收组织的，可联系{org}团委协助。",
               "团员证遗失可向所在团支部申请补办，由团支部报上级团委审核后补发。",
               "入团年龄为14周岁以上、28周岁以下，单位没有团组织的青年可以向居住地的街道（乡镇）团组织或{org}团委提出申请。"],
}

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
    if first_stop is not None:
        QuestionEvent.objects.filter(question=q, kind=EventKind.ANSWERED).update(created_at=first_stop)


def load(stdout=None) -> dict:
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
    created = answers = 0
    seen_titles = set(Question.objects.values_list("title", flat=True))
    i = 0
    peer_rows, like_rows, to_backdate = [], [], []
    while created < TARGET_QUESTIONS and i < TARGET_QUESTIONS * 4:
        i += 1
        domain = domains[i % len(domains)]
        title_t, body_t, tags = QUESTIONS[domain][(i // len(domains)) % len(QUESTIONS[domain])]
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
        text = rng.choice(ANSWERS[domain]).format(org=q.organization.display_name if hasattr(q, "organization") else place)
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
    from home.demo import feature_questions

    feature_questions(stdout=stdout)  # home's demo ran before there were questions to feature
    return {"created": created}
