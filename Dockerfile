# azlog serve in a container: a non-root user, nothing written but the temporary folder.
#   docker build -t azlog .
#   docker run --rm -p 8080:8080 --read-only --tmpfs /tmp -e AZLOG_API_KEY=... azlog
FROM python:3.12-slim
WORKDIR /src
COPY pyproject.toml README.md ./
COPY cli cli
COPY core core
COPY parsers parsers
COPY analyzer analyzer
COPY signatures signatures
RUN pip install --no-cache-dir '.[serve,fast]' && rm -rf /src && useradd --system --uid 10001 azlog
USER azlog
WORKDIR /tmp
ENV TMPDIR=/tmp PYTHONDONTWRITEBYTECODE=1
EXPOSE 8080
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz')"
ENTRYPOINT ["azlog", "serve", "--host", "0.0.0.0", "--port", "8080"]
