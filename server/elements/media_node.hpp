// MediaNode: a MediaElement that carries media. Connecting two of them (Kurento's connect) hands the source's
// router for that media type to the sink, which feeds its output from it; DATA connections pass data-channel
// messages. Elements that are only bookkeeping (no media) are not MediaNodes and connect as before.
#pragma once

#include <memory>
#include <optional>

#include "server/kurento/media_element.hpp"
#include "server/media/router.hpp"
#include "server/media/webrtc_session.hpp"

namespace medley::server::elements {

class MediaNode : public kurento::MediaElement {
 public:
  using kurento::MediaElement::MediaElement;

  // What this element publishes for a kind (never null for a kind it can publish; null otherwise).
  virtual std::shared_ptr<media::Router> output(media::WebRtcSession::Kind kind) = 0;
  // What feeds this element's output of `kind` (null: disconnected).
  virtual void set_input(media::WebRtcSession::Kind kind, std::shared_ptr<media::Router> source) = 0;
  // Data channels: the session whose received messages this element sends (a WebRtcEndpoint), if any.
  virtual std::shared_ptr<media::WebRtcSession> data_session() { return nullptr; }

 protected:
  std::optional<kurento::KurentoError> on_connect(kurento::MediaElement& sink, kurento::MediaKind kind) override;
  void on_disconnect(kurento::MediaElement& sink, kurento::MediaKind kind) override;
};

}  // namespace medley::server::elements
