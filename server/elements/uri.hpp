// File URIs as Kurento's UriEndpoints take them.
#pragma once

#include <optional>
#include <string>

namespace medley::server::elements {

// "file:///abs/path" (RFC 8089; "file://localhost/abs/path" too) → "/abs/path", percent-escapes decoded; nullopt
// for any other scheme or a malformed path.
std::optional<std::string> file_path_of(const std::string& uri);

}  // namespace medley::server::elements
