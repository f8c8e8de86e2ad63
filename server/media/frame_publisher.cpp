// RtpFramePublisher: frames → RTP packets in shared pooled buffers → router.
#include "server/media/frame_publisher.hpp"

#include <random>

#include "rtp/packet_writer.hpp"
#include "server/media/shared_pool.hpp"

namespace medley::server::media {
namespace {

constexpr size_t kMaxPayload = 1100;  // leaves room for SRTP, extensions and a TURN header within 1200

// The payload types medley's own streams carry (static ones for G.711, RFC 3551).
uint8_t payload_type_for(base::CodecId c) {
  switch (c) {
    case base::CodecId::Vp8: return 96;
    case base::CodecId::Vp9: return 98;
    case base::CodecId::H264: return 102;
    case base::CodecId::Opus: return 111;
    case base::CodecId::Pcmu: return 0;
    case base::CodecId::Pcma: return 8;
    default: return 127;
  }
}

}  // namespace

RtpFramePublisher::RtpFramePublisher(base::CodecId codec, uint32_t clock_rate, uint64_t seed)
    : packetizer_(rtp::make_packetizer(codec)), pt_(payload_type_for(codec)) {
  std::mt19937_64 rng(seed);
  ssrc_ = rtp::Ssrc(static_cast<uint32_t>(rng()) | 1);
  seq_ = static_cast<uint16_t>(rng() & 0x3FFF);
  RtpSourceInfo info{base::kind_of(codec) == base::MediaKind::Audio ? MediaKind::Audio : MediaKind::Video,
                     clock_rate, {}, {}};
  if (codec != base::CodecId::Unknown) info.codecs.emplace_back(rtp::PayloadType(pt_), codec);
  router_ = std::make_shared<Router>(std::move(info));
}

bool RtpFramePublisher::publish(const base::EncodedFrame& frame, uint32_t rtp_timestamp, base::Timestamp now) {
  if (router_->info().codecs.empty() || frame.data.empty()) return false;
  if (packetizer_ && !packetizer_->begin(frame, kMaxPayload)) return false;
  if (!packetizer_ && frame.data.size() > kMaxPayload) return false;
  bool sent = false;
  for (bool done = false; !done;) {
    base::BufferRef buf = acquire_shared_buffer();
    rtp::RtpPacketWriter w(buf->writable());
    w.set_payload_type(rtp::PayloadType(pt_));
    w.set_sequence_number(seq_);
    w.set_timestamp(rtp_timestamp);
    w.set_ssrc(ssrc_);
    std::optional<size_t> size;
    if (packetizer_) {
      base::MutableBytes space = w.payload_space();
      if (space.size() < kMaxPayload) return sent;
      bool marker = false;
      auto n = packetizer_->next(space.first(kMaxPayload), marker);
      if (!n) return sent;
      w.set_marker(marker);
      size = w.finish_in_place(*n);
    } else {
      size = w.finish(base::Bytes(frame.data.data(), frame.data.size()));
      done = true;
    }
    if (!size) return sent;
    ++seq_;
    buf->resize(*size);
    auto view = rtp::RtpPacketView::parse(base::Bytes(buf->data(), *size), router_->info().extensions);
    if (!view) return sent;
    router_->publish(PublishedPacket{buf, *view, &router_->info(), now}, now);
    sent = true;
  }
  return sent;
}

}  // namespace medley::server::media
