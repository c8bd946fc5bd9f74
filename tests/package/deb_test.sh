#!/usr/bin/env bash
# The .deb as a sysadmin gets it:
#  - cpack builds it from the build tree; its control says cardd, the
#    project's version, shared-library Depends and the conffile;
#  - lintian reports no error (warnings are printed, not fatal);
#  - dpkg -i installs it: every file where Debian and systemd look, with its
#    mode, the same as in the source tree; the cardd user in dialout and
#    plugdev, the role groups, /etc/cardd 0750 root:cardd and /var/lib/cardd
#    0750 cardd:cardd; cardd, cardctl and card-termsim run from /usr/bin and
#    the completion loads; cardd --check-config accepts the installed
#    configuration;
#  - the installed cardd, started with the unit's user, groups and umask,
#    serves its socket and writes its store and master key 0600;
#  - dpkg --purge leaves no file of the package and no /etc/cardd, and keeps
#    /var/lib/cardd when it holds data (postrm: a purge does not destroy the
#    card centre's store and master key), removing it when empty; dpkg -r
#    keeps the conffile.
# It installs on this machine, so it needs root, refuses a machine that
# already has cardd installed or its directories, and puts the machine back
# as it found it (package, users, groups, directories) whether it passes or
# fails.
# Usage: deb_test.sh BUILD_DIR SOURCE_DIR VERSION
set -euo pipefail

build_dir=$(readlink -f "$1")
source_dir=$(readlink -f "$2")
version=$3

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

[ "$(id -u)" -eq 0 ] || fail "needs root: it installs the .deb with dpkg -i and purges it (make check runs as root)"
for tool in cpack dpkg dpkg-deb dpkg-shlibdeps lintian; do
    command -v "$tool" >/dev/null ||
        fail "$tool is not installed (Debian packages cmake, dpkg-dev and lintian; run make deps)"
done
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build_dir/CMakeCache.txt")
[ "$prefix" = /usr ] || fail "$build_dir is configured with CMAKE_INSTALL_PREFIX=$prefix: the package needs /usr (cmake -DCMAKE_INSTALL_PREFIX=/usr $build_dir)"
# installed, config-files, ... or not-installed (also when dpkg never heard of it).
package_state() {
    dpkg-query -W -f='${db:Status-Status}' cardd 2>/dev/null || echo not-installed
}
[ "$(package_state)" = not-installed ] ||
    fail "package cardd is $(package_state) on this machine; this test would replace and purge it"
for dir in /etc/cardd /var/lib/cardd /run/cardd; do
    [ ! -e "$dir" ] || fail "$dir exists on this machine; this test would take it over and remove it"
done

# What was here before, so that cleanup removes only what the test made.
accounts_before=()
for group in cardd cardd-admin cardd-issuer cardd-viewer dialout plugdev; do
    getent group "$group" >/dev/null && accounts_before+=("group:$group")
done
getent passwd cardd >/dev/null && accounts_before+=(user:cardd)
getent passwd cardd-console >/dev/null && accounts_before+=(user:cardd-console)
getent group cardd-console >/dev/null && accounts_before+=(group:cardd-console)
had() {
    local want=$1 item
    for item in "${accounts_before[@]}"; do [ "$item" = "$want" ] && return 0; done
    return 1
}

