"""What the disclosures area announces to the areas built on it.

Scoring reads disclosures, so disclosures must not import scoring. When a change needs the
scores refreshed, the disclosures services send `scores_outdated`; `procure.scoring.jobs`
connects the receiver that queues the refresh (create_app imports it with the job kinds).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the Disclosure whose period's scores are outdated; keyword `user`: who changed it
scores_outdated = _signals.signal("scores-outdated")

# sender: the id of the buyer organization whose review decisions changed (a version or a
# section verified or rejected): its rankings only are outdated
reviews_changed = _signals.signal("reviews-changed")
