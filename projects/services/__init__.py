"""Every write of the calls watch and of projects: ``calls``, ``imports``, ``alerts``,
``projects``. Each function takes the acting user, validates, writes in one transaction
and logs what changed (``innovalo.audit.log_action``)."""
