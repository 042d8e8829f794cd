"""Demo and benchmark data: `manage.py seed_demo` (logins, partners, a portfolio, its value).

At the top of the import graph: it may import every app; no app imports it.
"""
