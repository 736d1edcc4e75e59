#!/usr/bin/env bash
# Installs bparb as a systemd service. Idempotent: re-running upgrades the binary and the unit, and never
# touches an existing /etc/bparb/<name>.toml or /etc/bparb/<name>.env.
#
#   sudo scripts/install-service.sh [--instance NAME] [--binary PATH] [--config PATH] [--root DIR] [--no-reload]
#
#   --instance NAME one of several daemons on this machine (an account or a strategy): installs the template
#                   unit bparb@.service, /etc/bparb/NAME.toml and /etc/bparb/NAME.env; run as bparb@NAME.
#                   NAME: letters, digits, '_' and '-'. Without it: the single unit bparb.service with
#                   /etc/bparb/bparb.toml and /etc/bparb/bparb.env.
#   --binary PATH   bparb executable to install (default: build/bparb)
#   --config PATH   initial /etc/bparb/<name>.toml (default: config/bparb.toml); only used when none exists;
#                   its [logging] file is pointed at the unit's log directory (/var/log/bparb[/NAME])
#   --root DIR      stage everything under DIR instead of / (packaging, tests): no user creation, no chown,
#                   no systemctl
#   --no-reload     skip `systemctl daemon-reload`
#
# Layout: /opt/bparb/bin/bparb, /opt/bparb/share/{README.md,config/}, /etc/bparb/{bparb.toml,bparb.env},
# /var/lib/bparb (working dir: journal, .env-free), /var/log/bparb, /etc/systemd/system/bparb.service,
# /etc/logrotate.d/bparb. An instance: /etc/bparb/NAME.{toml,env}, /etc/systemd/system/bparb@.service;
# systemd creates /var/lib/bparb/NAME and /var/log/bparb/NAME (StateDirectory=, LogsDirectory=).
# It does not enable or start the service: review /etc/bparb/<name>.toml and the keys first.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"

binary="$repo/build/bparb"
config="$repo/config/bparb.toml"
root=""
reload=1
user=bparb
instance=""

die() { echo "install-service: $*" >&2; exit 1; }
while (($#)); do
  case "$1" in
    --binary) binary="${2:?--binary needs a path}"; shift 2 ;;
    --config) config="${2:?--config needs a path}"; shift 2 ;;
    --root) root="${2:?--root needs a directory}"; shift 2 ;;
    --no-reload) reload=0; shift ;;
    --instance) instance="${2:?--instance needs a name}"; shift 2 ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

[[ -x "$binary" ]] || die "binary '$binary' not found or not executable (build first: cmake --build build --target bparb)"
[[ -f "$config" ]] || die "config '$config' not found"
if [[ -n "$instance" ]]; then
  [[ "$instance" =~ ^[A-Za-z0-9_-]+$ ]] || die "instance name '$instance' must be letters, digits, '_' or '-'"
  unit_src="$here/bparb@.service"
  unit="bparb@$instance.service"
  name="$instance"
  logdir="/var/log/bparb/$instance"
else
  unit_src="$here/bparb.service"
  unit="bparb.service"
  name="bparb"
  logdir="/var/log/bparb"
fi
[[ -f "$unit_src" ]] || die "unit file '$unit_src' missing"
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

# 4. Config: never overwrite an operator's file. A fresh one logs into the unit's log directory (where
# logrotate looks); the journal stays relative, in the working directory.
cfg_dst="$root/etc/bparb/$name.toml"
if [[ -e "$cfg_dst" ]]; then
  say "keeping existing $cfg_dst (not overwritten; reference copy in /opt/bparb/share/config/)"
else
  install -m 0640 "$config" "$cfg_dst"
  sed -i "/^\[logging\]/,/^\[/ s|^file = .*|file = \"$logdir/arbitrage.log\"|" "$cfg_dst"
  owner "root:$user" "$cfg_dst"
  say "installed $cfg_dst from $config (logging to $logdir/arbitrage.log) — review it before starting"
  if [[ -n "$instance" ]]; then
    say "each instance with [service] enabled needs its own [service] port (README \"Several instances on one machine\")"
  fi
fi

# 5. Secrets file: root-only (systemd reads it before dropping privileges).
env_dst="$root/etc/bparb/$name.env"
if [[ -e "$env_dst" ]]; then
  chmod 0600 "$env_dst"
  say "keeping existing $env_dst (mode forced to 0600)"
else
  (umask 077 && cat >"$env_dst") <<'ENV'
# Backpack API credentials for bparb (read by systemd, mode 0600 root:root). Never commit this file.
# BACKPACK_PRIVATE_KEY: base64 ED25519 secret; BACKPACK_API_KEY: optional, checked against the key.
#BACKPACK_API_KEY=
#BACKPACK_PRIVATE_KEY=
ENV
  chmod 0600 "$env_dst"
  owner root:root "$env_dst"
  say "created $env_dst (empty template, mode 0600) — add the API keys"
fi

# 6. Unit and log rotation.
unit_file="$(basename "$unit_src")"
install -m 0644 "$unit_src" "$root/etc/systemd/system/$unit_file"
say "installed $root/etc/systemd/system/$unit_file"
install -d -m 0755 "$root/etc/logrotate.d"
install -m 0644 "$here/bparb.logrotate" "$root/etc/logrotate.d/bparb"
say "installed $root/etc/logrotate.d/bparb (rename, then SIGUSR2: the daemon reopens its log file)"
if [[ -z "$root" && $reload -eq 1 ]]; then
  if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
    systemctl daemon-reload
    say "systemctl daemon-reload done"
  else
    say "systemd is not running here: skipped daemon-reload"
  fi
fi

say "next: edit /etc/bparb/$name.toml and /etc/bparb/$name.env, then: systemctl enable --now $unit"
