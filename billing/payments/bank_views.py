"""Bank statement import and matching pages."""

from flask import Blueprint

bp = Blueprint("bank", __name__, url_prefix="/billing/bank")
