"""What a demo post looks like on its platform: names, words, hashtags, media, ids and URLs.

Pure and deterministic like the rest of the generator: every choice comes from the caller's
random stream, and every id is a hash of indices, so the same arguments give the same text and
the same ids. The generator (`store.demo.generator`) decides how a post does; this module only
dresses it.
"""

from __future__ import annotations

import hashlib
import random

from cloudstro.store.records import Media

FIRST_NAMES = ("Ava", "Liam", "Mia", "Noah", "Sofia", "Kenji", "Amara", "Lucas", "Priya", "Mateo",
               "Chloe", "Wei", "Freya", "Omar", "Hana", "Diego", "Zoe", "Yuki", "Elena", "Kwame",
               "Isla", "Arjun", "Nora", "Felix", "Leila", "Jonas", "Camila", "Ravi", "Ines", "Theo")
LAST_NAMES = ("Chen", "Garcia", "Smith", "Tanaka", "Okafor", "Muller", "Rossi", "Patel", "Kim",
              "Novak", "Silva", "Brown", "Nguyen", "Larsen", "Haddad", "Moreau", "Kowalski",
              "Ito", "Mensah", "Lopez", "Schmidt", "Walsh", "Sato", "Costa", "Ali")
CONTENT_STYLES = ("professional", "casual", "playful", "educational", "inspirational")

# niche -> (hashtags, subjects, brand handles for @mentions)
NICHES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "fitness": (("fitness", "workout", "gymlife", "healthyliving", "legday", "running"),
                ("my 5am workout", "a 20-minute HIIT session", "leg day",
                 "my first half marathon", "meal prep Sunday"),
                ("@strideathletics", "@peakfuel", "@coachmara")),
    "travel": (("travel", "wanderlust", "travelgram", "roadtrip", "solotravel", "traveltips"),
               ("Lisbon's hidden viewpoints", "a night train across the Alps",
                "packing light for ten days", "street food in Bangkok", "a rainy day in Kyoto"),
               ("@nomadpacks", "@railwanderer", "@lonelyplanet")),
    "food": (("foodie", "recipe", "homecooking", "baking", "vegan", "brunch"),
             ("sourdough attempt number twelve", "a 15-minute weeknight pasta",
              "the best ramen in town", "my grandmother's dumpling recipe",
              "a vegan brownie that actually works"),
             ("@castironclub", "@farmboxfresh", "@chefnadia")),
    "tech": (("tech", "AI", "coding", "startup", "productivity", "devlife"),
             ("the new release of our app", "my desk setup", "a debugging story from this week",
              "why I switched to a standing desk", "three AI tools I use daily"),
             ("@cloudstro", "@devtoolsdaily", "@openbuilders")),
    "fashion": (("fashion", "ootd", "style", "thrifting", "streetstyle", "sustainablefashion"),
                ("today's thrifted outfit", "a capsule wardrobe for autumn",
                 "styling one blazer five ways", "my favourite sneakers",
                 "a vintage market haul"),
                ("@loopthreads", "@vintagevault", "@slowstudio")),
    "photography": (("photography", "photooftheday", "streetphotography", "goldenhour",
                     "filmphotography", "landscape"),
                    ("golden hour at the harbour", "a roll of expired film", "shooting in the rain",
                     "my editing workflow", "a misty morning in the hills"),
                    ("@lensandlight", "@filmlab", "@framecollective")),
    "finance": (("personalfinance", "investing", "budgeting", "money", "financialfreedom",
                 "savings"),
                ("my monthly budget review", "index funds explained simply",
                 "how I paid off my card", "a no-spend week", "three money habits that stuck"),
                ("@moneywise", "@penny_notes", "@fundfolk")),
    "gaming": (("gaming", "indiegames", "speedrun", "gamer", "retrogaming", "twitch"),
               ("tonight's stream highlights", "a speedrun personal best",
                "an underrated indie gem", "my retro console collection",
                "the boss fight that took 40 tries"),
               ("@pixelforge", "@retrorack", "@indiespotlight")),
    "parenting": (("parenting", "momlife", "dadlife", "familytime", "toddlerlife",
                   "kidsactivities"),
                  ("a rainy-day craft with the kids", "bedtime routines that work",
                   "our first family camping trip", "packing school lunches",
                   "toddler tantrums, honestly"),
                  ("@tinyexplorers", "@lunchboxlab", "@parentpod")),
    "music": (("music", "newmusic", "musician", "songwriting", "guitar", "livemusic"),
              ("a new demo I recorded", "last night's gig", "my songwriting routine",
               "learning a new chord progression", "a cover I've wanted to do for ages"),
              ("@stagelight", "@chordbook", "@indiesoundz")),
}
PLATFORM_TAGS = {
    "twitter": (), "facebook": (), "instagram": ("instagood", "reels", "photooftheday"),
    "tiktok": ("fyp", "foryou", "viral"), "rednote": ("日常分享", "生活记录", "好物推荐"),
}
POSITIVE = ("Honestly didn't expect it to go this well.", "Would do it again tomorrow.",
            "Best decision I made this month.", "Small wins count.",
            "So happy with how this turned out.")
