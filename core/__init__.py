"""Plumbing every app uses: audit recording, the data-version cache, bounded form
fields, form and admin helpers, retry backoff. Imports no domain app."""
