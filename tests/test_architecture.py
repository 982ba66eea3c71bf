"""The app graph (issue 24, "Dependencies one way"): built with `ast` from every .py file of every app
(migrations excepted), counting what Python and Django resolve at any time — module-level and
function-level `import`/`from` imports, `apps.get_model("app", "Model")` / `get_model("app.Model")`
and any other "app.Model" string (signal senders, search sources) — and checked against the layers.

Lazy model references in model declarations (`ForeignKey("app.Model")`, `parent_page_types`) are
collected apart: a database relation is not a code dependency, but one pointing up must be listed
below with its reason. The tests print the offending file:line. tests/ may import anything."""

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The documented architecture (issue 24): each app may import only apps of LOWER rank. An
# app below that must cause something above it offers a signal or a registry the upper app fills in
# its AppConfig.ready (core.hooks in organizations/accounts/moderation, home.registry, stations.hooks,
# community.experts, community.signals…).
LAYERS = [
    "core",           # the shared library: errors, schemas, pagination, domains, page cache
    "notifications",  # the notification centre every app writes to
    "organizations",  # the League tree, staff, rosters: the bottom knows nothing of the top
    "accounts",       # users, roles, real-name status
    "moderation",     # screening, rate limits, alerts
    "home",           # branch and editorial pages
    "stations",       # youth stations, slots, bookings
    "community",      # Q&A
    "alliances",      # alliances and experts
    "appeals",        # appeals and assistance cases
    "insights",       # reports read the community, never the reverse
    "search",         # decides how to index what the apps offer
    "partners",       # OIDC provider, webhooks, export
    "demo",           # demo data of every app (load_demo_data)
    "youthvoice",     # the project's wiring: settings, URLs, Celery, API roots
]
RANK = {app: i for i, app in enumerate(LAYERS)}
# organizations and accounts are the bottom: they may import these apps only.
BOTTOM_ALLOWED = {"organizations": {"core", "notifications"}, "accounts": {"core", "notifications", "organizations"}}

# Imports for annotations only (under `if TYPE_CHECKING:`) that point up, each with its reason: they
# run never, so they are left out of the graph, but only when listed here.
TYPE_ONLY_ALLOWED: dict[tuple[str, str], str] = {}  # none: notifications annotates Django's AbstractUser

# Lazy model references that point up, each with its reason: (app.Model.field, target) -> why.
LAZY_UP_ALLOWED = {
    ("home.FeaturedItemBase.link_question", "community.Question"):
        "an editor features a Q&A question in a branch's slot; the relation is data only (the rows "
        "come through home.registry, which community fills)",
}

FIELD_CALLS = {"ForeignKey", "OneToOneField", "ManyToManyField", "ParentalKey", "ParentalManyToManyField"}
PAGE_TYPE_LISTS = {"parent_page_types", "subpage_types"}
MODEL_STRING = re.compile(rf"^({'|'.join(LAYERS)})\.[A-Z]\w*$")


