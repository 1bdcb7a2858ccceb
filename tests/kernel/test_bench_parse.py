"""The bench reads wrk's summary without crashing on what it does not expect (issue 18)."""

import pytest

from tests.conftest import bench_module

WRK = """Running 30s test @ http://127.0.0.1:18001/api/v1/tickets/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.50ms    3.10ms  80.00ms   68.50%
    Req/Sec   320.00     40.00   400.00     70.00%
  Latency Distribution
     50%   11.80ms
     75%   13.00ms
     90%   15.00ms
     99%    1.20s
  19200 requests in 30.00s, 40.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:    640.00
Transfer/sec:      1.33MB
"""


@pytest.fixture(scope="module")
def parse_wrk():
    return bench_module("wrk").parse_wrk


def test_a_whole_summary(parse_wrk):
    assert parse_wrk(WRK) == {"rps": 640.0, "p50": 11.8, "p99": 1200.0, "requests": 19200, "errors": 7}


ODD = WRK.replace("1.20s", "2.5m").replace("Requests", "Req")  # minutes; no requests/sec line


@pytest.mark.parametrize("out", ["", "unable to connect to 127.0.0.1:18001 Connection refused\n",
                                 "     50%   nonsense\n     99%\n", ODD])
def test_what_wrk_did_not_print_is_none_not_a_crash(parse_wrk, out):
    row = parse_wrk(out)
    assert set(row) == {"rps", "p50", "p99", "requests", "errors"}
    if out.startswith("Running"):
        assert (row["rps"], row["p99"], row["requests"]) == (0.0, 150_000.0, 19200)
    else:
        assert (row["rps"], row["p50"], row["p99"], row["requests"], row["errors"]) == (0.0, None, None, 0, 0)
