// Connection bookkeeping between elements of one pipeline, as Kurento's MediaElementImpl keeps it.
#include "server/kurento/media_element.hpp"

#include <algorithm>

namespace medley::server::kurento {
namespace {

constexpr MediaKind kAllKinds[] = {MediaKind::kAudio, MediaKind::kVideo, MediaKind::kData};

std::string string_param(const Json& params, const char* name) {
  if (!params.is_object()) return {};
  auto it = params.find(name);
  return it != params.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool same(const ElementConnection& a, const ElementConnection& b) {
  return a.source_id == b.source_id && a.sink_id == b.sink_id && a.kind == b.kind &&
         a.source_description == b.source_description && a.sink_description == b.sink_description;
}

}  // namespace

std::string_view media_kind_name(MediaKind kind) {
  switch (kind) {
    case MediaKind::kAudio: return "AUDIO";
    case MediaKind::kVideo: return "VIDEO";
    case MediaKind::kData: return "DATA";
  }
  return "AUDIO";
}

std::optional<MediaKind> parse_media_kind(std::string_view name) {
  for (MediaKind k : kAllKinds) {
    if (media_kind_name(k) == name) return k;
  }
  return std::nullopt;
}

std::vector<ElementConnection> MediaElement::sink_connections() const {
  std::lock_guard lock(connections_mutex_);
  return sinks_;
}

std::vector<ElementConnection> MediaElement::source_connections() const {
  std::lock_guard lock(connections_mutex_);
  return sources_;
}

Json MediaElement::connection_json(const ElementConnection& c) {
  return with_type_marker({{"source", c.source_id},
                           {"sink", c.sink_id},
                           {"type", std::string(media_kind_name(c.kind))},
                           {"sourceDescription", c.source_description},
                           {"sinkDescription", c.sink_description}},
                          "ElementConnectionData");
}

std::optional<InvokeResult> MediaElement::invoke_own(const std::string& operation, const Json& params) {
  if (operation == "connect") return connect(params);
  if (operation == "disconnect") return disconnect(params);
  if (operation == "getSinkConnections" || operation == "getSourceConnections") {
    std::optional<MediaKind> kind;
    std::string kind_name = string_param(params, "mediaType");
    if (!kind_name.empty() && !(kind = parse_media_kind(kind_name))) {
      return InvokeResult(KurentoError{code::kMarshallError, "Invalid MediaType '" + kind_name + "'"});
    }
    std::string description = string_param(params, "description");
    bool sinks = operation == "getSinkConnections";
    Json out = Json::array();
    for (const auto& c : sinks ? sink_connections() : source_connections()) {
      if (kind && c.kind != *kind) continue;
      const std::string& d = sinks ? c.source_description : c.sink_description;
      if (!description.empty() && d != description) continue;
      out.push_back(connection_json(c));
    }
    return InvokeResult(std::move(out));
  }
  // No media flows through the bookkeeping alone; the media layer overrides these with its real state.
  if (operation == "isMediaFlowingIn" || operation == "isMediaFlowingOut" || operation == "isMediaTranscoding") {
    return InvokeResult(Json(false));
  }
  if (operation == "getStats") return InvokeResult(Json::object());
  if (operation == "getGstreamerDot") {
    std::string dot = "digraph \"" + id() + "\" {\n  label=\"" + api_type().name + "\";\n}\n";
    return InvokeResult(Json(dot));
  }
  if (operation == "dumpGstreamerDot") return InvokeResult(Json(nullptr));
  return std::nullopt;
}

InvokeResult MediaElement::connect(const Json& params) {
  std::string sink_id = params.at("sink").get<std::string>();
  auto sink_object = host().find_object(sink_id);
  if (!sink_object) return KurentoError{code::kObjectNotFound, "Object '" + sink_id + "' not found"};
  auto sink = std::dynamic_pointer_cast<MediaElement>(sink_object);
  if (!sink) return KurentoError{code::kMarshallError, "'sink' is not a MediaElement"};
  if (sink->media_pipeline() != media_pipeline()) {
    return KurentoError{code::kConnectError, "Cannot connect elements of different pipelines"};
  }
  std::vector<MediaKind> kinds;
  std::string kind_name = string_param(params, "mediaType");
  if (kind_name.empty()) {
    kinds.assign(std::begin(kAllKinds), std::end(kAllKinds));
  } else if (auto k = parse_media_kind(kind_name)) {
    kinds.push_back(*k);
  } else {
    return KurentoError{code::kMarshallError, "Invalid MediaType '" + kind_name + "'"};
  }
  auto self = std::static_pointer_cast<MediaElement>(shared_from_this());
  for (MediaKind kind : kinds) {
    ElementConnection c{self, sink, id(), sink->id(), kind, string_param(params, "sourceMediaDescription"),
                        string_param(params, "sinkMediaDescription")};
    // A sink takes one source per media type and description: a new source replaces the old one (Kurento does).
    std::optional<ElementConnection> replaced;
    {
      std::lock_guard lock(sink->connections_mutex_);
      for (const auto& existing : sink->sources_) {
        if (existing.kind == kind && existing.sink_description == c.sink_description) replaced = existing;
      }
    }
    if (replaced && same(*replaced, c)) continue;
    if (replaced) {
      if (auto old_source = replaced->source.lock()) old_source->disconnect_one(*replaced);
    }
    if (auto refused = on_connect(*sink, kind)) return *refused;
    {
      std::lock_guard lock(connections_mutex_);
      sinks_.push_back(c);
    }
    {
      std::lock_guard lock(sink->connections_mutex_);
      sink->sources_.push_back(c);
    }
    emit("ElementConnected", {{"sink", c.sink_id},
                              {"mediaType", std::string(media_kind_name(kind))},
                              {"sourceMediaDescription", c.source_description},
                              {"sinkMediaDescription", c.sink_description}});
  }
  return Json(nullptr);
}

InvokeResult MediaElement::disconnect(const Json& params) {
  std::string sink_id = params.at("sink").get<std::string>();
  std::optional<MediaKind> kind;
  std::string kind_name = string_param(params, "mediaType");
  if (!kind_name.empty() && !(kind = parse_media_kind(kind_name))) {
    return KurentoError{code::kMarshallError, "Invalid MediaType '" + kind_name + "'"};
  }
  if (!host().find_object(sink_id)) return KurentoError{code::kObjectNotFound, "Object '" + sink_id + "' not found"};
  std::string src_desc = string_param(params, "sourceMediaDescription");
  std::string sink_desc = string_param(params, "sinkMediaDescription");
  for (const auto& c : sink_connections()) {
    if (c.sink_id != sink_id || (kind && c.kind != *kind)) continue;
    if (!src_desc.empty() && c.source_description != src_desc) continue;
    if (!sink_desc.empty() && c.sink_description != sink_desc) continue;
    disconnect_one(c);
  }
  return Json(nullptr);
}

// Runs on the source side of `c`.
void MediaElement::disconnect_one(const ElementConnection& c) {
  auto sink = c.sink.lock();
  if (sink) on_disconnect(*sink, c.kind);
  {
    std::lock_guard lock(connections_mutex_);
    std::erase_if(sinks_, [&](const ElementConnection& x) { return same(x, c); });
  }
  if (sink) {
    std::lock_guard lock(sink->connections_mutex_);
    std::erase_if(sink->sources_, [&](const ElementConnection& x) { return same(x, c); });
  }
  emit("ElementDisconnected", {{"sink", c.sink_id},
                               {"mediaType", std::string(media_kind_name(c.kind))},
                               {"sourceMediaDescription", c.source_description},
                               {"sinkMediaDescription", c.sink_description}});
}

void MediaElement::on_release() {
  // Peers forget a released element; no events, the element is gone.
  std::vector<ElementConnection> sinks;
  std::vector<ElementConnection> sources;
  {
    std::lock_guard lock(connections_mutex_);
    sinks.swap(sinks_);
    sources.swap(sources_);
  }
  for (const auto& c : sinks) {
    if (auto sink = c.sink.lock(); sink && sink.get() != this) {
      std::lock_guard lock(sink->connections_mutex_);
      std::erase_if(sink->sources_, [&](const ElementConnection& x) { return same(x, c); });
    }
  }
  for (const auto& c : sources) {
    if (auto source = c.source.lock(); source && source.get() != this) {
      std::lock_guard lock(source->connections_mutex_);
      std::erase_if(source->sinks_, [&](const ElementConnection& x) { return same(x, c); });
    }
  }
}

}  // namespace medley::server::kurento
