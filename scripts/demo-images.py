#!/usr/bin/env python3
"""Draws the demo workspace's images (fixtures/demo/assets/): flat illustrations made for Tessera,
so the demo's emails are complete offline. Python's standard library only (zlib for PNG), so any
machine can re-run it; the output is deterministic.

Each file is named like the asset library names added files: <stem>-<first 12 hex digits of the
SHA-256 of its bytes>.png. Run it, then point the demo's fields at the printed paths:

    python3 scripts/demo-images.py            # writes fixtures/demo/assets/, prints stem -> path

Licence: the images are original work for this repository, under the repository's licence
(MIT OR Apache-2.0); see fixtures/demo/README.md.
"""

import hashlib
import os
import struct
import sys
import zlib

SS = 2  # supersampling factor: shapes are drawn at twice the size and averaged down


def hexrgb(h):
    h = h.lstrip("#")
    return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))


class Canvas:
    """An RGBA canvas drawn at SS times the output size."""

    def __init__(self, w, h, bg=None):
        self.w, self.h = w * SS, h * SS
        self.ow, self.oh = w, h
        fill = bytes(hexrgb(bg) + (255,)) if bg else bytes((0, 0, 0, 0))
        self.rows = [bytearray(fill * self.w) for _ in range(self.h)]

    def span(self, y, x0, x1, rgba):
        if y < 0 or y >= self.h:
            return
        x0, x1 = max(0, int(x0)), min(self.w, int(x1))
        if x1 > x0:
            self.rows[y][x0 * 4:x1 * 4] = rgba * (x1 - x0)

    def rect(self, x, y, w, h, colour):
        rgba = bytes(hexrgb(colour) + (255,))
        for yy in range(int(y * SS), int((y + h) * SS)):
            self.span(yy, x * SS, (x + w) * SS, rgba)

    def gradient(self, y, h, top, bottom):
        a, b = hexrgb(top), hexrgb(bottom)
        y0, y1 = int(y * SS), int((y + h) * SS)
        for yy in range(y0, y1):
            t = (yy - y0) / max(1, y1 - y0 - 1)
            c = bytes(int(a[i] + (b[i] - a[i]) * t) for i in range(3)) + b"\xff"
            self.span(yy, 0, self.w, c)

    def polygon(self, points, colour):
        rgba = bytes(hexrgb(colour) + (255,))
        pts = [(x * SS, y * SS) for x, y in points]
        ys = [p[1] for p in pts]
        for yy in range(max(0, int(min(ys))), min(self.h, int(max(ys)) + 1)):
            yc = yy + 0.5
            xs = []
            for i in range(len(pts)):
                (x0, y0), (x1, y1) = pts[i], pts[(i + 1) % len(pts)]
                if (y0 <= yc < y1) or (y1 <= yc < y0):
                    xs.append(x0 + (yc - y0) * (x1 - x0) / (y1 - y0))
            xs.sort()
            for i in range(0, len(xs) - 1, 2):
                self.span(yy, round(xs[i]), round(xs[i + 1]), rgba)

    def ellipse(self, cx, cy, rx, ry, colour):
        rgba = bytes(hexrgb(colour) + (255,))
        cx, cy, rx, ry = cx * SS, cy * SS, rx * SS, ry * SS
        for yy in range(max(0, int(cy - ry)), min(self.h, int(cy + ry) + 1)):
            d = 1 - ((yy + 0.5 - cy) / ry) ** 2
            if d > 0:
                half = rx * d ** 0.5
                self.span(yy, round(cx - half), round(cx + half), rgba)

    def circle(self, cx, cy, r, colour):
        self.ellipse(cx, cy, r, r, colour)

    def round_rect(self, x, y, w, h, r, colour):
        self.rect(x + r, y, w - 2 * r, h, colour)
        self.rect(x, y + r, w, h - 2 * r, colour)
        for cx, cy in ((x + r, y + r), (x + w - r, y + r), (x + r, y + h - r), (x + w - r, y + h - r)):
            self.circle(cx, cy, r, colour)

    def line(self, x0, y0, x1, y1, width, colour):
        dx, dy = x1 - x0, y1 - y0
        length = (dx * dx + dy * dy) ** 0.5 or 1
        nx, ny = -dy / length * width / 2, dx / length * width / 2
        self.polygon([(x0 + nx, y0 + ny), (x1 + nx, y1 + ny), (x1 - nx, y1 - ny), (x0 - nx, y0 - ny)], colour)

    def text(self, x, y, s, scale, colour, spacing=1):
        for ch in s:
            glyph = FONT.get(ch)
            if glyph is None:
                x += 4 * scale
                continue
            for row, bits in enumerate(glyph):
                for col, bit in enumerate(bits):
                    if bit == "#":
                        self.rect(x + col * scale, y + row * scale, scale, scale, colour)
            x += (len(glyph[0]) + spacing) * scale
        return x

    def png(self):
        """Averages SS×SS samples into one pixel and encodes a PNG (RGBA, filter Up)."""
        out_rows = []
        for oy in range(self.oh):
            samples = self.rows[oy * SS:(oy + 1) * SS]
            row = bytearray(self.ow * 4)
            for ox in range(self.ow):
                acc = [0, 0, 0, 0]
                for r in samples:
                    for sx in range(SS):
                        p = (ox * SS + sx) * 4
                        a = r[p + 3]
                        acc[0] += r[p] * a
                        acc[1] += r[p + 1] * a
                        acc[2] += r[p + 2] * a
                        acc[3] += a
                n = SS * SS
                if acc[3]:
                    row[ox * 4:ox * 4 + 4] = bytes((acc[0] // acc[3], acc[1] // acc[3], acc[2] // acc[3], acc[3] // n))
            out_rows.append(row)
        raw = bytearray()
        prev = bytearray(self.ow * 4)
        for row in out_rows:
            raw.append(2)  # Up filter
            raw.extend((row[i] - prev[i]) & 0xFF for i in range(len(row)))
            prev = row

        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

        ihdr = struct.pack(">IIBBBBB", self.ow, self.oh, 8, 6, 0, 0, 0)
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b"")


# A 5×7 capital font for the logo and the icons' letters.
FONT = {
    "N": ["#...#", "##..#", "#.#.#", "#.#.#", "#..##", "#...#", "#...#"],
    "O": [".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
    "R": ["####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"],
    "T": ["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."],
    "H": ["#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
    "W": ["#...#", "#...#", "#...#", "#.#.#", "#.#.#", "##.##", "#...#"],
    "I": ["###", ".#.", ".#.", ".#.", ".#.", ".#.", "###"],
    "D": ["####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."],
    "U": ["#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
    "F": ["#####", "#....", "#....", "####.", "#....", "#....", "#...."],
    "E": ["#####", "#....", "#....", "####.", "#....", "#....", "#####"],
    "S": [".####", "#....", "#....", ".###.", "....#", "....#", "####."],
    "P": ["####.", "#...#", "#...#", "####.", "#....", "#....", "#...."],
    "f": ["..##", ".#..", "####", ".#..", ".#..", ".#..", ".#.."],
}

GREEN, DARK_GREEN, CREAM = "#1f6f50", "#17382b", "#f4efe6"


def logo(dark):
    c = Canvas(320, 80)
    mark, word = ("#8fd3b0", "#e8ece9") if dark else (GREEN, DARK_GREEN)
    c.polygon([(8, 66), (34, 14), (50, 44), (60, 30), (80, 66)], mark)
    c.polygon([(27, 28), (34, 14), (41, 28), (37, 25), (34, 29), (31, 25)], "#ffffff" if not dark else "#17382b")
    x = c.text(94, 16, "NORTHWIND", 4, word)
    c.text(96, 52, "OUTFITTERS", 2, mark, spacing=2)
    del x
    return c


def ridge_hero():
    c = Canvas(1200, 600)
    c.gradient(0, 600, "#f6c9a0", "#cfe0e6")
    c.circle(860, 250, 70, "#fbe3b8")
    c.polygon([(0, 330), (180, 230), (330, 300), (520, 190), (700, 290), (900, 210), (1200, 320), (1200, 600), (0, 600)], "#9fb7b3")
    c.polygon([(0, 420), (220, 320), (420, 400), (640, 300), (860, 390), (1060, 330), (1200, 370), (1200, 600), (0, 600)], "#5f8a7a")
    c.polygon([(0, 520), (300, 420), (560, 470), (780, 410), (1200, 500), (1200, 600), (0, 600)], "#2f5d4c")
    for x, coat in ((640, "#d9534f"), (676, "#e0a526")):
        base = 418 - (x - 640) * 0.1
        c.circle(x, base - 46, 7, "#3b2b22")
        c.polygon([(x - 9, base - 38), (x + 9, base - 38), (x + 11, base - 12), (x - 11, base - 12)], coat)
        c.rect(x - 12, base - 36, 6, 18, "#3d4a52")
        c.line(x - 5, base - 12, x - 8, base + 6, 5, "#2b2b2b")
        c.line(x + 5, base - 12, x + 8, base + 6, 5, "#2b2b2b")
    return c


def repair_studio():
    c = Canvas(512, 384, bg="#efe6d8")
    c.rect(0, 300, 512, 84, "#b98a5e")
    c.polygon([(170, 80), (220, 60), (292, 60), (342, 80), (392, 240), (352, 250), (330, 170), (330, 300), (182, 300), (182, 170), (160, 250), (120, 240)], "#2f7a57")
    c.polygon([(220, 60), (256, 96), (292, 60)], "#245f44")
    c.rect(253, 96, 6, 200, "#245f44")
    c.round_rect(280, 190, 40, 34, 6, "#c98b3a")
    for i in range(7):
        c.rect(282 + i * 5.5, 186, 3, 4, "#f4efe6")
        c.rect(282 + i * 5.5, 224, 3, 4, "#f4efe6")
    c.line(340, 150, 420, 110, 3, "#9aa3a8")
    c.circle(420, 110, 3, "#9aa3a8")
    c.line(340, 150, 322, 198, 2, "#d9534f")
    return c


def portrait():
    c = Canvas(128, 128, bg="#d8e6de")
    c.ellipse(64, 128, 46, 34, GREEN)
    c.ellipse(64, 56, 30, 34, "#5a3a28")
    c.ellipse(64, 62, 22, 26, "#e2b48f")
    c.polygon([(40, 48), (64, 30), (90, 46), (84, 40), (64, 26), (44, 38)], "#5a3a28")
    return c


def icon(kind):
    c = Canvas(56, 56)
    c.circle(28, 28, 28, GREEN)
    white = "#ffffff"
    if kind == "instagram":
        c.round_rect(14, 14, 28, 28, 8, white)
        c.round_rect(17, 17, 22, 22, 6, GREEN)
        c.circle(28, 28, 7, white)
        c.circle(28, 28, 4, GREEN)
        c.circle(35, 20, 2, white)
    elif kind == "youtube":
        c.round_rect(12, 17, 32, 22, 6, white)
        c.polygon([(24, 22), (34, 28), (24, 34)], GREEN)
    elif kind == "pinterest":
        c.text(18, 11, "P", 4, white)
    elif kind == "facebook":
        c.text(20, 11, "f", 5, white)
    return c


def daypack_hero():
    c = Canvas(1200, 600)
    c.gradient(0, 420, "#cfe3d8", "#eef1ec")
    c.rect(0, 420, 1200, 180, "#8a6a4a")
    c.rect(0, 430, 1200, 10, "#6f543a")
    c.rect(380, 380, 440, 40, "#a07850")
    c.rect(400, 420, 20, 120, "#6f543a")
    c.rect(780, 420, 20, 120, "#6f543a")
    c.round_rect(520, 150, 170, 235, 40, "#1f6f50")
    c.round_rect(545, 250, 120, 100, 18, "#245f44")
    c.rect(560, 180, 90, 10, "#e0a526")
    c.line(530, 170, 500, 370, 10, "#17382b")
    c.line(680, 170, 710, 370, 10, "#17382b")
    c.round_rect(570, 120, 70, 40, 16, "#17382b")
    return c


def snowfield_hero():
    c = Canvas(1200, 600)
    c.gradient(0, 600, "#c9d8e6", "#ffffff")
    c.polygon([(0, 360), (260, 300), (600, 350), (900, 290), (1200, 340), (1200, 600), (0, 600)], "#f5f8fb")
    for x, s in ((120, 1.0), (210, 0.8), (980, 1.1), (1080, 0.9), (300, 0.6), (900, 0.7)):
        base = 380
        for tier in range(3):
            w, top = (60 - tier * 14) * s, base - (40 + tier * 45) * s
            c.polygon([(x - w, top + 60 * s), (x, top), (x + w, top + 60 * s)], "#2f5d4c")
        c.rect(x - 6 * s, base, 12 * s, 24 * s, "#5a3a28")
    x, base = 600, 420
    c.circle(x, base - 70, 11, "#3b2b22")
    c.round_rect(x - 20, base - 60, 40, 56, 12, "#c0392b")
    c.line(x - 8, base - 6, x - 14, base + 24, 8, "#2b2b2b")
    c.line(x + 8, base - 6, x + 16, base + 24, 8, "#2b2b2b")
    return c


def jackets():
    c = Canvas(536, 400, bg="#e6eef3")
    c.polygon([(178, 90), (230, 66), (306, 66), (358, 90), (410, 270), (368, 282), (346, 190), (346, 340), (190, 340), (190, 190), (168, 282), (126, 270)], "#c0392b")
    for y in range(110, 340, 30):
        c.rect(190, y, 156, 3, "#a93226")
    c.rect(265, 80, 6, 260, "#7b241c")
    c.polygon([(230, 66), (268, 100), (306, 66)], "#a93226")
    return c


def footwear():
    c = Canvas(536, 400, bg="#efe6d8")
    c.rect(0, 320, 536, 80, "#ffffff")
    c.polygon([(170, 90), (270, 90), (280, 220), (400, 250), (420, 300), (150, 300)], "#7a4a2a")
    c.rect(150, 296, 272, 18, "#2b2b2b")
    for y in range(110, 220, 22):
        c.line(226, y, 270, y + 6, 4, "#e0a526")
    return c


# Product pictures: one square picture per catalogue subcategory (`fixtures/demo/store/products.csv`
# points every product of a subcategory at it), so sample profiles, recommendations and stored
# profiles show pictures offline. 240 px square: the product grids show them at 120 to 180 px.
PRODUCT_SIZE = 240


def product_canvas(bg):
    c = Canvas(PRODUCT_SIZE, PRODUCT_SIZE, bg=bg)
    c.ellipse(120, 212, 84, 10, "#d9d4cc")  # the shadow it stands on
    return c


def product_jacket(colour, trim, hood=True, quilted=False):
    c = product_canvas("#eef2f4")
    body = [(78, 52), (104, 40), (136, 40), (162, 52), (196, 150), (176, 156), (166, 108), (166, 204), (74, 204), (74, 108), (64, 156), (44, 150)]
    c.polygon(body, colour)
    if hood:
        c.polygon([(100, 40), (106, 22), (134, 22), (140, 40), (120, 56)], trim)
    else:
        c.polygon([(104, 40), (120, 58), (136, 40)], trim)
    c.rect(118, 50, 4, 154, trim)
    if quilted:
        for y in range(70, 204, 18):
            c.rect(74, y, 92, 2, trim)
    return c


def product_top(colour, trim, collar):
    c = product_canvas("#f3efe8")
    c.polygon([(80, 50), (104, 42), (136, 42), (160, 50), (198, 110), (178, 122), (164, 96), (164, 200), (76, 200), (76, 96), (62, 122), (42, 110)], colour)
    if collar == "zip":
        c.polygon([(104, 42), (108, 30), (132, 30), (136, 42), (120, 50)], trim)
        c.rect(118, 30, 4, 46, trim)
    elif collar == "crew":
        c.ellipse(120, 44, 18, 8, trim)
    else:
        c.polygon([(104, 42), (120, 66), (136, 42)], trim)
        for y in (80, 104, 128, 152):
            c.circle(120, y, 3, trim)
    c.rect(76, 188, 88, 8, trim)
    return c


def product_pants(colour, trim):
    c = product_canvas("#eceee8")
    c.polygon([(82, 34), (158, 34), (170, 206), (132, 206), (120, 96), (108, 206), (70, 206)], colour)
    c.rect(82, 34, 76, 12, trim)
    c.rect(92, 80, 18, 22, trim)
    c.rect(130, 80, 18, 22, trim)
    return c


def product_boot(colour, sole, high=True):
    c = product_canvas("#f1ebe1")
    top = 44 if high else 104
    c.polygon([(70, top), (122, top), (128, 140), (186, 156), (196, 186), (60, 186)], colour)
    c.rect(56, 184, 144, 16, sole)
    for y in range(top + 14, 140, 16):
        c.line(100, y, 124, y + 4, 3, "#e0a526")
    return c


def product_pack(colour, trim):
    c = product_canvas("#e8f0ea")
    c.round_rect(72, 48, 96, 152, 26, colour)
    c.round_rect(86, 120, 68, 62, 12, trim)
    c.rect(92, 70, 56, 6, "#e0a526")
    c.round_rect(98, 30, 44, 26, 10, trim)
    return c


def product_beanie(colour, trim):
    c = product_canvas("#edf0f4")
    c.ellipse(120, 130, 62, 66, colour)
    c.rect(56, 130, 128, 70, "#edf0f4")
    c.rect(58, 128, 124, 34, trim)
    c.circle(120, 60, 16, trim)
    return c


def product_socks(colour, trim):
    c = product_canvas("#f4efe6")
    c.polygon([(90, 36), (134, 36), (134, 150), (180, 170), (182, 200), (110, 200), (90, 170)], colour)
    c.rect(90, 36, 44, 18, trim)
    c.rect(90, 96, 44, 8, trim)
    c.ellipse(170, 186, 14, 14, trim)
    return c


PRODUCTS = {
    "jackets-insulated": lambda: product_jacket("#c0392b", "#7b241c", hood=True, quilted=True),
    "jackets-rain": lambda: product_jacket("#e0a526", "#9a6f12", hood=True),
    "jackets-wind": lambda: product_jacket("#2e86c1", "#1b4f72", hood=False),
    "layers-fleece": lambda: product_top("#7d6b5d", "#4e4238", "zip"),
    "layers-merino": lambda: product_top("#1f6f50", "#17382b", "crew"),
    "layers-shirts": lambda: product_top("#8fb3c8", "#4f6f82", "buttons"),
    "pants-hiking": lambda: product_pants("#5f6b4e", "#3d4532"),
    "footwear-boots": lambda: product_boot("#7a4a2a", "#2b2b2b", high=True),
    "footwear-trail-running": lambda: product_boot("#d35400", "#34495e", high=False),
    "packs-daypacks": lambda: product_pack("#1f6f50", "#245f44"),
    "accessories-cold-weather": lambda: product_beanie("#c0392b", "#f4efe6"),
    "accessories-socks": lambda: product_socks("#8e7cc3", "#4b3f72"),
}


IMAGES = {
    "northwind-logo": lambda: logo(False),
    "northwind-logo-dark": lambda: logo(True),
    "hero-ridge": ridge_hero,
    "repair-studio": repair_studio,
    "maya-r": portrait,
    "icon-instagram": lambda: icon("instagram"),
    "icon-youtube": lambda: icon("youtube"),
    "icon-pinterest": lambda: icon("pinterest"),
    "icon-facebook": lambda: icon("facebook"),
    "hero-daypack": daypack_hero,
    "hero-snowfield": snowfield_hero,
    "category-jackets": jackets,
    "category-footwear": footwear,
    **{f"product-{sub}": draw for sub, draw in PRODUCTS.items()},
}


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "demo", "assets")
    os.makedirs(out, exist_ok=True)
    for stem, draw in IMAGES.items():
        data = draw().png()
        name = f"{stem}-{hashlib.sha256(data).hexdigest()[:12]}.png"
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        print(f"{stem} assets/{name} {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
