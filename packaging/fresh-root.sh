#!/usr/bin/env bash
# A fresh, minimal Debian 12 root (mmdebstrap --variant=apt: apt and nothing else: no compiler,
# no cmake, no sudo, no X libraries), for proving that the project sets itself up from nothing.
#
#   fresh-root.sh create DIR [FILE...]  make DIR/root, with the project's files (what git
#                                       tracks, plus new files it does not ignore: a clean clone
#                                       when run in one) in /src/algoadmin and FILEs in /src
#   fresh-root.sh run DIR COMMAND       run the bash COMMAND inside as root, in /src/algoadmin
#   fresh-root.sh remove DIR            remove DIR and everything in it
#
# `run` mounts /proc, /dev and /sys inside a mount and PID namespace of its own: the mounts are
# never visible outside it and vanish with it, and every process COMMAND started (a test
# cluster's server, Xvfb) is killed when COMMAND ends. `remove` still checks that nothing is
# mounted below DIR, unmounts what is, and deletes with --one-file-system, so that a mount left
# by anything else can never make it delete through to the host's /dev.
# Needs root (or sudo) and mmdebstrap (Debian: mmdebstrap).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

die() {
    echo "fresh-root: $*" >&2
    exit 1
}

as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        die "needs root (or sudo) to make and enter a root"
    fi
}

mounted_below() {
    # Mount points at or below $1, deepest first (so they can be unmounted in this order).
    findmnt -rn -o TARGET | awk -v dir="$1" 'index($0, dir "/") == 1 || $0 == dir' | sort -r
}

create() {
    local dir=$1
    shift
    bash "$top/packaging/install-deps.sh" --fresh-root
    [[ -e "$dir/root" ]] && die "$dir/root exists already"
    mkdir -p "$dir"
    # A network hiccup should cost a retry, not the run: apt retries each download, and the
    # whole bootstrap is tried three times.
    local attempt
    for attempt in 1 2 3; do
        if as_root mmdebstrap --quiet --variant=apt --aptopt='Acquire::Retries "5"' \
            bookworm "$dir/root"; then
            break
        fi
        as_root rm -rf --one-file-system "$dir/root"
        [[ $attempt -eq 3 ]] && die "mmdebstrap failed three times"
        echo "fresh-root: mmdebstrap failed (attempt $attempt), retrying in 10 s" >&2
        sleep 10
    done
    # apt inside retries too, whoever calls it.
    echo 'Acquire::Retries "5";' | as_root tee "$dir/root/etc/apt/apt.conf.d/80retries" >/dev/null
    as_root mkdir -p "$dir/root/src/algoadmin"
    bash "$top/packaging/source-files.sh" | (cd "$top" && tar --null -T - -cf -) |
        as_root tar -xf - -C "$dir/root/src/algoadmin"
    local file
    for file in "$@"; do
        as_root cp "$file" "$dir/root/src/"
    done
}

run() {
    local dir=$1 command=$2
    [[ -d "$dir/root/src/algoadmin" ]] || die "no root in $dir (fresh-root.sh create $dir first)"
    as_root unshare --mount --pid --fork --kill-child --propagation private -- bash -euc '
        root=$1
        mount --rbind /dev "$root/dev"
        # Its own /dev/shm, so that nothing a server leaves there reaches the host.
        mount -t tmpfs -o mode=1777,size=2g shm "$root/dev/shm"
        mount -t proc proc "$root/proc"
        mount --rbind /sys "$root/sys"
        exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" \
            PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            CI="${CI:-}" /bin/bash -euc "cd /src/algoadmin; $2"
    ' fresh-root "$dir/root" "$command"
}

remove() {
    local dir=$1 mount
    [[ -e "$dir" ]] || return 0
    dir=$(cd "$dir" && pwd -P)
    for mount in $(mounted_below "$dir"); do
        as_root umount -R "$mount" 2>/dev/null || as_root umount -l "$mount" || true
    done
    if [[ -n "$(mounted_below "$dir")" ]]; then
        die "still mounted below $dir, not removing it: $(mounted_below "$dir" | tr '\n' ' ')"
    fi
    as_root rm -rf --one-file-system "$dir"
}

case "${1:-}" in
create) [[ $# -ge 2 ]] || die "usage: fresh-root.sh create DIR [FILE...]"; shift; create "$@" ;;
run) [[ $# -eq 3 ]] || die "usage: fresh-root.sh run DIR COMMAND"; run "$2" "$3" ;;
remove) [[ $# -eq 2 ]] || die "usage: fresh-root.sh remove DIR"; remove "$2" ;;
*) die "usage: fresh-root.sh create|run|remove DIR …" ;;
esac
