"""What the rates area announces to the areas built on it.

Scoring prices offers and training spend with the rates, and rates sit below scoring, so a
change of a rate is announced here: `procure.scoring.jobs` connects the receiver that queues the
re-scoring of the periods it moves (create_app imports it with the job kinds).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the currency code whose rates changed; keyword `user`: who changed them
rates_changed = _signals.signal("rates-changed")
