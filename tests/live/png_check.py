"""Independent checks of live images for tests/live_images.rs, with Debian's Pillow (python3-pil).

    png_check.py info FILE        -> {"width", "height", "mode", "colours", "ink"} as JSON
    png_check.py compare A B      -> {"same_size", "differing", "mean"} as JSON

`colours` counts distinct colours; `ink` is the share of pixels darker than the background's
lightest colour by more than 96 levels (text drawn). `compare` flattens both on white and
counts pixels whose largest channel difference is over 64 (`differing`, a share) and the mean
absolute difference per channel (`mean`, 0-255).
"""
import json
import sys

from PIL import Image, ImageChops


def flat(path):
    image = Image.open(path)
    image.load()
    rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return image, Image.alpha_composite(white, rgba).convert("RGB")


def info(path):
    image, rgb = flat(path)
    grey = rgb.convert("L")
    histogram = grey.histogram()
    lightest = max(i for i, n in enumerate(histogram) if n)
    total = rgb.size[0] * rgb.size[1]
    ink = sum(n for i, n in enumerate(histogram) if i < lightest - 96) / total
    colours = rgb.getcolors(1 << 24)
    return {
        "width": image.size[0],
        "height": image.size[1],
        "mode": image.mode,
        "format": image.format,
        "colours": len(colours) if colours else 1 << 24,
        "ink": ink,
    }


def compare(a, b):
    _, left = flat(a)
    _, right = flat(b)
    if left.size != right.size:
        return {"same_size": False, "differing": 1.0, "mean": 255.0}
    diff = ImageChops.difference(left, right)
    bands = diff.split()
    largest = ImageChops.lighter(ImageChops.lighter(bands[0], bands[1]), bands[2])
    histogram = largest.histogram()
    total = left.size[0] * left.size[1]
    differing = sum(histogram[65:]) / total
    mean = sum(i * n for i, n in enumerate(diff.convert("L").histogram())) / total
    return {"same_size": True, "differing": differing, "mean": mean}


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "info":
        print(json.dumps(info(sys.argv[2])))
    elif command == "compare":
        print(json.dumps(compare(sys.argv[2], sys.argv[3])))
    else:
        sys.exit(f"unknown command {command}")
