"""Reports in a real browser: maria opens them from the workspace, sees a chart drawn and the numbers in a
table, and downloads the CSV; alice, an agent without manager rights, is offered no Reports link."""

import pytest
from playwright.sync_api import expect

from chat.models import ChatSession
from tests.factories import ChatSessionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_maria_reads_the_reports_and_downloads_the_csv_and_alice_sees_no_reports(demo_team, new_page, login):
    ChatSessionFactory(channel=demo_team.channel, visitor_name="Vera")
    maria = login(new_page(), "maria")
    maria.get_by_role("link", name="Reports").click()

    expect(maria.get_by_role("heading", name="Reports")).to_be_visible()
    expect(maria.locator("#chart-chats")).to_be_visible()
    maria.wait_for_function("() => window.Chart && Chart.getChart('chart-chats') !== undefined")
    channels = maria.get_by_role("table", name="Per channel")
    expect(channels.get_by_role("row", name=demo_team.channel.name)).to_contain_text("1")
    with maria.expect_download() as download_info:
        maria.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    assert "Chats started" in open(download.path(), encoding="utf-8").read()

    alice = login(new_page(), "alice")
    expect(alice.get_by_role("tab", name="Dashboard")).to_be_visible()
    expect(alice.get_by_role("link", name="Reports")).to_have_count(0)
    assert ChatSession.objects.count() == 1
