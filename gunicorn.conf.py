"""Gunicorn settings for Deal Desk: `gunicorn -c gunicorn.conf.py`.

Everything a deployment may want to change comes from the environment, so
the same image runs on a laptop, in Compose and on a platform that sets PORT.
"""

import os

# The Django WSGI callable; naming it here means the command line needs no app.
wsgi_app = "config.wsgi:application"

# 0.0.0.0 so the container's published port reaches us; platforms (Heroku,
# Cloud Run, Render) say which port through PORT.
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"


def _default_workers() -> int:
    # Gunicorn's rule of thumb is 2 * cores + 1. sched_getaffinity counts the
    # CPUs this process may use (a container's cpuset, though not a --cpus quota).
    # Each worker is a full Django process that may be rendering a PDF with
    # WeasyPrint, so cap it: memory, not CPU, runs out first on a big host.
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(2 * (cores or 1) + 1, 8)


# WEB_CONCURRENCY is the conventional knob (Heroku, Render, Dokku set it).
workers = int(os.environ.get("WEB_CONCURRENCY") or _default_workers())

# A request that takes longer than this is stuck; the worker is killed and
# replaced. PDFs are small; heavy work belongs in Celery, not in a request.
timeout = 30

# Logs go to the container's stdout/stderr, where Docker collects them.
accesslog = "-"
errorlog = "-"

# The worker heartbeat file is touched constantly; on Docker's overlay
# filesystem that can stall workers, so keep it in memory when we can.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# Gunicorn 25.1+ opens a control socket under $HOME, which the image's app user
# cannot write to; containers are managed by restarting them, so turn it off.
# (Older gunicorn ignores settings it does not know.)
control_socket_disable = True
