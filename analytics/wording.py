"""Numbers in sentences: one way to count a noun, so no answer says "3 insight(s)"."""

from __future__ import annotations


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """`counted(1, "post")` is "1 post", `counted(1200, "post")` "1,200 posts".

    `plural` is for nouns that don't just take an "s" ("1 sync", "2 syncs" do; "1 reply",
    "2 replies" don't).
    """
    word = noun if number == 1 else (plural or f"{noun}s")
    return f"{number:,} {word}"
