// PassThrough: Kurento's element that forwards what it receives unchanged; here a router per media kind fed by a
// republishing sink on the upstream router (same strand, synchronous), keyframe requests passed back upstream.
#pragma once

#include <array>
#include <memory>

#include "server/elements/media_node.hpp"

namespace medley::server::elements {

class PassThrough : public MediaNode {
 public:
  PassThrough(kurento::ObjectInit init, media::Strand strand);

  std::shared_ptr<media::Router> output(media::WebRtcSession::Kind kind) override;
  void set_input(media::WebRtcSession::Kind kind, std::shared_ptr<media::Router> source) override;

 protected:
  void on_release() override;

 private:
  class Republisher;
  void rewire(size_t k, std::shared_ptr<media::Router> source);

  media::Strand strand_;  // the pipeline's: inputs change there, between packets, never under a keyframe request
  std::array<std::shared_ptr<media::Router>, 2> outputs_;
  std::array<std::shared_ptr<Republisher>, 2> republishers_;
  std::array<std::shared_ptr<media::Router>, 2> inputs_;  // strand only
};

}  // namespace medley::server::elements
