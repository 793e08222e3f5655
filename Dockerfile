# Posko in a container (README, Operations: "Running in a container").
#   docker build -t posko .
#   docker run -d --name posko --restart unless-stopped --env-file posko.env -v posko-data:/data posko
# The database and the backups live on the volume /data; settings come from the environment.
FROM python:3.11-slim

WORKDIR /app
# Dependencies first (pinned by constraints.txt), so code changes do not reinstall them.
COPY pyproject.toml constraints.txt tasks.py ./
RUN python3 tasks.py install
COPY . .

# Inside the container a server must listen on every interface: the loopback address is not
# reachable through a port mapping. Data and backups on the volume.
ENV PYTHONUNBUFFERED=1 \
    DATABASE_PATH=/data/posko.db \
    BACKUP_DIR=/data/backups \
    WEBHOOK_LISTEN=0.0.0.0 \
    WEBHOOK_PORT=8443 \
    DASHBOARD_LISTEN=0.0.0.0 \
    DASHBOARD_PORT=8080 \
    MPLCONFIGDIR=/tmp/matplotlib

RUN useradd --system --uid 10001 --home-dir /data posko \
    && mkdir -p /data && chown posko:posko /data
USER posko
VOLUME ["/data"]
# Only used in webhook mode (WEBHOOK_URL set), behind your TLS proxy.
EXPOSE 8443
# The live dashboard (/dasbor), behind your TLS proxy too.
EXPOSE 8080

# The bot exits within 8 s of SIGTERM; `docker stop` waits 10 s before SIGKILL.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=60s --timeout=10s --start-period=120s --retries=2 \
    CMD ["python3", "tasks.py", "status"]
CMD [".venv/bin/python", "main.py"]
