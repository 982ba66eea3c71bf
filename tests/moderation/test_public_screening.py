"""Issue 25, finding 5 through the real stack: the probe's evasions are refused where they were
published (a question through the API), the homophone variants are edited in the admin, and every
public text that is not a post — station rating comments, expert biographies and profiles, alliance
applications, display names — goes through the same screening (moderation.services.screen_public_texts)."""

from datetime import datetime
from types import SimpleNamespace

import pytest
from freezegun import freeze_time

from accounts.forms import UserEditForm
from alliances.models import ExpertProfile
from moderation.models import SensitiveWord
from moderation.services import bump_word_list_version
from organizations.models import StaffRole
from stations import services as station_services
from stations.domain.calendar import CHINA
from stations.models import Booking, ServiceSlot
from tests.alliances.conftest import make_alliance, make_expert
from tests.factories import UserFactory
from tests.stations.conftest import make_station

PROBE = ["色\u3164情", "色\uffa0情", "色\u115f情", "\u202e情色\u202c", "色a情", "色1情", "seqing", "涩情"]


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


@pytest.fixture
def words(db):
    SensitiveWord.objects.create(word="色情", category="porn", action="block", variants="涩情")
    SensitiveWord.objects.create(word="赌博", category="fraud", action="block")
    SensitiveWord.objects.create(word="法轮功", category="political", action="block")
    SensitiveWord.objects.create(word="傻逼", category="abuse", action="mask")
    bump_word_list_version()


@pytest.fixture
def grown_youth(tree):
    return UserFactory(organization=tree.tianhe, date_joined=datetime(2026, 1, 1, tzinfo=CHINA))


@pytest.mark.parametrize("evasion", PROBE + ["falungong", "flg", "fl g"])
def test_the_probes_evasions_are_refused_on_a_question(words, grown_youth, client_for, evasion):
    word = "法轮功" if evasion.startswith("f") else "色情"
    r = post(client_for(grown_youth), "/api/community/questions/",
             {"title": f"请问这个{evasion}网站怎么回事", "body": "朋友发给我的链接", "domain": "legal"})
    assert r.status_code == 400 and r.json()["code"] == "blocked_words", (evasion, word, r.content)


def test_ordinary_questions_with_latin_and_digits_still_post(words, grown_youth, client_for):
    for title in ("2024年考研英语一备考经验", "学拼音pinyin有什么好方法", "重庆Chongqing的人才政策"):
        assert post(client_for(grown_youth), "/api/community/questions/",
                    {"title": title, "body": "谢谢大家", "domain": "employment"}).status_code == 201, title


def test_variants_are_edited_in_the_admin(words, tree, make_staff, grown_youth, client_for):
    moderator = make_staff(tree.province, StaffRole.MODERATOR)
    word = SensitiveWord.objects.get(word="赌博")
    url = f"/admin/snippets/moderation/sensitiveword/edit/{word.pk}/"
    page = client_for(moderator).get(url)
    assert page.status_code == 200 and 'name="variants"' in page.content.decode()
    r = client_for(moderator).post(url, {"word": "赌博", "category": "fraud", "action": "block", "is_active": "on",
                                         "variants": "堵博\n赌搏"})
    assert r.status_code == 302, r.content.decode()[:2000]
    word.refresh_from_db()
    assert word.variants == "堵博\n赌搏"
    r = post(client_for(grown_youth), "/api/community/questions/",
             {"title": "有人拉我去堵博怎么办", "body": "", "domain": "legal"})
    assert r.status_code == 400 and r.json()["code"] == "blocked_words"


NOW = datetime(2026, 11, 25, 10, 0, tzinfo=CHINA)


