// Plain byte types and a status type for the native core. The core has no Node-API
// dependency: the addon (../addon.cc) and the fuzz targets (../fuzz/) both call it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mrtd {

using Bytes = std::vector<uint8_t>;

// The outcome of a core call: ok, or a stable machine-readable code plus a short detail.
// Details never contain input bytes (keys, signatures and documents stay out of messages).
struct Status {
  std::string code;    // empty when ok, e.g. "ERR_MRTD_INVALID_POINT"
  std::string detail;  // human-readable, data-free
  bool ok() const { return code.empty(); }
  static Status Ok() { return {}; }
  static Status Fail(std::string c, std::string d) { return {std::move(c), std::move(d)}; }
};

}  // namespace mrtd
