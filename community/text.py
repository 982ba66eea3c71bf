"""User text in and out. Everything users write is plain text: nh3 strips every tag (keeping their
text), control characters go, whitespace is normalised. Templates escape on output as usual, and
`linebreaksbr` renders paragraphs. `clean_text` is the one place user text passes; `services.screen`
calls it (and is where the moderation work plugs in word screening)."""

import re

import nh3

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(value: str | None, *, multiline: bool = True) -> str:
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    text = nh3.clean(text, tags=set(), attributes={}, strip_comments=True)
    # nh3 escapes &, < and > in text nodes; we store plain text and templates escape it once.
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&#39;", "'").replace("&amp;", "&")
    text = _CONTROL.sub("", text)
    if not multiline:
        text = " ".join(text.split())
    else:
        text = _BLANK_LINES.sub("\n\n", "\n".join(line.rstrip() for line in text.split("\n")))
    return text.strip()
