"""Rows a request's queries read, by ``EXPLAIN ANALYZE`` of each of them as it was sent (PostgreSQL).

No Django setup here: the bench (``run.py``) and the plan tests (``tests/tickets/test_queue_plan.py``)
both import it."""

import json

from django.db import connection
from django.test.utils import CaptureQueriesContext


def scanned(node: dict) -> int:
    """Rows a plan node and its children read from tables and indexes (kept plus filtered out)."""
    own = 0
    if "Scan" in node.get("Node Type", ""):
        own = (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)) * node.get("Actual Loops", 1)
    return own + sum(scanned(child) for child in node.get("Plans", []))


def rows_read(client, url: str) -> int:
    """The rows read by the queries of one GET of ``url`` (which must answer 200)."""
    with CaptureQueriesContext(connection) as captured:
        status = client.get(url).status_code
    assert status == 200, (url, status)
    total = 0
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
            document = cursor.fetchone()[0]
            total += scanned((json.loads(document) if isinstance(document, str) else document)[0]["Plan"])
    return total
