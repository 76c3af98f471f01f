#!/usr/bin/env bash
# Installs the .deb in a fresh, minimal Debian 12 root and uses it as a new user would:
#   apt-get install ./algoadmin_*.deb   (apt pulls the dependencies, and postgresql, recommended)
#   then, as a normal (non-root) user: algoadmin --version, local start, migrate, seed-demo,
#   the window under xvfb-run with --screenshot, local stop
#   apt-get remove algoadmin            (the program is gone)
# and checks the desktop entry, icons, metainfo, man page and completion landed where a desktop
# and a shell look for them.
#   deb-check.sh DEB [SCREENSHOT_PNG]   SCREENSHOT_PNG: where to keep the window's picture
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
deb=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shot=${2:-}
[[ -f "$deb" ]] || { echo "deb-check: no package $deb" >&2; exit 2; }

work=$(mktemp -d /var/tmp/algoadmin-deb-check.XXXXXX)
trap 'bash "$top/packaging/fresh-root.sh" remove "$work"' EXIT
echo "deb-check: making a fresh Debian 12 root…" >&2
bash "$top/packaging/fresh-root.sh" create "$work" "$deb"
bash "$top/packaging/fresh-root.sh" run "$work" "$(
    cat <<EOF
step() { echo "deb-check: \$*" >&2; }
export DEBIAN_FRONTEND=noninteractive
step "apt-get install ./$(basename "$deb") (and xvfb for the window)"
apt-get update -qq
apt-get install -y -qq /src/$(basename "$deb") xvfb xauth >/tmp/apt.log 2>&1 ||
    { tail -30 /tmp/apt.log; exit 1; }
for file in /usr/bin/algoadmin /usr/share/applications/algoadmin.desktop \
    /usr/share/icons/hicolor/48x48/apps/algoadmin.png \
    /usr/share/icons/hicolor/scalable/apps/algoadmin.svg \
    /usr/share/metainfo/*.metainfo.xml /usr/share/man/man1/algoadmin.1.gz \
    /usr/share/bash-completion/completions/algoadmin /usr/share/doc/algoadmin/copyright; do
    [[ -s \$file ]] || { echo "deb-check: the package did not install \$file" >&2; exit 1; }
done
dpkg -s postgresql >/dev/null 2>&1 || { echo "deb-check: postgresql (recommended) not installed" >&2; exit 1; }

step "a normal user runs it"
useradd --create-home --shell /bin/bash alice
as_alice() { runuser -u alice -- env -i HOME=/home/alice LANG=C.UTF-8 PATH=/usr/bin:/bin "\$@"; }
cd /home/alice
as_alice algoadmin --version
as_alice algoadmin local start
url=\$(as_alice algoadmin local url)
as_alice algoadmin migrate -d "\$url"
as_alice algoadmin seed-demo -d "\$url" --changelog-rows 500 --metric-rows 5000
as_alice xvfb-run -a algoadmin --local --screenshot /home/alice/shot.png --panel agents
head -c 8 /home/alice/shot.png | od -An -c | grep -q 'P   N   G' ||
    { echo "deb-check: the window's screenshot is no PNG" >&2; exit 1; }
cp /home/alice/shot.png /src/shot.png
as_alice algoadmin local stop

step "apt-get remove algoadmin"
apt-get remove -y -qq algoadmin >/dev/null
[[ ! -e /usr/bin/algoadmin ]] || { echo "deb-check: /usr/bin/algoadmin is still there" >&2; exit 1; }
step "all good"
EOF
)"
if [[ -n "$shot" ]]; then
    cp "$work/root/src/shot.png" "$shot"
    echo "deb-check: the window as the new user saw it: $shot" >&2
fi
