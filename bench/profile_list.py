"""Where a list request's time goes: cProfile over repeated requests (``bash scripts/bench.sh
bench/profile_list.py [URL] [USER]``), on the bench's small data set."""

import cProfile
import pstats
import sys

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from run import generate, log  # sets Django up


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else "/api/v1/tickets/"
    who = sys.argv[2] if len(sys.argv) > 2 else "agent2"
    generate(50_000, 1_000, timezone.now())
    client = Client()
    client.force_login(get_user_model().objects.get(username=who))
    for _ in range(5):
        assert client.get(url).status_code == 200
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(50):
        client.get(url)
    profile.disable()
    log(f"{url} as {who}, 50 requests")
    stats = pstats.Stats(profile).strip_dirs()
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    for name in sys.argv[3:]:  # who calls these
        stats.print_callers(name)


if __name__ == "__main__":
    main()
