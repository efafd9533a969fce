"""Organisations through time: the chart of a unit at a date, and the timeline of its changes.

``Structure.load()`` reads everything a chart or a timeline needs in a fixed
number of queries (organisations, structure facts, heads, and which of their
source articles readers may see), whatever the size of the tree; the chart
and timeline are then worked out in Python. An organisation site has at most
a few thousand units, so reading them all is cheaper than walking the tree
level by level.

A unit exists on a day from its founding (``founded``, or its "created" fact)
until the day it is dissolved or merged (``dissolved``, or such a fact), that
day excluded. Its parent on a day is named by its latest "created under" or
"moved under" fact on or before the day; before its first move it sat where
that move took it from, and with no such facts where ``Organization.parent``
says. Heads are Roles marked ``head`` whose dates cover the day.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from .compiled import CompiledQuery
from .models import Article, Organization, Role, StructureFact


@dataclass
class Unit:
    organization: Organization
    heads: list
    units: list = field(default_factory=list)


@dataclass(frozen=True)
class Event:
    """One line of a timeline: what happened to which unit on which day, and the article that said so (if public)."""

    date: date
    organization: Organization
    text: str  # "created under", "moved under", "merged into", "merged", "dissolved", "Head appointed", ...
    other: Organization | None
    person: object | None
    source: Article | None
    note: str = ""


class Structure:
    def __init__(self, organizations, facts, roles):
        self.by_pk = {o.pk: o for o in organizations}
        self.by_slug = {o.slug: o for o in organizations}
        self.facts = facts
        self.roles = roles
        self.heads = [r for r in roles if r.head]
        self.placements, self.starts, self.ends = {}, {}, {}
        for fact in sorted(facts, key=lambda f: (f.date, f.pk)):
            if fact.places:
                self.placements.setdefault(fact.organization_id, []).append(fact)
            if fact.kind == StructureFact.Kind.CREATED:
                self.starts.setdefault(fact.organization_id, fact.date)
            if fact.ends:
                self.ends.setdefault(fact.organization_id, fact.date)

    @classmethod
    def load(cls, now=None):
        """Three queries, however many units, facts and roles there are; whether readers may see each
        cited article is asked in the same query (``published()``, the one visibility rule). The
        queries are compiled once per process (articles/compiled.py): every organisation page runs them."""
        now = now or timezone.now()
        return cls(_ORGANIZATIONS.run(), _FACTS.run(now=now), _ROLES.run(now=now))

    def roles_of(self, pk):
        """Everyone with a role in the unit, heads or not, as the organisation page lists them."""
        return sorted((r for r in self.roles if r.organization_id == pk),
                      key=lambda r: (r.start_date is None, r.start_date or date.min, r.title), reverse=True)

    # What was where on a day

    def exists_on(self, pk, day):
        org = self.by_pk[pk]
        start = org.founded or self.starts.get(pk)
        end = org.dissolved or self.ends.get(pk)
        return (start is None or start <= day) and (end is None or day < end)

    def parent_on(self, pk, day):
        placements = self.placements.get(pk)
        if not placements:
            return self.by_pk[pk].parent_id
        before = [f for f in placements if f.date <= day]
        if before:
            return before[-1].parent_id
        first = placements[0]
        return first.previous_parent_id if first.kind == StructureFact.Kind.MOVED else first.parent_id

    def heads_on(self, pk, day):
        return [r for r in self.heads if r.organization_id == pk and r.holds_on(day)]

    def chart(self, organization, day):
        """The unit and its sub-units (all levels) as they stood on ``day``, each with its heads then."""
        children = {}
        for pk in self.by_pk:
            if self.exists_on(pk, day):
                children.setdefault(self.parent_on(pk, day), []).append(pk)

        def build(pk, seen):
            kids = [build(child, seen | {child}) for child in children.get(pk, []) if child not in seen]
            return Unit(self.by_pk[pk], self.heads_on(pk, day), kids)

        return build(organization.pk, frozenset({organization.pk}))

    def ancestors_on(self, organization, day):
        chain, pk = [], self.parent_on(organization.pk, day)
        while pk is not None and pk in self.by_pk and self.by_pk[pk] not in chain:
            chain.insert(0, self.by_pk[pk])
            pk = self.parent_on(pk, day)
        return chain

    # What happened

    def family(self, organization):
        """The unit and every unit that was ever under it, at any date."""
        edges = {}
        for pk, org in self.by_pk.items():
            parents = {org.parent_id} | {f.parent_id for f in self.placements.get(pk, [])}
            parents |= {f.previous_parent_id for f in self.placements.get(pk, [])}
            for parent in parents - {None}:
                edges.setdefault(parent, set()).add(pk)
        found, todo = {organization.pk}, [organization.pk]
        while todo:
            for child in edges.get(todo.pop(), ()):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return found

    @staticmethod
    def verb(kind, other):
        Kind = StructureFact.Kind
        if kind == Kind.MERGED:
            return "merged into" if other else "merged"
        return {Kind.CREATED: "created under" if other else "created", Kind.MOVED: "moved under"}.get(kind, "dissolved")

    @staticmethod
    def source_for_readers(item):
        return item.source if item.source_id and item.source_public else None

    def timeline(self, organization):
        """Changes to the unit and to every unit ever under it, newest first."""
        family = self.family(organization)
        events = []
        for fact in self.facts:
            if fact.organization_id in family:
                other = self.by_pk.get(fact.parent_id)
                events.append(Event(fact.date, self.by_pk[fact.organization_id], self.verb(fact.kind, other), other,
                                    None, self.source_for_readers(fact), fact.note))
        for role in self.heads:
            if role.organization_id not in family:
                continue
            org = self.by_pk[role.organization_id]
            if role.start_date:
                events.append(Event(role.start_date, org, f"{role.title} appointed", None, role.person,
                                    self.source_for_readers(role)))
            if role.end_date:
                events.append(Event(role.end_date, org, f"{role.title} left", None, role.person,
                                    self.source_for_readers(role)))
        return sorted(events, key=lambda e: (e.date, e.organization.name), reverse=True)


def sync_from_facts(organization):
    """After an organisation's facts are edited: its current parent is the one its latest placement names,
    and founded/dissolved, when blank, come from its "created" and "merged"/"dissolved" facts."""
    with transaction.atomic():
        facts = list(organization.structure_facts.order_by("date", "pk"))
        changed = []
        placements = [f for f in facts if f.places and f.date <= date.today()]
        if placements and organization.parent_id != placements[-1].parent_id:
            organization.parent_id = placements[-1].parent_id
            changed.append("parent")
        created = [f.date for f in facts if f.kind == StructureFact.Kind.CREATED]
        if created and organization.founded is None:
            organization.founded = created[0]
            changed.append("founded")
        ended = [f.date for f in facts if f.ends]
        if ended and organization.dissolved is None:
            organization.dissolved = ended[0]
            changed.append("dissolved")
        if changed:
            organization.save(update_fields=changed)
        return changed


def link_pending_citations():
    """Cite the articles whose files facts were waiting for (seed facts written before their article was imported).

    Two UPDATEs, whatever the number of facts; called by the importer after each run.
    """
    linked = 0
    for model in (StructureFact, Role):
        article = Article.objects.filter(source_checksum=OuterRef("source_checksum")).values("pk")[:1]
        waiting = model.objects.filter(source__isnull=True).exclude(source_checksum="")
        linked += waiting.filter(source_checksum__in=Article.objects.values("source_checksum")).update(
            source=Subquery(article)
        )
    return linked


def _public_source(now):
    return Exists(Article.objects.published(now).filter(pk=OuterRef("source_id")))


_NOW = {"now": Article._meta.get_field("publish_at")}
_ORGANIZATIONS = CompiledQuery(lambda: Organization.objects.order_by("name"))  # whole rows: the page's own is among them
_FACTS = CompiledQuery(
    lambda now: StructureFact.objects.select_related("source__category")
    .defer("source__body", "source__pending_changes")
    .annotate(source_public=_public_source(now)),
    **_NOW,
)
_ROLES = CompiledQuery(
    lambda now: Role.objects.select_related("person", "source__category")
    .defer("person__bio", "source__body", "source__pending_changes")
    .annotate(source_public=_public_source(now))
    .order_by("start_date", "person__name", "pk"),
    **_NOW,
)
