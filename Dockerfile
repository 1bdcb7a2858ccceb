FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 SERVICECENTER_VAR_DIR=/app/var \
    DJANGO_SETTINGS_MODULE=servicecenter.settings.production
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml constraints.txt ./
COPY . .
RUN pip install --no-cache-dir -c constraints.txt . \
 && DJANGO_SETTINGS_MODULE=servicecenter.settings.embedded python manage.py compilemessages -v0 \
 && DJANGO_SETTINGS_MODULE=servicecenter.settings.embedded python manage.py collectstatic --noinput -v0 \
 && useradd --system --home /app servicecenter && chown -R servicecenter /app/var
USER servicecenter
EXPOSE 8000
CMD ["gunicorn", "servicecenter.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
