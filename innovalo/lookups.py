"""Lookups the apps share."""

from django.db.models import Lookup


class AmongIds(Lookup):
    """``AmongIds(F("department"), ids)``: the field is one of the ids a subquery returns.

    PostgreSQL reads the ids first (``= ANY(ARRAY(subquery))``, run once) and then the
    rows through the field's index; it turns ``IN (subquery)`` into a join that reads the
    whole table (a region's 283 platforms among 5,048: 1.1 ms by a join, 0.3 ms so).
    Other databases: ``IN (subquery)``. Used directly in ``filter()``, not registered."""

    lookup_name = "among_ids"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)  # "(SELECT ...)"
        params = (*lhs_params, *rhs_params)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(ARRAY{rhs})", params
        return f"{lhs} IN {rhs}", params