@freeze_time(NOW)
def test_a_station_rating_comment_is_screened(words, tree, youth, client_for):
    admin = UserFactory()
    station = make_station(tree.tianhe, admins=[admin])
    station_services.generate_slots(station=station, days=3, start=NOW.date())
    slot = ServiceSlot.objects.get(station=station, starts_at=datetime(2026, 11, 26, 9, 0, tzinfo=CHINA))
    yc, ac = client_for(youth), client_for(admin)
    bid = post(yc, "/api/stations/bookings", {"slot_id": slot.pk}).json()["id"]
    assert post(ac, f"/api/stations/bookings/{bid}/confirm").status_code == 200
    with freeze_time(datetime(2026, 11, 26, 10, 0, tzinfo=CHINA)):
        assert post(ac, f"/api/stations/bookings/{bid}/result", {"result": "完成一次咨询"}).status_code == 200
        r = post(yc, f"/api/stations/bookings/{bid}/rating", {"score": 1, "comment": "这里有色\u3164情广告"})
        assert r.status_code == 400 and r.json()["code"] == "blocked_words"
        r = post(yc, f"/api/stations/bookings/{bid}/rating", {"score": 2, "comment": "工作人员说话像个傻\u200b逼"})
        assert r.status_code == 200
    assert Booking.objects.get(pk=bid).rating_comment == "工作人员说话像个＊＊＊"
    comments = [x["comment"] for x in client_for().get(f"/api/stations/{station.pk}/ratings").json()]
    assert comments == ["工作人员说话像个＊＊＊"]


def test_an_expert_biography_and_profile_are_screened(words, tree, client_for):
    expert = make_expert(tree.guangzhou)
    c = client_for(expert.user)
    r = c.patch("/api/alliances/experts/me", {"bio": "擅长处理\u202e博赌\u202c纠纷"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "blocked_words"
    r = c.patch("/api/alliances/experts/me", {"title": "se qing 顾问"}, content_type="application/json")
    assert r.status_code == 400
    r = c.patch("/api/alliances/experts/me", {"bio": "执业十年，擅长劳动争议。"}, content_type="application/json")
    assert r.status_code == 200
    assert ExpertProfile.objects.get(pk=expert.pk).bio == "执业十年，擅长劳动争议。"


def test_an_alliance_application_is_screened(words, tree, make_staff, youth, client_for):
    alliance = make_alliance(tree.guangzhou, liaison=make_staff(tree.guangzhou, StaffRole.LIAISON))
    r = post(client_for(youth), f"/api/alliances/{alliance.pk}/applications",
             {"real_name": "周律师", "bio": "兼职做色1情网站推广", "domains": ["legal"]})
    assert r.status_code == 400 and r.json()["code"] == "blocked_words"
    r = post(client_for(youth), f"/api/alliances/{alliance.pk}/applications",
             {"real_name": "周律师", "message": "涩情内容勿扰", "domains": ["legal"]})
    assert r.status_code == 400
    assert not ExpertProfile.objects.filter(user=youth).exclude(bio="").exists()


def test_a_display_name_is_screened(words, youth):
    from django import forms

    with pytest.raises(forms.ValidationError, match="违反"):
        UserEditForm.clean_display_name(SimpleNamespace(cleaned_data={"display_name": "flg\u3164传人"}))
    assert UserEditForm.clean_display_name(SimpleNamespace(cleaned_data={"display_name": "小林"})) == "小林"


def test_screening_stays_fast_with_a_large_list_and_long_posts(words):
    """A post of 5,000 characters mixing Latin, digits and Chinese: well under a millisecond per KB."""
    import time

    from moderation.services import current_matcher

    matcher = current_matcher()
    text = ("我在2024年第3次参加招聘会，HR说offer下周发，QQ群123456里有信息。" * 120)[:5000]
    matcher.screen(text)
    start = time.perf_counter()
    for _ in range(20):
        assert matcher.screen(text).hits == []
    assert (time.perf_counter() - start) / 20 < 0.05


def test_the_demo_word_list_catches_the_probes_evasions(db, grown_youth, client_for):
    from demo import moderation as demo

    demo.load()
    demo.load()  # idempotent
    assert SensitiveWord.objects.count() == len(demo.WORDS)
    for evasion in ("色\u3164情", "\u202e情色\u202c", "堵博", "flg", "色a情"):
        r = post(client_for(grown_youth), "/api/community/questions/",
                 {"title": f"请问{evasion}是什么意思", "body": "", "domain": "legal"})
        assert r.status_code == 400, evasion
    assert post(client_for(grown_youth), "/api/community/questions/",
                {"title": "这首歌很有特色，情感真挚", "body": "", "domain": "legal"}).status_code == 201
