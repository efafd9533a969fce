"""Find the people and organisations an article mentions, by any of their names.

All names and aliases go into one regular expression, built once per import
run, so each article costs one pass over its text and no queries. Latin-script
names match as whole words, ignoring case ("DaiShan" finds the alias
"Daishan"); Chinese names have no word boundaries to respect and match as
substrings. Traditional characters are folded to simplified on both sides with
OpenCC, so 張勇 in a Big5 file finds 张勇.
"""

import re
from functools import lru_cache

from ..models import Organization, OrganizationAlias, Person, PersonAlias
from .text import CJK_CHAR


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def fold(text: str) -> str:
    """Lower case, and simplified Chinese characters in place of traditional ones."""
    if CJK_CHAR.search(text):
        text = _converter().convert(text)
    return text.lower()


class EntityMatcher:
    def __init__(self, names):
        """``names`` maps a spelling to an entity key such as ("person", 3)."""
        self.keys = {}
        latin, cjk = set(), set()
        for name, key in names:
            folded = fold(" ".join(name.split()))
            if not folded:
                continue
            self.keys.setdefault(folded, set()).add(key)
            (cjk if CJK_CHAR.search(folded) else latin).add(folded)
        # Longest first, so "alibaba group" wins over "alibaba" at the same place.
        alternatives = [rf"(?<!\w)(?:{'|'.join(map(re.escape, sorted(latin, key=len, reverse=True)))})(?!\w)"] if latin else []
        if cjk:
            alternatives.append("|".join(map(re.escape, sorted(cjk, key=len, reverse=True))))
        self.pattern = re.compile("|".join(alternatives)) if alternatives else None

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

    def find(self, text: str) -> tuple[set[int], set[int]]:
        """The primary keys of the people and of the organisations named in ``text``."""
        people, organizations = set(), set()
        if self.pattern is None:
            return people, organizations
        folded = fold(" ".join(text.split()))
        for match in set(self.pattern.findall(folded)):
            for kind, pk in self.keys.get(match, ()):
                (people if kind == "person" else organizations).add(pk)
        return people, organizations
