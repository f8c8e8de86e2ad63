// Pipeline: Kurento's MediaPipeline with the strand its elements' media runs on (DESIGN.md rule 2: one strand per
// pipeline, so a packet crosses every element of the pipeline without a lock or a thread hop).
#pragma once

#include "server/kurento/builtin_objects.hpp"
#include "server/media/webrtc_session.hpp"

namespace medley::server::elements {

class Pipeline : public kurento::MediaPipeline {
 public:
  Pipeline(kurento::ObjectInit init, media::Strand strand)
      : kurento::MediaPipeline(std::move(init)), strand_(std::move(strand)) {}
  const media::Strand& strand() const { return strand_; }

 private:
  media::Strand strand_;
};

}  // namespace medley::server::elements
