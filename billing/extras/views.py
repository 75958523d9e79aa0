"""Finance pages for extras: catalogue, orders and quotes, reporting."""

from flask import Blueprint

bp = Blueprint("extras", __name__, url_prefix="/billing/extras")
