"""Canned replies: placeholders, who sees which, insertion (never sending), article links."""

import pytest

from portal.errors import NotFound, ServiceError
from portal.staff import replies
from portal.staff.models import CannedReply
from portal.tickets.models import Message
from tests import factories


def test_placeholders_are_filled_and_unknown_ones_kept(desk):
    t, agent, _ = desk
    filled = replies.fill("Dear {requester_name}, about {ticket_number} for {organization}"
                          " — {agent_name}. {refund_amount} {requester_name}", t["new"], agent)
    assert filled.text == (f"Dear Test User, about MDG-{t['new'].number} for Org acme"
                           " — Staff User. {refund_amount} Test User")
    assert filled.unknown == ["refund_amount"]


def test_unknown_placeholder_is_flagged_in_the_preview(desk):
    html = replies.flag_unknown("<p>Pay {amount}</p>", ["amount"])
    assert '<mark class="placeholder-unknown">{amount}</mark>' in html


def test_personal_replies_are_private(desk):
    _, agent, other = desk
    mine = replies.save(agent, replies.ReplyInput("Logs please", "en", "Send logs"))
    shared = replies.save(agent, replies.ReplyInput("Thanks", "ja", "ありがとう", shared=True))
    assert {r.id for r in replies.search(other, "", "en")} == {shared.id}
    with pytest.raises(NotFound):
        replies.get(other, mine.id)
    with pytest.raises(NotFound):
        replies.delete(other, mine.id)
    assert [r.id for r in replies.search(agent, "log", "en")] == [mine.id]


def test_search_puts_the_customers_language_first(desk):
    _, agent, _ = desk
    ja = replies.save(agent, replies.ReplyInput("A greeting", "ja", "こんにちは"))
    en = replies.save(agent, replies.ReplyInput("B greeting", "en", "Hello"))
    assert [r.id for r in replies.search(agent, "greeting", "en")] == [en.id, ja.id]


def test_bad_input_keeps_what_was_typed(agent_client):
    response = agent_client.submit("/staff/replies", {"title": "", "language": "fr",
                                                      "body": "Kept text"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Give the reply a title." in html and "Kept text" in html
    assert CannedReply.select().count() == 0


def test_insert_fills_the_box_and_sends_nothing(agent_client, desk):
    t, agent, _ = desk
    reply = replies.save(agent, replies.ReplyInput("Hi", "en", "Hello {requester_name}, {oops}"))
    before = Message.select().count()
    html = agent_client.get(f"/staff/replies/{reply.id}/insert?ticket={t['new'].number}"
                            "&body=Typed+first", headers={"HX-Request": "true"}).get_data(
        as_text=True)
    assert '<textarea id="body" name="body"' in html
    assert "Typed first\n\nHello Test User, {oops}" in html
    assert '<mark class="placeholder-unknown">{oops}</mark>' in html
    assert "Placeholders that name nothing" in html
    assert Message.select().count() == before


def test_reply_tools_on_the_staff_ticket_page(agent_client, desk):
    t, _, _ = desk
    html = agent_client.get(f"/tickets/{t['new'].number}").get_data(as_text=True)
    assert "Canned replies" in html and "Link an article" in html


def test_article_link_in_the_customers_language(agent_client, desk):
    t, _, _ = desk
    factories.article("パスワードの再設定", slug="reset", language="ja")
    factories.article("Resetting your password", slug="reset-en", language="en")
    # Alice reads English: the Japanese hit is linked as its English version
    html = agent_client.get(f"/staff/replies/link?article=reset&ticket={t['new'].number}"
                            ).get_data(as_text=True)
    assert "[Resetting your password](http://127.0.0.1:5000/kb/reset-en)" in html
    html = agent_client.get(f"/staff/replies/articles?q=password&ticket={t['new'].number}"
                            ).get_data(as_text=True)
    assert "Resetting your password" in html and "Insert link" in html


def test_make_an_article_from_a_reply(agent_client, desk):
    t, _, _ = desk
    message = Message.get((Message.ticket == t["mine_answered"]) & (Message.kind == "reply")
                          & (Message.body == "We are on it."))
    html = agent_client.get(f"/tickets/{t['mine_answered'].number}").get_data(as_text=True)
    assert f"/staff/replies/{message.id}/article" in html
    html = agent_client.get(f"/staff/replies/{message.id}/article").get_data(as_text=True)
    assert "We are on it." in html and 'value="Mine, we answered"' in html


def test_customers_cannot_use_the_helpers(app, desk, client, login):
    t, agent, _ = desk
    reply = replies.save(agent, replies.ReplyInput("Hi", "en", "Hello", shared=True))
    login("alice@acme.example")
    assert client.get(f"/staff/replies/{reply.id}/insert?ticket={t['new'].number}"
                      ).status_code == 404
    assert client.get(f"/staff/replies/search?ticket={t['new'].number}").status_code == 404


def test_title_is_required(desk):
    _, agent, _ = desk
    with pytest.raises(ServiceError):
        replies.save(agent, replies.ReplyInput(" ", "en", "x"))
