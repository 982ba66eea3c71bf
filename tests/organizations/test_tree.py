"""The one ancestor-path rule (organizations.domain.tree): pure unit tests."""

from wagtail.models import Page

from organizations.domain.tree import STEPLEN, ancestor_path, ancestor_paths, in_subtree, top_most
from organizations.models import Organization


def test_steplen_is_the_tree_models_step():
    assert Organization.steplen == Page.steplen == STEPLEN


def test_ancestor_paths_root_first():
    assert ancestor_paths("000100020003") == ["0001", "00010002"]
    assert ancestor_paths("000100020003", include_self=True) == ["0001", "00010002", "000100020003"]
    assert ancestor_paths("0001") == []
    assert ancestor_paths("0001", include_self=True) == ["0001"]
    assert ancestor_paths("00010002", steplen=2) == ["00", "0001", "000100"]


def test_ancestor_path_at_depth():
    assert ancestor_path("000100020003", 1) == "0001"
    assert ancestor_path("000100020003", 2) == "00010002"  # the parent
    assert ancestor_path("000100020003", 3) == "000100020003"  # itself
    assert ancestor_path("0001", 0) == ""  # above a root


def test_in_subtree():
    assert in_subtree("00010002", ["0001"])
    assert in_subtree("0001", ["0001"])
    assert not in_subtree("0001", ["00010002"])
    assert not in_subtree("00020001", ["0001", "0003"])
    assert not in_subtree("0001", [])


def test_top_most_drops_descendants():
    assert top_most(["0001", "00010002", "0002", "000200030004"]) == {"0001", "0002"}
    assert top_most([]) == set()
