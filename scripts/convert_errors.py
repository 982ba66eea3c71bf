"""Turn literal error pairs into translatable messages (issue 24, point 5).

Old form (two literal strings, Chinese then English):

    raise Invalid("标签最多 5 个", "At most 5 tags", fields={...})
    raise Invalid(f"标签最多 {MAX_TAGS} 个", f"At most {MAX_TAGS} tags", fields={...})

New form (core.errors: one lazy message, msgid = the English text, %(name)s placeholders + params):

    raise Invalid(_("At most 5 tags"), fields={...})
    raise Invalid(_("At most %(MAX_TAGS)s tags"), params={"MAX_TAGS": MAX_TAGS}, fields={...})

and the Chinese goes into locale/zh_Hans/errors.json ({English msgid: Chinese}), which `make messages`
copies into django.po (scripts/po_fill.py).

Usage (from the repository root):

    python scripts/convert_errors.py            # rewrite every app module, update errors.json
    python scripts/convert_errors.py --check    # exit 1 (and list them) if any old-form call is left
    python scripts/convert_errors.py --dry-run  # show what would change, write nothing
    python scripts/convert_errors.py PATH...    # only these files / folders

After a merge: run it, then `make messages`, then `python scripts/convert_errors.py --check`.

What it converts: calls of core.errors.ServiceError and its subclasses (found by scanning the class
definitions of the whole project, so a new subclass is picked up) whose first two positional arguments
are the two languages' texts: string literals, f-strings or `+` chains of them.
- Both languages interpolate the same expression: one %(name)s placeholder (the name derived from the
  expression) and a `params` entry; a literal `%` becomes `%%` when the message has placeholders.
- The two interpolate different expressions (`get_status_display()` vs `status`, "、".join vs
  ", ".join, a Chinese label vs an English one): they are paired (same root variable, else the one
  left on each side) into one placeholder whose value is `core.errors.bilingual(zh value, en value)`.
- One language has a placeholder the other lacks: a `# xgettext:no-python-format` line goes above the
  message (msgfmt --check-format would refuse the msgstr otherwise).
- `Invalid(*WRONG_CODE)` where WRONG_CODE is a module-level ("中文", "English") tuple: the tuple becomes
  `_("English")` and the call `Invalid(WRONG_CODE)`; any other unpacked pair (`*ratelimits.message(b)`,
  a domain rule's own wording) becomes `bilingual(*pair)`.
- An English text that already has other Chinese (errors.json, another locale/zh_Hans/*.json or
  django.po) gets a context: pgettext_lazy("<module>.<function>", msgid), recorded in errors.json under
  "<context>\u0004<msgid>" (the gettext convention, which scripts/po_fill.py reads).

What it leaves (listed as "by hand", and failing --check): calls whose two arguments hold no literal
text at all (`NotFound(exc.zh, exc.en)`: pass `exc.msg, params=exc.params` instead) and a second clash
of one English text within one function. --check also fails on a subclass whose __init__ still takes
(zh, en) (fix it by hand, as partners.auth.BearerError).

It is idempotent: a converted call has one positional argument and is skipped; errors.json is
rewritten sorted, so re-running after a merge only adds the new msgids. The translation function is
`_` when the module has `gettext_lazy as _` or no `_` at all (the import is added), else `gettext_lazy`
(a module whose `_` is the eager `gettext` must not translate at raise time). Imports are re-sorted
with `ruff check --select I --fix` on the files it changed, when ruff is installed.
"""

import argparse
import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ERRORS_JSON = ROOT / "locale" / "zh_Hans" / "errors.json"
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
BASES = {"ServiceError", "Invalid", "Forbidden", "NotFound", "Conflict", "TooManyRequests"}
SKIP_DIRS = {".venv", "venv", "node_modules", "migrations", "tests", "bench", "scripts", "deploy", "docs",
             "static", "media", ".git", "__pycache__"}
IMPORT_LAZY = "from django.utils.translation import gettext_lazy as _"


# ----------------------------------------------------------------------------------------- discovery

def python_files(paths):
    for base in paths:
        base = Path(base).resolve()
        if base.is_file():
            yield base
            continue
        for path in sorted(base.rglob("*.py")):
            rel = path.relative_to(base).parts
            if any(part in SKIP_DIRS or part.startswith(".") for part in rel[:-1]):
                continue
            yield path


def shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def error_classes(trees) -> set[str]:
    """BASES plus every class that (transitively) subclasses one of them anywhere in the project."""
    names = set(BASES)
    changed = True
    while changed:
        changed = False
        for tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names:
                    for b in node.bases:
                        bname = b.id if isinstance(b, ast.Name) else b.attr if isinstance(b, ast.Attribute) else None
                        if bname in names:
                            names.add(node.name)
                            changed = True
    return names


def call_name(node: ast.Call):
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def is_text(node) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, str)) or isinstance(node, ast.JoinedStr)


def old_form(node: ast.Call) -> bool:
    """A call the new ServiceError no longer accepts: two positional messages, a starred pair, or an
    untranslated literal as the message."""
    if any(isinstance(a, ast.Starred) for a in node.args):
        return True
    if len(node.args) >= 2:
        return True
    return bool(node.args) and is_text(node.args[0])


# ----------------------------------------------------------------------------------------- conversion

class CannotConvert(Exception):
    pass


BUILTINS = {"len", "str", "int", "map", "repr", "format", "sorted", "list", "tuple", "set"}


def _name_for(expr) -> str:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        name = expr.attr
    elif isinstance(expr, ast.Call):
        if isinstance(expr.func, ast.Attribute) and expr.func.attr == "join" and expr.args:
            return _name_for(expr.args[0])
        if isinstance(expr.func, ast.Name) and expr.func.id in BUILTINS and expr.args:
            return ("count_" if expr.func.id == "len" else "") + _name_for(expr.args[-1])
        name = _name_for(expr.func)
    elif isinstance(expr, ast.Subscript):
        name = _name_for(expr.value)
    else:
        return "value"
    name = re.sub(r"^get_|_display$", "", name)
    return name or "value"


def _value_source(fv: ast.FormattedValue) -> str:
    src = ast.unparse(fv.value)
    if fv.format_spec is not None:
        if not all(isinstance(v, ast.Constant) for v in fv.format_spec.values):
            raise CannotConvert("nested format spec")
        spec = "".join(v.value for v in fv.format_spec.values)
        src = f"format({src}, {spec!r})"
    if fv.conversion == ord("r"):
        src = f"repr({src})"
    elif fv.conversion == ord("a"):
        src = f"ascii({src})"
    elif fv.conversion == ord("s"):
        src = f"str({src})"
    return src


def is_message(node) -> bool:
    """A string literal, an f-string, or a `+` chain with at least one of them (one language's text)."""
    if is_text(node):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return any(is_text(p) for p in _flatten(node))
    return False


def _flatten(node):
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _flatten(node.left) + _flatten(node.right)
    return [node]


def _pieces(node):
    """[literal text | (value source, expression)] of one language's text: a literal, an f-string, a
    `+` chain of those, or (the password case) any other expression."""
    out = []
    for part in _flatten(node):
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            out.append(part.value)
        elif isinstance(part, ast.JoinedStr):
            for v in part.values:
                out.append(v.value if isinstance(v, ast.Constant) else (_value_source(v), v.value))
        else:
            out.append((ast.unparse(part), part))
    return out





def _root(expr) -> str | None:
    for n in ast.walk(expr):
        if isinstance(n, ast.Name) and n.id not in BUILTINS:
            return n.id
    return None


def template(zh_node, en_node):
    """(msgid, msgstr, {name: value source}, one_sided) for a pair of texts.

    An expression both languages interpolate is one placeholder. An expression only one language has
    is paired with one of the other language (same root variable, else the last one left on each side)
    into one placeholder whose value is core.errors.bilingual(zh value, en value). What stays one-sided
    is a placeholder of that language only (one_sided: msgfmt must not check the format)."""
    zh, en = _pieces(zh_node), _pieces(en_node)
    zh_exprs = {p[0]: p[1] for p in zh if isinstance(p, tuple)}
    en_exprs = {p[0]: p[1] for p in en if isinstance(p, tuple)}
    zh_only = [k for k in zh_exprs if k not in en_exprs]
    en_only = [k for k in en_exprs if k not in zh_exprs]
    pairs = {}  # zh source -> en source
    for z in list(zh_only):
        match = [e for e in en_only if _root(en_exprs[e]) is not None and _root(en_exprs[e]) == _root(zh_exprs[z])]
        if len(match) == 1:
            pairs[z] = match[0]
            zh_only.remove(z)
            en_only.remove(match[0])
    if len(zh_only) == 1 and len(en_only) == 1:
        pairs[zh_only.pop()] = en_only.pop()

    names = {}  # value source (en side for pairs) -> placeholder name
    values = {}  # placeholder name -> value source

    def name_for(src, expr, value):
        if src in names:
            return names[src]
        base = re.sub(r"^(en|zh)_|_(en|zh)$", "", _name_for(expr))
        base = "value" if base in ("en", "zh", "") else base
        name, n = base, 2
        while name in values:
            name, n = f"{base}_{n}", n + 1
        names[src], values[name] = name, value
        return name

    for src, expr in en_exprs.items():
        if src in pairs.values():
            z = next(k for k, v in pairs.items() if v == src)
            name_for(src, expr, f"bilingual({z}, {src})")
        else:
            name_for(src, expr, src)
    for src, expr in zh_exprs.items():
        if src in pairs:
            names[src] = names[pairs[src]]
        else:
            name_for(src, expr, src)

    def text(pieces):
        out = []
        for p in pieces:
            if isinstance(p, str):
                out.append(p.replace("%", "%%") if values else p)
            else:
                out.append(f"%({names[p[0]]})s")
        return "".join(out)

    return text(en), text(zh), values, bool(zh_only or en_only)


