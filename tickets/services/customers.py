"""Customers: matched or created at intake (under an advisory lock per key), and corrected by
those who work with them."""


from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from staff.access import Scope, scope_for
from tickets import hooks
from tickets.errors import TicketConflict, TicketError, TicketForbidden
from tickets.models import (
    Area,
    Customer,
    CustomerClass,
    Kind,
    Ticket,
)
from tickets.selectors import customer_in_scope


def _lock_customer_keys(*keys: str) -> None:
    """Serialise intakes that could match or create the same customer: a transaction-scoped advisory
    lock per account number and phone, taken in a fixed order (no deadlock), held until commit. So ten
    intakes at once from one new number make one customer, as ten in a row do, and two accounts may
    still share a phone. SQLite needs none: its write transactions are serial (``IMMEDIATE`` mode)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted({k for k in keys if not k.endswith(":")}):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"customer:{key}"])


def customer_match(*, phone: str = "", account_no: str = "", email: str = "",
                   public: bool = False) -> Customer | None:
    """The customer a ticket with these details would be filed for: by account number (not from the
    public form), then by phone, then (with neither given) by e-mail address. Reads only; the intake
    and its preview ask the same question."""
    phone, account_no, email = phone.strip(), account_no.strip(), email.strip()
    customer = None
    if account_no and not public:
        customer = Customer.objects.filter(account_no=account_no).first()
    if customer is None and phone:
        customer = Customer.objects.filter(Q(phone=phone) | Q(phone_alt=phone)).order_by("id").first()
    if customer is None and email and not (phone or account_no):
        customer = Customer.objects.filter(email__iexact=email).order_by("id").first()
    return customer


@transaction.atomic
def customer_match_or_create(
    *, name: str, phone: str = "", email: str = "", account_no: str = "",
    customer_class: str = CustomerClass.RESIDENTIAL, language: str = "", actor=None, public: bool = False,
    area: str = "",
) -> Customer:
    """The existing customer with this account number, else with this phone; otherwise a new one.

    A match keeps its stored name and class. Staff fill in its blank contact fields from the new data
    when they work with that customer (``customer_in_scope``). From the public form nothing is trusted:
    a customer is matched by phone only, and a match is never changed, since an account number anyone
    can type would otherwise attach the stranger's phone, tickets and survey links to someone's record.
    """
    phone, account_no, name = phone.strip(), account_no.strip(), name.strip()
    if not name:
        raise TicketError(_("The customer's name is required."), code="customer_name")
    if not (phone or account_no or email):
        raise TicketError(_("Give the customer's phone, account number or e-mail."), code="customer_contact")
    _lock_customer_keys(f"account:{account_no}", f"phone:{phone}", f"email:{email.strip().lower()}")
    customer = customer_match(phone=phone, account_no=account_no, email=email, public=public)
    if customer is None:
        if public and account_no and Customer.objects.filter(account_no=account_no).exists():
            account_no = ""  # someone else's account: the new record does not claim it
        return Customer.objects.create(
            name=name, phone=phone, email=email, account_no=account_no, customer_class=customer_class,
            language=language or settings.LANGUAGE_CODE, **({"area": area} if area in Area.values else {}),
        )
    if public or (getattr(actor, "pk", None) and not customer_in_scope(customer_id=customer.pk,
                                                                       scope=scope_for(actor))):
        return customer
    changed = []
    for field_name, value in (("phone", phone), ("email", email), ("account_no", account_no)):
        if value and not getattr(customer, field_name):
            setattr(customer, field_name, value)
            changed.append(field_name)
    if changed:
        customer.save(update_fields=changed)
    return customer


CUSTOMER_FIELDS = ("name", "phone", "phone_alt", "email", "account_no", "customer_class", "area", "language",
                   "contact_preference")


def customer_access_for_edit(*, customer_id: int, scope: Scope) -> None:
    """Refuse (403) an edit of a customer the user does not work with; callers may ask before they
    validate the input, so that a stranger learns nothing from the validation either."""
    if not customer_in_scope(customer_id=customer_id, scope=scope):
        raise TicketForbidden(_("You can edit only the customers of tickets you work on."), code="customer_scope")


@transaction.atomic
def customer_update(*, customer_id: int, actor, changes: dict) -> Customer:
    """Correct a customer's record: for those who work with the customer (a ticket of theirs in one's
    scope, whose customer one may see) and the leaders above them. A new customer class or area
    re-matches the SLA policy of their open tickets and recomputes the running clocks (recorded on
    each ticket); a report's deadlines never depend on its reporter, so reports are left alone."""
    customer_access_for_edit(customer_id=customer_id, scope=scope_for(actor))
    unknown = set(changes) - set(CUSTOMER_FIELDS)
    if unknown:
        raise TicketError(_("These fields cannot be edited: %(fields)s") % {"fields": ", ".join(sorted(unknown))},
                          code="not_editable")
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    account_no = changes.get("account_no", customer.account_no)
    if account_no and Customer.objects.filter(account_no=account_no).exclude(pk=customer.pk).exists():
        raise TicketConflict(_("Another customer has account number %(account)s.") % {"account": account_no},
                             code="account_taken")
    changed = [name for name, value in changes.items() if getattr(customer, name) != value]
    for name in changed:
        setattr(customer, name, changes[name])
    if "email" in changed and customer.email_bounced_at is not None:
        customer.email_bounced_at = None  # a corrected address is tried again
        changed.append("email_bounced_at")
    if changed:
        customer.save(update_fields=changed)
    if {"customer_class", "area"} & set(changed):
        reason = _("The customer's class or area changed")
        for ticket in Ticket.objects.open().filter(customer=customer).exclude(kind=Kind.REPORT).select_related(
                "customer"):
            hooks.clocks_recompute(ticket=ticket, actor=actor, reason=reason)
    return customer
