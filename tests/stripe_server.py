"""A Stripe-compatible server (localstripe, from PyPI) on a free loopback port, for tests.

`LocalStripe().start()` runs this file in a subprocess: it binds 127.0.0.1 on a port the kernel
chooses, prints that port on its first line, and serves localstripe's aiohttp app there. The
store localstripe pickles after every change goes to a temporary folder of its own (the package
writes /tmp/localstripe.pickle otherwise, shared by every run on the machine), and each run
starts empty. Nothing listens beyond loopback and nothing is fetched from the internet.

`make run-cards` (`python tests/stripe_server.py --run`) is `make run` with card payments: it
starts this server, registers the app's webhook with it, and runs the development server with
Stripe keys that point at it. By hand, `python tests/stripe_server.py FOLDER PORT` serves on
127.0.0.1:PORT with its store in FOLDER.
"""

import importlib.util
import os
import pickle
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path


def available() -> bool:
    """Whether localstripe and aiohttp are installed (not imported here: only the child does)."""
    return all(importlib.util.find_spec(name) for name in ("localstripe", "aiohttp"))


class LocalStripe:
    """The server process; `url` is its API base, e.g. http://127.0.0.1:40123."""

    def __init__(self):
        self.process: subprocess.Popen | None = None
        self.folder = Path(tempfile.mkdtemp(prefix="flatpack-localstripe-"))
        self.url = ""

    def start(self) -> "LocalStripe":
        self.process = subprocess.Popen(
            [sys.executable, __file__, str(self.folder)],
            stdout=subprocess.PIPE,
            stderr=open(self.folder / "server.log", "wb"),  # noqa: SIM115 - child keeps it
            cwd=str(self.folder),
        )
        port = self._read_port()
        self.url = f"http://127.0.0.1:{port}"
        return self

    def _read_port(self) -> int:
        line = self.process.stdout.readline()  # printed before serving; EOF if the child died
        if not line.strip().isdigit():
            self.stop()
            raise RuntimeError(f"localstripe did not start: {self.log()}")
        return int(line)

    def log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def register_webhook(self, url: str, secret: str, name: str = "flatpack") -> None:
        """Have localstripe post signed events to `url` (its POST /_config/webhooks/<id>)."""
        self._request("POST", f"/_config/webhooks/{name}", {"url": url, "secret": secret})

    def reset(self) -> None:
        """Forget every object (webhooks stay registered)."""
        self._request("DELETE", "/_config/data")

    def _request(self, method: str, path: str, fields: dict | None = None) -> None:
        data = urllib.parse.urlencode(fields).encode() if fields else None
        url = self.url + path  # always http://127.0.0.1:<port>/...
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310
        urllib.request.urlopen(request, timeout=5).close()  # noqa: S310

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.process is not None and self.process.stdout:
            self.process.stdout.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _serve(folder: Path, port: int = 0) -> None:
    """In the child: point the store at `folder`, bind loopback, print the port, serve."""
    from aiohttp import web
    from localstripe import resources
    from localstripe.server import app

    store_file = folder / "localstripe.pickle"

    def dump_to_disk(store):
        with open(store_file, "wb") as f:
            pickle.dump(dict(store), f, protocol=pickle.HIGHEST_PROTOCOL)

    def try_load_from_disk(store):
        if store_file.exists():
            with open(store_file, "rb") as f:
                store.clear()
                store.update(pickle.load(f))  # noqa: S301 - our own file

    resources.Store.dump_to_disk = dump_to_disk
    resources.Store.try_load_from_disk = try_load_from_disk

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    print(sock.getsockname()[1], flush=True)
    web.run_app(app, sock=sock, print=None, access_log=None, handle_signals=True)


# The keys `make run-cards` gives the app: any test-mode values do for localstripe.
DEV_KEYS = {
    "STRIPE_SECRET_KEY": "sk_test_flatpack_local",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_flatpack_local",
    "STRIPE_WEBHOOK_SECRET": "whsec_flatpack_local",
}


def run_dev_server() -> int:
    """localstripe on loopback, its webhook pointed at the app, then `python -m company.devserver`
    with the Stripe settings; localstripe stops when the app does."""
    server = LocalStripe().start()
    try:
        server.register_webhook(
            "http://127.0.0.1:5000/stripe/webhook", DEV_KEYS["STRIPE_WEBHOOK_SECRET"]
        )
        print(f"Card payments: localstripe on {server.url} (card 4242 4242 4242 4242 pays)")
        env = {**os.environ, **DEV_KEYS, "STRIPE_API_BASE": server.url}
        try:
            return subprocess.call([sys.executable, "-m", "company.devserver"], env=env)
        except KeyboardInterrupt:
            return 0
    finally:
        server.stop()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    if sys.argv[1:] == ["--run"]:
        sys.exit(run_dev_server())
    _serve(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 0)
