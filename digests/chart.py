"""The digest's picture: when the user's posts did well, as a weekday x hour heatmap (PNG).

Drawn with Pillow rather than a plotting library: a 7 x 24 grid of coloured cells and a few
labels is all the chart is, and at ~25 ms a chart it stays cheap when a scheduled run renders
one per user. Colours say how a slot's posts did against the user's typical post (the same
account-relative lift the rest of the product uses), so a big account's hours do not simply
win by size; empty slots are grey, never "bad".
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from cloudstro.digests.model import Heatmap
from cloudstro.store.records import WEEKDAYS

CELL_W, CELL_H = 30, 26
LEFT, TOP, RIGHT, BOTTOM = 96, 58, 20, 52
EMPTY = (232, 232, 232)
TEXT = (40, 40, 40)
LOW, MID, HIGH = (214, 96, 77), (247, 247, 247), (33, 102, 172)  # worse / typical / better
SPAN = 1.0  # lift at which a colour is full strength (+100% / -100%)


def _blend(start: tuple[int, int, int], end: tuple[int, int, int], share: float
           ) -> tuple[int, int, int]:
    share = min(max(share, 0.0), 1.0)
    return tuple(round(a + (b - a) * share) for a, b in zip(start, end, strict=True))  # type: ignore[return-value]


def colour(lift: float | None) -> tuple[int, int, int]:
    """Blue for better than typical, red for worse, near-white for typical, grey for no posts."""
    if lift is None:
        return EMPTY
    if lift >= 0:
        return _blend(MID, HIGH, lift / SPAN)
    return _blend(MID, LOW, -lift / SPAN)


def render_heatmap(heatmap: Heatmap) -> bytes:
    """PNG bytes of the heatmap with weekday/hour labels, a title and a legend."""
    width = LEFT + 24 * CELL_W + RIGHT
    height = TOP + len(WEEKDAYS) * CELL_H + BOTTOM
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    title_font = ImageFont.load_default(size=15)
    font = ImageFont.load_default(size=12)
    draw.text((LEFT, 8), f"When your posts did best ({heatmap.timezone})", fill=TEXT,
              font=title_font)
    draw.text((LEFT, 28), f"vs your typical post; {heatmap.window}", fill=TEXT, font=font)
    for hour in range(0, 24, 3):
        draw.text((LEFT + hour * CELL_W + 4, TOP - 16), f"{hour:02d}", fill=TEXT, font=font)
    for day, name in enumerate(WEEKDAYS):
        y = TOP + day * CELL_H
        draw.text((8, y + 6), name, fill=TEXT, font=font)
        for hour in range(24):
            x = LEFT + hour * CELL_W
            draw.rectangle([x, y, x + CELL_W - 2, y + CELL_H - 2],
                           fill=colour(heatmap.lift[day][hour]))
    legend_y = TOP + len(WEEKDAYS) * CELL_H + 14
    x = LEFT
    for label, lift in (("-100%", -1.0), ("-50%", -0.5), ("typical", 0.0), ("+50%", 0.5),
                        ("+100%", 1.0), ("no posts", None)):
        draw.rectangle([x, legend_y, x + 16, legend_y + 16], fill=colour(lift), outline=TEXT)
        draw.text((x + 22, legend_y + 2), label, fill=TEXT, font=font)
        x += 110
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
