"""`make run`: a console SMTP server on 127.0.0.1:1025 (emails print here), then the app on :5000."""

import os
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Debugging

from company import create_app


def main() -> None:
    app = create_app()
    smtp = None
    if app.config["MAIL_SERVER"] in {"127.0.0.1", "localhost"} and not os.environ.get(
        "WERKZEUG_RUN_MAIN"
    ):
        try:
            smtp = Controller(
                Debugging(sys.stdout), hostname="127.0.0.1", port=app.config["MAIL_PORT"]
            )
            smtp.start()
            print(f"Emails are printed here (SMTP on 127.0.0.1:{app.config['MAIL_PORT']}).")
        except OSError as exc:
            print(f"Not starting the console SMTP server: {exc}")
            smtp = None
    print("Serving on http://127.0.0.1:5000 (Ctrl+C to stop)")
    try:
        app.run(host="127.0.0.1", port=5000, use_reloader=False)
    finally:
        if smtp:
            smtp.stop()


if __name__ == "__main__":
    main()
