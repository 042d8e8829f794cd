"""Permission rules: one per action, each with the sentence told to whoever it refuses.

A view asks `RULE(user, obj)` to decide what to offer and calls `RULE.require(user,
obj)` before acting; the service calls `require` again, so a path that skips the view
(a task, the admin, a test) meets the same rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied


class Rule:
    def __init__(self, sentence: str, test: Callable[[Any, Any], bool]):
        # `sentence` may name the object: "Only members of {obj.department} ...".
        self.sentence = sentence
        self.test = test

    def __call__(self, user, obj=None) -> bool:
        return bool(user.is_authenticated and self.test(user, obj))

    def require(self, user, obj=None) -> None:
        if not self(user, obj):
            raise PermissionDenied(self.sentence.format(obj=obj))

    def __repr__(self) -> str:
        return f"Rule({self.sentence!r})"
