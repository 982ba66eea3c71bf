"""Fill empty msgstr entries of a .po file from a JSON mapping {msgid: msgstr}.

    python scripts/po_fill.py locale/zh_Hans/LC_MESSAGES/django.po locale/zh_Hans/*.json

Each app keeps its Chinese in locale/zh_Hans/<app>.json, so parallel work never conflicts in the .po.

makemessages keeps existing translations, so this is only for new strings. Prints what is still missing.
A msgid with a msgctxt is looked up as "context\\u0004msgid"."""

import json
import sys
from pathlib import Path


def parse_str(lines):
    parts = []
    for n, line in enumerate(lines):
        if n and not line.startswith('"'):
            break
        parts.append(json.loads(line[line.index('"'):]))
    return "".join(parts)


def main(po_path, *mapping_paths):
    mapping = {}
    for mapping_path in mapping_paths:
        mapping.update(json.loads(Path(mapping_path).read_text(encoding="utf-8")))
    text = Path(po_path).read_text(encoding="utf-8")
    blocks = text.split("\n\n")
    missing = []
    out = []
    for block in blocks:
        lines = block.split("\n")
        try:
            i_id = next(i for i, line in enumerate(lines) if line.startswith("msgid "))
            i_str = next(i for i, line in enumerate(lines) if line.startswith(("msgstr ", "msgstr[0] ")))
        except StopIteration:
            out.append(block)
            continue
        plural = lines[i_str].startswith("msgstr[0] ")
        if plural:  # Chinese has one plural form: msgstr[0] only (msgid_plural is not looked up)
            i_plural = next(i for i, line in enumerate(lines) if line.startswith("msgid_plural "))
            msgid, msgstr = parse_str(lines[i_id:i_plural]), parse_str(lines[i_str:])
            if msgid and not msgstr:
                if msgid in mapping:
                    lines = lines[:i_str] + ["msgstr[0] " + json.dumps(mapping[msgid], ensure_ascii=False)]
                else:
                    missing.append(msgid)
            out.append("\n".join(lines))
            continue
        msgid = parse_str(lines[i_id:i_str])
        msgstr = parse_str(lines[i_str:])
        i_ctxt = next((i for i, line in enumerate(lines) if line.startswith("msgctxt ")), None)
        if i_ctxt is not None:  # a key "context\u0004msgid" (the gettext convention) in the JSON
            msgid = parse_str(lines[i_ctxt:i_id]) + "\x04" + msgid
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        if msgid and (not msgstr or fuzzy):
            if msgid in mapping:
                lines = [line for line in lines if not line.startswith("#| ")]
                lines = [line.replace(", fuzzy", "") if line.startswith("#,") else line for line in lines]
                lines = [line for line in lines if line.strip() != "#,"]
                i_str = next(i for i, line in enumerate(lines) if line.startswith("msgstr "))
                lines = lines[:i_str] + ["msgstr " + json.dumps(mapping[msgid], ensure_ascii=False)]
                lines = [line for line in lines if line != "#, fuzzy"]
            else:
                missing.append(msgid)
        out.append("\n".join(lines))
    Path(po_path).write_text("\n\n".join(out), encoding="utf-8")
    for m in missing:
        print("missing:", m)


if __name__ == "__main__":
    main(*sys.argv[1:])
