"""Site administration: organizations, users, plans, types, products, audit."""

import csv
import io

import pytest

from portal.accounts.models import Audit, Organization, Plan, Product, User
from portal.tickets.models import PlanTicketType, TicketType
from tests import factories

PAGES = ["/admin/", "/admin/orgs", "/admin/orgs/acme", "/admin/users", "/admin/plans",
         "/admin/plans/basic", "/admin/types", "/admin/types/question", "/admin/products",
         "/admin/audit", "/admin/audit.csv", "/admin/outbox"]


@pytest.fixture
def admin(people, client, login):
    login("root@support.example")
    return people["admin"]


def _last(action, object_type):
    return (Audit.select().where((Audit.action == action) & (Audit.object_type == object_type))
            .order_by(Audit.id.desc()).get())


@pytest.mark.parametrize("email", ["agent@support.example", "boss@acme.example",
                                   "contact@acme.example"])
def test_only_admins_see_administration(people, client, login, email):
    login(email)
    for url in PAGES:
        assert client.get(url).status_code == 404, url
    assert client.submit("/admin/orgs", {"name": "X", "slug": "x", "plan": "basic"}
                         ).status_code == 404
    assert not Organization.select().where(Organization.slug == "x").exists()


def test_every_admin_page_answers(admin, client):
    for url in PAGES:
        assert client.get(url).status_code == 200, url


def test_create_org_and_refuse_a_duplicate_slug_beside_the_field(admin, client):
    created = client.submit("/admin/orgs", {"name": "Kumo", "slug": "kumo", "plan": "premium",
                                            "trial": "1", "environments": "prod\nstaging"})
    assert created.status_code == 302 and created.headers["Location"] == "/admin/orgs/kumo"
    kumo = Organization.get(Organization.slug == "kumo")
    assert kumo.trial and kumo.plan.code == "premium"
    assert sorted(e.name for e in kumo.environments) == ["prod", "staging"]
    again = client.submit("/admin/orgs", {"name": "Kumo Two", "slug": "kumo", "plan": "basic"})
    page = again.get_data(as_text=True)
    assert again.status_code == 400 and 'id="slug-error"' in page and "already exists" in page
    assert 'value="Kumo Two"' in page
    assert Organization.select().where(Organization.slug == "kumo").count() == 1
    assert _last("create", "organization").detail["plan"] == [None, "premium"]


def test_edit_org_writes_what_changed_from_what(admin, client):
    response = client.submit("/admin/orgs/acme", {"action": "save", "name": "Acme KK",
                                                  "plan": "premium", "environments": "prod"})
    assert response.status_code == 302
    row = _last("update", "organization")
    assert row.actor_id == admin.id
    assert row.detail["plan"] == ["advanced", "premium"]
    assert row.detail["name"] == ["Org acme", "Acme KK"]
    assert row.detail["environments"] == [[], ["prod"]]


def test_an_environment_tickets_name_stays(admin, client, people):
    from portal.accounts.models import Environment

    env = Environment.create(organization=people["boss"].organization, name="prod")
    factories.ticket(people["contact"], environment=str(env.id))
    response = client.submit("/admin/orgs/acme", {"action": "save", "name": "Acme",
                                                  "plan": "advanced", "environments": ""})
    assert response.status_code == 400 and "cannot be removed" in response.get_data(as_text=True)
    assert Environment.select().where(Environment.organization == env.organization).count() == 1


def test_deactivate_and_reactivate_an_org(admin, client, app, people):
    client.submit("/admin/orgs/acme", {"action": "deactivate"})
    assert not Organization.get(Organization.slug == "acme").active
    other = app.test_client()
    assert other.submit("/login", {"email": "contact@acme.example",
                                   "password": factories.PASSWORD}).status_code != 302
    client.submit("/admin/orgs/acme", {"action": "activate"})
    assert other.submit("/login", {"email": "contact@acme.example",
                                   "password": factories.PASSWORD}).status_code == 302
    assert _last("activate", "organization").detail["active"] == [False, True]


def test_org_list_searches(admin, client):
    page = client.get("/admin/orgs?q=riv").get_data(as_text=True)
    assert "/admin/orgs/rival" in page and "/admin/orgs/acme" not in page


