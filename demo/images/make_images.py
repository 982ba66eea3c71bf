"""Regenerate the demo images (run once; the PNG/JPEG files are committed):
    .venv/bin/python demo/images/make_images.py
Drawn with Pillow and the Noto Sans CJK font from Debian's fonts-noto-cjk; nothing is downloaded."""

import math
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

OUT = Path(__file__).parent
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
PALETTE = {
    "red": ((200, 22, 29), (240, 120, 60)),
    "orange": ((211, 84, 0), (246, 185, 59)),
    "jade": ((30, 125, 79), (120, 200, 150)),
    "sea": ((11, 106, 162), (90, 190, 230)),
    "indigo": ((57, 73, 171), (150, 120, 220)),
    "rose": ((190, 40, 90), (250, 150, 160)),
    "teal": ((0, 121, 130), (110, 210, 190)),
}

# name, size, palette, big text, small text
IMAGES = [
    ("banner-province", (1600, 533), "red", "青年之声", "有问题来这里问 · 有困难来这里说"),
    ("banner-city", (1600, 533), "orange", "青年之家", "就近服务 · 一站可达"),
    ("article-news", (1280, 720), "sea", "资讯", "团青动态"),
    ("activity-volunteer", (1280, 720), "jade", "志愿", "公益志愿 · 一起行动"),
    ("activity-career", (1280, 720), "indigo", "就业", "就业实习 · 职场体验"),
    ("contest-award", (1280, 720), "red", "推优", "寻找身边的好青年"),
    ("offer-discount", (1280, 720), "rose", "优惠", "青年专享"),
    ("topic-talk", (1280, 720), "teal", "议题", "说出你的声音"),
    ("domain-entrepreneurship", (1280, 720), "orange", "创新创业", ""),
    ("domain-relationships", (1280, 720), "rose", "婚恋交友", ""),
    ("domain-legal", (1280, 720), "indigo", "法律服务", ""),
    ("domain-psychology", (1280, 720), "teal", "心理咨询", ""),
    ("domain-employment", (1280, 720), "sea", "就业实习", ""),
    ("domain-volunteering", (1280, 720), "jade", "公益志愿", ""),
    ("domain-league", (1280, 720), "red", "团务", ""),
]
CANDIDATES = [("candidate-1", "jade"), ("candidate-2", "sea"), ("candidate-3", "orange"), ("candidate-4", "indigo")]


def gradient(size, top, bottom):
    w, h = size
    img = Image.new("RGB", size)
    draw = ImageDraw.Draw(img)
    for y in range(h):
        t = y / max(h - 1, 1)
        draw.line([(0, y), (w, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    return img


def shapes(img, seed):
    rnd = random.Random(seed)
    w, h = img.size
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    for _ in range(9):
        r = rnd.randint(h // 8, h // 2)
        x, y = rnd.randint(-r, w), rnd.randint(-r, h)
        d.ellipse([x, y, x + 2 * r, y + 2 * r], fill=(255, 255, 255, rnd.randint(18, 45)))
    for i in range(5):  # soft waves
        amp, phase = h / 18, rnd.random() * 6
        pts = [(x, h * (0.62 + i * 0.07) + amp * math.sin(x / w * 6 + phase)) for x in range(0, w + 20, 20)]
        d.line(pts, fill=(255, 255, 255, 60), width=3)
    layer = layer.filter(ImageFilter.GaussianBlur(2))
    img.paste(layer, (0, 0), layer)
    return img


def text(img, big, small):
    d = ImageDraw.Draw(img)
    w, h = img.size
    big_font = ImageFont.truetype(FONT, int(h * 0.2), index=2)  # index 2: Simplified Chinese
    bb = d.textbbox((0, 0), big, font=big_font)
    x, y = int(w * 0.07), int(h * 0.3)
    d.text((x + 4, y + 4), big, font=big_font, fill=(0, 0, 0, 90))
    d.text((x, y), big, font=big_font, fill=(255, 255, 255))
    if small:
        small_font = ImageFont.truetype(FONT, int(h * 0.07), index=2)
        d.text((x, y + (bb[3] - bb[1]) + int(h * 0.1)), small, font=small_font, fill=(255, 255, 255))


def portrait(name, palette):
    top, bottom = PALETTE[palette]
    img = gradient((600, 600), bottom, top)
    d = ImageDraw.Draw(img)
    d.ellipse([210, 120, 390, 300], fill=(255, 255, 255))  # head
    d.rounded_rectangle([140, 330, 460, 640], radius=150, fill=(255, 255, 255))  # shoulders
    img.save(OUT / f"{name}.jpg", quality=82, optimize=True)


def main():
    for i, (name, size, palette, big, small) in enumerate(IMAGES):
        img = shapes(gradient(size, *PALETTE[palette]), seed=i)
        text(img, big, small)
        img.save(OUT / f"{name}.jpg", quality=80, optimize=True, progressive=True)
    for name, palette in CANDIDATES:
        portrait(name, palette)
    logo = Image.new("RGBA", (256, 256), (0, 0, 0, 0))
    d = ImageDraw.Draw(logo)
    d.ellipse([8, 8, 248, 248], fill=(200, 22, 29))
    font = ImageFont.truetype(FONT, 150, index=2)
    d.text((128, 122), "声", font=font, fill=(255, 255, 255), anchor="mm")
    logo.save(OUT / "logo.png", optimize=True)


if __name__ == "__main__":
    main()
