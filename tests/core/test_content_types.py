"""The first content-type lookups of a process load the whole table in one query (core.content_types):
a page's first render after a server start looked up a dozen types, one query each (issue 23)."""

from django.contrib.contenttypes.models import ContentType

from home.models import ArticlePage, BranchHomePage, TopicPage
from stations.models import StationPage


def test_the_first_lookup_loads_every_content_type_at_once(db, django_assert_num_queries):
    ids = {model: ContentType.objects.get_for_model(model).pk for model in (ArticlePage, TopicPage, StationPage)}
    ContentType.objects.clear_cache()  # as a new process
    with django_assert_num_queries(1):
        assert ContentType.objects.get_for_id(ids[ArticlePage]).model_class() is ArticlePage
        assert ContentType.objects.get_for_model(TopicPage).pk == ids[TopicPage]
        assert ContentType.objects.get_by_natural_key("stations", "stationpage").pk == ids[StationPage]
        assert set(ContentType.objects.get_for_models(BranchHomePage, StationPage)) == {BranchHomePage, StationPage}


def test_a_new_model_still_gets_its_content_type(db):
    """A type missing from the table is created as Django does (the load does not hide it)."""
    from django.contrib.auth.models import Group

    ContentType.objects.filter(app_label="auth", model="group").delete()
    ContentType.objects.clear_cache()
    created = ContentType.objects.get_for_model(Group)
    assert created.pk and ContentType.objects.filter(app_label="auth", model="group").exists()
