// PlayerEndpoint: Kurento's file player (file:// WebM, MKV, MP4): play, pause, stop, getPosition, setPosition,
// getVideoInfo, EndOfStream and UriEndpointStateChanged, over a media::Player on the pipeline's strand. As in
// Kurento, a URI that cannot be played is reported by an Error event when play() is called.
#pragma once

#include <array>
#include <memory>
#include <string>

#include "server/elements/media_node.hpp"
#include "server/kurento/media_object_factory.hpp"
#include "server/media/player.hpp"

namespace medley::server::elements {

class PlayerEndpoint : public MediaNode {
 public:
  PlayerEndpoint(kurento::ObjectInit init, media::Strand strand, std::string path, uint64_t seed);
  // Opens the file (after construction: the player's events need the endpoint's weak reference).
  void start();

  std::shared_ptr<media::Router> output(media::WebRtcSession::Kind kind) override;
  void set_input(media::WebRtcSession::Kind, std::shared_ptr<media::Router>) override {}  // a source only

 protected:
  std::optional<kurento::InvokeResult> invoke_own(const std::string& operation, const kurento::Json& params) override;
  void on_release() override;

 private:
  media::Strand strand_;
  std::string path_;
  uint64_t seed_;
  std::shared_ptr<media::Player> player_;  // null when the file could not be opened
  std::string open_error_;
  std::array<std::shared_ptr<media::Router>, 2> idle_outputs_;  // what connections get when there is no file
};

kurento::CreateResult create_player_endpoint(kurento::ObjectInit init, uint64_t seed);

}  // namespace medley::server::elements