work=$(mktemp -d)
cleanup() {
    local status=$?
    if [ "$(package_state)" != not-installed ]; then
        dpkg --purge cardd >/dev/null 2>&1 || echo "cleanup: dpkg --purge cardd failed" >&2
    fi
    if [ -n "${cardd_pid:-}" ] && kill -0 "$cardd_pid" 2>/dev/null; then
        kill -KILL "$cardd_pid" 2>/dev/null || true
        wait "$cardd_pid" 2>/dev/null || true
    fi
    rm -rf /etc/cardd /var/lib/cardd /run/cardd
    # cardd-console first: it is a member of group cardd, which userdel cardd would keep.
    if ! had user:cardd-console && getent passwd cardd-console >/dev/null; then userdel cardd-console || true; fi
    if ! had user:cardd && getent passwd cardd >/dev/null; then userdel cardd || true; fi
    for group in cardd cardd-console cardd-admin cardd-issuer cardd-viewer dialout plugdev; do
        if ! had "group:$group" && getent group "$group" >/dev/null; then groupdel "$group" || true; fi
    done
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

echo "== cpack -G DEB"
(cd "$build_dir" && cpack -G DEB -B "$work/out") >"$work/cpack.log" 2>&1 ||
    fail "cpack failed: $(tail -20 "$work/cpack.log")"
mapfile -t debs < <(find "$work/out" -maxdepth 1 -name '*.deb')
[ ${#debs[@]} -eq 1 ] || fail "cpack made ${#debs[@]} .deb files, not one: ${debs[*]}"
deb=${debs[0]}
arch=$(dpkg --print-architecture)
[ "$(basename "$deb")" = "cardd_${version}-1_${arch}.deb" ] || fail "the package is $(basename "$deb"), not cardd_${version}-1_${arch}.deb"
echo "$(basename "$deb"), $(stat -c %s "$deb") bytes"

field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = cardd ] || fail "Package: $(field Package)"
[ "$(field Version)" = "${version}-1" ] || fail "Version: $(field Version), not ${version}-1"
depends=$(field Depends)
echo "Depends: $depends"
depends_names=$(tr ',|' '\n' <<<"$depends" | sed -E 's/^ *([^ ]+).*/\1/')
for lib in libc6 libstdc++6 libsqlite3-0 libmariadb3 libmodbus5 libusb-1.0-0 libsystemd0 libssl3; do
    grep -qxF "$lib" <<<"$depends_names" || fail "Depends: lacks $lib (is CPACK_DEBIAN_PACKAGE_SHLIBDEPS on?)"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -x -C "$work" ./conffiles ./postinst ./prerm ./postrm ||
    fail "the package lacks conffiles or a maintainer script"
[ "$(cat "$work/conffiles")" = "$(printf '/etc/cardd/cardd.conf\n/etc/cardd/console.conf')" ] ||
    fail "conffiles is '$(cat "$work/conffiles")', not /etc/cardd/cardd.conf and /etc/cardd/console.conf"
if dpkg-deb --contents "$deb" | grep -q ' \./usr/local/'; then fail "the package has files in /usr/local"; fi

echo "== lintian"
lintian_status=0
lintian --display-level '>=warning' --tag-display-limit 0 "$deb" >"$work/lintian.log" 2>&1 || lintian_status=$?
cat "$work/lintian.log"
if grep -q '^E: ' "$work/lintian.log"; then fail "lintian reports errors"; fi
# lintian exits non-zero on errors only (--fail-on error, its default); any
# other failure is lintian itself failing.
[ "$lintian_status" -eq 0 ] || fail "lintian exited $lintian_status"
echo "no errors, $(grep -c '^W: ' "$work/lintian.log" || true) warnings"

echo "== dpkg -i"
dpkg -i "$deb" >"$work/dpkg-i.log" 2>&1 || fail "dpkg -i failed: $(cat "$work/dpkg-i.log")"
cat "$work/dpkg-i.log"
# Where systemd does not run the maintainer scripts say what they changed
# (the user and groups made, the unit enabled) and nothing else: no error of
# a systemctl or udevadm that has nothing to talk to.
if [ ! -d /run/systemd/system ]; then
    noise=$(grep -Ev "^(Selecting previously unselected package|\(Reading database|Preparing to unpack|Unpacking|Setting up|Processing triggers for|Creating (group|user) '|Created symlink /etc/systemd/system/multi-user.target.wants/cardd.service )" "$work/dpkg-i.log" || true)
    [ -z "$noise" ] || fail "dpkg -i printed, without systemd running: $noise"
fi
dpkg-query -L cardd >"$work/files"
# The package's files, not its directories (nor /lib, a link to usr/lib).
while read -r path; do
    if [ -f "$path" ] && [ ! -L "$path" ]; then echo "$path"; fi
done <"$work/files" >"$work/regular-files"
[ "$(wc -l <"$work/regular-files")" -ge 20 ] || fail "dpkg -L cardd lists only $(wc -l <"$work/regular-files") files"

check() {  # check PATH MODE OWNER GROUP [SOURCE]
    local got
    got=$(stat -c '%a %U %G' "$1" 2>/dev/null) || fail "no $1"
    [ "$got" = "$2 $3 $4" ] || fail "$1 is mode, owner, group $got, not $2 $3 $4"
    if [ -n "${5:-}" ]; then cmp -s "$1" "$5" || fail "$1 differs from $5"; fi
    if [ -f "$1" ]; then grep -qx "$1" "$work/files" || fail "$1 is not in dpkg -L cardd"; fi
}
for program in cardd cardctl card-termsim cardd-console; do
    check /usr/bin/$program 755 root root
    if readelf -S /usr/bin/$program | grep -q '\.debug_info'; then fail "/usr/bin/$program is not stripped"; fi
done
check /etc/cardd/cardd.conf 640 root cardd "$source_dir/systemd/cardd.conf"
dpkg-query -W -f='${Conffiles}\n' cardd | grep -q '^ /etc/cardd/cardd.conf [0-9a-f]\{32\}$' ||
    fail "dpkg does not hold /etc/cardd/cardd.conf as a conffile"
check /etc/cardd 750 root cardd
check /var/lib/cardd 750 cardd cardd
check /lib/systemd/system/cardd.service 644 root root "$source_dir/systemd/cardd.service"
check /lib/systemd/system/cardd-console.service 644 root root "$source_dir/systemd/cardd-console.service"
check /etc/cardd/console.conf 644 root root "$source_dir/systemd/console.conf"
check /usr/lib/sysusers.d/cardd.conf 644 root root "$source_dir/systemd/cardd.sysusers"
check /usr/lib/tmpfiles.d/cardd.conf 644 root root "$source_dir/systemd/cardd.tmpfiles"
check /lib/udev/rules.d/60-cardd-encoder.rules 644 root root "$source_dir/systemd/60-cardd-encoder.rules"
check /usr/share/bash-completion/completions/cardctl 644 root root "$source_dir/tools/cardctl/completion.bash"
check /usr/share/doc/cardd/examples/cardd-encoder-blacklist.conf 644 root root "$source_dir/systemd/cardd-encoder-blacklist.conf"
check /usr/share/doc/cardd/copyright 644 root root "$source_dir/systemd/deb/copyright"
check /usr/share/doc/cardd/README.md 644 root root "$source_dir/README.md"
check /usr/share/doc/cardd/changelog.Debian.gz 644 root root
check /usr/share/lintian/overrides/cardd 644 root root "$source_dir/systemd/deb/lintian-overrides"
cmp -s <(gzip -dc /usr/share/doc/cardd/changelog.Debian.gz) "$source_dir/systemd/deb/changelog" ||
    fail "changelog.Debian.gz is not systemd/deb/changelog"
for doc in "$source_dir"/docs/*.md; do
    check "/usr/share/doc/cardd/docs/$(basename "$doc")" 644 root root "$doc"
done
for page in man8/cardd.8 man8/cardd-console.8 man5/cardd.conf.5 man1/cardctl.1 man1/card-termsim.1; do
    check "/usr/share/man/$page.gz" 644 root root
    cmp -s <(gzip -dc "/usr/share/man/$page.gz") "$build_dir/man/$page" || fail "/usr/share/man/$page.gz is not the built manual"
done
[ "$(man -w cardd.conf)" = /usr/share/man/man5/cardd.conf.5.gz ] || fail "man -w cardd.conf finds $(man -w cardd.conf)"
echo "$(wc -l <"$work/regular-files") files in place with their modes"

entry=$(getent passwd cardd) || fail "no user cardd after dpkg -i"
IFS=: read -r _ _ _ _ _ home shell <<<"$entry"
[ "$home" = /var/lib/cardd ] || fail "cardd's home is $home"
case "$shell" in */nologin) ;; *) fail "cardd's shell is $shell, not nologin" ;; esac
groups=$(id -nG cardd)
for group in cardd dialout plugdev; do
    grep -qw "$group" <<<"$groups" || fail "user cardd is not in group $group (groups: $groups)"
