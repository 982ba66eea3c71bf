"""Demo word list: what a League site screens for out of the box (fraud and illegal trade, porn,
gambling and drugs, spam, abuse), each with the action a moderator would choose, and the allow-list
of innocent words that contain a listed one. Loaded after the Q&A demo (whose texts are clean).
Idempotent: words are keyed by their text."""

from django.db import transaction

from .models import AllowedWord, SensitiveWord, WordAction, WordCategory

B, H, M = WordAction.BLOCK, WordAction.HOLD, WordAction.MASK
C = WordCategory
WORDS = [
    # fraud and illegal trade: refused outright
    ("办证刻章", C.FRAUD, B), ("代开发票", C.FRAUD, B), ("出售银行卡", C.FRAUD, B), ("收购银行卡", C.FRAUD, B),
    ("跑分平台", C.FRAUD, B), ("刷单兼职", C.FRAUD, B), ("贷款包过", C.FRAUD, B), ("裸贷", C.FRAUD, B),
    ("代考", C.FRAUD, B), ("替考", C.FRAUD, B), ("考试答案出售", C.FRAUD, B), ("代写论文", C.FRAUD, H),
    ("出售个人信息", C.FRAUD, B), ("游戏代练返利", C.FRAUD, H), ("高额返利", C.FRAUD, H),
    # porn, gambling and drugs
    ("色情", C.PORN, H), ("裸聊", C.PORN, B), ("约炮", C.PORN, B), ("援交", C.PORN, B),
    ("赌博", C.VIOLENCE, H), ("网络赌场", C.VIOLENCE, B), ("六合彩", C.VIOLENCE, H), ("百家乐", C.VIOLENCE, H),
    ("冰毒", C.VIOLENCE, B), ("大麻出售", C.VIOLENCE, B), ("枪支出售", C.VIOLENCE, B), ("管制刀具出售", C.VIOLENCE, B),
    # advertising and spam: held for a moderator
    ("加微信领红包", C.ADS, H), ("扫码领取", C.ADS, H), ("日赚千元", C.ADS, H), ("躺赚", C.ADS, H),
    ("兼职打字员", C.ADS, H), ("免费领取iPhone", C.ADS, H),
    # abuse: masked with ＊
    ("傻逼", C.ABUSE, M), ("脑残", C.ABUSE, M), ("废物", C.ABUSE, M), ("去死", C.ABUSE, M), ("滚蛋", C.ABUSE, M),
]
# Innocent words that contain a listed one: their hits are ignored.
ALLOWED = ["白色情人节", "反赌博", "禁赌博", "拒绝赌博", "远离赌博", "禁毒冰毒危害", "代考察", "替考生",
           "废物利用", "废物回收", "变废物为宝"]


def load(stdout=None) -> dict:
    from .services import bump_word_list_version

    have = set(SensitiveWord.objects.values_list("word", flat=True))
    new = [SensitiveWord(word=w, category=c, action=a) for w, c, a in WORDS if w not in have]
    SensitiveWord.objects.bulk_create(new)
    allowed = set(AllowedWord.objects.values_list("word", flat=True))
    new_allowed = [AllowedWord(word=w) for w in ALLOWED if w not in allowed]
    AllowedWord.objects.bulk_create(new_allowed)
    if new or new_allowed:  # bulk_create sends no signal: bump the list version as a save would
        transaction.on_commit(bump_word_list_version)
    if stdout:
        stdout.write(f"sensitive words: {SensitiveWord.objects.count()} ({len(new)} new), "
                     f"allowed words: {AllowedWord.objects.count()} ({len(new_allowed)} new)")
    return {"created": len(new) + len(new_allowed)}
