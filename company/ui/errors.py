from flask import render_template, request
from flask_wtf.csrf import CSRFError

PAGES = {
    400: ("There is a problem with your request", "errors/400.html"),
    403: ("You do not have permission to see this page", "errors/403.html"),
    404: ("Page not found", "errors/404.html"),
    405: ("Page not found", "errors/404.html"),
    413: ("What you sent is too large", "errors/413.html"),
    500: ("Sorry, there is a problem with the service", "errors/500.html"),
}


def register(app) -> None:
    def handler(code):
        def render(_error):
            title, template = PAGES[code]
            return render_template(template, title=title), code

        return render

    for code in PAGES:
        app.register_error_handler(code, handler(code))

    @app.before_request
    def _refuse_nul_bytes():
        """A NUL byte can be stored by no database text column (PostgreSQL refuses it), and no
        person types one: refuse the whole request before anything reads it."""
        values = [*request.args.values(), *request.args.keys()]
        if request.method == "POST" and request.mimetype != "application/json":
            values += [*request.form.values(), *request.form.keys()]
        if any("\x00" in v for v in values):
            return render_template(
                "errors/nul.html", title="Your request had a character we cannot store"
            ), 400

    @app.errorhandler(CSRFError)
    def _csrf(_error):
        return render_template("errors/csrf.html", title="Your form has expired"), 400
