"""Demo data for search: the user dictionary of League and youth-policy terms, then an index
rebuild so that the demo content is searchable in Chinese straight away."""

from search.models import DictionaryTerm

TERMS = [
    ("团省委", "共青团广东省委员会的简称"),
    ("团市委", "共青团市委员会的简称"),
    ("团区委", "共青团区委员会的简称"),
    ("团县委", "共青团县委员会的简称"),
    ("青年之声", "平台名称"),
    ("青年之家", "线下服务阵地"),
    ("创业担保贷款", "就业创业扶持政策"),
    ("一次性创业资助", "广东省创业扶持政策"),
    ("青马工程", "青年马克思主义者培养工程"),
    ("智慧团建", "团员管理系统"),
    ("推优入党", "团员推荐入党"),
    ("志愿汇", "志愿服务平台"),
    ("三支一扶", "高校毕业生基层服务项目"),
    ("西部计划", "大学生志愿服务西部计划"),
    ("就业见习", "青年就业见习岗位"),
    ("12355", "青少年服务台热线"),
    ("联络专员", "青年之声联络专员"),
    ("粤港澳大湾区", "区域名称"),
    ("灵活就业", "就业形式"),
    ("人才驿站", "青年人才临时住宿"),
]


def load(stdout=None) -> dict:
    created = 0
    for term, note in TERMS:
        _, new = DictionaryTerm.objects.get_or_create(term=term, defaults={"note": note})
        created += new
    if created:
        from search.signals import _deferred, indexing_deferred

        if indexing_deferred():  # load_demo_data rebuilds the index once at its end
            _deferred.stats["rebuild"] = True
        else:
            from django.core.management import call_command

            call_command("rebuild_search_index", verbosity=0)
    if stdout is not None:
        stdout.write(f"search dictionary terms: {len(TERMS)} ({created} new)")
    return {"dictionary terms": created}
