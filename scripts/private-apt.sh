#!/usr/bin/env bash
# Private apt configuration for Debian unstable and experimental, so the
# harness can fetch packages that bookworm lacks (the kernel source .debs,
# sparse's source) without changing the host's apt sources or state.
# Usage: scripts/private-apt.sh update | apt-get ARGS... | apt-cache ARGS...
#    or: . scripts/private-apt.sh; papt_update; papt download PKG=VER
# Env: BUILD_DIR (default <repo>/build; everything lives in $BUILD_DIR/apt),
#      PAPT_MIRROR (mirror URI; default: the host's first bookworm entry that
#      is not -security), PAPT_TIMEOUT (seconds per apt call, default 600).
set -euo pipefail

PAPT_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$PAPT_REPO/build}
PAPT_DIR=$BUILD_DIR/apt
PAPT_CONF=$PAPT_DIR/apt.conf
PAPT_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# Experimental holds only packages newer than unstable (the 7.3 release
# candidates); apt never picks from it unless asked for a version it has.
PAPT_SUITES="unstable experimental"

papt_err() { echo "private-apt: $*" >&2; }

# Reuse the host's mirror rather than naming one, so a machine that has a
# local or proxied mirror keeps using it.
papt_mirror() {
	local uri="${PAPT_MIRROR:-}" f
	for f in /etc/apt/sources.list.d/*.sources; do
		if [ -n "$uri" ] || [ ! -f "$f" ]; then continue; fi
		uri=$(awk 'BEGIN { RS = ""; FS = "\n" }
		{
			uris = ""; suites = ""; on = 1
			for (i = 1; i <= NF; i++) {
				l = $i
				if (l ~ /^[Uu][Rr][Ii][Ss]:/) { sub(/^[^:]*:/, "", l); uris = l }
				else if (l ~ /^[Ss]uites:/) { sub(/^[^:]*:/, "", l); suites = " " l " " }
				else if (l ~ /^[Ee]nabled:[ \t]*[Nn][Oo]/) on = 0
			}
			if (!on || suites !~ /[ \t]bookworm[ \t]/) next
			n = split(uris, u, /[ \t]+/)
			for (j = 1; j <= n; j++)
				if (u[j] != "" && u[j] !~ /-security/) { print u[j]; exit }
		}' "$f")
	done
	if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
		uri=$(awk '$1 == "deb" {
			i = 2
			if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
			if ($(i + 1) == "bookworm" && $i !~ /-security/) { print $i; exit }
		}' /etc/apt/sources.list)
	fi
	if [ -z "$uri" ]; then
		papt_err "no bookworm mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list;"
		papt_err "set PAPT_MIRROR=<Debian mirror URI> (the URI you would put in a sources.list)"
		return 1
	fi
	echo "$uri"
}

# Writes files only when their content changes, so the lists' age check
# below is not reset by every call.
papt_write() {
	[ -f "$1" ] && [ "$(cat "$1")" = "$2" ] && return 0
	printf '%s\n' "$2" >"$1"
}

papt_init() {
	local mirror
	mirror=$(papt_mirror) || return 1
	[ -r "$PAPT_KEYRING" ] || {
		papt_err "$PAPT_KEYRING is missing: apt-get install debian-archive-keyring"
		return 1
	}
	mkdir -p "$PAPT_DIR"/{lists/partial,cache/archives/partial,state,log} || {
		papt_err "cannot create $PAPT_DIR: check BUILD_DIR and its permissions"
		return 1
	}
	[ -f "$PAPT_DIR/state/status" ] || : >"$PAPT_DIR/state/status"
	papt_write "$PAPT_DIR/sources.list" \
"deb [signed-by=$PAPT_KEYRING] $mirror unstable main
deb [signed-by=$PAPT_KEYRING] $mirror experimental main
deb-src [signed-by=$PAPT_KEYRING] $mirror unstable main"
	# Read after the host's apt.conf.d, so these win; the host's hooks are
	# cleared because PackageKit/AppStream must not react to a private update.
	papt_write "$PAPT_CONF" \
"Dir::Etc::SourceList \"$PAPT_DIR/sources.list\";
Dir::Etc::SourceParts \"/dev/null\";
Dir::Etc::Preferences \"/dev/null\";
Dir::Etc::PreferencesParts \"/dev/null\";
Dir::State \"$PAPT_DIR/state\";
Dir::State::Lists \"$PAPT_DIR/lists\";
Dir::State::status \"$PAPT_DIR/state/status\";
Dir::Cache \"$PAPT_DIR/cache\";
Dir::Cache::Archives \"$PAPT_DIR/cache/archives\";
Dir::Cache::pkgcache \"$PAPT_DIR/cache/pkgcache.bin\";
Dir::Cache::srcpkgcache \"$PAPT_DIR/cache/srcpkgcache.bin\";
Dir::Log \"$PAPT_DIR/log\";
APT::Get::List-Cleanup \"0\";
#clear APT::Update::Pre-Invoke;
#clear APT::Update::Post-Invoke;
#clear APT::Update::Post-Invoke-Success;
#clear DPkg::Pre-Invoke;
#clear DPkg::Post-Invoke;
#clear DPkg::Pre-Install-Pkgs;"
}

papt() {
	papt_init || return 1
	timeout "${PAPT_TIMEOUT:-600}" apt-get -c "$PAPT_CONF" "$@"
}

papt_cache() {
	papt_init || return 1
	timeout "${PAPT_TIMEOUT:-600}" apt-cache -c "$PAPT_CONF" "$@"
}

# A directory for `papt download`/`papt source`: apt drops root to _apt
# while downloading and warns when _apt cannot write the target directory.
papt_workdir() {
	mkdir -p "$1" || { papt_err "cannot create $1"; return 1; }
	if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then
		chown _apt "$1"
	fi
}

# Unstable moves daily; refreshing more often only costs bandwidth.
papt_update() {
	papt_init || return 1
	local stamp=$PAPT_DIR/state/updated
	if [ -n "$(find "$stamp" -mmin -1440 -newer "$PAPT_DIR/sources.list" 2>/dev/null)" ] &&
		compgen -G "$PAPT_DIR/lists/*_InRelease" >/dev/null; then
		return 0
	fi
	papt_err "updating private $PAPT_SUITES lists in $PAPT_DIR/lists"
	if ! papt -q update --error-on=any >&2; then
		papt_err "apt-get update of $PAPT_SUITES from $(papt_mirror) failed or took over ${PAPT_TIMEOUT:-600}s;"
		papt_err "check the network, or set PAPT_MIRROR=<reachable Debian mirror URI>"
		return 1
	fi
	touch "$stamp"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case "${1:-}" in
	update) papt_update ;;
	apt-get) shift; papt "$@" ;;
	apt-cache) shift; papt_cache "$@" ;;
	*)
		papt_err "usage: $0 update | apt-get ARGS... | apt-cache ARGS..."
		exit 2
		;;
	esac
fi