def py_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)  # a valid Python literal for text (double quotes, \n, \\)


def translator(tree: ast.Module) -> tuple[str, bool]:
    """(function name to use, whether its import must be added)."""
    lazy_alias = eager = bound = False
    has_lazy_name = False
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            for a in node.names:
                if (a.asname or a.name) == "_":
                    lazy_alias |= a.name == "gettext_lazy"
                    eager |= a.name != "gettext_lazy"
                if a.name == "gettext_lazy" and a.asname is None:
                    has_lazy_name = True
        elif isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
            bound = True
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            bound |= any(a.arg == "_" for a in node.args.args + node.args.kwonlyargs)
    if lazy_alias and not bound:
        return "_", False
    if not (lazy_alias or eager or bound):
        return "_", True
    return "gettext_lazy", not has_lazy_name


def add_import(source: str, name: str) -> str:
    line = (IMPORT_LAZY if name == "_" else "from core.errors import bilingual" if name == "bilingual"
            else f"from django.utils.translation import {name}")
    tree = ast.parse(source)
    top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    django = [n for n in top if (getattr(n, "module", "") or "").startswith("django")
              or (isinstance(n, ast.Import) and n.names[0].name.startswith("django"))]
    lines = source.splitlines(keepends=True)
    if django:
        at = django[-1].end_lineno
    elif top:
        at = top[0].lineno - 1
    else:  # after the docstring
        first = tree.body[0] if tree.body else None
        doc = first is not None and isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
        at = first.end_lineno if doc else 0
        line += "\n"
    lines.insert(at, line + "\n")
    return "".join(lines)


def byte_offset(line_starts, lineno, col) -> int:
    return line_starts[lineno - 1] + col


def pair_constants(trees) -> set[str]:
    """Names of module-level ("中文", "English") tuples that some error call unpacks (`Invalid(*WRONG_CODE)`)."""
    starred, tuples = set(), set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for a in node.args:
                    if isinstance(a, ast.Starred) and isinstance(a.value, (ast.Name, ast.Attribute)):
                        starred.add(a.value.id if isinstance(a.value, ast.Name) else a.value.attr)
        for node in tree.body:
            if _pair_tuple(node):
                tuples.add(node.targets[0].id)
    return starred & tuples


def _pair_tuple(node) -> bool:
    return (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Tuple) and len(node.value.elts) == 2
            and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.value.elts))


