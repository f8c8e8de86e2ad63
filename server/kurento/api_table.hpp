// The Kurento API surface as one table (types, hierarchy, constructor params, operations, events) that dispatch,
// describe and the tests all read; built once from the data extracted from Kurento's own client packages.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/kurento/kurento_error.hpp"

namespace medley::server::kurento {

struct ApiParam {
  std::string name;
  std::string type;  // as the client packages spell it: "String", "int", "boolean", "kurento.MediaPipeline", "MediaType"…
  bool required = false;
};

struct ApiOperation {
  std::string name;
  std::vector<ApiParam> params;
  std::string returns;  // empty for void
};

struct ApiType {
  std::string name;       // "WebRtcEndpoint"
  std::string qualified;  // "kurento.WebRtcEndpoint"
  std::string module;     // "core", "elements", "filters"
  const ApiType* parent = nullptr;
  bool abstract = false;
  std::vector<ApiParam> constructor_params;
  std::vector<std::string> events;        // every event the type accepts, inherited ones included
  std::vector<ApiOperation> operations;   // declared on this type only

  // Searches this type, then its ancestors.
  const ApiOperation* find_operation(std::string_view op) const;
  bool has_event(std::string_view event) const;
  bool is_a(std::string_view type_name) const;  // "MediaElement" or "kurento.MediaElement"
  // Qualified names of the ancestors, nearest first (what `describe` answers as hierarchy).
  std::vector<std::string> hierarchy() const;
};

struct ApiModule {
  std::string name;
  std::string version;
  std::vector<std::string> factories;
};

class ApiTable {
 public:
  // Kurento's surface (core, elements, filters 7.3.0), parsed once.
  static const ApiTable& kurento();

  // Accepts "PassThrough" or "kurento.PassThrough".
  const ApiType* find(std::string_view name) const;
  const std::vector<ApiModule>& modules() const { return modules_; }
  const std::deque<ApiType>& types() const { return types_; }

  // Built from the JSON shape extract_api.js writes; std::nullopt if it does not match.
  static std::optional<ApiTable> from_json(const nlohmann::json& doc);

 private:
  std::deque<ApiType> types_;  // deque: pointers stay valid while building
  std::map<std::string, const ApiType*, std::less<>> by_name_;
  std::vector<ApiModule> modules_;
};

// The checks the client packages leave to the server: required parameters present, values of the declared JSON
// kind (remote objects and enums travel as strings, complex types as objects). Kurento answers MARSHALL_ERROR.
std::optional<KurentoError> check_params(const std::vector<ApiParam>& params, const nlohmann::json& values);

}  // namespace medley::server::kurento
