"""The benchmarks: `make bench` runs bench/run.py (see bench/README.md). Not a test suite.

Entry points, run as files: run.py (pages, then throughput.py and background.py),
throughput.py (gunicorn and wrk), background.py (briefing pack and digest run).
The other modules are theirs: environment.py (database, Django, the machine),
seed.py (the data measured), pages.py (timing pages), goals.py (the budgets),
report.py (bench/results.md).
"""