def convert_source(source: str, names: set[str], known: dict, path: str, pairs: frozenset = frozenset()):
    """(new source, [(msgid, msgstr)], [hand-fix notes]). `known` maps msgid -> Chinese already recorded;
    `pairs` names the module-level (zh, en) tuples that error calls unpack (pair_constants)."""
    tree = ast.parse(source)
    data = source.encode("utf-8")
    line_starts = [0]
    for line in data.splitlines(keepends=True):
        line_starts.append(line_starts[-1] + len(line))
    func, need_import = translator(tree)
    has_pgettext = any(isinstance(n, ast.ImportFrom) and n.module == "django.utils.translation"
                       and any(a.name == "pgettext_lazy" and a.asname is None for a in n.names)
                       for n in ast.walk(tree))
    module = path.removesuffix(".py").replace("/", ".")
    enclosing = {}
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(fn):
                enclosing[inner] = fn.name  # ast.walk is breadth-first: the innermost def wins
    edits, entries, notes, imports = [], [], [], set()

    def span(node):
        return (byte_offset(line_starts, node.lineno, node.col_offset),
                byte_offset(line_starts, node.end_lineno, node.end_col_offset))

    def message_call(msgid, msgstr, context):
        """The translation call for msgid, recording its Chinese (with a context if the English clashes)."""
        if known.get(msgid, msgstr) != msgstr:
            # the English says it elsewhere with other Chinese: a context tells the two apart
            key = f"{context}\x04{msgid}"
            if known.get(key, msgstr) != msgstr:
                return None
            known[key] = msgstr
            entries.append((key, msgstr))
            imports.add("pgettext_lazy")
            return f"pgettext_lazy({py_str(context)}, {py_str(msgid)})"
        known[msgid] = msgstr
        entries.append((msgid, msgstr))
        if need_import:
            imports.add(func)
        return f"{func}({py_str(msgid)})"

    for node in tree.body:  # WRONG_CODE = ("中文", "English") unpacked by error calls -> WRONG_CODE = _("English")
        if _pair_tuple(node) and node.targets[0].id in pairs:
            zh, en = (e.value for e in node.value.elts)
            new = message_call(en, zh, module)
            if new is None:
                notes.append(f"{path}:{node.lineno}: by hand: {en!r} is already translated as {known[en]!r}")
                continue
            edits.append((*span(node.value), new.encode("utf-8")))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and call_name(n) in names and old_form(n)]
    for node in sorted(calls, key=lambda n: (n.lineno, n.col_offset)):  # in source order: the first keeps the plain msgid
        where = f"{path}:{node.lineno}"
        starred = [a for a in node.args if isinstance(a, ast.Starred)]
        if len(node.args) == 1 and starred:
            value = starred[0].value
            start, end = span(starred[0])
            if isinstance(value, (ast.Name, ast.Attribute)) and (getattr(value, "id", None) or value.attr) in pairs:
                edits.append((start, start + 1, b""))  # *WRONG_CODE -> WRONG_CODE (now one lazy message)
            else:  # a pair composed at run time (a domain rule's own wording): bilingual(*pair)
                edits.append((start, end, b"bilingual(" + data[start:end] + b")"))
                imports.add("bilingual")
            continue
        if len(node.args) >= 2 and (is_message(node.args[0]) or is_message(node.args[1])) \
                and not any(isinstance(a, ast.Starred) for a in node.args[:2]):
            try:
                msgid, msgstr, params, partial = template(node.args[0], node.args[1])
            except CannotConvert as exc:
                notes.append(f"{where}: by hand: {exc}")
                continue
            new = message_call(msgid, msgstr, f"{module}.{enclosing.get(node, '')}".rstrip("."))
            if new is None:
                notes.append(f"{where}: by hand: {msgid!r} is already translated as {known[msgid]!r}, here {msgstr!r}")
                continue
            if any(v.startswith("bilingual(") for v in params.values()):
                imports.add("bilingual")
            start = byte_offset(line_starts, node.args[0].lineno, node.args[0].col_offset)
            end = byte_offset(line_starts, node.args[1].end_lineno, node.args[1].end_col_offset)
            if params:
                params_text = "params={" + ", ".join(f"{py_str(k)}: {v}" for k, v in params.items()) + "}"
                column = len(data[line_starts[node.args[0].lineno - 1]:start].decode("utf-8"))
                rest = data[end:].split(b"\n", 1)[0].decode("utf-8")
                if column + len(new) + len(params_text) + 2 + len(rest) > 120:  # the project's line length
                    new += ",\n" + " " * column + params_text
                else:
                    new += ", " + params_text
            edits.append((start, end, new.encode("utf-8")))
            if partial:  # the Chinese leaves out a placeholder: tell msgfmt --check-format (xgettext reads this)
                line = source.splitlines()[node.args[0].lineno - 1]
                indent = line[:len(line) - len(line.lstrip())]
                at = line_starts[node.args[0].lineno - 1]
                edits.append((at, at, f"{indent}# xgettext:no-python-format\n".encode()))
        else:
            notes.append(f"{where}: by hand: {ast.unparse(node)[:160]}")
    if not edits:
        return source, entries, notes
    for start, end, new in sorted(edits, reverse=True):
        data = data[:start] + new + data[end:]
    out = data.decode("utf-8")
    if has_pgettext:
        imports.discard("pgettext_lazy")
    if any(isinstance(n, ast.ImportFrom) and n.module == "core.errors" and any(a.name == "bilingual" for a in n.names)
           for n in tree.body) or path.replace("\\", "/").endswith("core/errors.py"):
        imports.discard("bilingual")
    for name in sorted(imports):
        out = add_import(out, name)
    ast.parse(out)  # never write a broken module
    return out, entries, notes


