from flask import render_template
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

    @app.errorhandler(CSRFError)
    def _csrf(_error):
        return render_template("errors/csrf.html", title="Your form has expired"), 400
