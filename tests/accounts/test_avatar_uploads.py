"""Bounded avatar uploads (issue 25, finding 8): the probe stored a 40 MB avatar. Avatars are uploaded
on the Wagtail admin's account page; every upload passes accounts.uploads.validate_avatar (bytes,
pixels read from the header, format from the content) before the form decodes anything."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from wagtail.admin.forms.account import AvatarPreferencesForm
from wagtail.users.models import UserProfile

from accounts.uploads import validate_avatar

ACCOUNT_FORM = {"name_email-first_name": "小", "name_email-last_name": "张", "name_email-email": "s@example.org",
                "locale-preferred_language": "zh-hans", "locale-current_time_zone": "", "theme-theme": "system",
                "theme-density": "default", "theme-contrast": "system", "theme-keyboard_shortcuts": "on"}


def png(width=64, height=64, color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def forty_megabytes() -> bytes:
    """A 13.7-megapixel photo stored without compression: 41 MB (the probe's upload was 40 MB)."""
    out = io.BytesIO()
    Image.new("RGB", (3700, 3700), (90, 120, 200)).save(out, "PNG", compress_level=0)
    return out.getvalue()


def bomb(side=12_000) -> bytes:
    """A 144-megapixel black PNG of ~20 KB: decoding it (the account form resizes anything above
    400 px) expands it a thousandfold. Below Pillow's own hard limit (2 × 89 M pixels), so Pillow
    alone only warns."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\0" * (1 + side // 8)  # filter byte + 1 bit a pixel
    z = zlib.compressobj(9)
    body = b"".join(z.compress(row) for _ in range(side)) + z.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", body) + chunk(b"IEND", b""))


def upload(content, name="me.png", content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def staff(tree, make_staff):
    return make_staff(tree.guangzhou)


def post_avatar(client, content, name="me.png"):
    return client.post("/admin/account/", {**ACCOUNT_FORM, "avatar-avatar": upload(content, name)})


def test_a_small_picture_is_accepted(staff, client_for):
    r = post_avatar(client_for(staff), png(800, 600))
    assert r.status_code == 302, [(p.name, p.get_form().errors) for ps in r.context["panels_by_tab"].values() for p in ps]
    avatar = UserProfile.get_for_user(staff).avatar
    assert avatar and Image.open(avatar).size == (400, 300)  # the form's own resize


@pytest.mark.parametrize("content, name, message", [
    (forty_megabytes(), "big.png", "图片太大"),
    (bomb(), "bomb.png", "像素过多"),
])
def test_the_probe_uploads_are_refused_before_anything_is_stored(staff, client_for, content, name, message):
    r = post_avatar(client_for(staff), content, name)
    assert r.status_code == 200  # the form again, with the error
    assert message in r.content.decode()  # shown under the upload field
    assert not UserProfile.get_for_user(staff).avatar


def test_the_validator_bounds_bytes_pixels_and_formats(settings):
    from django.core.exceptions import ValidationError

    def code(content, name="a.png"):
        try:
            validate_avatar(upload(content, name))
        except ValidationError as exc:
            return exc.code
        return None

    assert code(png()) is None
    assert code(forty_megabytes()) == "avatar_too_large"
    assert code(bomb()) == "avatar_too_many_pixels"
    assert code(bomb(side=20_000)) == "avatar_too_many_pixels"  # beyond Pillow's own limit too
    assert code(b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "a.png") == "avatar_type"
    tiff = io.BytesIO()
    Image.new("RGB", (8, 8)).save(tiff, "TIFF")
    assert code(tiff.getvalue(), "a.png") == "avatar_type"  # the content decides, not the extension
    settings.YV_AVATAR_MAX_PIXELS = 32 * 32
    assert code(png(33, 32)) == "avatar_too_many_pixels"


def test_the_bound_runs_before_the_form_decodes(monkeypatch):
    """The account form resizes (decodes) big pictures in clean_avatar: the bound must come first."""
    decoded = []
    monkeypatch.setattr(Image.Image, "resize", lambda self, *a, **k: decoded.append(self.size))
    form = AvatarPreferencesForm(data={}, files={"avatar": upload(bomb())}, instance=UserProfile())
    assert not form.is_valid() and "avatar" in form.errors
    assert decoded == []
