"""Errors carry one translatable message (issue 24, point 5): the converter leaves no literal pair, every
msgid of locale/zh_Hans/errors.json is translated (not fuzzy) in the compiled catalogue, and the API's
"中文 / English" and the pages' one-language text read as before."""

import importlib.util
import json
import re
from pathlib import Path

from django.utils.translation import gettext, override, pgettext
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, Invalid, NotFound, bilingual, not_found

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("convert_errors", ROOT / "scripts" / "convert_errors.py")
convert_errors = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(convert_errors)


def test_no_literal_error_pair_is_left(capsys):
    assert convert_errors.main(["--check"]) == 0, capsys.readouterr().out


def test_every_error_msgid_is_translated_and_not_fuzzy():
    table = json.loads((ROOT / "locale/zh_Hans/errors.json").read_text(encoding="utf-8"))
    po = (ROOT / "locale/zh_Hans/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    fuzzy = {m.group(1) for block in po.split("\n\n") if re.search(r"^#,.*fuzzy", block, re.M)
             for m in [re.search(r'^msgid "(.*)"$', block, re.M)] if m}  # obsolete (#~) entries are not compiled
    wrong = []
    with override("zh-hans"):
        for key, chinese in table.items():
            context, _sep, msgid = key.rpartition("\x04")
            got = pgettext(context, msgid) if context else gettext(msgid)
            if got != chinese or msgid in fuzzy:
                wrong.append((key, chinese, got))
    assert not wrong


def test_message_is_bilingual_and_localized_follows_the_language():
    exc = Invalid(_("At most %(MAX_TAGS)s tags"), params={"MAX_TAGS": 5}, fields={"tags": "too_many"})
    assert exc.message == "标签最多 5 个 / At most 5 tags" == str(exc)
    assert exc.as_dict() == {"detail": exc.message, "code": "invalid", "errors": {"tags": "too_many"}}
    with override("en"):
        assert exc.localized == "At most 5 tags"
    with override("zh-hans"):
        assert exc.localized == "标签最多 5 个" == exc.zh
    with override(None):  # translations deactivated (management commands): the site's language, as before
        assert exc.localized == "标签最多 5 个"
    assert Conflict(_("The question is closed")).message == "问题已关闭 / The question is closed"


def test_lazy_params_render_in_each_language():
    tags = ["甲", "乙"]
    exc = NotFound(_("Unknown tags: %(unknown)s"), params={"unknown": bilingual("、".join(tags), ", ".join(tags))})
    assert exc.message == "标签不存在：甲、乙 / Unknown tags: 甲, 乙"
    assert not_found("组织", "Organisation").message == "组织不存在 / Organisation not found"


def test_the_converter_rewrites_pairs_and_is_idempotent():
    source = (
        'from core.errors import Invalid\n\n\n'
        'def f(n, reason):\n'
        '    if n:\n'
        '        raise Invalid("标签太多", "Too many tags", fields={"tags": "x"})\n'
        '    if n > 1:\n'
        '        raise Invalid(f"最多 {n} 个（100%）", f"At most {n} (100%)")\n'
        '    raise Invalid("范围过长",\n'
        '                  f"Range too long ({reason})")\n'
        'def g():\n'
        '    raise Invalid("别的说法", "Too many tags")\n'
    )
    known = {}
    out, entries, notes = convert_errors.convert_source(source, {"Invalid"}, known, "demo/services.py")
    assert not notes
    assert 'raise Invalid(_("Too many tags"), fields={"tags": "x"})' in out
    assert 'raise Invalid(_("At most %(n)s (100%%)"), params={"n": n})' in out
    assert ('    # xgettext:no-python-format\n'
            '    raise Invalid(_("Range too long (%(reason)s)"), params={"reason": reason})') in out
    assert 'pgettext_lazy("demo.services.g", "Too many tags")' in out
    assert "from django.utils.translation import gettext_lazy as _" in out
    assert dict(entries) == {
        "Too many tags": "标签太多", "At most %(n)s (100%%)": "最多 %(n)s 个（100%%）",
        "Range too long (%(reason)s)": "范围过长", "demo.services.g\x04Too many tags": "别的说法",
    }
    again, entries2, _notes = convert_errors.convert_source(out, {"Invalid"}, known, "demo/services.py")
    assert again == out and not entries2


def test_the_converter_pairs_what_the_two_languages_word_differently():
    source = (
        "from core.errors import Conflict, Invalid, TooManyRequests\n"
        "from django.utils.translation import gettext as _\n\n"
        "WRONG = ('验证码错误', 'Wrong code')\n\n\n"
        "def f(alert, step, tags, exc, breach):\n"
        "    if step:\n"
        "        raise Conflict(f'当前状态（{alert.get_status_display()}）不能执行此步骤',\n"
        "                       f'Cannot {step} an alert that is {alert.status}')\n"
        "    if tags:\n"
        "        raise Invalid('标签不存在：' + '、'.join(tags), 'Unknown tags: ' + ', '.join(tags))\n"
        "    if exc:\n"
        "        raise Invalid('；'.join(exc.messages), 'The password is too weak')\n"
        "    if breach:\n"
        "        raise TooManyRequests(*message(breach))\n"
        "    raise Invalid(*WRONG, code='wrong_code')\n"
    )
    out, entries, notes = convert_errors.convert_source(source, {"Conflict", "Invalid", "TooManyRequests"}, {},
                                                        "demo/services.py", frozenset({"WRONG"}))
    assert not notes
    # the module's `_` is the eager gettext: the converter uses gettext_lazy
    assert "WRONG = gettext_lazy('Wrong code')" in out.replace('"', "'")
    assert "raise Invalid(WRONG, code='wrong_code')" in out
    assert "raise TooManyRequests(bilingual(*message(breach)))" in out
    assert ('        # xgettext:no-python-format\n'
            '        raise Conflict(gettext_lazy("Cannot %(step)s an alert that is %(status)s"),\n'
            '                       params={"step": step, "status": bilingual(alert.get_status_display(), alert.status)})'
            ) in out
    assert ('raise Invalid(gettext_lazy("Unknown tags: %(tags)s"),\n'
            """                      params={"tags": bilingual('、'.join(tags), ', '.join(tags))})""") in out
    assert "params={\"messages\": '；'.join(exc.messages)}" in out
    assert "from core.errors import bilingual" in out
    assert dict(entries) == {
        "Wrong code": "验证码错误",
        "Cannot %(step)s an alert that is %(status)s": "当前状态（%(status)s）不能执行此步骤",
        "Unknown tags: %(tags)s": "标签不存在：%(tags)s",
        "The password is too weak": "%(messages)s",
    }
    namespace = {}
    exec(compile(out.replace("from core.errors import bilingual\n", ""), "demo", "exec"), namespace)  # valid Python


def test_the_check_fails_on_a_pair_a_starred_pair_or_an_old_constructor(tmp_path, capsys):
    module = tmp_path / "app" / "services.py"
    module.parent.mkdir()
    module.write_text(
        "from core.errors import Invalid, ServiceError\n"
        "PAIR = ('错', 'Wrong')\n"
        "class Mine(ServiceError):\n"
        "    def __init__(self, zh, en):\n"
        "        super().__init__(zh)\n"
        "def f():\n"
        "    raise Invalid('错', 'Wrong')\n"
        "def g():\n"
        "    raise Mine(*PAIR)\n",
        encoding="utf-8",
    )
    assert convert_errors.main(["--check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "services.py:7" in out and "services.py:9" in out and "Mine.__init__ takes (zh, en)" in out
