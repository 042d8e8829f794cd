# syntax=docker/dockerfile:1
# Deal Desk production image: gunicorn serves the web app; the same image runs
# the Celery worker and beat (see docker-compose.yml).

# Pin the Debian release: the apt package names below are bookworm's.
FROM python:3.11-slim-bookworm

# `pip install .` also puts the apps in site-packages, without templates/ and
# static/. PYTHONPATH=/app puts the copied code first, so every process
# (gunicorn, celery, manage.py) imports the one copy whose BASE_DIR holds them.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    PYTHONPATH=/app \
    MEDIA_ROOT=/data/media

# WeasyPrint dlopens Pango, HarfBuzz and fontconfig at run time (cffi); it
# needs the shared libraries and at least one font, but no compiler. tzdata: the
# IANA zones people choose (zoneinfo reads /usr/share/zoneinfo).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        libfontconfig1 \
        fonts-dejavu-core \
        tzdata \
    && rm -rf /var/lib/apt/lists/*

# A fixed numeric uid so that Kubernetes' runAsNonRoot can verify it.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home app

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so that a code change does not
# reinstall them. No test extras: the image does not run the test suite.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
RUN pip install --no-deps . && rm -rf build *.egg-info

# Hashed, compressed static files for whitenoise. Settings refuse to load with
# DEBUG off and no SECRET_KEY or DEFAULT_FROM_EMAIL, so give them throwaway ones
# for this step only; the real values come from the environment at run time.
RUN DEBUG=0 SECRET_KEY=collectstatic-build-only-not-a-secret DEFAULT_FROM_EMAIL=build@localhost \
    python manage.py collectstatic --noinput

# Uploads live on a volume; create the mount point owned by the app user so a
# new named volume starts out writable by it.
RUN mkdir -p /data/media && chown app:app /data/media

USER 10001:10001

EXPOSE 8000

CMD ["gunicorn", "-c", "gunicorn.conf.py"]
