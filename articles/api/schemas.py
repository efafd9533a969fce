"""The response shapes, from which the OpenAPI schema at /api/v1/schema/ is generated.

Plain pydantic models, not ninja's Schema: the operations return dicts
(articles/representation.py), which pydantic validates in its compiled core,
where ninja's Schema first wraps every value for attribute access to ORM
objects; for a 100-item list that wrapping alone cost about 50 ms.
"""

from typing import Optional

from pydantic import BaseModel as Schema


class Error(Schema):
    detail: str


class Rendition(Schema):
    url: str
    width: int
    format: str


class LeadImage(Schema):
    url: str
    alt: str
    caption: str
    credit: str
    width: Optional[int]
    height: Optional[int]
    renditions: list[Rendition]


class CategoryRef(Schema):
    path: str
    name: str
    full_name: str


class TagRef(Schema):
    slug: str
    name: str


class EntityRef(Schema):
    slug: str
    name: str
    url: str


class Correction(Schema):
    id: int
    text: str
    published_at: str


class ArticleSummary(Schema):
    id: int
    url: str
    canonical_url: str
    title: str
    standfirst: str
    byline: str
    language: str
    category: CategoryRef
    tags: list[TagRef]
    published_at: str
    updated_at: str
    lead_image: Optional[LeadImage]


class ArticleDetail(ArticleSummary):
    body_html: str
    body_text: str
    category_path: list[CategoryRef]
    people: list[EntityRef]
    organisations: list[EntityRef]
    corrections: list[Correction]


class ArticleList(Schema):
    results: list[ArticleSummary]
    next: Optional[str]


class Takedown(Schema):
    id: int
    url: str


class TakedownList(Schema):
    results: list[Takedown]
    next: Optional[str]


class CategoryNode(Schema):
    path: str
    name: str
    full_name: str
    description: str
    canonical_url: str
    children: list["CategoryNode"]


class CategoryList(Schema):
    results: list[CategoryNode]
    next: Optional[str]


class Tag(Schema):
    slug: str
    name: str
    canonical_url: str


class TagList(Schema):
    results: list[Tag]
    next: Optional[str]


class RoleAtOrganisation(Schema):
    title: str
    organisation: EntityRef
    start_date: Optional[str]
    end_date: Optional[str]


class Person(Schema):
    slug: str
    name: str
    url: str
    canonical_url: str
    job_title: str
    bio: str
    wikidata_id: str
    roles: list[RoleAtOrganisation]


class PersonList(Schema):
    results: list[Person]
    next: Optional[str]


class RoleOfPerson(Schema):
    title: str
    person: EntityRef
    start_date: Optional[str]
    end_date: Optional[str]


class StockListing(Schema):
    ticker: str
    exchange: str


class Organisation(Schema):
    slug: str
    name: str
    url: str
    canonical_url: str
    description: str
    wikidata_id: str
    lei: str
    listings: list[StockListing]
    parent: Optional[EntityRef]
    units: list[EntityRef]
    roles: list[RoleOfPerson]


class OrganisationList(Schema):
    results: list[Organisation]
    next: Optional[str]


class ArticleRef(Schema):
    id: int
    title: str
    url: str
    canonical_url: str


class CorrectionItem(Correction):
    article: ArticleRef


class CorrectionList(Schema):
    results: list[CorrectionItem]
    next: Optional[str]