def _files(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts and "__pycache__" not in path.parts:
            yield path


def _scan():
    """(imports, lazy): imports = [(app, target app, file:line)]; lazy = [(app.Model.field, target, file:line)]."""
    imports, lazy = [], []
    for app in LAYERS:
        for path in _files(app):
            tree = ast.parse(path.read_text(), filename=str(path))
            rel = path.relative_to(ROOT)

            def where(node, rel=rel):
                return f"{rel}:{node.lineno}"

            lazy_nodes = set()
            type_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If) and _is_type_checking(block.test)
                         for stmt in block.body for n in ast.walk(stmt)}
            for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
                for stmt in cls.body:
                    if not isinstance(stmt, ast.Assign | ast.AnnAssign):
                        continue
                    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                    name = next((t.id for t in targets if isinstance(t, ast.Name)), None)
                    value = stmt.value
                    refs = []
                    if isinstance(value, ast.Call) and _callee(value) in FIELD_CALLS:
                        args = value.args[:1] + [k.value for k in value.keywords if k.arg == "to"]
                        refs = [a for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                    elif name in PAGE_TYPE_LISTS and isinstance(value, ast.List | ast.Tuple):
                        refs = [e for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
                    for ref in refs:
                        lazy_nodes.add(id(ref))
                        if "." in ref.value and ref.value.split(".")[0] in RANK and ref.value.split(".")[0] != app:
                            lazy.append((f"{app}.{cls.name}.{name}", ref.value, where(ref)))
            for node in ast.walk(tree):
                targets = []
                if isinstance(node, ast.Import):
                    targets = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    targets = [node.module]
                elif isinstance(node, ast.Call) and _callee(node) == "get_model" and node.args \
                        and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                    targets = [node.args[0].value]  # get_model("app", "Model") or get_model("app.Model")
                elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in lazy_nodes \
                        and MODEL_STRING.match(node.value):
                    targets = [node.value]  # a model named by string elsewhere: a signal sender, a source
                for target in targets:
                    top = target.split(".")[0]
                    if top in RANK and top != app:
                        if id(node) in type_only and (app, top) in TYPE_ONLY_ALLOWED:
                            type_only_seen.add((app, top))
                            continue
                        imports.append((app, top, where(node)))
    return imports, lazy


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _callee(call: ast.Call) -> str | None:
    return getattr(call.func, "attr", None) or getattr(call.func, "id", None)


type_only_seen: set[tuple[str, str]] = set()
IMPORTS, LAZY = _scan()


def _report(rows) -> str:
    return "\n".join(f"  {src} -> {dst}: {loc}" for src, dst, loc in sorted(rows, key=lambda r: (RANK[r[0]], r[2])))


def _none(rows, what: str) -> None:
    assert not rows, f"{what}:\n" + _report(rows)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one app (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component, key=RANK.get))

    for v in LAYERS:
        if v not in index:
            visit(v)
    return out


def test_the_scan_sees_imports_of_every_kind():
    """The graph is not empty by accident: a module-level import, a function-level import and a
    string model reference of the current code are all found."""
    found = {(a, b) for a, b, _ in IMPORTS}
    assert ("community", "organizations") in found  # module level
    assert any(loc.startswith("community/services.py") and b == "stations" for a, b, loc in IMPORTS)  # in a function
    assert ("partners", "appeals") in found  # @receiver(post_save, sender="appeals.AppealEvent")
    assert any(loc.startswith("alliances/sources.py") and b == "community" for a, b, loc in IMPORTS)  # "community.Answer"


def test_no_cycle_among_apps():
    edges = defaultdict(set)
    for src, dst, _ in IMPORTS:
        edges[src].add(dst)
    cycles = _cycles(edges)
    assert not cycles, "cycles among apps:\n" + "\n".join(
        " <-> ".join(c) + "\n" + _report([r for r in IMPORTS if r[0] in c and r[1] in c]) for c in cycles)


def test_every_dependency_goes_down_the_layers():
    assert not set(TYPE_ONLY_ALLOWED) - type_only_seen, "gone (remove from TYPE_ONLY_ALLOWED)"
    _none([r for r in IMPORTS if RANK[r[1]] > RANK[r[0]]], "dependencies pointing up the layers")


def test_organizations_and_accounts_import_only_the_bottom():
    _none([r for r in IMPORTS if r[0] in BOTTOM_ALLOWED and r[1] not in BOTTOM_ALLOWED[r[0]]],
          "organizations/accounts depending on apps above the bottom")


def test_lazy_model_references_point_down_or_are_allowed():
    up = [(f"{field}", target, loc) for field, target, loc in LAZY
          if RANK[target.split(".")[0]] > RANK[field.split(".")[0]] and (field, target) not in LAZY_UP_ALLOWED]
    assert not up, "lazy model references pointing up (move them or allow them with a reason):\n" + "\n".join(
        f"  {field} -> {target}: {loc}" for field, target, loc in up)
    unused = set(LAZY_UP_ALLOWED) - {(field, target) for field, target, _ in LAZY}
    assert not unused, f"allowed but gone (remove from LAZY_UP_ALLOWED): {sorted(unused)}"
    assert ("stations.StationIndexPage.parent_page_types", "home.BranchHomePage") in {(f, t) for f, t, _ in LAZY}
