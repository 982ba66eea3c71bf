"""Demo users of every role. All share one documented password (README): yv-demo-2026."""

import functools

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import RealNameStatus
from organizations.models import Organization, StaffRole
from organizations.services import add_staff

DEMO_PASSWORD = "yv-demo-2026"

# username, display name, real name, phone, staff roles [(org slug, role)], location org slug
DEMO_USERS = [
    ("province_admin", "团省委管理员", "陈志远", "13800000001", [("guangdong", StaffRole.ORG_ADMIN)], "guangdong"),
    ("province_moderator", "省级审核员", "林晓雯", "13800000002", [("guangdong", StaffRole.MODERATOR)], "guangdong"),
    ("gz_admin", "广州团市委管理员", "黄俊杰", "13800000011", [("guangzhou", StaffRole.ORG_ADMIN)], "guangzhou"),
    ("gz_liaison", "广州联络专员", "梁嘉欣", "13800000012", [("guangzhou", StaffRole.LIAISON)], "guangzhou"),
    ("gz_editor", "广州编辑", "何雅婷", "13800000013", [("guangzhou", StaffRole.EDITOR)], "guangzhou"),
    ("tianhe_duty", "天河区值班员", "吴浩然", "13800000014", [("440106", StaffRole.DUTY)], "440106"),
    ("tianhe_station", "天河青年之家站长", "邓美玲", "13800000015", [("440106", StaffRole.STATION_ADMIN)], "440106"),
    ("sz_admin", "深圳团市委管理员", "张伟明", "13800000021", [("shenzhen", StaffRole.ORG_ADMIN)], "shenzhen"),
    ("sz_liaison", "深圳联络专员", "郑思琪", "13800000022", [("shenzhen", StaffRole.LIAISON)], "shenzhen"),
    ("sysu_liaison", "中大团委联络专员", "刘子涵", "13800000031", [("sysu", StaffRole.LIAISON)], "sysu"),
    # the platform-building office (平台建设办公室) and the province's own liaison and duty staff: a report
    # upward from a city reaches them [A1.8]
    ("platform_office", "平台办工作人员", "赵雨桐", "13800000051",
     [("platform-office", StaffRole.PLATFORM_OFFICE), ("platform-office", StaffRole.DUTY)], "platform-office"),
    ("province_liaison", "团省委联络专员", "孙慧敏", "13800000052", [("guangdong", StaffRole.LIAISON)], "guangdong"),
    ("province_duty", "团省委值班员", "高文轩", "13800000053", [("guangdong", StaffRole.DUTY)], "guangdong"),
    ("youth_xiaoming", "小明", "", "13900000001", [], "440106"),
    ("youth_ahua", "阿华", "", "13900000002", [], "440305"),
    ("youth_xiaofang", "小芳", "", "13900000003", [], "shantou"),
    ("youth_jiajun", "家俊", "", "13900000004", [], "sysu"),
    # appeal handlers (roles given by demo.appeals: AppealHandler memberships)
    ("appeal_ops", "团省委开发运维组", "周晓峰", "13800000041", [], "bigdata-center"),
    ("appeal_coord", "团省委综合协调组", "许文静", "13800000042", [], "office"),
    ("appeal_leader", "团省委领导", "王建国", "13800000043", [], "guangdong"),
    ("rights_handler", "权益部承办人", "罗嘉怡", "13800000044", [], "rights-dept"),
    ("gz_appeal_handler", "广州团市委承办人", "蔡志强", "13800000045", [], "guangzhou"),
    ("sz_appeal_handler", "深圳团市委承办人", "钟丽华", "13800000046", [], "shenzhen"),
    # Q&A community (demo/community.py): experts (registered there) and more askers
    ("expert_lawyer", "王律师", "王建国", "13700000001", [], "guangzhou"),
    ("expert_psych", "陈老师（心理咨询师）", "陈静怡", "13700000002", [], "shenzhen"),
    ("expert_career", "李老师（就业指导）", "李文博", "13700000003", [], "foshan"),
    ("expert_startup", "周导师（创业导师）", "周海峰", "13700000004", [], "dongguan"),
    ("youth_xiaoyu", "小雨", "", "13900000005", [], "foshan"),
    ("youth_haoran", "浩然", "", "13900000006", [], "dongguan"),
    ("youth_shanshan", "珊珊", "", "13900000007", [], "zhuhai"),
    ("youth_weiwei", "伟伟", "", "13900000008", [], "zhanjiang"),
    ("youth_kexin", "可欣", "", "13900000009", [], "huizhou"),
    ("youth_zhiqiang", "志强", "", "13900000010", [], "meizhou"),
    # Station administrators, one per city (stations app): explicit admins of the demo stations.
    ("station_guangzhou", "广州青年之家管理员", "陈晓彤", "13800000200", [("guangzhou", StaffRole.STATION_ADMIN)], "guangzhou"),
    ("station_shaoguan", "韶关青年之家管理员", "林嘉怡", "13800000201", [("shaoguan", StaffRole.STATION_ADMIN)], "shaoguan"),
    ("station_shenzhen", "深圳青年之家管理员", "黄志豪", "13800000202", [("shenzhen", StaffRole.STATION_ADMIN)], "shenzhen"),
    ("station_zhuhai", "珠海青年之家管理员", "张诗琪", "13800000203", [("zhuhai", StaffRole.STATION_ADMIN)], "zhuhai"),
    ("station_shantou", "汕头青年之家管理员", "李俊贤", "13800000204", [("shantou", StaffRole.STATION_ADMIN)], "shantou"),
    ("station_foshan", "佛山青年之家管理员", "王雅文", "13800000205", [("foshan", StaffRole.STATION_ADMIN)], "foshan"),
    ("station_jiangmen", "江门青年之家管理员", "吴浩宇", "13800000206", [("jiangmen", StaffRole.STATION_ADMIN)], "jiangmen"),
    ("station_zhanjiang", "湛江青年之家管理员", "刘欣妍", "13800000207", [("zhanjiang", StaffRole.STATION_ADMIN)], "zhanjiang"),
    ("station_maoming", "茂名青年之家管理员", "蔡家乐", "13800000208", [("maoming", StaffRole.STATION_ADMIN)], "maoming"),
    ("station_zhaoqing", "肇庆青年之家管理员", "杨子轩", "13800000209", [("zhaoqing", StaffRole.STATION_ADMIN)], "zhaoqing"),
    ("station_huizhou", "惠州青年之家管理员", "郑静怡", "13800000210", [("huizhou", StaffRole.STATION_ADMIN)], "huizhou"),
    ("station_meizhou", "梅州青年之家管理员", "谢伟健", "13800000211", [("meizhou", StaffRole.STATION_ADMIN)], "meizhou"),
    ("station_shanwei", "汕尾青年之家管理员", "何思敏", "13800000212", [("shanwei", StaffRole.STATION_ADMIN)], "shanwei"),
    ("station_heyuan", "河源青年之家管理员", "许宇航", "13800000213", [("heyuan", StaffRole.STATION_ADMIN)], "heyuan"),
    ("station_yangjiang", "阳江青年之家管理员", "郭慧琳", "13800000214", [("yangjiang", StaffRole.STATION_ADMIN)], "yangjiang"),
    ("station_qingyuan", "清远青年之家管理员", "罗铭杰", "13800000215", [("qingyuan", StaffRole.STATION_ADMIN)], "qingyuan"),
    ("station_dongguan", "东莞青年之家管理员", "梁婉婷", "13800000216", [("dongguan", StaffRole.STATION_ADMIN)], "dongguan"),
    ("station_zhongshan", "中山青年之家管理员", "宋国栋", "13800000217", [("zhongshan", StaffRole.STATION_ADMIN)], "zhongshan"),
    ("station_chaozhou", "潮州青年之家管理员", "唐海燕", "13800000218", [("chaozhou", StaffRole.STATION_ADMIN)], "chaozhou"),
    ("station_jieyang", "揭阳青年之家管理员", "冯振华", "13800000219", [("jieyang", StaffRole.STATION_ADMIN)], "jieyang"),
    ("station_yunfu", "云浮青年之家管理员", "邓丽珊", "13800000220", [("yunfu", StaffRole.STATION_ADMIN)], "yunfu"),
    ("station_shunde", "顺德青年之家管理员", "曾泽楠", "13800000221", [("shunde", StaffRole.STATION_ADMIN)], "shunde"),
]


