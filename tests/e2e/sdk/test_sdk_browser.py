"""ls.js in headless Chromium, on a customer site of another origin, against ``leadpulse serve``."""

from __future__ import annotations

import json
import re
import uuid
from importlib import resources
from typing import Any

import httpx
import pytest
from sdk_e2e_support import Account, ApiServer, Site, wait_for

pytestmark = pytest.mark.browser

SOURCE = resources.files("leadpulse.sdk").joinpath("ls.src.js").read_text()
# The one-line stub exactly as documented in ls.src.js (and shown in Integrations).
STUB = re.search(r"<script>window\.LS=window\.LS\|\|\{q:\[\]\}.*?</script>", SOURCE)
assert STUB is not None, "the stub is no longer documented in ls.src.js"
STUB_TAG = STUB.group(0)
SECRET = "s3cr3t-Value-7781"


def tag(api: ApiServer, key: str, extra: str = "") -> str:
    return f'<script async src="{api.url}/sdk/ls.js" data-api-key="{key}"{extra}></script>'


def init_page(api: ApiServer, key: str, body: str = "", **options: Any) -> str:
    """A page that installs the stub, configures LS in code, then loads the script."""
    config = json.dumps({"apiKey": key, "endpoint": api.url, "flushInterval": 200, **options})
    return (
        f"<!doctype html><title>Shop</title>{STUB_TAG}<script>LS.init({config})</script>"
        f'<script async src="{api.url}/sdk/ls.js"></script><body>{body}</body>'
    )


def loaded(page: Any) -> None:
    page.wait_for_function("() => window.LS && window.LS._loaded === true")


def api_requests(page: Any, api: ApiServer) -> list[Any]:
    """Record every request the page makes to the API (beacons included)."""
    seen: list[Any] = []
    page.context.on("request", lambda r: seen.append(r) if r.url.startswith(api.url) else None)
    return seen


def count(api: ApiServer, account: Account, event: str, n: int, page: Any) -> list[dict[str, Any]]:
    """Wait until ``n`` events of a type are stored; return them."""

    def check() -> list[dict[str, Any]] | None:
        found = api.events(account.project_id, event)
        return found if len(found) >= n else None

    result: list[dict[str, Any]] = wait_for(check, what=f"{n} × {event}", page=page)
    return result


def test_a_page_view_is_sent_on_load_and_on_spa_navigation(
    api_server: ApiServer, account: Account, site: Site, page: Any
) -> None:
    site.pages["/app/"] = (
        f"<!doctype html><title>Home</title>{tag(api_server, account.publishable_key)}"
    )
    requests = api_requests(page, api_server)

    page.goto(f"{site.url}/app/")
    loaded(page)
    (first,) = count(api_server, account, "page_view", 1, page)
    page.evaluate("() => { history.pushState({}, '', '/app/pricing'); document.title = 'Pricing' }")
    page.evaluate("() => LS.flush()")
    views = count(api_server, account, "page_view", 2, page)

    assert first["properties"]["path"] == "/app/"
    assert first["properties"]["title"] == "Home"
    assert first["properties"]["url"] == f"{site.url}/app/"
    second = views[1]["properties"]
    assert (second["path"], second["title"]) == ("/app/pricing", "Pricing")
    assert second["referrer"] == f"{site.url}/app/"
    assert len(views) == 2
    assert views[0]["sessionId"] == views[1]["sessionId"]
    assert views[0]["leadId"] == views[1]["leadId"]
    # another origin, yet plain POSTs: text/plain bodies need no CORS preflight
    ingest = [r for r in requests if "/api/ingest/" in r.url]
    assert ingest and {r.method for r in ingest} == {"POST"}


def test_track_and_identify_give_a_scored_lead_with_its_email(
    api_server: ApiServer, account: Account, site: Site, page: Any
) -> None:
    email = f"ada-{uuid.uuid4().hex[:8]}@example.com"
    # queued by the stub before the script loads, replayed on load
    body = '<script>LS.track("demo_request", {plan: "pro"})</script>'
    site.pages["/"] = init_page(api_server, account.publishable_key, body)

    page.goto(site.url)
    loaded(page)
    page.evaluate("email => LS.identify(email, {name: 'Ada Lovelace'})", email)
    count(api_server, account, "identify", 1, page)
    count(api_server, account, "demo_request", 1, page)
    anonymous_id = page.evaluate("() => localStorage.getItem('ls_aid')")
    lead_id = api_server.lead_id(account.project_id, anonymous_id)
    assert lead_id is not None

    def scored() -> dict[str, Any] | None:
        response = httpx.get(
            f"{api_server.url}/api/leads/{lead_id}", headers=account.headers, timeout=10
        )
        assert response.status_code == 200, response.text
        lead: dict[str, Any] = response.json()
        return lead if lead["currentScore"] == 55 and lead["email"] == email else None

    lead = wait_for(
        scored, page=page, what="the lead to be scored"
    )  # page_view 5 + demo_request 50
    assert lead["leadStage"] == "warm"
    assert lead["anonymousId"] == anonymous_id


