"""Demo data: the real Guangdong League organisation tree. Idempotent: existing rows are kept."""

from organizations.data import guangdong
from organizations.models import Organization, OrganizationKind
from organizations.services import create_organization, ensure_groups, ensure_platform_office


def _ensure(parent, *, slug, **fields):
    org = Organization.objects.filter(slug=slug).first()
    if org is not None:
        ensure_groups(org)
        return org, False
    return create_organization(actor=None, parent=parent, slug=slug, **fields), True


def load(stdout=None) -> dict:
    divisions = guangdong.guangdong_divisions()
    by_code = {d.adcode: d for d in divisions}
    created = 0
    province_div = by_code[guangdong.PROVINCE_ADCODE]
    province, new = _ensure(
        None, slug="guangdong", name="共青团广东省委员会", short_name="团省委", kind=OrganizationKind.PROVINCE,
        adcode=province_div.adcode, latitude=province_div.latitude, longitude=province_div.longitude,
    )
    created += new
    cities = {}
    for code, slug in guangdong.CITY_SLUGS.items():
        d = by_code[code]
        short = d.name
        cities[code], new = _ensure(
            province, slug=slug, name=f"共青团{d.name}委员会", short_name=short, kind=OrganizationKind.CITY,
            adcode=code, latitude=d.latitude, longitude=d.longitude,
        )
        created += new
    for d in divisions:
        if d.adcode in cities or d.adcode == guangdong.PROVINCE_ADCODE:
            continue
        parent = cities.get(d.parent_adcode)
        if parent is None:
            continue
        _, new = _ensure(
            parent, slug=d.adcode, name=f"共青团{parent.short_name}{d.name}委员会", short_name=d.name,
            kind=OrganizationKind.COUNTY, adcode=d.adcode, latitude=d.latitude, longitude=d.longitude,
        )
        created += new
    for name, short, slug, _city, lng, lat in guangdong.UNIVERSITIES:
        _, new = _ensure(
            province, slug=slug, name=f"共青团{name}委员会", short_name=short, kind=OrganizationKind.UNIVERSITY,
            latitude=lat, longitude=lng,
        )
        created += new
    for name, short, slug in guangdong.DEPARTMENTS:
        _, new = _ensure(province, slug=slug, name=name, short_name=short, kind=OrganizationKind.DEPARTMENT)
        created += new
    ensure_platform_office()
    if stdout:
        stdout.write(f"organisations: {Organization.objects.count()} ({created} new)")
    return {"created": created}
