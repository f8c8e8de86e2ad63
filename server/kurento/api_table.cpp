// Building and querying the Kurento API table; parameter checks against it.
#include "server/kurento/api_table.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace medley::server::kurento {

extern const std::string_view kKurentoApiJson;

namespace {

std::string_view unqualified(std::string_view name) {
  if (name.starts_with("kurento.")) name.remove_prefix(8);
  return name;
}

std::vector<ApiParam> read_params(const nlohmann::json& list) {
  std::vector<ApiParam> out;
  for (const auto& p : list) out.push_back({p.at("name"), p.at("type"), p.value("required", false)});
  return out;
}

enum class Kind { kString, kInteger, kNumber, kBoolean, kObject, kAny };

// Enum-like complex types travel as strings; struct-like ones as objects. Remote objects travel as id strings.
Kind kind_of(std::string_view type) {
  type = unqualified(type);
  if (type == "String") return Kind::kString;
  if (type == "int" || type == "Integer" || type == "int64") return Kind::kInteger;
  if (type == "float" || type == "double" || type == "Number") return Kind::kNumber;
  if (type == "boolean" || type == "Boolean") return Kind::kBoolean;
  if (const ApiType* t = ApiTable::kurento().find(type); t != nullptr) return Kind::kString;
  static constexpr std::string_view kEnums[] = {
      "MediaType", "MediaFlowState", "MediaState", "ConnectionState", "MediaTranscodingState", "UriEndpointState",
      "FilterType", "VideoCodec", "AudioCodec", "ServerType", "StatsType", "RTCDataChannelState",
      "RTCStatsIceCandidatePairState", "RTCStatsIceCandidateType", "GapsFixMethod", "IceComponentState",
      "MediaProfileSpecType", "CertificateKeyType", "DSCPValue", "CryptoSuite", "DtlsConnectionState"};
  if (std::find(std::begin(kEnums), std::end(kEnums), type) != std::end(kEnums)) return Kind::kString;
  if (!type.empty() && type.back() == ']') return Kind::kAny;
  return Kind::kObject;
}

bool matches(Kind kind, const nlohmann::json& v) {
  switch (kind) {
    case Kind::kString: return v.is_string();
    case Kind::kInteger: {
      if (v.is_number_integer()) return true;
      if (!v.is_number_float()) return false;
      double d = v.get<double>();
      return std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.0e18;
    }
    case Kind::kNumber: return v.is_number();
    case Kind::kBoolean: return v.is_boolean();
    case Kind::kObject: return v.is_object() || v.is_array();
    case Kind::kAny: return true;
  }
  return true;
}

}  // namespace

const ApiOperation* ApiType::find_operation(std::string_view op) const {
  for (const ApiType* t = this; t != nullptr; t = t->parent) {
    for (const auto& o : t->operations) {
      if (o.name == op) return &o;
    }
  }
  return nullptr;
}

bool ApiType::has_event(std::string_view event) const {
  return std::find(events.begin(), events.end(), event) != events.end();
}

bool ApiType::is_a(std::string_view type_name) const {
  type_name = unqualified(type_name);
  for (const ApiType* t = this; t != nullptr; t = t->parent) {
    if (t->name == type_name) return true;
  }
  return false;
}

std::vector<std::string> ApiType::hierarchy() const {
  std::vector<std::string> out;
  for (const ApiType* t = parent; t != nullptr; t = t->parent) out.push_back(t->qualified);
  return out;
}

std::optional<ApiTable> ApiTable::from_json(const nlohmann::json& doc) {
  try {
    ApiTable table;
    for (const auto& m : doc.at("modules")) {
      table.modules_.push_back({m.at("name"), m.at("version"), m.at("factories").get<std::vector<std::string>>()});
    }
    std::vector<std::string> parents;
    for (const auto& t : doc.at("types")) {
      ApiType type;
      type.name = t.at("name");
      type.qualified = "kurento." + type.name;
      type.module = t.at("module");
      type.abstract = t.at("abstract");
      type.constructor_params = read_params(t.at("constructorParams"));
      type.events = t.at("events").get<std::vector<std::string>>();
      for (const auto& o : t.at("operations")) {
        type.operations.push_back({o.at("name"), read_params(o.at("params")), o.value("returns", std::string())});
        if (type.operations.back().returns == "undefined") type.operations.back().returns.clear();
      }
      parents.push_back(t.at("parent").is_string() ? t.at("parent").get<std::string>() : std::string());
      table.types_.push_back(std::move(type));
    }
    for (auto& t : table.types_) table.by_name_[t.name] = &t;
    for (size_t i = 0; i < table.types_.size(); ++i) {
      if (parents[i].empty()) continue;
      auto it = table.by_name_.find(parents[i]);
      if (it == table.by_name_.end()) return std::nullopt;
      table.types_[i].parent = it->second;
    }
    return table;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

const ApiTable& ApiTable::kurento() {
  static const ApiTable table = [] {
    auto parsed = from_json(nlohmann::json::parse(kKurentoApiJson));
    assert(parsed.has_value());
    return std::move(*parsed);
  }();
  return table;
}

const ApiType* ApiTable::find(std::string_view name) const {
  auto it = by_name_.find(unqualified(name));
  return it == by_name_.end() ? nullptr : it->second;
}

std::optional<KurentoError> check_params(const std::vector<ApiParam>& params, const nlohmann::json& values) {
  for (const auto& p : params) {
    const nlohmann::json* v = nullptr;
    if (values.is_object()) {
      if (auto it = values.find(p.name); it != values.end() && !it->is_null()) v = &*it;
    }
    if (v == nullptr) {
      if (p.required) return KurentoError{code::kMarshallError, "'" + p.name + "' parameter is required"};
      continue;
    }
    if (!matches(kind_of(p.type), *v)) {
      return KurentoError{code::kMarshallError, "'" + p.name + "' parameter should be of type " + p.type};
    }
  }
  return std::nullopt;
}

}  // namespace medley::server::kurento
