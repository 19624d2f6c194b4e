// Result of a core operation: ok, or a stable code and a detail that names the field or the
// step (never a value from the gallery). The addon turns a failure into a JS error whose
// `code` the TypeScript wrapper maps onto the kiosk's error classes.
#pragma once
#include <string>
#include <utility>

namespace matcher {

struct Status {
  std::string code;  // empty when ok; otherwise E_FORMAT, E_IO, E_ARG, E_DUPLICATE, E_STATE
  std::string detail;
  bool ok() const { return code.empty(); }
  static Status Ok() { return {}; }
  static Status Error(std::string c, std::string d) { return {std::move(c), std::move(d)}; }
};

}  // namespace matcher
