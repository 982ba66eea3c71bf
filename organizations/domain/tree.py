"""Materialised tree paths (treebeard's MP_Node, which Organization and Wagtail's Page both use): a
node's path is its parent's path plus one `steplen`-character step, so the root's path is one step
long and a node lies in the subtree of every path it starts with. The one place that builds
ancestor paths and tests subtree membership; pure, no models."""

from collections.abc import Iterable

# treebeard's default step, used by organizations.Organization and wagtail.models.Page.
STEPLEN = 4


def ancestor_path(path: str, depth: int, *, steplen: int = STEPLEN) -> str:
    """The path of the node's ancestor at `depth` (1 = the root; the node's own depth = itself;
    its depth - 1 = its parent, "" above a root)."""
    return path[: depth * steplen]


def ancestor_paths(path: str, *, include_self: bool = False, steplen: int = STEPLEN) -> list[str]:
    """The paths of the node's ancestors, root first, and its own last with `include_self`."""
    depth = len(path) // steplen
    return [ancestor_path(path, d, steplen=steplen) for d in range(1, depth + 1 if include_self else depth)]


def in_subtree(path: str, roots: Iterable[str]) -> bool:
    """Does the node at `path` lie in the subtree (itself included) of any of `roots`?"""
    return any(path.startswith(root) for root in roots)


def top_most(paths: Iterable[str]) -> set[str]:
    """The paths that are not inside another one's subtree: a descendant adds nothing to its ancestor's."""
    paths = set(paths)
    return {p for p in paths if not any(p != q and p.startswith(q) for q in paths)}
