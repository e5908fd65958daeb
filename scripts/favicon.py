"""Write src/medcodes/web/static/favicon.ico: the site's mark (static/icon.svg: a blue rounded square holding a
white cross) drawn at 32 x 32 pixels, for browsers and tools that ask for /favicon.ico rather than the SVG.

    python scripts/favicon.py

The ICO holds one 32-bit BMP image (BITMAPINFOHEADER, bottom-up rows, BGRA, then the 1-bit AND mask), which
every reader of the format accepts. Run it again after changing the mark; it needs nothing but Python.
"""

from __future__ import annotations

import struct
from pathlib import Path

SIZE = 32
BLUE = (0x0B, 0x5C, 0xAD)
WHITE = (0xFF, 0xFF, 0xFF)
RADIUS = 8  # as icon.svg: rx="8" in a 32-unit square
# The cross of icon.svg (path "M13 7h6v6h6v6h-6v6h-6v-6H7v-6h6z"): two bars, in 32-unit coordinates.
BARS = ((13, 7, 19, 25), (7, 13, 25, 19))
TARGET = Path(__file__).resolve().parent.parent / "src" / "medcodes" / "web" / "static" / "favicon.ico"


def coverage(x: int, y: int) -> float:
    """How much of pixel (x, y) the rounded square covers, from 4 x 4 samples (smooth corners)."""
    inside = 0
    for i in range(4):
        for j in range(4):
            px, py = x + (i + 0.5) / 4, y + (j + 0.5) / 4
            cx = min(max(px, RADIUS), SIZE - RADIUS)
            cy = min(max(py, RADIUS), SIZE - RADIUS)
            inside += (px - cx) ** 2 + (py - cy) ** 2 <= RADIUS**2
    return inside / 16


def pixel(x: int, y: int) -> tuple[int, int, int, int]:
    """(blue, green, red, alpha) of pixel (x, y), y from the top."""
    alpha = round(255 * coverage(x, y))
    on_cross = any(x0 <= x < x1 and y0 <= y < y1 for x0, y0, x1, y1 in BARS)
    r, g, b = WHITE if on_cross else BLUE
    return b, g, r, alpha


def icon() -> bytes:
    rows = [b"".join(bytes(pixel(x, y)) for x in range(SIZE)) for y in range(SIZE)]
    pixels = b"".join(reversed(rows))  # BMP rows run bottom-up
    mask = bytes(SIZE * SIZE // 8)  # all 0: the alpha channel decides
    header = struct.pack("<IiiHHIIiiII", 40, SIZE, SIZE * 2, 1, 32, 0, len(pixels) + len(mask), 0, 0, 0, 0)
    image = header + pixels + mask
    directory = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", SIZE, SIZE, 0, 0, 1, 32, len(image), 6 + 16)
    return directory + entry + image


def main() -> None:
    TARGET.write_bytes(icon())
    print(f"wrote {TARGET} ({TARGET.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
