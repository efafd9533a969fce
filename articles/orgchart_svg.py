"""The organisation chart drawn as SVG on the server: no JavaScript, each box a link to the unit's page.

Units are drawn one per row, indented by depth, with elbow lines from each
parent down to its units (the shape of a file tree): it stays readable
however many units a level has, where a top-down tree would grow too wide for
a phone. Text widths are estimated (CJK characters count as a full em, others
as 0.6 em, 0.66 in bold), so boxes fit their names without measuring fonts. Every text is
escaped; the SVG carries a <title> for screen readers, and the page has the
same chart as a nested list.
"""

import unicodedata

from django.utils.html import escape
from django.utils.safestring import mark_safe

FONT = 14
SMALL = 12
ROW = 56
BOX = 46
BOX_NO_HEADS = 30
INDENT = 28
PAD = 10
MARGIN = 2


def text_width(text, size, bold=False):
    latin = 0.66 if bold else 0.6
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * latin for c in text)


def heads_line(unit):
    return ", ".join(f"{role.person.name} ({role.title})" for role in unit.heads)


def rows(unit, depth=0):
    yield depth, unit
    for child in unit.units:
        yield from rows(child, depth + 1)


def chart_svg(chart, title, title_id="org-chart-title"):
    """An inline <svg> element for a chart (orgchart.Unit)."""
    placed, links, width = [], [], 0
    stack = {}  # depth: (x, bottom y) of the last box drawn at that depth
    for index, (depth, unit) in enumerate(rows(chart)):
        x, y = MARGIN + depth * INDENT, MARGIN + index * ROW
        heads = heads_line(unit)
        height = BOX if heads else BOX_NO_HEADS
        box_width = max(text_width(unit.organization.name, FONT, bold=True), text_width(heads, SMALL)) + 2 * PAD
        width = max(width, x + box_width + MARGIN)
        if depth:
            px, py = stack[depth - 1]
            links.append(f'<path d="M{px + INDENT / 2:.0f} {py} V{y + height / 2:.0f} H{x}"/>')
        stack[depth] = (x, y + height)
        placed.append((x, y, box_width, height, unit, heads, depth))
    height = MARGIN * 2 + (len(placed) - 1) * ROW + (placed[-1][3] if placed else 0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="org-chart" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" aria-labelledby="{escape(title_id)}">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        '<g fill="none" stroke="#8a8f98" stroke-width="1.5">', *links, "</g>",
    ]
    for x, y, box_width, box_height, unit, heads, depth in placed:
        org = unit.organization
        fill = "#1f3a5f" if depth == 0 else "#f4f6f9"
        ink = "#ffffff" if depth == 0 else "#1b1f24"
        parts.append(
            f'<a href="{escape(org.get_absolute_url())}">'
            f'<rect x="{x}" y="{y}" width="{box_width:.0f}" height="{box_height}" rx="4" fill="{fill}" stroke="#1f3a5f"/>'
            f'<text x="{x + PAD}" y="{y + 19}" font-family="system-ui, sans-serif" font-size="{FONT}" '
            f'font-weight="bold" fill="{ink}">{escape(org.name)}</text>'
        )
        if heads:
            parts.append(
                f'<text x="{x + PAD}" y="{y + 37}" font-family="system-ui, sans-serif" font-size="{SMALL}" '
                f'fill="{ink}">{escape(heads)}</text>'
            )
        parts.append("</a>")
    parts.append("</svg>")
    return mark_safe("".join(parts))
