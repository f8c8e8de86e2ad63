// File URIs.
#include "server/elements/uri.hpp"

#include <cctype>

namespace medley::server::elements {

std::optional<std::string> file_path_of(const std::string& uri) {
  std::string rest;
  if (uri.rfind("file://localhost/", 0) == 0) {
    rest = uri.substr(16);
  } else if (uri.rfind("file:///", 0) == 0) {
    rest = uri.substr(7);
  } else {
    return std::nullopt;
  }
  std::string out;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size() && std::isxdigit(static_cast<unsigned char>(rest[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(rest[i + 2]))) {
      out += static_cast<char>(std::stoi(rest.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += rest[i];
    }
  }
  if (out.empty() || out.find('\0') != std::string::npos) return std::nullopt;
  return out;
}

}  // namespace medley::server::elements
