#!/usr/bin/env bash
# The tests judge our output with real peers: GnuPG decrypts PGP mail, OpenSSL opens S/MIME,
# redis-server runs private instances for fault tests, Chromium drives the secure portal,
# pdftotext (poppler-utils) reads the text of PDF reports, swaks (an SMTP client nobody here
# wrote) drives the SMTP gateway.
# Install what is missing (Debian).
set -euo pipefail

missing=()
command -v gpg >/dev/null 2>&1 || missing+=(gnupg)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v swaks >/dev/null 2>&1 || missing+=(swaks)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "test peers missing: ${missing[*]}; install them (Debian: apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "installing test peers: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
