"""The web app: JSON API and server-rendered review UI (FastAPI, Jinja2, vendored htmx)."""
