// RtpFramePublisher: one produced stream (a file being played, a transcoder's output) turned from encoded frames into
// RTP packets (its own SSRC, sequence numbers and payload type) and published into its Router. The router is created
// here, described with that payload type and codec, so sinks map it onto their receivers' numbers.
#pragma once

#include <cstdint>
#include <memory>

#include "rtp/base/frame.hpp"
#include "rtp/payload/payload.hpp"
#include "server/media/router.hpp"

namespace medley::server::media {

class RtpFramePublisher {
 public:
  // codec Unknown: a router with no codec (nothing is ever published).
  RtpFramePublisher(base::CodecId codec, uint32_t clock_rate, uint64_t seed);

  const std::shared_ptr<Router>& router() const { return router_; }
  // Packetizes `frame` (a codec without a packetizer, G.711, goes as one payload) with this RTP timestamp and
  // publishes every packet; false when nothing could be sent.
  bool publish(const base::EncodedFrame& frame, uint32_t rtp_timestamp, base::Timestamp now);

 private:
  std::shared_ptr<Router> router_;
  std::unique_ptr<rtp::Packetizer> packetizer_;
  rtp::Ssrc ssrc_;
  uint16_t seq_ = 0;
  uint8_t pt_ = 0;
};

}  // namespace medley::server::media
