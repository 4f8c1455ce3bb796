"""Entry point for gunicorn (`gunicorn wsgi:app`) and the CLI (`flask --app wsgi …`)."""

from guide import create_app

app = create_app()
