"""Words a deployment fills in: `{province}` in a guide or wizard text becomes "tỉnh Thanh Hóa".

Content names no province (`flask content check` fails one that does); where a sentence needs the
name, it says `{province}`. A placeholder is a lowercase word in braces, which Markdown's
attribute lists (`{#id}`, `{.class}`, `{: …}`) never are.
"""

import re

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
KNOWN = frozenset({"province", "online_fee", "or_province_portal"})  # guide/province.py says what each becomes


def unknown_placeholders(text: str) -> list[str]:
    """What a problem says about each placeholder in `text` this site does not fill."""
    known = " and ".join(f"{{{name}}}" for name in sorted(KNOWN))
    return [
        f"{{{name}}} is not a placeholder this site fills (it fills {known})"
        for name in PLACEHOLDER.findall(text)
        if name not in KNOWN
    ]


def filled(text: str, words: dict[str, str]) -> str:
    """`text` with each known placeholder replaced; an unknown one is left for the checker to name."""
    return PLACEHOLDER.sub(lambda m: words.get(m.group(1), m.group(0)), text) if "{" in text else text


def line_of(text: str, needle: str) -> int:
    """The 1-based line where `needle` first appears in `text` (a file's whole text)."""
    return text[: max(text.find(needle), 0)].count("\n") + 1
