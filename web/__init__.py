"""The web console (issue 15): server-rendered Chinese pages on the same FastAPI app as the API.

Layering as api/: routes under ``web/routes/`` authorize, read a form, call a ``carbon.*`` service and render a
Jinja2 template from ``web/templates/``; they compute nothing. Static files (CSS, a few lines of JS, the vendored
Apache ECharts) are under ``web/static/``. Sign-in: the API's bearer tokens, pasted once into a form that sets a
signed session cookie (``web.session``); the API itself never reads that cookie.
"""