def test_events_sent_while_the_api_is_down_arrive_once_it_is_back(
    own_api_server: ApiServer, site: Site, page: Any
) -> None:
    api = own_api_server
    account = Account(api)
    site.pages["/"] = init_page(api, account.publishable_key)
    failed: list[Any] = []
    page.on("requestfailed", lambda r: failed.append(r) if "/api/ingest/" in r.url else None)
    page.goto(site.url)
    loaded(page)
    count(api, account, "page_view", 1, page)

    api.stop()
    page.evaluate("() => { for (const n of [1, 2, 3]) LS.track('download', {n}) }")
    page.evaluate("() => LS.flush()")
    wait_for(lambda: failed, page=page, what="a failed delivery while the API is down")
    queued = page.evaluate("() => JSON.parse(localStorage.getItem('ls_q')).length")
    api.start()
    downloads = count(api, account, "download", 3, page)  # retried on its own, with backoff
    wait_for(
        lambda: page.evaluate("() => JSON.parse(localStorage.getItem('ls_q')).length") == 0,
        page=page,
        what="the stored queue to drain",
    )
    page.evaluate("() => LS.flush()")

    assert queued == 3
    assert sorted(e["properties"]["n"] for e in downloads) == [1, 2, 3]
    assert len(api.events(account.project_id, "download")) == 3
    assert len(api.events(account.project_id, "page_view")) == 1


def test_form_values_never_leave_the_page(
    api_server: ApiServer, account: Account, site: Site, page: Any
) -> None:
    form = f"""
      <form id="signup-form" name="signup" action="/thanks" onsubmit="event.preventDefault()">
        <input name="email" type="email"><input name="password" type="password">
        <input name="card"><textarea name="message"></textarea>
        <select name="plan"><option value="{SECRET}-option">Pro</option></select>
        <input type="hidden" name="csrf" value="{SECRET}-hidden">
        <button type="submit">Sign up</button>
      </form>"""
    site.pages["/"] = init_page(api_server, account.publishable_key, form)
    requests = api_requests(page, api_server)
    page.goto(site.url)
    loaded(page)

    for field in ("email", "password", "card", "message"):
        value = f"{SECRET}@example.com" if field == "email" else SECRET
        page.fill(f"[name={field}]", value)
    page.click("button[type=submit]")
    page.evaluate("() => LS.flush()")
    (submitted,) = count(api_server, account, "form_submit", 1, page)

    assert submitted["properties"] == {
        "formId": "signup-form",
        "formName": "signup",
        "action": "/thanks",
        "fields": ["email", "password", "card", "message", "plan", "csrf"],
    }
    bodies = [r.post_data or "" for r in requests]
    assert any('"form_submit"' in b for b in bodies), "the form_submit request was not seen"
    assert not [b for b in bodies if SECRET in b]
    assert SECRET not in json.dumps(api_server.events(account.project_id))
    assert SECRET not in page.evaluate("() => JSON.stringify(localStorage)")


def test_a_form_that_leaves_the_page_is_reported_by_beacon(
    api_server: ApiServer, account: Account, site: Site, page: Any
) -> None:
    form = '<form id="contact" method="post" action="/thanks"><input name="phone">' + (
        '<button type="submit">Send</button></form>'
    )
    # a long flush interval: only the page-hide beacon can deliver before the test ends
    site.pages["/"] = init_page(api_server, account.publishable_key, form, flushInterval=600000)
    site.pages["/thanks"] = "<!doctype html><title>Thanks</title>"
    requests = api_requests(page, api_server)
    page.goto(site.url)
    loaded(page)
    count(api_server, account, "page_view", 1, page)

    page.fill("[name=phone]", SECRET)
    page.click("button[type=submit]")
    (submitted,) = count(api_server, account, "form_submit", 1, page)

    assert submitted["properties"]["fields"] == ["phone"]
    # playwright does not report beacons sent while a page unloads: check what was stored
    assert SECRET not in json.dumps(api_server.events(account.project_id))
    assert not [r for r in requests if SECRET in (r.post_data or "")]


