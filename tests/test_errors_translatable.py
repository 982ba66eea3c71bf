"""Errors carry one translatable message (issue 24, point 5): the converter leaves no literal pair, every
msgid of locale/zh_Hans/errors.json is translated (not fuzzy) in the compiled catalogue, and the API's
"中文 / English" and the pages' one-language text read as before."""

import importlib.util
import json
from pathlib import Path

from django.utils.translation import gettext, override, pgettext
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, Invalid, NotFound, bilingual, enumeration, not_found

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("convert_errors", ROOT / "scripts" / "convert_errors.py")
convert_errors = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(convert_errors)


def test_no_literal_error_pair_is_left(capsys):
    assert convert_errors.main(["--check"]) == 0, capsys.readouterr().out


def test_every_error_msgid_is_translated_and_not_fuzzy():
    table = json.loads((ROOT / "locale/zh_Hans/errors.json").read_text(encoding="utf-8"))
    po = (ROOT / "locale/zh_Hans/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    fuzzy = {block.split('msgid "', 1)[1].split('"\n', 1)[0] for block in po.split("\n\n")
             if "#, fuzzy" in block and 'msgid "' in block}
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
    exc = NotFound(_("Unknown tags: %(tags)s"), params={"tags": enumeration(["甲", "乙"])})
    assert exc.message == "标签不存在：甲、乙 / Unknown tags: 甲, 乙"
    assert not_found("组织", "Organisation").message == "组织不存在 / Organisation not found"
    assert str(bilingual("中", "en")) in ("中", "en")


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
