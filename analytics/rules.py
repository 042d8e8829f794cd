"""Who may read where time goes: everyone signed in, each over what they may see.

The page is made for executives and department leads, but what it shows is already
scoped: figures over the deals the person may see (Deal.objects.visible_to's rule), and
department rows for executives and administrators (every department) or for a
department's members (their own). An owner reads the figures of their visible deals
and no department's. No figure names a person, so reading it reveals nothing about
anyone that the deals themselves do not.

Asking costs no query: the navigation shows the link on every page.
"""

from __future__ import annotations

from core.permissions import Rule

VIEW_ANALYTICS = Rule("Sign in to see where time goes.", lambda user, obj=None: True)
