from flask import Blueprint

bp = Blueprint("members", __name__)

from . import views  # noqa: E402,F401
