"""WSGI entry point: `gunicorn wsgi:app` (set FLATPACK_ENV=production, SECRET_KEY, DATABASE_URL)."""

from company import create_app

app = create_app()
