#!/usr/bin/env bash
# The README's test command: runs the whole test suite on a fresh Debian machine with Node.js.
# It installs what the tests need and the machine lacks, then `npm ci` and `npm test`:
# - awscli: Debian's AWS CLI v2 checks the local endpoint's wire compatibility and builds the
#   hand-made setups the adoption and out-of-band tests start from (test/local-ssm, test/import, ...);
# - chromium: renders the timeline's HTML page headless (test/timeline/html-chromium.test.ts);
# - git: the watch controller's tests clone a local repository.
# .ci/run calls this same script.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/bin/aws ] || need+=(awscli)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v git >/dev/null || need+=(git)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null; then
    sudo=(sudo)
  else
    echo "error: the tests need the Debian packages ${need[*]}; install them as root (apt-get install -y ${need[*]}) and rerun" >&2
    exit 1
  fi
  echo "installing Debian packages the tests need: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
fi
/usr/bin/aws --version
/usr/bin/chromium --version

npm ci --no-audit --no-fund
npm test
