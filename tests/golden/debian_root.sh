# Shared by debian_sid_checks.sh and debian_cuda_compile_check.sh (sourced, not run): a debootstrapped
# Debian root of another suite on this machine, made once and reused, with the project copied in.
# The caller sets `base` (the folder for the root and its logs), `root` ($base/SUITE) and `phase`
# (a function that logs one line).

# make_debian_root SUITE COMPONENTS "PACKAGES" [FIXUP]: debootstraps $root and installs PACKAGES,
# unless $root/.ready says that was done. FIXUP, a shell command run in the root after a failed
# install, gets a second install its chance (the CUDA root needs one). Returns 1 after logging.
make_debian_root() {
    local suite=$1 components=$2 packages=$3 fixup=${4:-false} mirror install
    [ -f "$root/.ready" ] && return 0
    phase "making the Debian $suite root in $root (once)"
    command -v debootstrap > /dev/null || apt-get install -y -q debootstrap > /dev/null
    mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2> /dev/null)
    rm -rf "$root" && mkdir -p "$base"
    debootstrap --variant=minbase --components="$components" "$suite" "$root" "${mirror:-http://deb.debian.org/debian}" \
        > "$base/debootstrap.log" 2>&1 || { phase "debootstrap failed: $base/debootstrap.log"; return 1; }
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    # A mirror snapshot older than the machine's clock has an "expired" Release file.
    echo 'Acquire::Check-Valid-Until "false";' > "$root/etc/apt/apt.conf.d/99capsule-no-valid-until"
    install="DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(echo $packages)"
    chroot "$root" /bin/bash -c "apt-get update -qq && ($install || ($fixup && $install))" > "$base/install.log" 2>&1 ||
        { phase "installing the packages failed: $base/install.log"; return 1; }
    touch "$root/.ready"
}

# mount_and_copy_project PROJECT: /proc and /dev in the root, and the project's tracked and
# untracked-not-ignored files in $root/root/project. Only files whose content changed get a new
# time stamp there, so a rerun rebuilds exactly what changed.
mount_and_copy_project() {
    local project=$1 stage=$base/stage
    mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
    mountpoint -q "$root/dev" || mount --bind /dev "$root/dev"
    command -v rsync > /dev/null || apt-get install -y -q rsync > /dev/null
    rm -rf "$stage" && mkdir -p "$stage" "$root/root/project"
    (cd "$project" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) | tar -xf - -C "$stage"
    rsync -r --checksum --delete "$stage/" "$root/root/project/"
}
