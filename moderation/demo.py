"""A small demo word list (idempotent), with the homophone variants and allow-list entries the
screening docs use (docs/moderation.md): enough to try the evasions of issue 25 on the demo."""

from .models import AllowedWord, SensitiveWord
from .services import bump_word_list_version

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
]
ALLOWED = ["白色情人节", "特色情", "颜色情", "角色情", "景色情", "出色情"]


def load(stdout=None):
    created = 0
    for word, category, action, variants in WORDS:
        _, new = SensitiveWord.objects.get_or_create(
            word=word, defaults={"category": category, "action": action, "variants": variants})
        created += new
    for word in ALLOWED:
        created += AllowedWord.objects.get_or_create(word=word)[1]
    if created:
        bump_word_list_version()
    if stdout is not None:
        stdout.write(f"moderation: {len(WORDS)} demo sensitive words, {len(ALLOWED)} allowed words ({created} new)")