# ----------------------------------------------------------------------------------------- catalogue

def recorded_translations() -> dict:
    """msgid -> Chinese from every locale/zh_Hans/*.json and django.po (the Chinese a msgid already has)."""
    known = {}
    if PO.exists():
        for block in PO.read_text(encoding="utf-8").split("\n\n"):
            m = re.search(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', block + "\n", re.M)
            if not m or "fuzzy" in block or "msgctxt" in block:
                continue
            msgid = "".join(json.loads(s) for s in re.findall(r'^(".*")$', m.group(1), re.M))
            msgstr = "".join(json.loads(s) for s in re.findall(r'^(".*")$', m.group(2), re.M))
            if msgid and msgstr:
                known[msgid] = msgstr
    for path in sorted(ERRORS_JSON.parent.glob("*.json")):
        if path != ERRORS_JSON:
            known.update(json.loads(path.read_text(encoding="utf-8")))
    if ERRORS_JSON.exists():
        known.update(json.loads(ERRORS_JSON.read_text(encoding="utf-8")))
    return known


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=[str(ROOT)])
    parser.add_argument("--check", action="store_true", help="exit 1 if any old-form error call is left")
    parser.add_argument("--dry-run", action="store_true", help="report, write nothing")
    args = parser.parse_args(argv)

    files = [p for p in python_files(args.paths) if p.resolve() != Path(__file__).resolve()]
    sources = {p: p.read_text(encoding="utf-8") for p in files}
    trees = {p: ast.parse(s) for p, s in sources.items()}
    names = error_classes(trees.values())
    if args.paths != [str(ROOT)]:  # subclasses defined outside the given paths
        all_trees = [ast.parse(p.read_text(encoding="utf-8")) for p in python_files([ROOT])]
        names = error_classes([*trees.values(), *all_trees])

    if args.check:
        left = []
        for path, tree in trees.items():
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and call_name(node) in names and old_form(node):
                    left.append(f"{shown(path)}:{node.lineno}: {ast.unparse(node)[:160]}")
                elif isinstance(node, ast.ClassDef) and node.name in names:
                    for fn in node.body:  # a subclass whose constructor still takes the (zh, en) pair
                        if isinstance(fn, ast.FunctionDef) and fn.name == "__init__" \
                                and {"zh", "en"} <= {a.arg for a in fn.args.args}:
                            left.append(f"{shown(path)}:{fn.lineno}: {node.name}.__init__ takes (zh, en): "
                                        "take (msg, *, params=None, ...) and pass them to ServiceError")
        for line in left:
            print(line)
        print(f"{len(left)} place(s) still in the old (zh, en) form" if left else "no old-form error calls")
        return 1 if left else 0

    known = recorded_translations()
    pairs = frozenset(pair_constants(trees.values()))
    new_entries, notes, changed = {}, [], []
    for path, source in sources.items():
        rel = shown(path)
        out, entries, file_notes = convert_source(source, names, known, rel, pairs)
        notes += file_notes
        new_entries.update(entries)
        if out != source:
            changed.append(path)
            print(f"{rel}: {len(entries)} converted")
            if not args.dry_run:
                path.write_text(out, encoding="utf-8")
    for note in notes:
        print(note)
    print(f"converted {sum(1 for _ in new_entries)} msgid(s) in {len(changed)} file(s); {len(notes)} left by hand")
    if args.dry_run:
        return 0
    if new_entries:
        table = json.loads(ERRORS_JSON.read_text(encoding="utf-8")) if ERRORS_JSON.exists() else {}
        table.update(new_entries)
        ERRORS_JSON.write_text(json.dumps(dict(sorted(table.items())), ensure_ascii=False, indent=2) + "\n",
                               encoding="utf-8")
    ruff = shutil.which("ruff") or (str(ROOT / ".venv/bin/ruff") if (ROOT / ".venv/bin/ruff").exists() else None)
    if changed and ruff:
        subprocess.run([ruff, "check", "--quiet", "--select", "I", "--fix", *map(str, changed)], cwd=ROOT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
