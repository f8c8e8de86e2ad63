// WebRtcEndpoint: Kurento's WebRTC element. The control side (SDP offer/answer, trickle ICE, data channels,
// state queries, getStats) runs on the RPC thread and hands its decisions to a WebRtcSession on the pipeline's
// strand; the session's events come back as Kurento events.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "rtp/negotiation/generate_offer.hpp"
#include "server/elements/media_context.hpp"
#include "server/elements/media_node.hpp"
#include "server/kurento/media_object_factory.hpp"

namespace medley::server::elements {

class WebRtcEndpoint : public MediaNode {
 public:
  WebRtcEndpoint(kurento::ObjectInit init, std::shared_ptr<MediaContext> context, media::Strand strand);

  // After construction (needs shared_from_this for the session's events).
  void start();

  std::shared_ptr<media::Router> output(media::WebRtcSession::Kind kind) override;
  void set_input(media::WebRtcSession::Kind kind, std::shared_ptr<media::Router> source) override;
  std::shared_ptr<media::WebRtcSession> data_session() override { return session_; }

 protected:
  std::optional<kurento::InvokeResult> invoke_own(const std::string& operation, const kurento::Json& params) override;
  void on_release() override;

 private:
  kurento::InvokeResult process_offer(const kurento::Json& params);
  kurento::InvokeResult generate_offer(const kurento::Json& params);
  kurento::InvokeResult process_answer(const kurento::Json& params);
  kurento::InvokeResult add_ice_candidate(const kurento::Json& params);
  kurento::InvokeResult create_data_channel(const kurento::Json& params);
  kurento::Json stats(const kurento::Json& params) const;
  rtp::negotiation::TransportParams transport_params() const;

  std::shared_ptr<MediaContext> context_;
  media::Strand strand_;
  std::shared_ptr<media::WebRtcSession> session_;
  bool recvonly_ = false;
  bool sendonly_ = false;
  bool use_data_channels_ = false;

  std::mutex mutex_;  // a leaf lock: the SDP state below
  std::string local_sdp_;
  std::string remote_sdp_;
  std::optional<rtp::negotiation::OfferState> offer_;
  bool negotiated_ = false;
};

kurento::CreateResult create_webrtc_endpoint(kurento::ObjectInit init, const std::shared_ptr<MediaContext>& context);

}  // namespace medley::server::elements
