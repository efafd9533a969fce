from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.utils import timezone

from articles.models import Article, Category, CategoryTree, Organization, Person, Role

pytestmark = pytest.mark.django_db


def test_category_path_and_full_name_follow_the_tree(make_category):
    business = make_category("Business")
    ecommerce = make_category("E-commerce", parent=business)
    live = make_category("Live streaming", parent=ecommerce)
    assert live.path == "business/e-commerce/live-streaming"
    assert str(live) == "Business > E-commerce > Live streaming"
    assert live.get_absolute_url() == "/business/e-commerce/live-streaming/"
    assert [c.name for c in CategoryTree().ancestors(live)] == ["Business", "E-commerce"]


def test_renaming_a_category_slug_moves_its_descendants(make_category):
    business = make_category("Business")
    ecommerce = make_category("E-commerce", parent=business)
    make_category("Live streaming", parent=ecommerce)
    business.slug = "biz"
    business.save()
    assert Category.objects.get(name="Live streaming").path == "biz/e-commerce/live-streaming"


def test_sibling_categories_cannot_share_a_slug_but_cousins_can(make_category):
    business = make_category("Business")
    logistics = make_category("Logistics")
    nested = make_category("Logistics", parent=business)
    assert nested.path == "business/logistics" and logistics.path == "logistics"
    with pytest.raises(Exception):
        make_category("Logistics again", parent=business, slug="logistics")


def test_top_level_category_cannot_take_a_reserved_slug():
    category = Category(name="Admin", slug="admin")
    with pytest.raises(ValidationError):
        category.full_clean()


def test_chinese_category_gets_a_unicode_slug(make_category):
    assert make_category("电商").path == "电商"


def test_category_tree_finds_sections_paths_ancestors_and_descendants_in_one_query(make_category, django_assert_num_queries):
    business = make_category("Business")
    logistics = make_category("Logistics", parent=business)
    cross_border = make_category("Cross-border", parent=logistics)
    autos = make_category("Autos")
    make_category("Energy", ordering=-1)
    with django_assert_num_queries(1):
        tree = CategoryTree()
        assert [c.name for c in tree.sections] == ["Energy", "Autos", "Business"]
        assert tree.by_path["business/logistics/cross-border"].pk == cross_border.pk
        assert [c.name for c in tree.ancestors(cross_border)] == ["Business", "Logistics"]
        assert tree.ancestors(business) == []
        assert sorted(tree.descendant_ids(business)) == sorted([business.pk, logistics.pk, cross_border.pk])
        assert tree.descendant_ids(autos) == [autos.pk]


def test_category_tree_hides_sections_that_hold_only_drafts_from_readers(make_category, make_article):
    business = make_category("Business")
    merger = make_category("Merger talks", parent=business)
    quiet = make_category("Quiet")
    make_article(category=merger, status=Article.Status.DRAFT)
    make_article(category=business)
    make_article(category=quiet, publish_at=timezone.now() + timedelta(days=1))  # scheduled: not yet
    from articles.publishing.visibility import category_tree

    tree = category_tree()
    assert [c.name for c in tree.sections] == ["Business"]
    assert tree.children.get(business.pk, []) == []
    assert not tree.is_public(merger) and not tree.is_public(quiet) and tree.is_public(business)


def test_deleting_a_category_with_articles_is_refused(make_article, section):
    make_article()
    with pytest.raises(ProtectedError):
        section.delete()
    assert Category.objects.filter(pk=section.pk).exists()


def test_published_excludes_drafts_scheduled_and_expired(make_article):
    now = timezone.now()
    live = make_article("Live")
    make_article("Draft", status=Article.Status.DRAFT)
    make_article("Scheduled", publish_at=now + timedelta(hours=1))
    make_article("Expired", unpublish_at=now - timedelta(seconds=1))
    assert list(Article.objects.published()) == [live]


def test_scheduled_article_goes_live_at_its_time_without_any_job(make_article):
    now = timezone.now()
    article = make_article(publish_at=now + timedelta(hours=1))
    assert not Article.objects.published(now).filter(pk=article.pk).exists()
    assert Article.objects.published(now + timedelta(hours=1, seconds=1)).filter(pk=article.pk).exists()
    assert article.state_label == "Scheduled"