def test_create_user_refuses_a_duplicate_email_after_nfkc(admin, client):
    response = client.submit("/admin/users", {
        "action": "create", "email": "ＢＯＳＳ@acme.EXAMPLE", "name": "Copy", "role": "customer",
        "org": "acme", "org_role": "member", "password": "long enough"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="email-error"' in page
    assert 'value="Copy"' in page
    assert User.select().where(User.name == "Copy").count() == 0
    created = client.submit("/admin/users", {
        "action": "create", "email": "fresh@acme.example", "name": "Fresh", "role": "customer",
        "org": "acme", "org_role": "member", "password": "long enough"})
    assert created.status_code == 302
    assert _last("create", "user").detail["org_role"] == [None, "member"]


def test_admin_invites_from_the_users_page(admin, client):
    from portal.mail.models import Outbox

    response = client.submit("/admin/users", {"action": "invite", "org": "rival",
                                              "email": "newbie@rival.example",
                                              "org_role": "member"})
    assert response.status_code == 302
    assert Outbox.get(Outbox.to_address == "newbie@rival.example")


def test_user_list_search_and_filters(admin, client):
    page = client.get("/admin/users?q=rival").get_data(as_text=True)
    assert "boss@rival.example" in page and "boss@acme.example" not in page
    page = client.get("/admin/users?role=agent").get_data(as_text=True)
    assert "agent@support.example" in page and "boss@acme.example" not in page
    page = client.get("/admin/users?org=acme&state=active").get_data(as_text=True)
    assert "member@acme.example" in page and "boss@rival.example" not in page


def test_user_list_is_paginated(admin, client, orgs):
    for n in range(55):
        factories.user(f"bulk{n:02d}@acme.example", organization=orgs["acme"],
                       org_role="member")
    first = client.get("/admin/users?org=acme").get_data(as_text=True)
    assert 'rel="next"' in first
    second = client.get("/admin/users?org=acme&page=2").get_data(as_text=True)
    assert 'rel="prev"' in second


def test_admin_changes_org_role_within_the_rules(admin, client, people):
    boss = people["boss"]
    refused = client.submit(f"/admin/users/{boss.id}", {
        "action": "save", "name": boss.name, "role": "customer", "org_role": "member"})
    assert refused.status_code == 400
    assert User.get_by_id(boss.id).org_role == "org_admin"
    done = client.submit(f"/admin/users/{people['member'].id}", {
        "action": "save", "name": "Renamed", "role": "customer", "org_role": "contact"})
    assert done.status_code == 302
    member = User.get_by_id(people["member"].id)
    assert member.org_role == "contact" and member.name == "Renamed"
    assert _last("update", "user").detail["name"] == ["Test User", "Renamed"]


def test_the_last_admin_cannot_step_down(admin, client):
    response = client.submit(f"/admin/users/{admin.id}", {"action": "save", "name": "Root",
                                                          "role": "agent"})
    assert response.status_code == 400 and User.get_by_id(admin.id).role == "admin"
    response = client.submit(f"/admin/users/{admin.id}", {"action": "deactivate"})
    assert response.status_code == 400 and User.get_by_id(admin.id).active


def test_promote_an_agent_and_customers_stay_customers(admin, client, people):
    agent = people["agent"]
    client.submit(f"/admin/users/{agent.id}", {"action": "save", "name": "A", "role": "admin"})
    assert User.get_by_id(agent.id).role == "admin"
    assert _last("update", "user").detail["role"] == ["agent", "admin"]
    refused = client.submit(f"/admin/users/{people['contact'].id}",
                            {"action": "save", "name": "C", "role": "admin"})
    assert refused.status_code == 400 and User.get_by_id(people["contact"].id).role == "customer"


def test_force_password_reset(admin, client, app, people):
    from portal.mail.models import Outbox

    victim = app.test_client()
    victim.submit("/login", {"email": "contact@acme.example", "password": factories.PASSWORD})
    client.submit(f"/admin/users/{people['contact'].id}", {"action": "reset"})
    assert victim.get("/account").status_code == 302
    assert app.test_client().submit("/login", {"email": "contact@acme.example",
                                               "password": factories.PASSWORD}
                                    ).status_code != 302
    assert "/password/reset/" in Outbox.get(Outbox.to_address.contains("contact@acme")).text_body
    assert _last("force_password_reset", "user").actor_id == admin.id


def test_plan_names_types_and_contact_limit(admin, client):
    response = client.submit("/admin/plans/basic", {"name_ja": "ライト", "name_en": "Lite",
                                                    "contact_limit": "3",
                                                    "types": ["question", "incident"]})
    assert response.status_code == 302
    plan = Plan.get(Plan.code == "basic")
    assert (plan.name_ja, plan.name_en, plan.contact_limit) == ("ライト", "Lite", 3)
    offered = {r.ticket_type.code for r in PlanTicketType.select().where(
        PlanTicketType.plan == plan)}
    assert offered == {"question", "incident"}
    rows = Audit.select().where(Audit.object_type == "plan")
    assert any(r.detail.get("contact_limit") == [2, 3] for r in rows)
    assert any(r.detail.get("types", [None, []])[1] == ["incident", "question"] for r in rows)
    bad = client.submit("/admin/plans/basic", {"name_ja": "", "name_en": "Lite",
                                               "contact_limit": "many"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400 and 'id="contact_limit-error"' in page
    assert 'id="name_ja-error"' in page and 'value="many"' in page


def test_new_plan_and_duplicate_code(admin, client):
    assert client.submit("/admin/plans", {"code": "gold", "name_ja": "ゴールド",
                                          "name_en": "Gold"}).status_code == 302
    dup = client.submit("/admin/plans", {"code": "gold", "name_ja": "x", "name_en": "y"})
    assert dup.status_code == 400 and "taken" in dup.get_data(as_text=True)
    assert Plan.get(Plan.code == "gold").contact_limit is None


def test_ticket_type_edit_reaches_the_ticket_form(admin, client, people):
    response = client.submit("/admin/types/question", {
        "name_ja": "質問", "name_en": "Ask us", "kind": "question", "template_ja": "## 質問",
        "template_en": "## Ask", "asks": ["product", "phone"], "plans": ["premium"],
        "active": "1"})
    assert response.status_code == 302
    kind = TicketType.get(TicketType.code == "question")
    assert kind.name_en == "Ask us" and kind.asks == ["product", "phone"]
    from portal.tickets.filing import types_for

    assert "question" not in [t.code for t in types_for(people["contact"].organization)]
    bad = client.submit("/admin/types/question", {"name_ja": "x", "name_en": "y",
                                                  "kind": "nonsense"})
    assert bad.status_code == 400 and 'id="kind-error"' in bad.get_data(as_text=True)


def test_products(admin, client):
    assert client.submit("/admin/products", {"code": "dns", "name_ja": "DNS", "name_en": "DNS",
                                             "versions": "2, 1", "active": "1"}
                         ).status_code == 302
    dup = client.submit("/admin/products", {"code": "dns", "name_ja": "x", "name_en": "y"})
    assert dup.status_code == 400
    client.submit("/admin/products/dns", {"name_ja": "DNS", "name_en": "DNS", "versions": "3"})
    product = Product.get(Product.code == "dns")
    assert not product.active and product.versions == "3"
    assert "dns" in client.get("/admin/products?q=dn").get_data(as_text=True)


def test_audit_filters(admin, client, people):
    client.submit(f"/admin/users/{people['member'].id}", {"action": "deactivate"})
    page = client.get("/admin/audit?action=deactivate&object_type=user").get_data(as_text=True)
    assert "member@acme.example" in page and "active" in page
    empty = client.get("/admin/audit?who=nobody@nowhere.example").get_data(as_text=True)
    assert "Nothing matches" in empty
    mine = client.get("/admin/audit?who=root@support.example&since=2000-01-01&until=2999-01-01")
    assert "deactivate" in mine.get_data(as_text=True)
    future = client.get("/admin/audit?since=2999-01-01").get_data(as_text=True)
    assert "Nothing matches" in future


def test_audit_csv_has_a_bom_and_escapes_formulas(admin, client, orgs):
    User.update(name="=SUM(A1)").where(User.id == admin.id).execute()
    client.submit("/admin/orgs/acme", {"action": "save", "name": "=HYPERLINK(\"x\")",
                                       "plan": "advanced"})
    response = client.get("/admin/audit.csv?object_type=organization")
    body = response.get_data()
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "time"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert any("=HYPERLINK" in cell for row in rows for cell in row)
    assert rows[1][2] == "'=SUM(A1)"


def test_admin_list_pages_keep_their_filters_in_the_page_links(app, people, client, login):
    """Page 2 of a filtered list is page 2 of the same filter, and nothing else rides along."""
    from portal.accounts import services as accounts

    for i in range(55):
        accounts.create_user(f"page{i}@acme.example", f"Page {i}", "customer",
                             org="acme", org_role="member", password="x" * 12)
    login("root@support.example")
    import re

    page = client.get("/admin/users?q=page&_external=1").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" rel="next"', page).group(1)
    assert link.startswith("/admin/users?") and "q=page" in link and "page=2" in link
    assert "_external" not in link
