// RecorderEndpoint: Kurento's recorder (file:// URIs, WEBM/MKV/MP4 profiles and their audio/video-only forms):
// record, pause, stop, stopAndWait, getState, getUri, with Recording/Paused/Stopped/UriEndpointStateChanged,
// MediaFlowIn and Error events, over a media::Recorder on the pipeline's strand.
#pragma once

#include <memory>

#include "server/elements/media_node.hpp"
#include "server/kurento/media_object_factory.hpp"
#include "server/media/recorder.hpp"

namespace medley::server::elements {

class RecorderEndpoint : public MediaNode {
 public:
  RecorderEndpoint(kurento::ObjectInit init, media::Strand strand, media::RecorderConfig config);
  void start();

  std::shared_ptr<media::Router> output(media::WebRtcSession::Kind) override { return nullptr; }  // a sink only
  void set_input(media::WebRtcSession::Kind kind, std::shared_ptr<media::Router> source) override;

 protected:
  std::optional<kurento::InvokeResult> invoke_own(const std::string& operation, const kurento::Json& params) override;
  void on_release() override;

 private:
  media::Strand strand_;
  media::RecorderConfig config_;
  std::shared_ptr<media::Recorder> recorder_;
};

kurento::CreateResult create_recorder_endpoint(kurento::ObjectInit init);

}  // namespace medley::server::elements
