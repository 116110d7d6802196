# carbon: the API in a container (issue 17). Debian base; the same Debian packages as scripts/bootstrap;
# runs as a non-root user. The database comes from CARBON_DATABASE_URL: the default is a SQLite file in the
# volume /var/lib/carbon; compose.yaml points it at PostgreSQL 15. `carbon serve` migrates, then serves
# http://0.0.0.0:8000 (OpenAPI at /docs). It refuses to listen on a public interface with the development
# secrets, so give it CARBON_TOKEN_SECRET and CARBON_PUHUI_OPENID_SECRET (long random values).
#
#   docker build -t carbon .
#   docker run --rm -p 8000:8000 -e CARBON_TOKEN_SECRET=... -e CARBON_PUHUI_OPENID_SECRET=... carbon

FROM python:3.12-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml setup.py README.md alembic.ini ./
COPY carbon carbon
COPY api api
COPY emission_factors emission_factors
COPY migrations migrations
COPY reports reports
COPY sample_data sample_data
RUN python -m pip wheel --no-cache-dir --no-deps -w /dist .

FROM python:3.12-slim-bookworm
# keep this list equal to apt_packages in scripts/bootstrap (tests/test_docker.py checks it)
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils chromium \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --create-home --home-dir /var/lib/carbon --uid 10001 --user-group carbon
COPY --from=build /dist/*.whl /tmp/
RUN python -m pip install --no-cache-dir /tmp/carbon-*.whl && rm /tmp/carbon-*.whl
USER carbon
WORKDIR /var/lib/carbon
VOLUME /var/lib/carbon
ENV CARBON_DATABASE_URL=sqlite:////var/lib/carbon/carbon.db \
    PYTHONUNBUFFERED=1
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/docs', timeout=4)"]
CMD ["carbon", "serve", "--host", "0.0.0.0", "--port", "8000"]