done
for group in cardd-admin cardd-issuer cardd-viewer; do
    getent group "$group" >/dev/null || fail "no group $group after dpkg -i"
done
entry=$(getent passwd cardd-console) || fail "no user cardd-console after dpkg -i"
IFS=: read -r _ _ _ _ _ _ shell <<<"$entry"
case "$shell" in */nologin) ;; *) fail "cardd-console's shell is $shell, not nologin" ;; esac
id -nG cardd-console | grep -qw cardd || fail "user cardd-console is not in group cardd: it cannot reach the socket"
echo "user cardd in $groups; role groups present; cardd-console in group cardd"

[ "$(/usr/bin/cardd --version)" = "cardd $version" ] || fail "/usr/bin/cardd --version says '$(/usr/bin/cardd --version 2>&1)'"
[ "$(/usr/bin/cardctl --version)" = "cardctl $version" ] || fail "/usr/bin/cardctl --version says '$(/usr/bin/cardctl --version 2>&1)'"
/usr/bin/card-termsim --help >/dev/null || fail "/usr/bin/card-termsim --help failed"
# As the unit's ExecStartPre runs it, on the installed default configuration.
checked=$(/usr/bin/cardd --config /etc/cardd/cardd.conf --check-config 2>&1) ||
    fail "cardd --check-config refuses the installed /etc/cardd/cardd.conf: $checked"
echo "$checked"
[ "$(bash -c 'source /usr/share/bash-completion/completions/cardctl && complete -p cardctl')" = "complete -F _cardctl cardctl" ] ||
    fail "the installed completion does not register for cardctl"
