"""Demo word list (idempotent): what a League site screens for out of the box — fraud and illegal
trade, porn, gambling and drugs, spam, abuse — each with the action a moderator would choose, the
homophone variants and allow-list entries the screening docs use (docs/moderation.md: enough to try
the evasions of issue 25), and innocent words that contain a listed one. Loaded last: the word list
must not screen the demo content loaded before it."""

from moderation.models import AllowedWord, SensitiveWord
from moderation.services import bump_word_list_version

WORDS = [  # word, category, action, variants (one per line)
    ("色情", "porn", "block", "涩情\n瑟情"),
    ("赌博", "fraud", "block", "堵博\n赌搏"),
    ("网赌", "fraud", "block", ""),
    ("法轮功", "political", "block", "法伦功"),
    ("六合彩", "fraud", "block", ""),
    ("代开发票", "fraud", "hold", ""),
    ("办证", "fraud", "hold", ""),
    ("裸聊", "porn", "block", ""),
    ("约炮", "porn", "block", ""),
    ("傻逼", "abuse", "mask", "煞笔"),
    ("fuck", "abuse", "mask", ""),
    # fraud and illegal trade (issue 19: a realistic list)
    ("办证刻章", "fraud", "block", ""), ("出售银行卡", "fraud", "block", ""), ("收购银行卡", "fraud", "block", ""),
    ("跑分平台", "fraud", "block", ""), ("刷单兼职", "fraud", "block", ""), ("贷款包过", "fraud", "block", ""),
    ("裸贷", "fraud", "block", ""), ("代考", "fraud", "block", ""), ("替考", "fraud", "block", ""),
    ("考试答案出售", "fraud", "block", ""), ("代写论文", "fraud", "hold", ""), ("出售个人信息", "fraud", "block", ""),
    ("高额返利", "fraud", "hold", ""), ("援交", "porn", "block", ""), ("网络赌场", "fraud", "block", ""),
    ("百家乐", "fraud", "hold", ""), ("冰毒", "violence", "block", ""), ("大麻出售", "violence", "block", ""),
    ("枪支出售", "violence", "block", ""), ("管制刀具出售", "violence", "block", ""),
    # advertising and spam: held for a moderator
    ("加微信领红包", "ads", "hold", ""), ("扫码领取", "ads", "hold", ""), ("日赚千元", "ads", "hold", ""),
    ("躺赚", "ads", "hold", ""), ("兼职打字员", "ads", "hold", ""),
    # abuse: masked with ＊
    ("脑残", "abuse", "mask", ""), ("废物", "abuse", "mask", ""), ("去死", "abuse", "mask", ""), ("滚蛋", "abuse", "mask", ""),
]
ALLOWED = ["白色情人节", "特色情", "颜色情", "角色情", "景色情", "出色情", "反赌博", "禁赌博", "拒绝赌博", "远离赌博",
           "代考察", "替考生", "废物利用", "废物回收", "变废物为宝"]


def load(stdout=None):
    have = set(SensitiveWord.objects.values_list("word", flat=True))
    new = [SensitiveWord(word=w, category=c, action=a, variants=v) for w, c, a, v in WORDS if w not in have]
    SensitiveWord.objects.bulk_create(new)
    allowed = set(AllowedWord.objects.values_list("word", flat=True))
    new_allowed = [AllowedWord(word=w) for w in ALLOWED if w not in allowed]
    AllowedWord.objects.bulk_create(new_allowed)
    created = len(new) + len(new_allowed)
    if created:  # bulk_create sends no signal: bump the list version as a save would
        bump_word_list_version()
    if stdout is not None:
        stdout.write(f"moderation: {SensitiveWord.objects.count()} sensitive words, {AllowedWord.objects.count()} "
                     f"allowed words ({created} new)")
    return {"created": created}
