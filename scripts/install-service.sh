#!/usr/bin/env bash
# Installs bparb as a systemd service. Idempotent: re-running upgrades the binary and the unit, and never
# touches an existing /etc/bparb/bparb.toml or /etc/bparb/bparb.env.
#
#   sudo scripts/install-service.sh [--binary PATH] [--config PATH] [--root DIR] [--no-reload]
#
#   --binary PATH   bparb executable to install (default: build/bparb)
#   --config PATH   initial /etc/bparb/bparb.toml (default: config/bparb.toml); only used when none exists
#   --root DIR      stage everything under DIR instead of / (packaging, tests): no user creation, no chown,
#                   no systemctl
#   --no-reload     skip `systemctl daemon-reload`
#
# Layout: /opt/bparb/bin/bparb, /opt/bparb/share/{README.md,config/}, /etc/bparb/{bparb.toml,bparb.env},
# /var/lib/bparb (working dir: journal, .env-free), /var/log/bparb, /etc/systemd/system/bparb.service.
# It does not enable or start the service: review /etc/bparb/bparb.toml and the keys first.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"

binary="$repo/build/bparb"
config="$repo/config/bparb.toml"
root=""
reload=1
user=bparb

die() { echo "install-service: $*" >&2; exit 1; }
while (($#)); do
  case "$1" in
    --binary) binary="${2:?--binary needs a path}"; shift 2 ;;
    --config) config="${2:?--config needs a path}"; shift 2 ;;
    --root) root="${2:?--root needs a directory}"; shift 2 ;;
    --no-reload) reload=0; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

[[ -x "$binary" ]] || die "binary '$binary' not found or not executable (build first: cmake --build build --target bparb)"
[[ -f "$config" ]] || die "config '$config' not found"
[[ -f "$here/bparb.service" ]] || die "unit file '$here/bparb.service' missing"
if [[ -z "$root" ]]; then
  [[ $(id -u) -eq 0 ]] || die "must run as root (or stage with --root DIR)"
  # Catch a broken config before it is installed anywhere.
  "$binary" check-config "$config" >/dev/null || die "'$config' does not pass 'bparb check-config'"
else
  mkdir -p "$root"
  root="$(cd "$root" && pwd)"
fi

say() { echo "install-service: $*"; }
owner() {  # owner USER:GROUP PATH... — skipped when staging
  [[ -n "$root" ]] && return 0
  chown "$@"
}

# 1. Service user: system account, no login shell, no home outside the state dir.
if [[ -z "$root" ]]; then
  if ! getent group "$user" >/dev/null; then
    groupadd --system "$user"
    say "created group $user"
  fi
  if ! id -u "$user" >/dev/null 2>&1; then
    useradd --system --gid "$user" --home-dir /var/lib/bparb --no-create-home --shell /usr/sbin/nologin \
      --comment "bparb arbitrage daemon" "$user"
    say "created user $user"
  fi
fi

# 2. Directories. State and logs belong to the service user; code and config to root.
install -d -m 0755 "$root/opt/bparb/bin" "$root/opt/bparb/share/config" "$root/etc/systemd/system"
install -d -m 0750 "$root/etc/bparb"
install -d -m 0750 "$root/var/lib/bparb" "$root/var/log/bparb"
owner "root:$user" "$root/etc/bparb"
owner "$user:$user" "$root/var/lib/bparb" "$root/var/log/bparb"

# 3. Binary (install(1) replaces the file, so a running daemon keeps its old inode until restarted).
install -m 0755 "$binary" "$root/opt/bparb/bin/bparb"
say "installed $root/opt/bparb/bin/bparb"
for f in "$repo"/config/*.toml; do
  if [[ -f "$f" ]]; then install -m 0644 "$f" "$root/opt/bparb/share/config/"; fi
done
if [[ -f "$repo/README.md" ]]; then install -m 0644 "$repo/README.md" "$root/opt/bparb/share/README.md"; fi

# 4. Config: never overwrite an operator's file.
if [[ -e "$root/etc/bparb/bparb.toml" ]]; then
  say "keeping existing $root/etc/bparb/bparb.toml (not overwritten; reference copy in /opt/bparb/share/config/)"
else
  install -m 0640 "$config" "$root/etc/bparb/bparb.toml"
  owner "root:$user" "$root/etc/bparb/bparb.toml"
  say "installed $root/etc/bparb/bparb.toml from $config — review it before starting"
fi

# 5. Secrets file: root-only (systemd reads it before dropping privileges).
if [[ -e "$root/etc/bparb/bparb.env" ]]; then
  chmod 0600 "$root/etc/bparb/bparb.env"
  say "keeping existing $root/etc/bparb/bparb.env (mode forced to 0600)"
else
  (umask 077 && cat >"$root/etc/bparb/bparb.env") <<'ENV'
# Backpack API credentials for bparb (read by systemd, mode 0600 root:root). Never commit this file.
# BACKPACK_PRIVATE_KEY: base64 ED25519 secret; BACKPACK_API_KEY: optional, checked against the key.
#BACKPACK_API_KEY=
#BACKPACK_PRIVATE_KEY=
ENV
  chmod 0600 "$root/etc/bparb/bparb.env"
  owner root:root "$root/etc/bparb/bparb.env"
  say "created $root/etc/bparb/bparb.env (empty template, mode 0600) — add the API keys"
fi

# 6. Unit.
install -m 0644 "$here/bparb.service" "$root/etc/systemd/system/bparb.service"
say "installed $root/etc/systemd/system/bparb.service"
if [[ -z "$root" && $reload -eq 1 ]]; then
  if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
    systemctl daemon-reload
    say "systemctl daemon-reload done"
  else
    say "systemd is not running here: skipped daemon-reload"
  fi
fi

say "next: edit /etc/bparb/bparb.toml and /etc/bparb/bparb.env, then: systemctl enable --now bparb"