@functools.cache
def demo_password_hash() -> str:
    """DEMO_PASSWORD hashed once for every demo user (a PBKDF2 run costs ~0.3 s; 170 users)."""
    from django.contrib.auth.hashers import make_password

    return make_password(DEMO_PASSWORD)


def load(stdout=None) -> dict:
    User = get_user_model()
    orgs = {o.slug: o for o in Organization.objects.filter(slug__in={s for *_, roles, loc in DEMO_USERS for s in [loc, *(r[0] for r in roles)]})}
    created = 0
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = User.objects.create_superuser(
            "admin", None, DEMO_PASSWORD, display_name="平台超级管理员", real_name="系统管理员",
            real_name_status=RealNameStatus.VERIFIED, organization=orgs["guangdong"],
        )
        created += 1
    for username, display, real, phone, roles, location in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username, display_name=display, real_name=real, phone=phone,
                real_name_status=RealNameStatus.VERIFIED if real else RealNameStatus.NONE,
                organization=orgs[location], phone_verified_at=timezone.now(),
            )
            user.password = demo_password_hash()
            user.save()
            created += 1
        for slug, role in roles:
            add_staff(actor=None, user=user, organization=orgs[slug], role=role)
    _demo_totp_devices(User)
    _demo_roster(User, orgs)
    if stdout:
        stdout.write(f"users: {User.objects.count()} ({created} new)")
    return {"created": created}


def _demo_roster(User, orgs, days: int = 14) -> None:
    """Duty rosters of the platform office and the province for the next two weeks, 09:00–21:00
    (a day already rostered is left alone), so that reports upward reach someone by roster."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from organizations.models import DutyShift

    today = timezone.localdate()
    for slug, username in (("platform-office", "platform_office"), ("guangdong", "province_duty")):
        user = User.objects.filter(username=username).first()
        if user is None or slug not in orgs:
            continue
        for i in range(days):
            day = today + timedelta(days=i)
            start = timezone.make_aware(datetime.combine(day, time(9)))
            if not DutyShift.objects.filter(organization=orgs[slug], user=user, starts_at=start).exists():
                DutyShift.objects.create(organization=orgs[slug], user=user, starts_at=start,
                                         ends_at=start + timedelta(hours=12), phone="020-87185000")


# The demo's provincial administrators (who must pass the TOTP step in the admin) share one published
# authenticator key, so that anyone can try the demo: add DEMO_TOTP_BASE32 to an authenticator app,
# or print the current code with `python manage.py demo_otp_code`. Never in production: there the
# loader is not run and every administrator enrols their own device.
DEMO_TOTP_HEX = "3132333435363738393031323334353637383930"  # RFC 6238's test key "12345678901234567890"
DEMO_TOTP_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
DEMO_TOTP_USERS = ("admin", "province_admin")


def _demo_totp_devices(User):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for user in User.objects.filter(username__in=DEMO_TOTP_USERS):
        TOTPDevice.objects.get_or_create(user=user, name="演示验证器 Demo authenticator",
                                         defaults={"key": DEMO_TOTP_HEX, "confirmed": True})
