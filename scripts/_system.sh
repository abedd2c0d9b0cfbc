# Sourced by scripts/_setup.sh: the Debian packages a feature needs, installed with apt-get
# when missing (the machine's own package manager; nothing is downloaded any other way).
#   fonts-noto-cjk  the CJK font embedded (subsetted) in the e-certificate PDFs (cert document)
#   poppler-utils   pdftoppm: the tests render the PDFs to check their QR codes at 150 dpi
#   chromium        the browser tests drive Debian's headless Chromium (never a browser download)
#   nodejs          node and npm for the independent credential verifier (tools/vc-verifier, npm ci)
# CERTLEDGER_SYSTEM_PACKAGES overrides the list (empty: install nothing).
system_packages() {
  local wanted=("$@") missing=()
  local p
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then sudo=(sudo -n); else
      echo "certledger needs these Debian packages, and installing them needs root: ${missing[*]}" >&2
      echo "  apt-get install ${missing[*]}" >&2
      return 2
    fi
  fi
  echo "installing Debian packages the project needs: ${missing[*]} (apt-get, once)" >&2
  # Two set-ups started at once (the demo and the tests, two clones) wait for each other's
  # apt-get instead of failing on its lock; each keeps its own log.
  local log lock=(-o DPkg::Lock::Timeout=900)
  log=$(mktemp /tmp/certledger-apt.XXXXXX.log)
  if ! { "${sudo[@]}" apt-get "${lock[@]}" update -q && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get "${lock[@]}" install -y -q --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "installing ${missing[*]} failed (log above)" >&2
    return 2
  fi
}
