"""Pixel comparison of two screenshots for tests/import_visual.rs, with Pillow (Debian's python3-pil).

Usage: compare.py A.png B.png
Prints the share of pixels (0..1) that differ by more than 48 in any channel, over the larger of the
two sizes (the smaller image padded with white), so a shorter or narrower draw counts as different.
"""
import sys

from PIL import Image, ImageChops

a = Image.open(sys.argv[1]).convert("RGB")
b = Image.open(sys.argv[2]).convert("RGB")
w, h = max(a.width, b.width), max(a.height, b.height)
pa = Image.new("RGB", (w, h), "white")
pa.paste(a, (0, 0))
pb = Image.new("RGB", (w, h), "white")
pb.paste(b, (0, 0))
diff = ImageChops.difference(pa, pb)
channels = diff.split()
mask = None
for c in channels:
    m = c.point(lambda v: 255 if v > 48 else 0)
    mask = m if mask is None else ImageChops.lighter(mask, m)
different = mask.histogram()[255]
print(f"{different / (w * h):.4f}")
