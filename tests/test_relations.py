"""articles.relations: an article's tags, corrections and graded links, read as Django's prefetch_related reads them."""

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, ArticleOrganization, ArticlePerson, Correction, Grade, Organization, Person
from articles.relations import RELATIONS, prefetch_relations


def by_django(ids):
    """The same relations through the ORM's own prefetching: what the module must agree with."""
    return list(
        Article.objects.filter(pk__in=ids).order_by("pk").prefetch_related(
            "tags",
            "corrections",
            Prefetch("person_links", queryset=ArticlePerson.objects.select_related("person").order_by("person__name", "pk")),
            Prefetch("organization_links",
                     queryset=ArticleOrganization.objects.select_related("organization").order_by("organization__name", "pk")),
        )
    )


def described(article):
    """Every field of every related object, in order, with each link's entity."""
    def fields(obj):
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}

    return {
        "tags": [fields(t) for t in article.tags.all()],
        "corrections": [fields(c) for c in article.corrections.all()],
        "person_links": [(fields(link), fields(link.person)) for link in article.person_links.all()],
        "organization_links": [(fields(link), fields(link.organization)) for link in article.organization_links.all()],
    }


@pytest.fixture
def articles(make_article):
    people, organizations = list(Person.objects.order_by("pk")[:4]), list(Organization.objects.order_by("pk")[:3])
    assert len(people) == 4 and len(organizations) == 3, "the seed entities are needed"
    first, second, bare = make_article(), make_article(), make_article()
    first.tags.add("zebra", "alibaba", "retail")
    second.tags.add("alibaba")
    first.people.add(*people[:3], through_defaults={"grade": Grade.MENTION})
    ArticlePerson.objects.filter(article=first, person=people[1]).update(grade=Grade.ABOUT)
    second.people.add(people[3])
    first.organizations.add(*organizations)
    now = timezone.now()
    Correction.objects.create(article=first, text="Older correction.", published_at=now - timezone.timedelta(days=2))
    Correction.objects.create(article=first, text="Newer correction.", published_at=now)
    return [first, second, bare]


def test_relations_read_exactly_what_django_prefetches_for_each_article(articles):
    ids = [a.pk for a in articles]
    ours = prefetch_relations(list(Article.objects.filter(pk__in=ids).order_by("pk")))
    assert [described(a) for a in ours] == [described(a) for a in by_django(ids)]
    first = described(ours[0])
    assert len(first["tags"]) == 3 and len(first["person_links"]) == 3 and len(first["organization_links"]) == 3
    assert [c["text"] for c in first["corrections"]] == ["Newer correction.", "Older correction."]
    assert described(ours[2]) == {name: [] for name in RELATIONS}


@pytest.mark.parametrize("count", [1, 3])
def test_relations_cost_one_statement_each_and_nothing_when_read(articles, count):
    loaded = list(Article.objects.filter(pk__in=[a.pk for a in articles[:count]]))
    with CaptureQueriesContext(connection) as statements:
        prefetch_relations(loaded)
    assert len(statements) == len(RELATIONS)
    with CaptureQueriesContext(connection) as statements:
        for article in loaded:
            described(article)
            assert bool(article.tags.all()) == bool(article.tags.all().exists())
    assert len(statements) == 0, [q["sql"] for q in statements]


def test_asking_a_prefetched_relation_for_more_still_asks_the_database(articles):
    first = prefetch_relations([Article.objects.get(pk=articles[0].pk)])[0]
    assert sorted(first.tags.filter(name__startswith="a").values_list("name", flat=True)) == ["alibaba"]
    assert first.person_links.filter(grade=Grade.ABOUT).count() == 1
    assert first.corrections.order_by("published_at").first().text == "Older correction."


def test_a_prefetched_article_shows_its_relations_on_its_page(client, articles):
    first = articles[0]
    page = client.get(first.get_absolute_url()).content.decode()
    for link in ArticlePerson.objects.filter(article=first).select_related("person"):
        assert link.person.get_absolute_url() in page
    assert "Newer correction." in page and "/tag/retail/" in page
