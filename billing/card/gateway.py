"""The only module that talks to Stripe (or a Stripe-compatible server at STRIPE_API_BASE).

Everything else calls these functions with plain values and gets plain values back, so the
rest of the code never depends on the `stripe` package's object types or globals. Settings are
read from the current app's config on every call: an app created with other keys (a test's,
say) uses its own.
"""

from dataclasses import dataclass
from functools import lru_cache

import stripe
from flask import current_app

from company.headers import origin

DEFAULT_JS_URL = "https://js.stripe.com/v3/"
KEYS = ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET")


class GatewayError(RuntimeError):
    """Stripe refused or could not be reached; the message is safe to show to staff."""


class BadSignature(ValueError):
    """A webhook body that Stripe did not sign with our secret (or that is not JSON)."""


@dataclass(frozen=True)
class Intent:
    id: str
    client_secret: str
    status: str
    amount: int
    currency: str


def configured() -> bool:
    """Card payments are offered only when all three keys are set."""
    return all(current_app.config.get(key) for key in KEYS)


def publishable_key() -> str:
    return current_app.config["STRIPE_PUBLISHABLE_KEY"]


def js_url() -> str:
    """Stripe.js: from js.stripe.com, or served by the Stripe-compatible server when one is set."""
    base = current_app.config.get("STRIPE_API_BASE")
    return f"{base.rstrip('/')}/js.stripe.com/v3/" if base else DEFAULT_JS_URL


def browser_sources() -> dict[str, list[str]]:
    """What the card page's Content-Security-Policy must let Stripe.js load and reach."""
    base = current_app.config.get("STRIPE_API_BASE")
    if base:
        local = [origin(base)]
        return {"script_src": local, "connect_src": local, "frame_src": local}
    return {
        "script_src": ["https://js.stripe.com"],
        "connect_src": ["https://api.stripe.com"],
        "frame_src": ["https://js.stripe.com", "https://hooks.stripe.com"],
    }


@lru_cache(maxsize=8)
def _client_for(secret_key: str, api_base: str | None) -> stripe.StripeClient:
    addresses = {"api": api_base.rstrip("/")} if api_base else None
    return stripe.StripeClient(secret_key, base_addresses=addresses, max_network_retries=2)


def _client() -> stripe.StripeClient:
    cfg = current_app.config
    return _client_for(cfg["STRIPE_SECRET_KEY"], cfg.get("STRIPE_API_BASE") or None)


def _intent(obj) -> Intent:
    return Intent(obj["id"], obj["client_secret"], obj["status"], obj["amount"], obj["currency"])


def create_payment_intent(
    amount_pence: int, metadata: dict[str, str], idempotency_key: str
) -> Intent:
    """A card PaymentIntent in pounds sterling. The same idempotency key within Stripe's 24
    hours returns the same intent, so a double click or a reload never makes two."""
    client = _client()
    try:
        obj = client.v1.payment_intents.create(
            params={
                "amount": amount_pence,
                "currency": "gbp",
                "payment_method_types": ["card"],
                "metadata": metadata,
            },
            options={"idempotency_key": idempotency_key},
        )
        if _replayed(obj):  # Stripe repeats its first answer: ask how the intent is now
            obj = client.v1.payment_intents.retrieve(obj["id"])
    except stripe.StripeError as exc:
        raise GatewayError(_message(exc)) from exc
    return _intent(obj)


def _replayed(obj) -> bool:
    headers = getattr(getattr(obj, "last_response", None), "headers", None) or {}
    return any(k.lower() == "idempotent-replayed" and v == "true" for k, v in headers.items())


def refund(payment_intent: str, amount_pence: int, idempotency_key: str) -> str:
    """Refund part or all of a succeeded PaymentIntent; returns the refund's id."""
    try:
        obj = _client().v1.refunds.create(
            params={"payment_intent": payment_intent, "amount": amount_pence},
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as exc:
        raise GatewayError(_message(exc)) from exc
    return obj["id"]


def verify_event(payload: bytes, signature: str | None) -> dict:
    """The event in a webhook body, as a plain dict, if Stripe signed it with our secret."""
    if not signature:
        raise BadSignature("no Stripe-Signature header")
    try:
        event = stripe.Webhook.construct_event(
            payload, signature, current_app.config["STRIPE_WEBHOOK_SECRET"]
        )
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise BadSignature(str(exc)) from exc
    except (TypeError, AttributeError, KeyError) as exc:  # signed, but not an event object
        raise BadSignature(f"not an event: {exc}") from exc
    return event.to_dict() if hasattr(event, "to_dict") else event


def _message(exc: stripe.StripeError) -> str:
    return getattr(exc, "user_message", None) or str(exc) or "The card service did not respond"
