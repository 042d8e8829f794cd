"""Stage histories for demo deals: a plausible route to a stage, and when each step happened."""

from __future__ import annotations

import datetime as dt
import random

from deals.models import PIPELINE, Stage


def stage_path(final: Stage, rng: random.Random) -> list[Stage]:
    """A plausible route to the final stage, sometimes with a step back for rework."""
    if final in (Stage.ON_HOLD, Stage.ABANDONED):
        reached = rng.randint(0, 3)
        return [*PIPELINE[: reached + 1], final]
    path = PIPELINE[: PIPELINE.index(final) + 1]
    if (
        final in (Stage.NEGOTIATION, Stage.APPROVED, Stage.SIGNED, Stage.LIVE)
        and rng.random() < 0.3
    ):
        # Review sent it back to the business case once.
        at = path.index(Stage.REVIEW)
        path = [*path[: at + 1], Stage.BUSINESS_CASE, Stage.REVIEW, *path[at + 1 :]]
    return path


def history(
    path: list[Stage], now: dt.datetime, rng: random.Random, stalled: bool
) -> list[dt.datetime]:
    """When each stage of the path was entered, oldest first, ending before now."""
    days_in_last = rng.randint(25, 60) if stalled else rng.randint(1, 15)
    times = [now - dt.timedelta(days=days_in_last, hours=rng.randint(0, 20))]
    for _ in path[:-1]:
        times.append(times[-1] - dt.timedelta(days=rng.randint(4, 30), hours=rng.randint(0, 20)))
    return list(reversed(times))


def stage_note(path: list[Stage], i: int) -> str:
    if i == 0:
        return "Created"
    previous, stage = path[i - 1], path[i]
    if stage == Stage.BUSINESS_CASE and previous == Stage.REVIEW:
        return "Sent back: Finance asked for firmer cost assumptions."
    return {
        Stage.ON_HOLD: "Paused while the partner restructures.",
        Stage.ABANDONED: "Partner could not meet our data protection terms.",
        Stage.SIGNED: "Signed by both parties.",
        Stage.LIVE: "Go-live completed.",
    }.get(stage, "")
