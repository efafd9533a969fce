"""Find the people and organisations an article mentions, by any of their names.

Every name and alias goes into one Aho-Corasick automaton (pyahocorasick),
built once per import run, so each article costs one pass over its text and
no queries, however many names there are (a regular-expression alternation of
the same names was ten times slower on the seed article). Latin-script names
must stand as whole words, ignoring case ("DaiShan" finds the alias "Daishan");
Chinese has no spaces to mark words, so Chinese names match anywhere.
Traditional characters are folded to simplified on both sides with OpenCC, so
張勇 in a Big5 file finds 张勇. Where names overlap, the longest wins: "Taobao
Live" links Taobao Live, not Taobao as well.

``grades()`` also proposes how central each one is to the story: named in the
title or standfirst, the story is *about* them; named at least
``MAJOR_FROM`` times in the body, a *major mention*; otherwise a *mention*.
Editors change the grades in the admin.
"""

from collections import Counter

import ahocorasick

from ..models import Grade, Organization, OrganizationAlias, Person, PersonAlias
from ..text import CJK_CHAR, fold, is_word_char

MAJOR_FROM = 3  # times named in the body that make a major mention


class EntityMatcher:
    def __init__(self, names):
        """``names`` is a list of (spelling, key) pairs, a key being e.g. ("person", 3)."""
        self.keys = {}
        for name, key in names:
            folded = fold(" ".join(name.split()))
            if folded:
                self.keys.setdefault(folded, set()).add(key)
        self.automaton = ahocorasick.Automaton()
        for folded in self.keys:
            self.automaton.add_word(folded, (folded, not CJK_CHAR.search(folded)))
        if self.keys:
            self.automaton.make_automaton()

    @classmethod
    def from_database(cls):
        names = []
        for model, alias_model, kind, fk in (
            (Person, PersonAlias, "person", "person_id"),
            (Organization, OrganizationAlias, "organization", "organization_id"),
        ):
            names += [(name, (kind, pk)) for pk, name in model.objects.values_list("pk", "name")]
            names += [(name, (kind, pk)) for pk, name in alias_model.objects.values_list(fk, "name")]
        return cls(names)

    def find(self, text: str, folded: str | None = None) -> tuple[set[int], set[int]]:
        """The primary keys of the people and of the organisations named in ``text``.

        ``folded`` may pass ``fold(" ".join(text.split()))`` when the caller has it already.
        """
        people, organizations = self.count(text, folded, cap=1)
        return set(people), set(organizations)

    def count(self, text: str, folded: str | None = None, cap: int | None = None) -> tuple[Counter, Counter]:
        """How many times each person and each organisation is named in ``text``: {pk: times}.

        With ``cap``, a spelling stops being counted (and checked) once seen that many times.
        """
        people, organizations = Counter(), Counter()
        if not self.keys:
            return people, organizations
        if folded is None:
            folded = fold(" ".join(text.split()))
        found = Counter()
        seen = found.get
        limit = cap if cap is not None else float("inf")
        last = len(folded) - 1
        # Leftmost-longest matches, in C; a match that is not a whole word
        # ("alibaba groups") is searched again for shorter names inside it.
        # The loop runs once per match, hundreds of times an article: the
        # whole-word test is written out here rather than called.
        for end, (name, whole_word) in self.automaton.iter_long(folded):
            if seen(name, 0) >= limit:
                continue
            start = end - len(name) + 1
            if not whole_word or (
                (start == 0 or not ((before := folded[start - 1]).isalnum() or before == "_"))
                and (end >= last or not ((after := folded[end + 1]).isalnum() or after == "_"))
            ):
                found[name] += 1
                continue
            for inner_end, (inner, inner_whole) in self.automaton.iter(folded, start, end + 1):
                inner_start = inner_end - len(inner) + 1
                if not inner_whole or self._whole_word(folded, inner_start, inner_end):
                    found[inner] += 1
        for name, times in found.items():
            for kind, pk in self.keys[name]:
                (people if kind == "person" else organizations)[pk] += times
        return people, organizations

    def grades(self, lead: str, body: str, body_folded: str | None = None) -> tuple[dict[int, str], dict[int, str]]:
        """{pk: grade} for the people and for the organisations named in ``lead`` (title and standfirst) or ``body``.

        ``body_folded`` is as ``count``'s ``folded``, for the body.
        """
        lead_people, lead_orgs = self.count(lead, cap=1)
        body_people, body_orgs = self.count(body, body_folded, cap=MAJOR_FROM)

        def grade(lead_counts, body_counts):
            return {
                pk: Grade.ABOUT if lead_counts[pk] else Grade.MAJOR if body_counts[pk] >= MAJOR_FROM else Grade.MENTION
                for pk in {*lead_counts, *body_counts}
            }

        return grade(lead_people, body_people), grade(lead_orgs, body_orgs)

    @staticmethod
    def _whole_word(text, start, end):
        return (start == 0 or not is_word_char(text[start - 1])) and (
            end + 1 >= len(text) or not is_word_char(text[end + 1])
        )
