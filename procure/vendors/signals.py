"""What the vendors area announces to the areas built on it.

Scoring compares every vendor's offer with the lowest price of its category, and vendors sit
below scoring, so a change of an offer is announced here: `procure.scoring.jobs` connects the
receiver that queues the re-scoring of the periods it moves (create_app imports it with the job
kinds).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the service category keys whose offers changed (a set: an offer moved out of one
# category into another changes both); keyword `user`: who changed them
offers_changed = _signals.signal("offers-changed")
