.PHONY: test test-fast demo soak install lint messages bench bench-sla bench-pages bench-org bench-calls bench-messaging clean

SIZE ?= small

## make test: the whole suite on a throwaway PostgreSQL and Redis (installs what is missing)
test:
	bash scripts/test.sh

## make test-fast: the unit tests on SQLite, no servers (daily loop; CI runs `make test`)
test-fast:
	bash scripts/test-fast.sh

## make demo: the demo center on http://127.0.0.1:8000/ with worker and beat (Ctrl-C stops)
demo:
	bash scripts/demo.sh

## make soak: the demo's worker and beat under a steady load of tasks for 30 minutes, then figures
## (sent, completed, lost, run twice, p50/p99, restarts, errors); SOAK_MINUTES=5 for a shorter run
soak:
	bash scripts/soak.sh

## make bench SIZE=small|large: data at scale, every figure in one table, beside django-helpdesk,
## and a load test with wrk (small: minutes; large: 1,000,000 tickets, about an hour)
bench:
	bash scripts/bench.sh bench/run.py --size $(SIZE) $(ARGS)

## make bench-sla: the escalation sweep at 1,000,000 tickets beside hand-written SQL, and deadline
## arithmetic per second (ARGS="--tickets 100000" for a quick run)
bench-sla:
	bash scripts/bench.sh bench/sla_sweep.py $(ARGS)

## make bench-pages: server time of the agent queue and the SLA dashboard at 100,000 tickets
bench-pages:
	bash scripts/bench.sh bench/pages.py $(ARGS)

## make bench-org: server time of /org/ and of an org change's impact preview at 2,000 posts and 100,000 open tickets
bench-org:
	bash scripts/bench.sh bench/org_editor.py $(ARGS)

## make bench-messaging: e-mail polled from Dovecot into tickets, and replies sent, per second, beside floors
bench-messaging:
	bash scripts/bench.sh bench/messaging.py $(ARGS)

## make bench-calls: importing a 1,000,000-line queue_log beside a plain COPY; the year's service level
bench-calls:
	bash scripts/bench.sh bench/calls_import.py $(ARGS)

install:
	bash -c 'source scripts/lib.sh && ensure_venv'

lint:
	.venv/bin/ruff check .
	.venv/bin/djlint templates --lint
	.venv/bin/lint-imports --no-cache
	.venv/bin/mypy

## make messages: refresh the zh_Hans and en catalogues from the code and templates
messages:
	.venv/bin/python manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=bench --ignore=tests --no-obsolete
	.venv/bin/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf var .pytest_cache .mypy_cache
