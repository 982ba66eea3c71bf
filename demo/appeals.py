"""Demo appeals in every workflow state, run through the real services (idempotent: a record whose
theme exists is left alone). Handlers: appeal_ops / appeal_coord / appeal_leader at 团省委,
rights_handler (权益部), gz_appeal_handler, sz_appeal_handler; a Guangzhou ops group too."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from appeals import services
from appeals.domain.workflow import Role
from appeals.models import Appeal
from organizations.models import Organization

ROLES = [
    ("appeal_ops", "guangdong", Role.OPS),
    ("appeal_coord", "guangdong", Role.COORDINATION),
    ("appeal_leader", "guangdong", Role.LEADER),
    ("rights_handler", "rights-dept", Role.HANDLER),
    ("gz_appeal_handler", "guangzhou", Role.HANDLER),
    ("sz_appeal_handler", "shenzhen", Role.HANDLER),
    ("gz_liaison", "guangzhou", Role.OPS),
    ("gz_admin", "guangzhou", Role.COORDINATION),
]

PATH = ["verify", "propose", "assign", "accept", "feedback", "relay", "record_result", "instruct",
        "deliver_result", "return_visit", "archive"]

# kind, theme, details, location, lead slug, co-handler slugs, last step, extra
RECORDS = [
    ("collective", "多所高校周边网约房押金难退", "近一个月内，广州大学城、天河区多所高校学生反映毕业退租时网约房押金被无故扣留。",
     "广州市番禺区、天河区", "guangzhou", ["rights-dept"], "archive", {"rating": "satisfied"}),
    ("collective", "外卖骑手青年职业伤害保障不足", "深圳多名青年骑手反映工伤认定难、意外保险理赔慢。",
     "深圳市南山区、宝安区", "shenzhen", ["rights-dept"], "return_visit", {"rating": "partly"}),
    ("individual", "父亲重病家庭无力承担医疗费用", "大三学生，父亲突发脑溢血住院，已花费十余万元，希望了解救助渠道。",
     "汕头市金平区", "rights-dept", [], "deliver_result", {}),
    ("individual", "残疾青年求职屡遭拒绝", "本人听力二级残疾，持会计证，投递简历多次被拒，希望获得就业帮扶。",
     "广州市越秀区", "guangzhou", [], "instruct", {}),
    ("collective", "乡村学校暑期支教安全保障", "多支大学生志愿服务队反映暑期支教缺少意外保险和安全培训。",
     "清远市、韶关市", "rights-dept", [], "record_result", {}),
    ("individual", "实习期间工资被拖欠三个月", "在深圳一家科技公司实习三个月，公司一直拖欠实习补贴。",
     "深圳市福田区", "shenzhen", [], "relay", {}),
    ("collective", "新就业青年租房补贴申请流程繁琐", "多名来穗就业的应届生反映人才租房补贴材料多、审批慢。",
     "广州市", "guangzhou", [], "accept", {}),
    ("individual", "留守儿童课后无人看护", "家长外出务工，孩子放学后无人照看，希望青年之家提供课后服务。",
     "湛江市遂溪县", "rights-dept", [], "assign", {}),
    ("collective", "校园快递收费不合理", "中山大学多个校区学生反映快递驿站额外收取取件费。",
     "广州市海珠区", None, [], "propose", {}),
    ("individual", "创业贷款贴息迟迟未到账", "去年获批创业担保贷款，贴息资金至今未发放。",
     "佛山市顺德区", None, [], "verify", {}),
    ("individual", "夜班工作后公交停运通勤难", "工业园区青年工人下夜班后没有公交，打车费用高。",
     "东莞市松山湖", None, [], None, {}),
    ("individual", "想申请助学金但不了解渠道", "家庭经济困难，想了解大学助学金申请渠道。",
     "广州市天河区", None, [], "withdraw", {}),
]

FILLS = {
    "propose": ("details_and_proposal", "经核实，情况属实，涉及面较广。拟请{lead}牵头，会同有关部门协调解决，并及时向青年反馈。"),
    "assign": ("coordination_opinion", "同意开发运维组拟办意见，请{lead}牵头办理，{days}个工作日内反馈阶段性进展。"),
    "record_result": ("result_feedback", "经协调有关部门，问题已基本解决：已建立工作台账，逐一回访当事青年，并推动出台长效机制。"),
    "instruct": ("leader_instruction", "同意。请宣传部总结经验，作为“青年之声”解决青年诉求的典型案例予以宣传。"),
}
COMMENTS = {
    "verify": "您好，您反映的问题已收到，我们正在核实情况，请保持联系方式畅通。",
    "accept": "已制定处理方案：联合有关职能部门调查核实，约谈相关责任方，两周内给出处理意见。",
    "feedback": "已约谈相关责任方，正在督促整改。",
    "relay": "您反映的问题正在办理中，有关部门已介入，请耐心等待。",
    "deliver_result": "您反映的问题已办结：有关部门已督促整改并建立长效机制，感谢您对“青年之声”的信任。",
    "return_visit": "回访：问题已基本解决。",
    "archive": "",
    "withdraw": "问题已通过学校渠道解决，申请撤回。",
}


def load(stdout=None) -> dict:
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in={r[0] for r in ROLES} | {"youth_xiaoming", "youth_ahua", "youth_xiaofang", "youth_jiajun"})}
    orgs = {o.slug: o for o in Organization.objects.filter(slug__in={r[1] for r in ROLES} | {"guangdong", "shenzhen"})}
    for username, slug, role in ROLES:
        if username in users and slug in orgs:
            services.add_handler(actor=None, user=users[username], organization=orgs[slug], role=role)
    if "appeal_ops" not in users:
        return {"created": 0}
    all_slugs = {r[4] for r in RECORDS if r[4]} | {s for r in RECORDS for s in r[5]}
    orgs.update({o.slug: o for o in Organization.objects.filter(slug__in=all_slugs)})
    ops, coord, leader = users["appeal_ops"], users["appeal_coord"], users["appeal_leader"]
    handler_for = {"guangzhou": users["gz_appeal_handler"], "shenzhen": users["sz_appeal_handler"],
                   "rights-dept": users["rights_handler"]}
    youths = [users.get(n) for n in ("youth_xiaoming", "youth_ahua", "youth_xiaofang", "youth_jiajun")]
    province = orgs["guangdong"]
    created = 0
    today = timezone.localdate()
    from community.models import Question  # the community demo ran first: link real threads

    threads = list(Question.objects.filter(moderation_status="visible").order_by("pk").values_list("pk", "title")[:200])

    def thread(n):
        return threads[n % len(threads)] if threads else (None, "")

    for i, (kind, theme, details, location, lead, co, last, extra) in enumerate(RECORDS):
        if Appeal.objects.filter(theme=theme).exists():
            continue
        if kind == "collective":
            refs = [{"question_id": thread(i * 10 + k)[0], "title": f"{theme}（网友反映{k + 1}）", "url": ""}
                    for k in range(3 + i)]
            appeal = services.open_collective_appeal_from_cluster(
                actor=ops, organization=province, thread_refs=refs, user_count=12 + i * 7,
                period_start=today - timedelta(days=30), period_end=today - timedelta(days=1),
                group="高校学生和新就业青年" if i % 2 == 0 else "新业态青年从业者", location=location, theme=theme,
                alert_ref=f"ALERT-{timezone.localdate():%Y}-{i + 1:03d}", details=details,
            )
        else:
            youth = youths[i % len(youths)]
            appeal = services.open_individual_case(
                actor=ops, organization=province, theme=theme, requester=youth, reply_count=2 + i,
                location=location, details=details, question_id=thread(100 + i)[0], source_title=theme,
            )
        created += 1
        if last is None:
            continue
        lead_name = orgs[lead].short_name if lead else "有关部门"
        handler = handler_for.get(lead)
        for step in PATH if last != "withdraw" else ["withdraw"]:
            actor = {"verify": ops, "propose": ops, "assign": coord, "accept": handler, "feedback": handler,
                     "relay": ops, "record_result": handler, "instruct": leader, "deliver_result": ops,
                     "return_visit": ops, "archive": coord, "withdraw": ops}[step]
            kwargs = {"comment": COMMENTS.get(step, "")}
            if step in FILLS:
                field, text = FILLS[step]
                kwargs["fields"] = {field: text.format(lead=lead_name, days=5)}
            if step == "assign":
                kwargs["lead_organization"] = orgs[lead]
                kwargs["co_handlers"] = [orgs[s] for s in co]
            if step == "return_visit":
                kwargs["rating"] = extra.get("rating", "satisfied")
            services.transition(actor=actor, appeal_id=appeal.pk, name=step, **kwargs)
            if step == last:
                break
    if stdout:
        stdout.write(f"appeals: {Appeal.objects.count()} ({created} new)")
    return {"created": created}
