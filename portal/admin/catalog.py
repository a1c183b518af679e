"""What the portal offers: plans, ticket types and products, as admins edit them.

No Flask here. Each save is one transaction with an audit row naming every field that
changed as ``[old, new]``. Codes are fixed once made: URLs, the command line and other
rows refer to them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from portal.accounts.models import Plan, Product, User
from portal.accounts.services import record
from portal.db import transaction
from portal.errors import N_, NotFound, ServiceError
from portal.tickets.models import EXTRA_FIELDS, KINDS, PlanTicketType, TicketType

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_NAME = 100
MAX_TEMPLATE = 10_000


class Invalid(ServiceError):
    """Several fields are wrong at once: ``errors`` maps each field to its message."""

    def __init__(self, errors: dict[str, ServiceError]):
        super().__init__(N_("Please correct the marked fields."))
        self.errors = errors


def _names(data, errors: dict) -> None:
    for name in ("name_ja", "name_en"):
        value = getattr(data, name).strip()
        setattr(data, name, value)
        if not value or len(value) > MAX_NAME:
            errors[name] = ServiceError(N_("Please enter a name (up to 100 characters)."), name)


def _code(data, model, errors: dict, existing) -> None:
    if existing is not None:
        data.code = existing.code
        return
    data.code = data.code.strip()
    if not _CODE.match(data.code):
        errors["code"] = ServiceError(
            N_("The code may hold only lower-case letters, digits, hyphens and underscores."),
            "code")
    elif model.select().where(model.code == data.code).exists():
        errors["code"] = ServiceError(N_("The code %(code)s is taken."), "code", code=data.code)


def _save(actor: User | None, obj, values: dict, kind: str, new: bool) -> dict:
    """Apply ``values`` to ``obj``; return what changed as ``{field: [old, new]}``."""
    changes = {}
    for key, value in values.items():
        old = None if new else getattr(obj, key)
        if old != value:
            changes[key] = [old, value]
        setattr(obj, key, value)
    obj.save(force_insert=new)
    if changes:
        record(actor, "create" if new else "update", kind, obj.id, code=obj.code, **changes)
    return changes


# --- plans -------------------------------------------------------------------------------

@dataclass
class PlanInput:
    code: str = ""
    name_ja: str = ""
    name_en: str = ""
    contact_limit: str = ""  # empty: no limit
    types: list[str] = field(default_factory=list)  # ticket type codes offered


def plans() -> list[Plan]:
    return list(Plan.select().order_by(Plan.position, Plan.id))


def plan_by_code(code: str) -> Plan:
    plan = Plan.get_or_none(Plan.code == code)
    if plan is None:
        raise NotFound(N_("There is no plan called %(plan)s."), "plan", plan=code)
    return plan


def offered_types(plan: Plan) -> list[str]:
    return [row.ticket_type.code for row in
            PlanTicketType.select(PlanTicketType, TicketType).join(TicketType)
            .where(PlanTicketType.plan == plan).order_by(TicketType.position)]


def plan_input(plan: Plan) -> PlanInput:
    return PlanInput(code=plan.code, name_ja=plan.name_ja, name_en=plan.name_en,
                     contact_limit="" if plan.contact_limit is None else str(plan.contact_limit),
                     types=offered_types(plan))


def save_plan(actor: User | None, data: PlanInput, plan: Plan | None = None) -> Plan:
    errors: dict[str, ServiceError] = {}
    _code(data, Plan, errors, plan)
    _names(data, errors)
    limit = data.contact_limit.strip()
    if limit and not (limit.isdigit() and int(limit) <= 10_000):
        errors["contact_limit"] = ServiceError(
            N_("Enter a whole number, or leave it empty for no limit."), "contact_limit")
    known = {t.code: t for t in TicketType.select()}
    if any(code not in known for code in data.types):
        errors["types"] = ServiceError(N_("Choose from the listed ticket types."), "types")
    if errors:
        raise Invalid(errors)
    new = plan is None
    with transaction():
        plan = plan or Plan(code=data.code, position=Plan.select().count() + 1)
        values = {"name_ja": data.name_ja, "name_en": data.name_en,
                  "contact_limit": int(limit) if limit else None}
        _save(actor, plan, values, "plan", new)
        before = [] if new else offered_types(plan)
        wanted = sorted(set(data.types), key=lambda c: known[c].position)
        if before != wanted:
            PlanTicketType.delete().where(PlanTicketType.plan == plan).execute()
            for code in wanted:
                PlanTicketType.create(plan=plan, ticket_type=known[code])
            record(actor, "update", "plan", plan.id, code=plan.code, types=[before, wanted])
    return plan


# --- ticket types ------------------------------------------------------------------------

@dataclass
class TypeInput:
    code: str = ""
    name_ja: str = ""
    name_en: str = ""
    kind: str = "question"
    template_ja: str = ""
    template_en: str = ""
    asks: list[str] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)
    active: bool = True


def types() -> list[TicketType]:
    return list(TicketType.select().order_by(TicketType.position, TicketType.id))


def type_by_code(code: str) -> TicketType:
    found = TicketType.get_or_none(TicketType.code == code)
    if found is None:
        raise NotFound(N_("There is no such ticket type."))
    return found


def offering_plans(ticket_type: TicketType) -> list[str]:
    return [row.plan.code for row in PlanTicketType.select(PlanTicketType, Plan).join(Plan)
            .where(PlanTicketType.ticket_type == ticket_type).order_by(Plan.position)]


def type_input(t: TicketType) -> TypeInput:
    return TypeInput(code=t.code, name_ja=t.name_ja, name_en=t.name_en, kind=t.kind,
                     template_ja=t.template_ja, template_en=t.template_en,
                     asks=list(t.asks or []), plans=offering_plans(t), active=t.active)


def save_type(actor: User | None, data: TypeInput, ticket_type: TicketType | None = None
              ) -> TicketType:
    errors: dict[str, ServiceError] = {}
    _code(data, TicketType, errors, ticket_type)
    _names(data, errors)
    if data.kind not in KINDS:
        errors["kind"] = ServiceError(N_("Choose a kind from the list."), "kind")
    for name in ("template_ja", "template_en"):
        if len(getattr(data, name)) > MAX_TEMPLATE:
            errors[name] = ServiceError(N_("At most 10,000 characters."), name)
    if any(a not in EXTRA_FIELDS for a in data.asks):
        errors["asks"] = ServiceError(N_("Choose from the listed fields."), "asks")
    known = {p.code: p for p in Plan.select()}
    if any(code not in known for code in data.plans):
        errors["plans"] = ServiceError(N_("Choose from the listed plans."), "plans")
    if errors:
        raise Invalid(errors)
    new = ticket_type is None
    with transaction():
        ticket_type = ticket_type or TicketType(
            code=data.code, position=TicketType.select().count() + 1)
        values = {"name_ja": data.name_ja, "name_en": data.name_en, "kind": data.kind,
                  "template_ja": data.template_ja.replace("\r\n", "\n"),
                  "template_en": data.template_en.replace("\r\n", "\n"),
                  "asks": [a for a in EXTRA_FIELDS if a in data.asks],
                  "active": bool(data.active)}
        _save(actor, ticket_type, values, "ticket_type", new)
        before = [] if new else offering_plans(ticket_type)
        wanted = [code for code in known if code in data.plans]
        if sorted(before) != sorted(wanted):
            PlanTicketType.delete().where(PlanTicketType.ticket_type == ticket_type).execute()
            for code in wanted:
                PlanTicketType.create(plan=known[code], ticket_type=ticket_type)
            record(actor, "update", "ticket_type", ticket_type.id, code=ticket_type.code,
                   plans=[before, wanted])
    return ticket_type


# --- products ----------------------------------------------------------------------------

@dataclass
class ProductInput:
    code: str = ""
    name_ja: str = ""
    name_en: str = ""
    versions: str = ""  # comma-separated, newest first
    active: bool = True


def all_products(q: str = ""):
    query = Product.select().order_by(Product.code)
    q = (q or "").strip()[:100]
    if q:
        query = query.where(Product.code.contains(q) | Product.name_ja.contains(q)
                            | Product.name_en.contains(q))
    return query


def product_by_code(code: str) -> Product:
    found = Product.get_or_none(Product.code == code)
    if found is None:
        raise NotFound(N_("There is no such product."))
    return found


def product_input(p: Product) -> ProductInput:
    return ProductInput(code=p.code, name_ja=p.name_ja, name_en=p.name_en,
                        versions=p.versions, active=p.active)


def save_product(actor: User | None, data: ProductInput, product: Product | None = None
                 ) -> Product:
    errors: dict[str, ServiceError] = {}
    _code(data, Product, errors, product)
    _names(data, errors)
    versions = ", ".join(v.strip() for v in data.versions.split(",") if v.strip())
    if len(versions) > 500:
        errors["versions"] = ServiceError(N_("At most 500 characters."), "versions")
    if errors:
        raise Invalid(errors)
    new = product is None
    with transaction():
        product = product or Product(code=data.code)
        _save(actor, product, {"name_ja": data.name_ja, "name_en": data.name_en,
                               "versions": versions, "active": bool(data.active)},
              "product", new)
    return product
