"""The article editor for agents and admins, under /staff/kb/."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext
from flask_login import current_user

from portal import clock
from portal.accounts.guards import staff_required
from portal.accounts.services import products
from portal.errors import ServiceError
from portal.kb import gaps, services, synonyms
from portal.kb.models import LANGUAGES, Article, Category
from portal.pagination import page_number, paginate

bp = Blueprint("staff_kb", __name__, url_prefix="/staff/kb")

FILTERS = ("status", "kind", "language", "q")


def _input_from_form() -> services.ArticleInput:
    form = request.form
    return services.ArticleInput(**{name: form.get(name, "") for name in (
        "title", "body", "kind", "language", "category", "status", "slug", "product")})


def _editor(data: services.ArticleInput, article: Article | None, status: int = 200):
    return render_template("staff/kb_edit.html", data=data, article=article,
                           products=products(), categories=services.category_names(),
                           missing=services.missing_notes(article) if article else []), status


@bp.route("/")
@staff_required
def index():
    filters = {name: request.args.get(name, "") for name in FILTERS}
    page = paginate(services.staff_list(**filters), page_number(request.args.get("page")),
                    args=filters)
    return render_template("staff/kb_list.html", page=page, filters=filters)


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new():
    if request.method == "GET":
        return _editor(_draft_from_gap()
                       or services.ArticleInput(language=current_user.locale or "ja"), None)
    return _save(_input_from_form(), None)


@bp.route("/<int:article_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(article_id: int):
    article = services.article_by_id(article_id)
    if request.method == "GET":
        return _editor(services.as_input(article), article)
    return _save(_input_from_form(), article)


def _save(data: services.ArticleInput, article: Article | None):
    try:
        saved = services.save_article(data, current_user._get_current_object(), article)
    except ServiceError as err:
        flash(err.text(gettext), "error")
        return _editor(data, article, 400)
    flash(gettext("Saved “%(title)s”.", title=saved.title), "success")
    return redirect(url_for(".edit", article_id=saved.id))


@bp.route("/<int:article_id>/status", methods=["POST"])
@staff_required
def status(article_id: int):
    article = services.article_by_id(article_id)
    new_status = request.form.get("status", "")
    try:
        services.set_status(article, new_status)
    except ServiceError as err:
        flash(err.text(gettext), "error")
    else:
        flash(gettext("Published.") if new_status == "published" else gettext("Unpublished."),
              "success")
    return redirect(url_for(".edit", article_id=article.id))


@bp.route("/<int:article_id>/delete", methods=["POST"])
@staff_required
def delete(article_id: int):
    article = services.article_by_id(article_id)
    services.delete_article(article)
    flash(gettext("Deleted “%(title)s”.", title=article.title), "success")
    return redirect(url_for(".index"))


@bp.route("/categories")
@staff_required
def categories():
    return render_template("staff/kb_categories.html", categories=services.category_list())


@bp.route("/categories/<int:category_id>", methods=["POST"])
@staff_required
def rename_category(category_id: int):
    """Name a category in both languages; a name another one has merges the two."""
    found = Category.get_or_none(Category.id == category_id)
    if found is None:
        abort(404)
    try:
        services.rename_category(found, request.form.get("name_ja", ""),
                                 request.form.get("name_en", ""))
    except ServiceError as err:
        flash(err.text(gettext), "error")
    else:
        flash(gettext("Saved."), "success")
    return redirect(url_for(".categories"))


# --- what customers could not find (the search log) -------------------------------------

@bp.route("/gaps")
@staff_required
def gaps_page():
    """The most frequent queries that found nothing, or nothing anyone opened."""
    days = gaps.period(request.args.get("days"))
    return render_template("staff/kb_gaps.html", days=days, periods=gaps.PERIODS,
                           **gaps.report(clock.now(), days))


def _draft_from_gap() -> services.ArticleInput | None:
    """``/staff/kb/new?gap=…&language=…`` (the gaps page's "write an article"): the form
    filled with a title from the query and an outline in the article's language."""
    query = request.args.get("gap", "").strip()
    if not query:
        return None
    language = request.args.get("language", "")
    with force_locale(language if language in LANGUAGES else LANGUAGES[0]):
        outline = "\n\n".join(f"## {heading}" for heading in (
            gettext("Symptoms"), gettext("Cause"), gettext("What to do"),
            gettext("Related articles")))
    return gaps.draft(query[:gaps.MAX_QUERY], language, outline + "\n")


# --- synonyms (search) ------------------------------------------------------------------

@bp.route("/synonyms")
@staff_required
def synonyms_page():
    return render_template("staff/kb_synonyms.html", groups=synonyms.groups(),
                           shipped=synonyms.shipped_groups(), max_words=synonyms.MAX_WORDS)


@bp.route("/synonyms/add", methods=["POST"])
@staff_required
def add_synonyms():
    try:
        synonyms.add_group(request.form.get("words", ""))
    except ServiceError as err:
        flash(err.text(gettext), "error")
    else:
        flash(gettext("Added. Searches use it at once."), "success")
    return redirect(url_for(".synonyms_page"))


@bp.route("/synonyms/<int:group_id>", methods=["POST"])
@staff_required
def edit_synonyms(group_id: int):
    try:
        group = synonyms.group_by_id(group_id)
        if request.form.get("action") == "delete":
            synonyms.delete_group(group)
            flash(gettext("Deleted."), "success")
        else:
            synonyms.edit_group(group, request.form.get("words", ""))
            flash(gettext("Saved."), "success")
    except ServiceError as err:
        if err.status == 404:
            abort(404)
        flash(err.text(gettext), "error")
    return redirect(url_for(".synonyms_page"))
