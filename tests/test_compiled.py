"""articles.compiled: a queryset compiled once answers, with new values, exactly what the queryset would."""

from datetime import timedelta

import pytest
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from articles.compiled import CompiledQuery
from articles.models import Article

FIELDS = {"now": Article._meta.get_field("publish_at"), "category": Article._meta.get_field("category"),
          "pk": Article._meta.get_field("id")}


def listing(now, category, pk):
    return Article.objects.published(now).filter(category_id=category).exclude(pk=pk).for_listing()


def fields(obj):
    loaded = obj.get_deferred_fields()
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in loaded}


@pytest.fixture
def stories(make_article, make_category):
    other = make_category("Markets")
    now = timezone.now()
    made = [make_article(publish_at=now - timedelta(hours=h)) for h in range(1, 6)]
    made.append(make_article(publish_at=now + timedelta(hours=2)))  # scheduled: live in two hours
    made.append(make_article(category=other))
    return made


def test_a_compiled_query_answers_what_the_queryset_answers_for_every_set_of_values(stories, django_assert_num_queries):
    compiled = CompiledQuery(listing, **FIELDS)
    now = timezone.now()
    cases = [
        dict(now=now, category=stories[0].category_id, pk=stories[0].pk),
        dict(now=now, category=stories[0].category_id, pk=stories[3].pk),
        dict(now=now + timedelta(hours=3), category=stories[0].category_id, pk=stories[1].pk),  # the scheduled one is live
        dict(now=now, category=stories[-1].category_id, pk=stories[0].pk),
        dict(now=now - timedelta(days=30), category=stories[0].category_id, pk=stories[0].pk),  # nothing was live
    ]
    answers = []
    for values in cases:
        expected = list(listing(**values)[:3])
        with django_assert_num_queries(1):
            got = compiled.run(limit=3, **values)
        assert [fields(a) for a in got] == [fields(a) for a in expected]
        assert [a.get_deferred_fields() for a in got] == [a.get_deferred_fields() for a in expected]
        answers.append([a.pk for a in got])
    assert stories[5].pk in answers[2] and stories[5].pk not in answers[0]
    assert answers[3] == [stories[-1].pk] and answers[4] == []
    assert all(a.publish_at.tzinfo is not None for a in compiled.run(limit=3, **cases[0]))  # the fields' converters ran


def test_select_related_rows_come_with_their_related_objects(stories, django_assert_num_queries):
    compiled = CompiledQuery(listing, **FIELDS)
    got = compiled.run(limit=3, now=timezone.now(), category=stories[0].category_id, pk=0)
    with django_assert_num_queries(0):
        assert [a.category.name for a in got] == [stories[0].category.name] * 3


def test_after_the_first_run_the_orm_compiles_nothing(stories, monkeypatch):
    compiled = CompiledQuery(listing, **FIELDS)
    values = dict(now=timezone.now(), category=stories[0].category_id, pk=stories[0].pk)
    compiled.run(**values)
    compiles = []
    original = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: compiles.append(1) or original(self, *a, **k))
    for _ in range(3):
        assert compiled.run(**values)
    assert compiles == []


def test_a_value_the_sql_does_not_carry_as_a_parameter_is_refused(stories):
    ignoring = CompiledQuery(lambda now, category, pk: Article.objects.filter(category_id=category), **FIELDS)
    with pytest.raises(ValueError, match="now's value is not a parameter"):
        ignoring.run(now=timezone.now(), category=stories[0].category_id, pk=1)


def test_every_value_must_be_given(stories):
    compiled = CompiledQuery(listing, **FIELDS)
    with pytest.raises(TypeError, match="values for"):
        compiled.run(now=timezone.now(), category=stories[0].category_id)


def test_counts_and_list_values_answer_what_the_queryset_answers(stories, make_category):
    empty = make_category("Empty")
    compiled = CompiledQuery(
        lambda now, categories: Article.objects.published(now).filter(category_id__in=categories).for_listing(),
        now=FIELDS["now"], categories=FIELDS["category"],
    )
    now = timezone.now()
    sections = sorted({a.category_id for a in stories})
    for categories in ([sections[0]], sections, [empty.pk], [*sections, empty.pk]):
        for moment in (now, now + timedelta(hours=3)):
            queryset = Article.objects.published(moment).filter(category_id__in=categories).for_listing()
            assert compiled.count(now=moment, categories=categories) == queryset.count()
            assert [a.pk for a in compiled.run(limit=4, now=moment, categories=categories)] == [
                a.pk for a in queryset[:4]
            ]
    assert compiled.count(now=now + timedelta(hours=3), categories=sections) == len(stories)


