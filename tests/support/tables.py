"""Tables for runs whose clock is not DynamoDB Local's: the product's tables with TTL left off.

DynamoDB Local deletes an item within seconds once its TTL attribute lies before the real time
(measured: twenty items ninety days past their TTL were all gone within 5 s). Tests and
benchmarks run CloudStro on clocks of their own, mostly fixed days in the past, so a pending
OAuth state, a claim or an insight written a moment ago could vanish before the code reads it
back: a failure that depends on the day the suite runs and on when the sweeper wakes. CloudStro
never relies on TTL deletion (it judges expiry by the attribute's value, because DynamoDB
deletes late), so these tables are the product's in every other respect.
`tests/store/test_tables.py` checks that the product's own `create_tables` switches TTL on.
"""

from __future__ import annotations

from dataclasses import replace

from cloudstro.store.dynamo import Dynamo
from cloudstro.store.tables import CreateReport, create_tables, table_specs


def create_unswept_tables(dynamo: Dynamo) -> CreateReport:
    """Every table `create_tables` makes, without switching on TTL deletion."""
    return create_tables(dynamo, [replace(spec, ttl_attribute=None)
                                  for spec in table_specs(dynamo.settings)])
