// MediaNode: Kurento connections wired to routers (and data sessions).
#include "server/elements/media_node.hpp"

namespace medley::server::elements {
namespace {
media::WebRtcSession::Kind to_kind(kurento::MediaKind k) {
  return k == kurento::MediaKind::kAudio ? media::WebRtcSession::Kind::Audio : media::WebRtcSession::Kind::Video;
}
}  // namespace

std::optional<kurento::KurentoError> MediaNode::on_connect(kurento::MediaElement& sink, kurento::MediaKind kind) {
  auto* node = dynamic_cast<MediaNode*>(&sink);
  if (!node) return std::nullopt;
  if (kind == kurento::MediaKind::kData) {
    auto from = data_session();
    auto to = node->data_session();
    if (from && to) from->add_data_sink(to);
    return std::nullopt;
  }
  node->set_input(to_kind(kind), output(to_kind(kind)));
  return std::nullopt;
}

void MediaNode::on_disconnect(kurento::MediaElement& sink, kurento::MediaKind kind) {
  auto* node = dynamic_cast<MediaNode*>(&sink);
  if (!node) return;
  if (kind == kurento::MediaKind::kData) {
    auto from = data_session();
    auto to = node->data_session();
    if (from && to) from->remove_data_sink(to.get());
    return;
  }
  node->set_input(to_kind(kind), nullptr);
}

}  // namespace medley::server::elements
