"""What one capability tells another without importing it.

The wizard engine reports what happened; the tallies count it. The engine holds no counting logic.
Receivers must never raise into the page (they are called inside the request).
"""

from blinker import Namespace

_signals = Namespace()

# sender: the Flask app; keyword arguments: wizard (slug)
wizard_started = _signals.signal("wizard-started")
# sender: the Flask app; keyword arguments: wizard (slug), outcome (outcome id)
outcome_reached = _signals.signal("outcome-reached")