def test_tagged_clicks_are_tracked_and_reset_starts_a_new_visitor(
    api_server: ApiServer, account: Account, site: Site, page: Any
) -> None:
    button = '<button data-ls-event="cta_click" data-ls-plan="pro" data-ls-position="hero">'
    site.pages["/"] = init_page(
        api_server, account.publishable_key, button + "<b>Buy</b></button>", trackClicks=True
    )
    page.goto(site.url)
    loaded(page)
    before = page.evaluate("() => localStorage.getItem('ls_aid')")

    page.click("b")  # a child of the tagged element
    page.evaluate("() => { LS.reset(); LS.track('signup'); return LS.flush() }")
    (click,) = count(api_server, account, "cta_click", 1, page)
    (signup,) = count(api_server, account, "signup", 1, page)
    after = page.evaluate("() => localStorage.getItem('ls_aid')")

    assert click["properties"] == {"plan": "pro", "position": "hero"}
    assert after and after != before
    assert api_server.lead_id(account.project_id, before) == click["leadId"]
    assert api_server.lead_id(account.project_id, after) == signup["leadId"] != click["leadId"]


def test_the_snippet_never_throws_into_the_page(
    api_server: ApiServer, account: Account, site: Site, page: Any
) -> None:
    errors: list[Any] = []
    page.on("pageerror", lambda error: errors.append(error))
    # storage denied (privacy settings): the snippet falls back to cookies and memory
    page.add_init_script(
        "Object.defineProperty(window, 'localStorage', {get() { throw new Error('denied') }})"
    )
    site.pages["/"] = init_page(api_server, account.publishable_key)
    page.goto(site.url)
    loaded(page)

    results = page.evaluate(
        """() => [
            LS.track({not: 'a name'}), LS.track('bad name!'), LS.track('x'.repeat(65)),
            LS.identify(), LS.page(null), LS.init(), LS.reset(), LS.track('download', null),
        ].map(r => r === undefined)"""
    )
    page.evaluate("() => LS.flush()")
    (download,) = count(api_server, account, "download", 1, page)

    assert results == [True] * 8
    assert errors == []
    assert download["properties"] == {}
    assert "ls_aid=" in page.evaluate("() => document.cookie")


def test_do_not_track_is_honoured_when_configured(
    api_server: ApiServer, account: Account, site: Site, page: Any
) -> None:
    page.add_init_script("Object.defineProperty(navigator, 'doNotTrack', {get: () => '1'})")
    site.pages["/"] = init_page(api_server, account.publishable_key, respectDoNotTrack=True)
    requests = api_requests(page, api_server)
    page.goto(site.url)
    loaded(page)

    page.evaluate("() => { LS.track('signup'); return LS.flush() }")

    assert [r.url for r in requests if "/api/ingest/" in r.url] == []
    assert page.evaluate("() => localStorage.getItem('ls_q')") is None


def test_server_errors_are_retried_with_the_same_event_ids_and_client_errors_dropped(
    api_server: ApiServer, account: Account, site: Site, page: Any
) -> None:
    site.pages["/"] = init_page(api_server, account.publishable_key, autoPageview=False)
    answers = [503, 429, None, 400]  # None: let the request reach the API
    bodies: list[dict[str, Any]] = []
    cors = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "Retry-After"}

    def handle(route: Any) -> None:
        bodies.append(json.loads(route.request.post_data))
        status = answers.pop(0) if answers else None
        if status is None:
            route.continue_()
        else:
            route.fulfill(status=status, headers={**cors, "Retry-After": "0"}, body="{}")

    page.route(f"{api_server.url}/api/ingest/batch", handle)
    page.goto(site.url)
    loaded(page)

    page.evaluate("() => { LS.track('webinar_attendance'); return LS.flush() }")
    wait_for(lambda: len(bodies) == 3, page=page, what="two retries")
    count(api_server, account, "webinar_attendance", 1, page)
    page.evaluate("() => { LS.track('download'); return LS.flush() }")
    wait_for(lambda: len(bodies) == 4, page=page, what="the refused batch")
    page.evaluate("() => LS.flush()")

    first_ids = {b["events"][0]["eventId"] for b in bodies[:3]}
    assert len(first_ids) == 1 and bodies[0]["events"][0]["event"] == "webinar_attendance"
    assert len(bodies) == 4  # the 400 was not retried
    assert page.evaluate("() => JSON.parse(localStorage.getItem('ls_q'))") == []
    assert api_server.events(account.project_id, "download") == []
