"""The image captcha served by the project itself (no third party): a small arithmetic sum drawn with
Pillow, its answer kept in the session and spent on the first check."""

import io
import secrets
import time

from django.http import HttpResponse
from django.views.decorators.cache import never_cache

SESSION_KEY = "yv_captcha"
TTL = 300


def new_challenge(request) -> str:
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    request.session[SESSION_KEY] = {"answer": str(a + b), "at": time.time()}
    return f"{a} + {b} = ?"


def check(request, answer: str) -> bool:
    """True once for the right answer; the challenge is spent either way."""
    import hmac

    data = request.session.pop(SESSION_KEY, None)
    if not data or time.time() - data.get("at", 0) > TTL:
        return False
    return hmac.compare_digest(str(answer or "").strip(), data["answer"])


@never_cache
def image(request):
    from PIL import Image, ImageDraw, ImageFont

    text = new_challenge(request)
    img = Image.new("RGB", (150, 48), (250, 246, 240))
    draw = ImageDraw.Draw(img)
    rnd = secrets.SystemRandom()
    for _ in range(8):
        draw.line([(rnd.randint(0, 150), rnd.randint(0, 48)), (rnd.randint(0, 150), rnd.randint(0, 48))],
                  fill=(rnd.randint(150, 220),) * 3, width=1)
    try:
        font = ImageFont.load_default(size=26)
    except TypeError:  # Pillow without FreeType sizes
        font = ImageFont.load_default()
    x = 8
    for ch in text:
        draw.text((x, rnd.randint(6, 14)), ch, fill=(rnd.randint(20, 120), 30, 40), font=font)
        x += 16 if ch != " " else 8
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return HttpResponse(buf.getvalue(), content_type="image/png")
