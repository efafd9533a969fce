"""The API's reference page in a real browser, under the site's Content-Security-Policy."""

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_the_reference_page_renders_every_operation_with_no_policy_violation(page, live_server, make_article):
    make_article()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    response = page.goto(live_server.url + "/api/v1/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock", timeout=15000)
    summaries = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/articles/" in [s.replace("\u200b", "") for s in summaries]
    assert len(summaries) >= 11
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
