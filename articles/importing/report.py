"""What an import is asked to do and what it answers: ImportOptions in, a FileResult per file, an ImportReport.

These are the names the command, the admin page and the templates use; they
import nothing of the stages, so reading a report needs none of the machinery.
"""

from dataclasses import dataclass, field

DEFAULT_MAX_SIZE = 10 * 1024 * 1024
DEFAULT_CATEGORY = "News"
CREATED, UPDATED, UNCHANGED, FAILED = "created", "updated", "unchanged", "failed"
OUTCOMES = (CREATED, UPDATED, UNCHANGED, FAILED)


@dataclass(frozen=True)
class ImportOptions:
    publish: bool = False
    default_category: str = DEFAULT_CATEGORY
    encoding: str | None = None
    max_size: int = DEFAULT_MAX_SIZE
    dry_run: bool = False
    user: object = None  # who the revisions are recorded for (None: the import itself)
    time_zone: str | None = None  # the zone of a Date with none (an IANA name; None: NEWSROOM_TIME_ZONE)
    date_order: str | None = None  # "day-first" or "month-first" for "06/01/2022" (None: such a date fails)

    @property
    def default_category_path(self):
        """The category names for files that name none: "News / Wire" is ["News", "Wire"]."""
        return [p.strip() for p in self.default_category.split("/") if p.strip()]


@dataclass
class FileResult:
    path: str
    outcome: str
    message: str = ""
    article_id: int | None = None
    title: str = ""
    flags: list[str] = field(default_factory=list)
    index: int = 0

    def line(self):
        text = f"{self.outcome:9} {self.path}"
        if self.outcome == FAILED:
            return f"{text}: {self.message}"
        if self.title:
            text += f": {self.title}"
        if self.flags:
            text += f" [flags: {', '.join(self.flags)}]"
        return text


@dataclass
class ImportReport:
    """Counts per outcome; the results themselves are kept only when asked (memory stays flat)."""

    keep_results: bool = True
    results: list[FileResult] = field(default_factory=list)
    counts: dict = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    interrupted: bool = False

    def add(self, result):
        self.counts[result.outcome] += 1
        if self.keep_results:
            self.results.append(result)

    def count(self, outcome):
        return self.counts[outcome]

    @property
    def ok(self):
        return not self.interrupted and self.counts[FAILED] == 0

    def summary(self):
        return ", ".join(f"{o} {self.counts[o]}" for o in OUTCOMES)
