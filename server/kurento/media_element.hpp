// MediaElement: the connection bookkeeping every element shares (connect/disconnect per media type,
// getSourceConnections/getSinkConnections as ElementConnectionData, ElementConnected/ElementDisconnected events),
// with hooks through which the media layer wires the actual media.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/kurento/media_object.hpp"

namespace medley::server::kurento {

enum class MediaKind { kAudio, kVideo, kData };
std::string_view media_kind_name(MediaKind kind);  // "AUDIO", "VIDEO", "DATA"
std::optional<MediaKind> parse_media_kind(std::string_view name);

class MediaElement;

struct ElementConnection {
  std::weak_ptr<MediaElement> source;
  std::weak_ptr<MediaElement> sink;
  std::string source_id;
  std::string sink_id;
  MediaKind kind = MediaKind::kAudio;
  std::string source_description;
  std::string sink_description;
};

class MediaElement : public MediaObject {
 public:
  using MediaObject::MediaObject;

  std::vector<ElementConnection> sink_connections() const;    // this element is the source
  std::vector<ElementConnection> source_connections() const;  // this element is the sink

 protected:
  std::optional<InvokeResult> invoke_own(const std::string& operation, const Json& params) override;
  void on_release() override;

  // Media-layer hooks, called before the bookkeeping changes (on_connect may refuse) on the source element.
  virtual std::optional<KurentoError> on_connect(MediaElement& /*sink*/, MediaKind /*kind*/) { return std::nullopt; }
  virtual void on_disconnect(MediaElement& /*sink*/, MediaKind /*kind*/) {}

 private:
  InvokeResult connect(const Json& params);
  InvokeResult disconnect(const Json& params);
  void disconnect_one(const ElementConnection& c);
  static Json connection_json(const ElementConnection& c);

  mutable std::mutex connections_mutex_;  // a leaf lock, never held while calling out
  std::vector<ElementConnection> sinks_;
  std::vector<ElementConnection> sources_;
};

}  // namespace medley::server::kurento
