// PassThrough: Kurento's element that forwards what it receives unchanged; here a router per media kind fed by a
// republishing sink on the upstream router (same strand, synchronous), keyframe requests passed back upstream.
#pragma once

#include <array>
#include <memory>

#include "server/elements/media_node.hpp"

namespace medley::server::elements {

class PassThrough : public MediaNode {
 public:
  explicit PassThrough(kurento::ObjectInit init);

  std::shared_ptr<media::Router> output(media::WebRtcSession::Kind kind) override;
  void set_input(media::WebRtcSession::Kind kind, std::shared_ptr<media::Router> source) override;

 protected:
  void on_release() override;

 private:
  class Republisher;
  std::array<std::shared_ptr<media::Router>, 2> outputs_;
  std::array<std::shared_ptr<Republisher>, 2> republishers_;
  std::mutex mutex_;  // guards inputs_ (control plane only)
  std::array<std::shared_ptr<media::Router>, 2> inputs_;
};

}  // namespace medley::server::elements
