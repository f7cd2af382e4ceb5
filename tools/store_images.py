#!/usr/bin/env python3
"""The app icon and the app-store banner, drawn with Pillow (run by Odoo's Python, which has it;
`make screenshots` runs it after the screenshots).

- static/description/icon.png: 256 x 256, flat: an invoice with a euro sign and an orange clock
  on the Odoo purple, readable at 64 px;
- static/description/banner.png: 560 x 280, the name and what it does beside the icon, over
  a slice of the follow-up dashboard screenshot when there is one.
"""

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

DESCRIPTION = Path(__file__).resolve().parent.parent / "static" / "description"
PURPLE = (113, 75, 103)
PURPLE_DARK = (84, 54, 76)
WHITE = (255, 255, 255)
PAPER_LINE = (200, 186, 196)
ORANGE = (242, 145, 44)
ORANGE_DARK = (204, 108, 18)
SCALE = 4  # drawn 4 times larger, then reduced: smooth edges
FONT_DIRS = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation"]


def font(bold, size):
    names = (["DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf"] if bold
             else ["DejaVuSans.ttf", "LiberationSans-Regular.ttf"])
    for folder in FONT_DIRS:
        for name in names:
            path = Path(folder) / name
            if path.exists():
                return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def icon(size=256):
    s = SCALE
    img = Image.new("RGBA", (size * s, size * s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    u = size * s / 256  # one unit of a 256 grid

    def box(x0, y0, x1, y1):
        return [round(x0 * u), round(y0 * u), round(x1 * u), round(y1 * u)]

    draw.rounded_rectangle(box(0, 0, 256, 256), radius=round(44 * u), fill=PURPLE)
    # the invoice: a sheet with a folded corner, a euro sign and two lines of text
    draw.polygon([tuple(round(v * u) for v in p) for p in ((52, 36), (150, 36), (180, 66), (180, 214), (52, 214))],
                 fill=WHITE)
    draw.polygon([tuple(round(v * u) for v in p) for p in ((150, 36), (150, 66), (180, 66))], fill=PAPER_LINE)
    euro = font(True, round(92 * u))
    draw.text((round(104 * u), round(100 * u)), "€", font=euro, fill=PURPLE, anchor="mm")
    for y in (156, 180):
        draw.rounded_rectangle(box(72, y, 132, y + 10), radius=round(5 * u), fill=PAPER_LINE)
    # the clock: overdue
    cx, cy, r = 176, 176, 56
    draw.ellipse(box(cx - r - 8, cy - r - 8, cx + r + 8, cy + r + 8), fill=PURPLE)
    draw.ellipse(box(cx - r, cy - r, cx + r, cy + r), fill=ORANGE)
    draw.ellipse(box(cx - r + 12, cy - r + 12, cx + r - 12, cy + r - 12), fill=WHITE)
    for hand in ((cx, cy - 30), (cx + 22, cy + 12)):
        draw.line([(round(cx * u), round(cy * u)), (round(hand[0] * u), round(hand[1] * u))],
                  fill=ORANGE_DARK, width=round(10 * u))
    draw.ellipse(box(cx - 8, cy - 8, cx + 8, cy + 8), fill=ORANGE_DARK)
    return img.resize((size, size), Image.Resampling.LANCZOS)


def banner(width=560, height=280):
    img = Image.new("RGB", (width, height), PURPLE)
    shot = DESCRIPTION / "screenshot_dashboard.png"
    if shot.exists():
        with Image.open(shot) as image:
            screen = image.convert("RGB")
            part = screen.crop((0, 0, min(screen.width, 900), min(screen.height, 620)))
            part.thumbnail((270, 200), Image.Resampling.LANCZOS)
            frame = Image.new("RGB", (part.width + 6, part.height + 6), PURPLE_DARK)
            frame.paste(part, (3, 3))
            shadow = Image.new("RGBA", (frame.width + 24, frame.height + 24), (0, 0, 0, 0))
            ImageDraw.Draw(shadow).rectangle([12, 12, frame.width + 12, frame.height + 12], fill=(0, 0, 0, 90))
            shadow = shadow.filter(ImageFilter.GaussianBlur(6))
            x, y = width - frame.width - 18, height - frame.height - 18
            img.paste(shadow, (x - 8, y - 4), shadow)
            img.paste(frame, (x, y))
    mark = icon(88)
    img.paste(mark, (24, 24), mark)
    draw = ImageDraw.Draw(img)
    draw.text((24, 130), "Late Payments", font=font(True, 24), fill=WHITE)
    lines = ["Reminders, late interest,", "EUR 40 indemnity,", "customer risk, DSO", "Odoo 19 - EN / FR"]
    for i, line in enumerate(lines):
        draw.text((24, 166 + i * 21), line, font=font(False, 14), fill=(236, 226, 233))
    return img


def save(img, path, colors=None):
    if colors:
        img = img.quantize(colors=colors, method=Image.Quantize.FASTOCTREE)
    img.save(path, optimize=True)
    print(f"   {path.name}: {img.width}x{img.height}, {path.stat().st_size // 1024} kB")


def main():
    DESCRIPTION.mkdir(parents=True, exist_ok=True)
    save(icon(), DESCRIPTION / "icon.png")
    save(banner(), DESCRIPTION / "banner.png", colors=256)
    return 0


if __name__ == "__main__":
    sys.exit(main())
