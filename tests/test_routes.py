"""articles/routes.py: route_url answers exactly what reverse() answers, without reversing each time."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from articles.routes import route_url


@pytest.mark.parametrize("name, args", [
    ("articles:home", ()),
    ("articles:people", ()),
    ("articles:person", ("dai-shan",)),
    ("articles:person", ("戴珊",)),
    ("articles:organization", ("alibaba_group-2",)),
    ("articles:tag", ("電商",)),
    ("articles:tag_feed", ("markets-1",)),
    ("articles:category_feed", ("business/e-commerce",)),
    ("articles:path", ("电商/平台",)),
])
def test_route_url_is_what_reverse_gives(name, args):
    assert route_url(name, *args) == reverse(name, args=args or None)
    assert route_url(name, *args) == reverse(name, args=args or None)  # from the kept template


def test_arguments_a_slug_route_would_refuse_go_to_reverse_and_fail_alike():
    for bad in ("has space", "a.b", "x\x00", ""):
        with pytest.raises(NoReverseMatch):
            reverse("articles:person", args=[bad])
        with pytest.raises(NoReverseMatch):
            route_url("articles:person", bad)


def test_an_argument_that_looks_like_the_placeholder_is_reversed_as_it_is():
    assert route_url("articles:person", "__route_argument_0__") == reverse("articles:person", args=["__route_argument_0__"])


def test_the_script_prefix_is_part_of_the_kept_template():
    try:
        set_script_prefix("/news/")
        assert route_url("articles:person", "dai-shan") == "/news/people/dai-shan/" == reverse("articles:person", args=["dai-shan"])
    finally:
        set_script_prefix("/")
    assert route_url("articles:person", "dai-shan") == "/people/dai-shan/"