def test_the_tag_list_counts_and_reads_what_the_plain_tag_queryset_does(stories, make_article):
    from django.contrib.contenttypes.models import ContentType
    from taggit.models import Tag

    from articles.reading import TAG_LIST

    draft = make_article(status=Article.Status.DRAFT)
    for article in [*stories[:4], stories[5], draft]:
        article.tags.add("harbour")
    stories[6].tags.add("other")
    tag = Tag.objects.get(name="harbour")
    kind = ContentType.objects.get_for_model(Article).pk
    now = timezone.now()
    for moment in (now, now + timedelta(hours=3)):
        expected = Article.objects.published(moment).filter(tags=tag).order_by("-publish_at", "-pk")
        assert TAG_LIST.count(now=moment, tag=tag.pk, kind=kind) == expected.count()
        assert [a.pk for a in TAG_LIST.run(limit=3, now=moment, tag=tag.pk, kind=kind)] == [a.pk for a in expected[:3]]
    assert TAG_LIST.count(now=now + timedelta(hours=3), tag=tag.pk, kind=kind) == 5  # the scheduled one is live then


def test_a_section_is_counted_by_its_categories_as_the_plain_queryset_counts_it(stories, make_category, settings):
    from articles import reading

    parent = stories[0].category
    children = [make_category(f"Part {i}", parent=parent) for i in range(3)]
    for i, child in enumerate(children):
        for _ in range(i + 1):
            Article.objects.create(title=f"In {child.name}", standfirst="s", body="b", category=child,
                                   status=Article.Status.PUBLISHED, publish_at=timezone.now() - timedelta(minutes=9))
    now = timezone.now()
    for categories in ([parent.pk], [parent.pk, *[c.pk for c in children]], [c.pk for c in children[:2]]):
        for moment in (now, now + timedelta(hours=3)):
            expected = Article.objects.published(moment).filter(category_id__in=categories)
            assert reading.SECTION_LIST.count(now=moment, categories=categories) == expected.count()
    assert reading.SECTION_LIST.count(now=now, categories=[c.pk for c in children]) == 6


@pytest.mark.parametrize("links", ["person_links", "organization_links"])
def test_an_entitys_graded_lists_count_and_read_what_the_plain_querysets_do(stories, make_article, links):
    from articles.models import Grade, Organization, Person
    from articles.reading import GRADED_LISTS

    entity = (Person if links == "person_links" else Organization).objects.order_by("pk").first()
    relation = "people" if links == "person_links" else "organizations"
    draft = make_article(status=Article.Status.DRAFT)
    for i, article in enumerate([*stories[:5], draft]):
        grade = [Grade.ABOUT, Grade.MAJOR, Grade.MENTION][i % 3]
        getattr(article, relation).add(entity, through_defaults={"grade": grade})
    field = links.removesuffix("_links")
    now = timezone.now()
    for compiled, grades in zip(GRADED_LISTS[links], ([Grade.ABOUT], [Grade.MAJOR, Grade.MENTION])):
        for moment in (now, now + timedelta(hours=3)):
            expected = Article.objects.published(moment).filter(
                **{f"{links}__{field}": entity, f"{links}__grade__in": grades}).order_by("-publish_at", "-pk")
            assert compiled.count(now=moment, entity=entity.pk) == expected.count()
            assert [a.pk for a in compiled.run(limit=10, now=moment, entity=entity.pk)] == [a.pk for a in expected]


def test_values_may_be_given_in_any_order(stories):
    compiled = CompiledQuery(
        lambda now, categories: Article.objects.published(now).filter(category_id__in=categories).for_listing(),
        now=FIELDS["now"], categories=FIELDS["category"],
    )
    now, categories = timezone.now(), [stories[0].category_id, stories[-1].category_id]
    in_order = [a.pk for a in compiled.run(limit=10, now=now, categories=categories)]
    assert [a.pk for a in compiled.run(limit=10, categories=categories, now=now)] == in_order
    assert compiled.count(categories=categories, now=now) == len(in_order) == 6
