"""The records page in Chromium: log-in, role-based visibility, recording an engagement with the
CSRF token, plain-language errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from foedus.records import RecordStore, default_database_url

NEW = {"title": "t", "instrument": "visits", "partners": ["Japan"], "start_date": "2024-03-01"}


@pytest.fixture(scope="module")
def records_users(built_warehouse: Path) -> dict[str, str]:
    with RecordStore(default_database_url(built_warehouse)) as store:
        admin = store.system_principal()
        existing = {u["username"] for u in store.users(admin)}
        for name, role in (("page-viewer", "viewer"), ("page-analyst", "analyst")):
            if name not in existing:
                store.add_user(admin, name, role, password=f"{name} passphrase")
        for marking in ("public", "internal", "restricted"):
            store.create_engagement(admin, NEW | {"title": f"page {marking}", "marking": marking})
    return {"viewer": "page-viewer", "analyst": "page-analyst"}


def _ready_as(browser, user: str) -> None:
    browser.page.wait_for_selector(f'body[data-ready^="records:{user}:"]', state="attached")


def _login(browser, name: str, password: str) -> None:
    page = browser.page
    page.fill("#username", name)
    page.fill("#password", password)
    page.click("#login-form button[type=submit]")


def test_records_page_roles_and_writes(browser, records_users):
    page = browser.open("/dashboard/records", "login")
    assert page.is_hidden("#list-card")
    _login(browser, "page-viewer", "wrong password!")
    browser.wait_ready("error")
    assert page.inner_text("#error") == "Wrong user name or password."
    _login(browser, "page-viewer", "page-viewer passphrase")
    _ready_as(browser, "page-viewer")
    titles = page.locator('table[data-table="engagements"] td[data-col="title"]').all_inner_texts()
    assert "page public" in titles and "page internal" in titles
    assert "page restricted" not in titles
    assert page.is_hidden("#new-card")
    page.click("#logout")
    browser.wait_ready("login")
    _login(browser, "page-analyst", "page-analyst passphrase")
    _ready_as(browser, "page-analyst")
    assert "page restricted" in page.locator('td[data-col="title"]').all_inner_texts()
    page.fill("#e-title", "Staff talks in Seoul")
    page.fill("#e-partners", "KOR; Atlantis")
    page.fill("#e-start", "2024-05-02")
    page.click("#new-form button[type=submit]")
    browser.wait_ready("error")
    message = page.inner_text("#error")
    assert "Atlantis" in message and "partners" in message and "Traceback" not in message
    page.fill("#e-partners", "KOR")
    page.click("#new-form button[type=submit]")
    _ready_as(browser, "page-analyst")
    rows = page.locator('tr:has(td[data-col="title"]:text-is("Staff talks in Seoul"))')
    assert rows.count() == 1
    assert "Korea" in rows.first.locator('td[data-col="partners"]').inner_text() or \
        "KOR" in rows.first.locator('td[data-col="partners"]').inner_text()
    browser.assert_local()