def test_publishing_without_a_time_stamps_now(make_article):
    article = make_article(status=Article.Status.DRAFT)
    assert article.publish_at is None
    article.status = Article.Status.PUBLISHED
    article.save()
    assert abs(article.publish_at - timezone.now()) < timedelta(seconds=5)


def test_slug_comes_from_title_and_never_clashes(section):
    first = Article.objects.create(title="Taobao Live", standfirst="s", body="b", category=section)
    second = Article.objects.create(title="Taobao Live", standfirst="s", body="b", category=section)
    chinese = Article.objects.create(title="淘宝天猫全面融合", standfirst="s", body="b", category=section)
    assert (first.slug, second.slug, chinese.slug) == ("taobao-live", "taobao-live-2", "淘宝天猫全面融合")


def test_paragraphs_split_on_blank_lines(make_article):
    article = make_article(body="One.\n\nTwo\nstill two.\n\n\nThree.")
    assert article.paragraphs == ["One.", "Two still two.", "Three."]  # a line break inside a paragraph is a space


def test_a_library_image_needs_alt_text(library_image):
    image = library_image()
    image.alt = "   "
    with pytest.raises(ValidationError) as excinfo:
        image.full_clean()
    assert "alt" in excinfo.value.message_dict


def test_unpublish_time_must_follow_publish_time(make_article):
    article = make_article()
    article.unpublish_at = article.publish_at - timedelta(minutes=1)
    with pytest.raises(ValidationError) as excinfo:
        article.full_clean()
    assert "unpublish_at" in excinfo.value.message_dict


def test_shipped_entities_are_installed_with_their_roles():
    xuande = Person.objects.get(name="Xuande")
    assert set(xuande.aliases.values_list("name", flat=True)) == {"publicizing morality", "宣德"}
    role = Role.objects.get(person=xuande)
    assert role.organization.name == "User Operation and Development Center"
    centre = role.organization
    assert [o.name for o in centre.ancestors()] == ["Alibaba Group", "China Digital Commerce", "Big Taobao"]
    assert set(Organization.objects.get(slug="big-taobao").units.values_list("name", flat=True)) >= {
        "Industrial Operation and Development Center",
        "Platform Strategy and Operation Center",
        "User Operation and Development Center",
    }
    assert {p.name for p in Person.objects.all()} >= {
        "Dai Shan", "Zhang Yong", "Fan Jiang", "Lu Su", "Xuande", "Chuixue", "Sixin", "Daofang", "Jia Luo",
    }


def test_role_cannot_end_before_it_starts():
    role = Role(
        person=Person.objects.get(slug="dai-shan"),
        organization=Organization.objects.get(slug="big-taobao"),
        title="Head",
        start_date=timezone.now().date(),
        end_date=timezone.now().date() - timedelta(days=1),
    )
    with pytest.raises(ValidationError):
        role.full_clean()


def test_entity_urls():
    assert Person.objects.get(slug="dai-shan").get_absolute_url() == "/people/dai-shan/"
    assert Organization.objects.get(slug="big-taobao").get_absolute_url() == "/organisations/big-taobao/"


def test_slug_path_urls_match_the_url_resolver(make_category, make_article):
    from django.urls import reverse

    category = make_category("电商")
    sub = make_category("Live streaming", parent=category)
    article = make_article("淘宝天猫全面融合", category=sub)
    for obj in (category, sub, article):
        path = obj.path if isinstance(obj, Category) else f"{obj.category.path}/{obj.slug}"
        assert obj.get_absolute_url() == reverse("articles:path", kwargs={"path": path})


def test_a_title_used_many_times_still_gets_a_free_slug(section):
    slugs = [Article.objects.create(title="Market report", standfirst="s", body="b", category=section).slug for _ in range(14)]
    assert slugs[:3] == ["market-report", "market-report-2", "market-report-3"]
    assert len(set(slugs)) == 14 and slugs[-1] == "market-report-14"
