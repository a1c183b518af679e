"""Admin pages for products (the service menu) and their versions."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from portal.accounts.guards import admin_required
from portal.admin import catalog
from portal.admin.forms import errors_of, read
from portal.errors import ServiceError
from portal.pagination import page_number, paginate


def _form(product, data, errors, status=200):
    return render_template("admin/product.html", product=product, data=data,
                           errors=errors), status


def _save(product):
    data = read(catalog.ProductInput, flags=("active",))
    try:
        saved = catalog.save_product(current_user._get_current_object(), data, product)
    except ServiceError as err:
        return _form(product, data, errors_of(err), 400)
    flash(gettext("Saved."), "success")
    return redirect(url_for("admin.product", code=saved.code))


@admin_required
def index():
    if request.method == "POST":
        return _save(None)
    if request.args.get("new"):
        return _form(None, catalog.ProductInput(), {})
    q = request.args.get("q", "")[:100]
    page = paginate(catalog.all_products(q), page_number(request.args.get("page")),
                    per_page=50, args={"q": q})
    return render_template("admin/products.html", page=page, q=q)


@admin_required
def edit(code: str):
    product = catalog.product_by_code(code)
    if request.method == "POST":
        return _save(product)
    return _form(product, catalog.product_input(product), {})
