"""The individual-case form (帮扶个案办理表) prints the requester's real name in 用户姓名 — never the
login name — and the youth's own description in 诉求详情及开发运维组拟办意见, field for field as
attachment 4's form; a viewer outside the case's subtree sees the name masked."""

import shutil
import subprocess

import pytest

from appeals import services
from appeals.pdf import form_rows, opinion_text, render_form, user_name_for_form
from tests.factories import UserFactory

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")

DESCRIPTION = "我是听障青年，投了二十多份简历都因为听力被拒，希望团组织帮我联系残联推荐岗位。"


def _text(data: bytes, tmp_path) -> str:
    pdf = tmp_path / "form.pdf"
    pdf.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(out.split())


def test_the_form_prints_the_real_name_and_the_youths_own_description(handlers, tree, api, tmp_path):
    youth = UserFactory(username="hearing2026", display_name="小林", organization=tree.guangzhou)
    appeal = services.request_help(actor=youth, theme="听障青年求职受阻", details=DESCRIPTION, consent=True)
    # filed before real-name verification: no name is known yet, and the login name is not one
    assert user_name_for_form(appeal) == "未实名（平台昵称：小林）"
    text = _text(render_form(appeal), tmp_path)
    assert "hearing2026" not in text and "未实名" in text
    assert "诉求详情：" + DESCRIPTION in text  # the youth's own words, in the form's first opinion cell
    # the youth's real name becomes known (real-name verification): the form prints it
    youth.real_name = "林晓东"
    youth.save(update_fields=["real_name"])
    appeal.refresh_from_db()
    assert dict(form_rows(appeal))["反映诉求的\n用户姓名"] == "林晓东"
    services.transition(actor=handlers.ops, appeal_id=appeal.pk, name="verify", comment="已电话核实")
    services.transition(actor=handlers.ops, appeal_id=appeal.pk, name="propose",
                        fields={"details_and_proposal": "建议交广州团市委联系市残联推荐岗位。"})
    appeal.refresh_from_db()
    assert opinion_text(appeal, "details_and_proposal") == f"诉求详情：{DESCRIPTION}\n拟办意见：建议交广州团市委联系市残联推荐岗位。"
    r = api.get(handlers.ops, f"/{appeal.pk}/form.pdf")
    assert r.status_code == 200
    text = _text(r.content, tmp_path)
    assert "林晓东" in text and "hearing2026" not in text
    assert "诉求详情：" + DESCRIPTION in text and "拟办意见：建议交广州团市委联系市残联推荐岗位。" in text
