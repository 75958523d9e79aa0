"""The council's extras in its portal: request, quotes, accept or decline, orders."""

from flask import Blueprint

bp = Blueprint("member_extras", __name__, url_prefix="/portal/extras")
