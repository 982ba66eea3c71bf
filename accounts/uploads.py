"""Bounded avatar uploads: the one validator every avatar upload passes (issue 25, finding 8).

Avatars are uploaded in one place today: the Wagtail admin's account page (/admin/account/,
wagtail.admin.forms.account.AvatarPreferencesForm → wagtail.users.UserProfile.avatar). That form
resizes any picture wider or taller than 400 px — it decodes every pixel — so the bounds must hold
before its clean_avatar runs: `validate_avatar` is a validator of the form field (attached in
AccountsConfig.ready), which Django runs right after its ImageField has opened the header and
verified the file, and before the form's clean_<field> methods.

Bounds (settings): YV_AVATAR_MAX_BYTES, YV_AVATAR_MAX_PIXELS (width × height, read from the header
without decoding: a decompression bomb is refused before it is expanded) and YV_AVATAR_FORMATS
(the format Pillow recognises in the content, not the file name's extension).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image


def validate_avatar(upload) -> None:
    """Refuse an avatar that is too large (bytes or pixels) or not one of the allowed formats."""
    if upload is None or getattr(upload, "_committed", False):  # nothing new uploaded
        return
    max_bytes = settings.YV_AVATAR_MAX_BYTES
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(_("The picture is too large: at most %(mb)s MB."), code="avatar_too_large",
                              params={"mb": max_bytes // (1024 * 1024)})
    position = upload.tell() if hasattr(upload, "tell") else None
    try:
        upload.seek(0)
        with Image.open(upload) as image:  # the header only: nothing is decoded here
            width, height = image.size
            kind = image.format
    except Image.DecompressionBombError:
        raise ValidationError(_("The picture has too many pixels: at most %(px)s."), code="avatar_too_many_pixels",
                              params={"px": f"{settings.YV_AVATAR_MAX_PIXELS:,}"}) from None
    except Exception:  # noqa: BLE001 - whatever Pillow cannot read is not a picture
        raise ValidationError(_("Upload a picture (JPEG, PNG, GIF or WebP)."), code="avatar_type") from None
    finally:
        if position is not None:
            upload.seek(position)
    if kind not in settings.YV_AVATAR_FORMATS:
        raise ValidationError(_("Upload a picture (JPEG, PNG, GIF or WebP)."), code="avatar_type")
    if width * height > settings.YV_AVATAR_MAX_PIXELS:
        raise ValidationError(_("The picture has too many pixels: at most %(px)s."), code="avatar_too_many_pixels",
                              params={"px": f"{settings.YV_AVATAR_MAX_PIXELS:,}"})


def bound_avatar_uploads() -> None:
    """Attach `validate_avatar` to every avatar upload field (idempotent)."""
    from wagtail.admin.forms.account import AvatarPreferencesForm

    field = AvatarPreferencesForm.base_fields["avatar"]
    if validate_avatar not in field.validators:
        field.validators.append(validate_avatar)
