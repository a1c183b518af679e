"""Canned replies at /staff/replies, and the reply box's helpers (insert a canned reply,
link an article, make an article from a reply)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from portal.accounts.guards import staff_required
from portal.accounts.services import products
from portal.errors import ServiceError
from portal.kb import search
from portal.kb import services as kb
from portal.staff import customer, replies
from portal.text import render_markdown
from portal.tickets.listing import get_ticket
from portal.tickets.models import Message

bp = Blueprint("staff_replies", __name__, url_prefix="/staff")


def _user():
    return current_user._get_current_object()


def _page(data: replies.ReplyInput, editing=None, status: int = 200):
    return render_template("staff/replies.html", data=data, editing=editing,
                           items=replies.search(_user(), request.args.get("q", ""),
                                                data.language),
                           q=request.args.get("q", "")), status


@bp.route("/replies", methods=["GET", "POST"])
@staff_required
def replies_page():
    if request.method == "GET":
        editing = replies.get(_user(), int(request.args["edit"])) if request.args.get(
            "edit", "").isdigit() else None
        data = (replies.ReplyInput(editing.title, editing.language, editing.body,
                                   editing.owner_id is None) if editing
                else replies.ReplyInput(language=_user().locale or "ja"))
        return _page(data, editing)
    form = request.form
    data = replies.ReplyInput(form.get("title", ""), form.get("language", ""),
                              form.get("body", ""), bool(form.get("shared")))
    reply_id = int(form["id"]) if form.get("id", "").isdigit() else None
    try:
        replies.save(_user(), data, reply_id)
    except ServiceError:
        return _page(data, replies.get(_user(), reply_id) if reply_id else None, 400)
    flash(gettext("The canned reply was saved."), "success")
    return redirect(url_for(".replies_page"))


@bp.route("/replies/<int:reply_id>/delete", methods=["POST"])
@staff_required
def delete_reply(reply_id: int):
    replies.delete(_user(), reply_id)
    flash(gettext("The canned reply was deleted."), "success")
    return redirect(url_for(".replies_page"))


def _ticket():
    raw = request.args.get("ticket", "")
    return get_ticket(_user(), int(raw) if raw.isdigit() else raw)


@bp.route("/replies/search")
@staff_required
def search_replies():
    ticket = _ticket()
    items = replies.search(_user(), request.args.get("q", "")[:200],
                           customer.reply_language(ticket.requester), limit=10)
    return render_template("staff/_reply_picker.html", items=items, ticket=ticket)


@bp.route("/replies/<int:reply_id>/insert")
@staff_required
def insert_reply(reply_id: int):
    """The reply box with the canned reply added: shown, never sent."""
    ticket = _ticket()
    filled = replies.fill(replies.get(_user(), reply_id).body, ticket, _user())
    preview = replies.flag_unknown(render_markdown(filled.text), filled.unknown)
    return render_template("staff/_reply_body.html", text=_joined(filled.text),
                           preview=preview, unknown=filled.unknown)


def _joined(addition: str) -> str:
    typed = request.args.get("body", "").rstrip()
    return f"{typed}\n\n{addition}" if typed else addition


@bp.route("/replies/articles")
@staff_required
def search_articles():
    ticket = _ticket()
    q = request.args.get("q", "")[:200]
    language = customer.reply_language(ticket.requester)
    hits = search.search(q, language, limit=8)[0] if q.strip() else []
    return render_template("staff/_article_picker.html", hits=hits, ticket=ticket)


@bp.route("/replies/link")
@staff_required
def link_article():
    ticket = _ticket()
    article = replies.translation(request.args.get("article", ""),
                                  customer.reply_language(ticket.requester))
    if article is None:
        abort(404)
    return render_template("staff/_reply_body.html",
                           text=_joined(replies.article_link(article)))


@bp.route("/replies/<int:message_id>/article")
@staff_required
def article_from_reply(message_id: int):
    """The article editor with a draft made from a staff reply."""
    message = Message.get_or_none((Message.id == message_id) & (Message.kind == "reply"))
    if message is None:
        abort(404)
    ticket = message.ticket
    data = kb.ArticleInput(title=ticket.subject, body=message.body, kind="howto",
                           language=customer.reply_language(ticket.requester), status="draft")
    return render_template("staff/kb_edit.html", data=data, article=None,
                           products=products(), categories=kb.category_names())
