"""End-to-end coordinator dashboard and reports: the demo coordinator signs in
and lands on their home with key figures and a chart of meetings, opens
"Needs attention" from the navigation, then the sessions report: a chart and a
table, a narrower date range that the URL keeps, and a CSV download that the
reports page then lists under "Recent downloads". On a phone, the
coordinator's home fits the screen."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from mentoring.models import ReportExport
from tests.e2e.helpers import field, local_today, path_is

from .conftest import DEMO_EMAILS, PHONE_VIEWPORT

pytestmark = pytest.mark.django_db(transaction=True)

REPORT_TITLE = "Sessions and hours per month"
CSV_HEADER = "Month,Mentor,Sessions held,Hours,Missed"  # one line per mentor per month
KPIS = ("waiting", "mentors-ready", "active-matches", "utilization", "sessions-this-month", "adherence")
# A key figure: a whole number, a percentage, or a dash when there is nothing to divide by.
FIGURE = re.compile(r"^\s*(\d+%?|–)\s*$")


def main_nav(page):
    return page.get_by_role("navigation", name="Main")


def expect_svg_with_bars(figure):
    svg = figure.locator("svg")
    expect(svg).to_be_visible()
    bars = svg.locator("rect")
    expect(bars.first).to_be_attached()
    assert bars.count() > 0
    return bars


def test_coordinator_reads_the_dashboard_needs_attention_and_downloads_a_report(page, live_server, demo_data, log_in):
    # --- 1. The coordinator signs in and lands on their home. ---------------------------------
    log_in(page, "coordinator")
    expect(page).to_have_url(path_is(live_server, "/home/coordinator/"))
    main = page.get_by_role("main")

    kpis = main.get_by_test_id("kpis")
    expect(kpis).to_be_visible()
    for kpi in KPIS:
        expect(kpis.locator(f"[data-kpi='{kpi}']")).to_have_text(FIGURE)
    # The demo program has people in it: the figures are not all zero.
    expect(kpis.locator("[data-kpi='active-matches']")).to_have_text(re.compile(r"^\s*[1-9]\d*\s*$"))

    chart = main.get_by_test_id("dashboard-chart")
    expect(chart).to_be_visible()
    expect_svg_with_bars(chart)

    expect(main.get_by_test_id("attention-list")).to_be_visible()

    # --- 2. "Needs attention" from the navigation: rows with something to do. ----------------
    main_nav(page).get_by_role("link", name="Needs attention", exact=True).click()
    expect(page).to_have_url(path_is(live_server, "/attention/"))
    expect(page.get_by_role("heading", name="Needs attention", level=1)).to_be_visible()
    rows = page.get_by_test_id("attention-list").get_by_role("listitem")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 1
    action = rows.first.get_by_role("link").last  # the button-styled link at the end of the row
    expect(action).to_be_visible()
    expect(action).to_have_attribute("href", re.compile(r"^/"))

    # --- 3. Reports → "Sessions and hours per month": a chart and a table. --------------------
    main_nav(page).get_by_role("link", name="Reports", exact=True).click()
    expect(page).to_have_url(path_is(live_server, "/reports/"))
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    page.get_by_role("main").get_by_role("link", name=REPORT_TITLE, exact=True).click()
    expect(page).to_have_url(path_is(live_server, "/reports/sessions/"))
    expect(page.get_by_role("heading", name=REPORT_TITLE, level=1)).to_be_visible()
    expect_svg_with_bars(page.get_by_test_id("report-chart"))
    table_rows = page.get_by_test_id("report-table").locator("tbody tr")
    expect(table_rows.first).to_be_visible()
    months_by_default = table_rows.count()
    assert months_by_default >= 1

    # --- 4. A narrower date range: the URL keeps the filters. --------------------------------
    today = local_today(DEMO_EMAILS["coordinator"])
    start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)  # the first of last month
    field(page, "From").fill(start.isoformat())
    field(page, "To").fill(today.isoformat())
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/reports/sessions/\?.*start={start.isoformat()}"))
    expect(page).to_have_url(re.compile(rf"[?&]end={today.isoformat()}"))
    expect(field(page, "From")).to_have_value(start.isoformat())
    expect(field(page, "To")).to_have_value(today.isoformat())
    expect(page.get_by_test_id("report-chart").locator("svg")).to_be_visible()
    expect(table_rows.first).to_be_visible()
    assert 1 <= table_rows.count() <= min(2, months_by_default)  # last month and this one at most

    # --- 5. Download CSV: the file has the header and data; the download is recorded. --------
    csv_link = page.get_by_test_id("csv-export")
    expect(csv_link).to_have_text("Download CSV")
    expect(csv_link).to_have_attribute("href", re.compile(rf"/reports/sessions/export\.csv\?.*start={start}"))
    assert not ReportExport.objects.exists()
    with page.expect_download() as download_info:
        csv_link.click()
    download = download_info.value
    assert download.suggested_filename == f"waypoint-sessions-{start:%Y%m%d}-{today:%Y%m%d}.csv"
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the UTF-8 byte-order mark: Excel shows accents (issue 17)
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == CSV_HEADER
    assert len(lines) > 1, "the CSV has a header and no data"

    export = ReportExport.objects.get()
    assert export.user.email == DEMO_EMAILS["coordinator"]
    assert (export.report, export.start, export.end) == ("sessions", start, today)

    # --- 6. The reports page lists the download under "Recent downloads". ---------------------
    page.get_by_role("navigation", name="breadcrumb").get_by_role("link", name="Reports", exact=True).click()
    expect(page).to_have_url(path_is(live_server, "/reports/"))
    recent = page.locator("section").filter(has=page.get_by_role("heading", name="Recent downloads", level=2))
    downloads = recent.locator("tbody tr")
    expect(downloads).to_have_count(1)
    expect(downloads.first).to_contain_text("Sessions and hours per month")  # the report's title
    expect(downloads.first).to_contain_text(export.user.full_name)
    expect(downloads.first).to_contain_text(f"{start:%b} {start.day}, {start.year}")


def test_coordinator_home_fits_a_phone(phone_page, live_server, demo_data, log_in):
    log_in(phone_page, "coordinator")
    expect(phone_page).to_have_url(path_is(live_server, "/home/coordinator/"))
    expect(phone_page.get_by_test_id("kpis")).to_be_visible()
    expect(phone_page.get_by_test_id("dashboard-chart").locator("svg")).to_be_visible()
    scroll_width, inner_width = phone_page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert inner_width == PHONE_VIEWPORT["width"]
    assert scroll_width <= inner_width, f"the coordinator home scrolls sideways ({scroll_width}px wide)"
