"""Real Guangdong League organisations used to seed the tree.

Regional divisions come from the `cpca` package's adcode table (MIT; read as a CSV file so that
loading does not import pandas). Shenzhen's 龙华区, 坪山区 and 光明区 (set up 2016–2018) are
missing from that table and are added here with their official codes. 顺德区 is treated as a
city-level organisation, as the guidelines do (A3.2).
"""

import csv
import importlib.util
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

PROVINCE_ADCODE = "440000"
SHUNDE_ADCODE = "440606"

CITY_SLUGS = {
    "440100": "guangzhou", "440200": "shaoguan", "440300": "shenzhen", "440400": "zhuhai",
    "440500": "shantou", "440600": "foshan", "440700": "jiangmen", "440800": "zhanjiang",
    "440900": "maoming", "441200": "zhaoqing", "441300": "huizhou", "441400": "meizhou",
    "441500": "shanwei", "441600": "heyuan", "441700": "yangjiang", "441800": "qingyuan",
    "441900": "dongguan", "442000": "zhongshan", "445100": "chaozhou", "445200": "jieyang",
    "445300": "yunfu", SHUNDE_ADCODE: "shunde",
}

EXTRA_DIVISIONS = [
    ("440309", "龙华区", "114.044346", "22.691963"),
    ("440310", "坪山区", "114.338441", "22.69423"),
    ("440311", "光明区", "113.935895", "22.748816"),
]

# (name, short name, slug, city adcode where the main campus is, longitude, latitude)
UNIVERSITIES = [
    ("中山大学", "中大", "sysu", "440100", "113.298729", "23.096470"),
    ("华南理工大学", "华工", "scut", "440100", "113.343428", "23.152070"),
    ("暨南大学", "暨大", "jnu", "440100", "113.346243", "23.130430"),
    ("华南师范大学", "华师", "scnu", "440100", "113.352424", "23.138520"),
    ("华南农业大学", "华农", "scau", "440100", "113.357668", "23.159520"),
    ("广东工业大学", "广工", "gdut", "440100", "113.396499", "23.041920"),
    ("广州大学", "广大", "gzhu", "440100", "113.372658", "23.044120"),
    ("广东外语外贸大学", "广外", "gdufs", "440100", "113.280525", "23.201500"),
    ("南方医科大学", "南医", "smu", "440100", "113.329015", "23.189120"),
    ("广州中医药大学", "广中医", "gzucm", "440100", "113.403173", "23.056210"),
    ("广州医科大学", "广医", "gzhmu", "440100", "113.407640", "23.066560"),
    ("广东财经大学", "广财", "gdufe", "440100", "113.304220", "23.119460"),
    ("广东药科大学", "广药", "gdpu", "440100", "113.405190", "23.057840"),
    ("广东技术师范大学", "广技师", "gpnu", "440100", "113.336120", "23.147190"),
    ("星海音乐学院", "星海", "xhcom", "440100", "113.393850", "23.056260"),
    ("广州美术学院", "广美", "gafa", "440100", "113.387620", "23.049090"),
    ("深圳大学", "深大", "szu", "440300", "113.936501", "22.533010"),
    ("南方科技大学", "南科大", "sustech", "440300", "113.996380", "22.602030"),
    ("汕头大学", "汕大", "stu", "440500", "116.634040", "23.417490"),
    ("五邑大学", "五邑", "wyu", "440700", "113.080640", "22.605840"),
    ("广东海洋大学", "海大", "gdou", "440800", "110.305690", "21.154300"),
    ("岭南师范学院", "岭师", "lingnan-normal", "440800", "110.361560", "21.269130"),
    ("广东石油化工学院", "广石化", "gdupt", "440900", "110.921680", "21.666490"),
    ("肇庆学院", "肇院", "zqu", "441200", "112.477580", "23.078390"),
    ("惠州学院", "惠院", "hzu", "441300", "114.388390", "23.124070"),
    ("嘉应学院", "嘉应", "jyu", "441400", "116.121170", "24.308300"),
    ("韶关学院", "韶院", "sgu", "440200", "113.602270", "24.780750"),
    ("东莞理工学院", "莞工", "dgut", "441900", "113.879140", "22.902950"),
    ("佛山科学技术学院", "佛科院", "fosu", "440600", "113.097230", "23.034080"),
    ("韩山师范学院", "韩师", "hstc", "445100", "116.637430", "23.674510"),
]

# The League provincial committee's departments and units (the guidelines name several of them:
# 办公室, 宣传部, 青年大数据与新媒体中心, and the platform construction office).
DEPARTMENTS = [
    ("共青团广东省委办公室", "办公室", "office"),
    ("共青团广东省委组织部", "组织部", "organization-dept"),
    ("共青团广东省委宣传部", "宣传部", "publicity-dept"),
    ("共青团广东省委学校部", "学校部", "school-dept"),
    ("共青团广东省委青年发展部", "青年发展部", "youth-development-dept"),
    ("共青团广东省委维护青少年权益部", "权益部", "rights-dept"),
    ("共青团广东省委社会联络部", "社联部", "liaison-dept"),
    ("广东青年大数据与新媒体中心", "大数据中心", "bigdata-center"),
    ("广东“青年之声”平台建设办公室", "平台办", "platform-office"),
    ("广东省青年志愿者协会", "青志协", "volunteers-association"),
    ("广东省青年联合会", "省青联", "youth-federation"),
]


@dataclass(frozen=True)
class Division:
    adcode: str  # 6 digits
    name: str
    longitude: Decimal | None
    latitude: Decimal | None

    @property
    def parent_adcode(self) -> str:
        if self.adcode.endswith("0000"):
            return ""
        if self.adcode.endswith("00"):
            return self.adcode[:2] + "0000"
        return self.adcode[:4] + "00"


def _adcode_csv() -> Path:
    spec = importlib.util.find_spec("cpca")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


def guangdong_divisions() -> list[Division]:
    """Province, prefecture-level cities and county-level divisions of Guangdong, sorted by code."""
    divisions = {}
    with _adcode_csv().open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row["adcode"][:6]
            if not code.startswith("44") or row["name"] == "市辖区" or not row["longitude"]:
                continue
            divisions[code] = Division(code, row["name"], Decimal(row["longitude"]), Decimal(row["latitude"]))
    for code, name, lng, lat in EXTRA_DIVISIONS:
        divisions.setdefault(code, Division(code, name, Decimal(lng), Decimal(lat)))
    return [divisions[c] for c in sorted(divisions)]
