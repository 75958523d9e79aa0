"""`make run`: a console SMTP server on 127.0.0.1:1025 (emails print here), a job worker in its
own process (`flask jobs worker`, on the SQLite queue in instance/), then the app on :5000."""

import os
import subprocess
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
    worker = start_worker()
    print("Serving on http://127.0.0.1:5000 (Ctrl+C to stop)")
    try:
        app.run(host="127.0.0.1", port=5000, use_reloader=False)
    finally:
        stop_worker(worker)
        if smtp:
            smtp.stop()


def start_worker() -> subprocess.Popen:
    """The job worker beside the app: runs, bank matching, the outbox every minute, reminders
    at 07:00. It exits with this process, even one killed with -9."""
    command = [
        sys.executable,
        "-m",
        "flask",
        "--app",
        "wsgi",
        "jobs",
        "worker",
        "--exit-with-parent",
    ]
    worker = subprocess.Popen(command)  # noqa: S603 - our own interpreter and command
    print(f"Job worker started (process {worker.pid}); `flask --app wsgi jobs status` shows it.")
    return worker


def stop_worker(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=10)
    except subprocess.TimeoutExpired:
        worker.kill()


if __name__ == "__main__":
    main()
