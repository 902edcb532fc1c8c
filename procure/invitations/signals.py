"""What the invitations area announces to the areas built on it.

A campaign (procure.campaigns) may ask a vendor by inviting it; when that vendor registers or
joins through the link, the campaign tells the vendor's users what it asks. Invitations must not
import campaigns, so `_accept` sends `invitation_accepted` and procure.campaigns.services connects
the receiver (create_app imports it with the campaigns' routes).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the accepted Invitation; keyword `organization`: the vendor organization that accepted
invitation_accepted = _signals.signal("invitation-accepted")
