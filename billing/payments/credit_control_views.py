"""Credit control pages: reminders, disputes, late-payment interest."""

from flask import Blueprint

bp = Blueprint("credit_control", __name__, url_prefix="/billing/credit-control")
