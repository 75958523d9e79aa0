"""Card payments: the portal's pay-by-card page and the Stripe webhook."""

from flask import Blueprint

bp = Blueprint("card", __name__)
