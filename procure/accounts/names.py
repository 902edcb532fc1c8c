"""What makes two organization or vendor names the same name, and which characters a name may
not hold. Pure functions: the services check uniqueness with them, the Organization model stores
`name_key` from them, and migration 0013 fills it for the rows it finds.
"""

from __future__ import annotations

import unicodedata

# Unicode's Default_Ignorable_Code_Point ranges (DerivedCoreProperties.txt): characters a
# renderer shows as nothing, such as the zero-width space U+200B, the joiners U+200C and U+200D,
# the word joiner U+2060, the byte-order mark U+FEFF, the bidi controls U+202A-U+202E and
# U+2066-U+2069, the Hangul fillers and the variation selectors. Some are letters or marks by
# their general category, so the category test below alone would let them through.
_INVISIBLE_RANGES = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x2800, 0x2800),  # the blank braille pattern: not ignorable, but shows as a blank
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
# Control, format, surrogate, private-use and unassigned characters, and the line and paragraph
# separators: none belongs in a name shown to other organizations.
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def name_key(name: str) -> str:
    """What two names are compared by: compatibility-normalised (NFKC: the full-width "Ａ" is
    "A", the ligature "ﬁ" is "fi"), case folded ("Straße" and "STRASSE" are one name), with the
    surrounding whitespace trimmed and inner runs of whitespace made one space."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(folded.split())


def invisible_characters(name: str) -> list[str]:
    """The characters of `name` that are invisible or control characters, each as
    "U+200B ZERO WIDTH SPACE", in the order they first occur."""
    found: dict[str, None] = {}
    for character in name:
        point = ord(character)
        if unicodedata.category(character) in _REFUSED_CATEGORIES or any(
            low <= point <= high for low, high in _INVISIBLE_RANGES
        ):
            found[f"U+{point:04X} {unicodedata.name(character, 'unnamed character')}"] = None
    return list(found)


def name_problems(name: str, label: str = "organization") -> list[str]:
    """Plain-language reasons a name is refused, before any comparison with other names."""
    if not name.strip():
        return [f"Give the {label} a name."]
    invisible = invisible_characters(name)
    if invisible:
        return [
            "The name holds invisible or control characters, which would let it pass for "
            f"another: remove {', '.join(invisible)}."
        ]
    return []
