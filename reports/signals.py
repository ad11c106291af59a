"""Signals sent by reports, for apps that build on the monthly figures without reports knowing them.

``month_computed``: a run has stored a month's figures (``reports.actions.monthly_figures_compute``).
Sent inside the computation's transaction, after the snapshots and the run's row are written, with
``run`` (the ``ReportRun``), ``month`` (its first day) and ``program`` (the run's program, or None
for every program). A receiver that queues work does it through the outbox
(``orientation.outbox.enqueue``), so the work is sent only if the figures are committed. Sent
robustly: a receiver's error is logged and never fails the computation (a receiver that writes
does so in a savepoint of its own).
"""

from django.dispatch import Signal

month_computed = Signal()
