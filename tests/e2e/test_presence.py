"""Present means someone is there: an agent who closes the browser leaves "Present agents" for everyone
once the grace period has passed, and when the last one has gone the widget offers the offline form.

Two Daphnes of its own sharing a Redis of its own, as a deployment with several processes runs: alice's
workspace is on one, bob's and the visitor's on the other, so her leaving reaches him across processes.
Their grace period is two seconds, so the test waits seconds, not a minute.
"""

from playwright.sync_api import expect

from tests.e2e.flows import WIDGET_URL, present_agents

GRACE_SECONDS = "2"


def test_an_agent_who_closes_the_browser_leaves_present_for_everyone_and_the_last_one_takes_the_widget_offline(
    demo_team, redis_server, start_daphnes, new_page, login
):
    daphne, alices_daphne = start_daphnes(
        "P1", "P2", PRESENCE_GRACE_SECONDS=GRACE_SECONDS, REDIS_URL=redis_server.url,
        CHANNEL_LAYER_PREFIX=f"presence-{redis_server.port}",
    )
    bob = login(new_page(base_url=daphne.url), "bob")
    alice = login(new_page(base_url=alices_daphne.url), "alice")
    expect(present_agents(bob)).to_contain_text("Alice Andersson")

    alice.context.close()  # no logout, no Away: the browser is simply gone

    expect(present_agents(bob)).not_to_contain_text("Alice Andersson")
    visitor = new_page(base_url=daphne.url)
    visitor.goto(WIDGET_URL)
    expect(visitor.get_by_role("button", name="Start chat")).to_be_visible()

    bob.context.close()

    # The widget asks when it loads; a visitor arriving once the grace period has passed gets the form.
    offline_form = visitor.get_by_role("button", name="Leave a message")
    for _attempt in range(20):
        visitor.reload()
        if offline_form.count():
            break
        visitor.wait_for_timeout(500)
    expect(offline_form).to_be_visible()
