# The app service's image: a plain Debian base; the Python feature is installed on top of it.
FROM local/debian:bookworm
RUN mkdir -p /workspaces/compose-service