echo "cardd $version, cardctl $version and card-termsim run from /usr/bin"

# The installed cardd as its unit starts it: user and group cardd with their
# supplementary groups, UMask=0077, the state directory tmpfiles made, a
# runtime directory for the socket, the installed configuration. (systemd
# itself does not run here; tests/e2e's UnitOptions covers terminals and the
# encoder under the same options.)
echo "== the installed cardd under the unit's options"
install -d -o cardd -g cardd -m 0750 /run/cardd
(
    umask 0077
    exec setpriv --reuid=cardd --regid=cardd --init-groups --no-new-privs \
        /usr/bin/cardd --config /etc/cardd/cardd.conf
) >"$work/cardd.log" 2>&1 &
cardd_pid=$!
for _ in $(seq 100); do
    [ -S /run/cardd/cardd.sock ] && break
    kill -0 "$cardd_pid" 2>/dev/null || fail "the installed cardd stopped at start: $(cat "$work/cardd.log")"
    sleep 0.1
done
[ -S /run/cardd/cardd.sock ] || fail "the installed cardd made no socket in 10 s: $(cat "$work/cardd.log")"
status=$(/usr/bin/cardctl --socket /run/cardd/cardd.sock --json status) ||
    fail "cardctl status from the installed cardd failed: $status"
grep -q '"result": *0' <<<"$status" || fail "cardctl status answered: $status"
[ "$(stat -c %U "/proc/$cardd_pid")" = cardd ] || fail "cardd runs as $(stat -c %U "/proc/$cardd_pid"), not cardd"
for file in /var/lib/cardd/cardd.sqlite /var/lib/cardd/master.key; do
    [ "$(stat -c '%a %U %G' "$file")" = "600 cardd cardd" ] ||
        fail "$file is $(stat -c '%a %U %G' "$file"), not 600 cardd cardd"
done
kill -TERM "$cardd_pid"
wait "$cardd_pid" || fail "the installed cardd exited $? at SIGTERM: $(cat "$work/cardd.log")"
cardd_pid=
echo "the installed cardd served its socket as user cardd, its files 0600, and stopped cleanly"

# What a purge must take away: the package's files, its enable state, /etc/cardd.
leftovers() {
    local path
    while read -r path; do
        [ -e "$path" ] || [ -L "$path" ] && echo "$path"
    done <"$work/regular-files"
    for path in /etc/cardd /etc/systemd/system/multi-user.target.wants/cardd.service \
        /etc/systemd/system/cardd.service /var/lib/systemd/deb-systemd-helper-enabled/cardd.service.dsh-also \
        /var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/cardd.service \
        /var/lib/systemd/deb-systemd-helper-masked/cardd.service; do
        [ -e "$path" ] || [ -L "$path" ] && echo "$path"
    done
    return 0
}

echo "== dpkg --purge, with data in /var/lib/cardd"
echo "not a real store" >/var/lib/cardd/cardd.sqlite
chown cardd:cardd /var/lib/cardd/cardd.sqlite
dpkg --purge cardd >"$work/purge.log" 2>&1 || fail "dpkg --purge failed: $(cat "$work/purge.log")"
left=$(leftovers)
[ -z "$left" ] || fail "dpkg --purge left: $left"
[ -f /var/lib/cardd/cardd.sqlite ] || fail "dpkg --purge removed /var/lib/cardd with the store in it"
[ "$(package_state)" = not-installed ] || fail "cardd is $(package_state) after dpkg --purge"
rm -rf /var/lib/cardd
echo "no file of the package left; /var/lib/cardd and its store kept"

echo "== dpkg -i, dpkg -r, dpkg --purge"
dpkg -i "$deb" >"$work/dpkg-i.log" 2>&1 || fail "dpkg -i (again) failed: $(cat "$work/dpkg-i.log")"
dpkg -r cardd >"$work/remove.log" 2>&1 || fail "dpkg -r failed: $(cat "$work/remove.log")"
[ ! -e /usr/bin/cardd ] || fail "dpkg -r left /usr/bin/cardd"
[ -f /etc/cardd/cardd.conf ] || fail "dpkg -r removed the conffile /etc/cardd/cardd.conf"
dpkg --purge cardd >"$work/purge.log" 2>&1 || fail "dpkg --purge failed: $(cat "$work/purge.log")"
left=$(leftovers)
[ -z "$left" ] || fail "dpkg --purge after dpkg -r left: $left"
[ ! -e /var/lib/cardd ] || fail "dpkg --purge left an empty /var/lib/cardd"
echo "dpkg -r kept the conffile; the purge removed it, /etc/cardd and the empty /var/lib/cardd"
echo "PASS"