NEUTRAL = ("Still thinking about it.", "Not perfect, but progress.",
           "This one took longer than planned.", "Lessons learned along the way.",
           "Here's how it went.")
NEGATIVE = ("Not thrilled with how this turned out.", "Frustrating week, not going to lie.",
            "This did not go to plan.")
OPENERS = ("Finally tried", "Sharing", "Quick recap of", "A few notes on", "Back with",
           "Behind the scenes of")
CALLS = ("What would you do?", "Thoughts?", "Save this for later.", "Drop your tips below.",
         "Tag someone who needs this.", "")
EMOJI = ("✨", "🔥", "🙌", "📸", "💡", "🎉", "☕", "🌿")
STORY = ("It started as a small experiment and turned into a whole weekend project.",
         "A friend asked about this last week, so here is the long version.",
         "I wrote down everything along the way so you don't have to repeat my mistakes.")


def post_text(rng: random.Random, platform: str, subject: str, sentiment: str,
             hashtags: list[str], mentions: list[str]) -> str:
    thought = rng.choice({"positive": POSITIVE, "neutral": NEUTRAL, "negative": NEGATIVE}
                         [sentiment])
    tags = " ".join(f"#{tag}" for tag in hashtags)
    mention = f" {mentions[0]}" if mentions else ""
    call = rng.choice(CALLS)
    emoji = rng.choice(EMOJI)
    if platform == "twitter":
        body = f"{rng.choice(OPENERS)} {subject}. {thought}{mention}"
        text = " ".join(part for part in (body, call, tags) if part)
        return text if len(text) <= 280 else " ".join(part for part in (body, tags) if part)[:280]
    if platform == "instagram":
        head = f"{emoji} {subject[0].upper()}{subject[1:]}"
        return f"{head}\n\n{thought}{mention} {call}".rstrip() + (f"\n\n{tags}" if tags else "")
    if platform == "facebook":
        story = rng.choice(STORY) if rng.random() < 0.6 else ""
        parts = (f"{rng.choice(OPENERS)} {subject}.", thought, story, mention.strip(), call, tags)
        return " ".join(part for part in parts if part)
    if platform == "tiktok":
        return " ".join(part for part in (f"{subject} {emoji}", mention.strip(), tags) if part)
    # rednote: a title line, a short note, topic tags
    return (f"{subject[0].upper()}{subject[1:]}｜{thought} {emoji}{mention}"
            + (f"\n{tags}" if tags else ""))


def post_media(rng: random.Random, user_id: str, platform: str, post_id: str, kind: str,
           subject: str) -> list[Media]:
    count = rng.choice((1, 1, 1, 2, 3)) if kind == "image" else 1
    base = f"https://cdn.example.com/demo/{user_id}/{platform}/{post_id}"
    extension = {"image": "jpg", "video": "mp4", "gif": "gif"}[kind]
    items = []
    for position in range(count):
        items.append(Media(
            type=kind,
            url=f"{base}/{position}.{extension}",
            thumbnailUrl=f"{base}/{position}-thumb.jpg" if kind != "image" else None,
            altText=f"{kind.capitalize()} of {subject}" + (f" ({position + 1}/{count})"
                                                           if count > 1 else ""),
        ))
    return items


def post_id_for(index: int, platform: str, number: int) -> str:
    key = f"post:{index}:{platform}:{number}"
    if platform in ("twitter", "tiktok"):
        return "7" + stable_digits(key, 18)
    if platform == "facebook":
        return f"{stable_digits(f'page:{index}', 15)}_{stable_digits(key, 16)}"
    if platform == "instagram":
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
        value = int(hashlib.sha256(key.encode()).hexdigest(), 16)
        return "".join(alphabet[(value >> (6 * i)) & 63] for i in range(11))
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def stable_digits(key: str, length: int) -> str:
    value = int(hashlib.sha256(key.encode()).hexdigest(), 16)
    return str(10 ** (length - 1) + value % (9 * 10 ** (length - 1)))


def post_url(platform: str, handle: str, post_id: str) -> str:
    return {
        "twitter": f"https://twitter.com/{handle}/status/{post_id}",
        "instagram": f"https://www.instagram.com/p/{post_id}/",
        "facebook": f"https://www.facebook.com/{handle}/posts/{post_id}",
        "tiktok": f"https://www.tiktok.com/@{handle}/video/{post_id}",
        "rednote": f"https://www.xiaohongshu.com/explore/{post_id}",
    }[platform]
