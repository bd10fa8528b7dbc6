"""Signals that let feature modules take part in core use cases without core importing them.

- ``account_deleting(user)``: anonymise the person's contributions (ballots stay counted).
- ``collecting_home_items(municipality, open_now, coming_next)``: what a municipality's
  home page lists; each item has ``title`` and ``url``.
- ``collecting_user_data(user, data)``: add the module's part of "download my data".
"""

from blinker import Namespace

signals = Namespace()
account_deleting = signals.signal("account-deleting")
collecting_user_data = signals.signal("collecting-user-data")
collecting_home_items = signals.signal("collecting-home-items")
