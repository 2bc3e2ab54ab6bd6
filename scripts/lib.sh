# Shared by the scripts: find the Swift toolchain, and the repository root.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi
command -v swift >/dev/null 2>&1 || { echo "swift not found: install Swift 6 (expected at /opt/swift)" >&2; exit 1; }
# The agent's small static libcurl (scripts/build-curl), when built, comes before the system's.
if [ -f /opt/communewatch/curl/lib/pkgconfig/libcurl.pc ] && [[ ":${PKG_CONFIG_PATH:-}:" != *":/opt/communewatch/curl/lib/pkgconfig:"* ]]; then
    export PKG_CONFIG_PATH="/opt/communewatch/curl/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
fi
