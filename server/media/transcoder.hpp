// VideoTranscoder: the transcoding branch of one source for one output codec (issue 6): a sink on the source's
// router that reassembles frames (jitter buffer), decodes, encodes the target codec and publishes the packets into
// a router of its own, shared by every sink that needs that codec. It works only while that router has sinks;
// keyframe requests from them force an encoder keyframe; a decoder error asks the source for one (no corrupt
// pictures go out); the encoder's bitrate follows the lowest estimate of its sinks.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

#include "codec/audio_codec.hpp"
#include "codec/resampler.hpp"
#include "codec/video_codec.hpp"
#include "codec/video_frame.hpp"
#include "rtp/jitter_buffer.hpp"
#include "rtp/payload/payload.hpp"
#include "server/media/frame_publisher.hpp"
#include "server/media/router.hpp"

namespace medley::server::media {

struct TranscoderConfig {
  base::CodecId target = base::CodecId::H264;
  uint32_t initial_bitrate_bps = 1'000'000;
  uint32_t min_bitrate_bps = 100'000;
  uint32_t max_bitrate_bps = 2'500'000;
  std::string h264_profile_level_id = "42e01f";
};

class VideoTranscoder : public PacketSink, public std::enable_shared_from_this<VideoTranscoder> {
 public:
  struct Stats {
    uint64_t frames_decoded = 0;
    uint64_t frames_encoded = 0;
    uint64_t decode_errors = 0;
  };

  VideoTranscoder(TranscoderConfig config, uint64_t seed);
  const std::shared_ptr<Router>& output() const { return output_; }

  void on_packet(const PublishedPacket& packet, base::Timestamp now) override;
  uint64_t bitrate_estimate() const override { return output_->min_sink_estimate(); }
  void request_keyframe() { keyframe_wanted_ = true; }
  Stats stats() const;

 private:
  void on_frame(base::EncodedFrame& frame, base::Timestamp now);

  TranscoderConfig config_;
  RtpFramePublisher publisher_;
  std::shared_ptr<Router> output_;  // the publisher's
  std::atomic<bool> keyframe_wanted_{true};
  base::CodecId source_codec_ = base::CodecId::Unknown;
  rtp::Ssrc source_ssrc_{0};
  const RtpSourceInfo* source_ = nullptr;
  std::unique_ptr<rtp::JitterBuffer> jitter_;
  rtp::SeqUnwrapper seq_;
  base::EncodedFrame in_;
  std::unique_ptr<codec::VideoDecoder> decoder_;
  std::unique_ptr<codec::VideoEncoder> encoder_;
  codec::VideoFrame picture_;
  base::EncodedFrame out_;
  uint32_t bitrate_ = 0;
  int refused_width_ = 0;
  int refused_height_ = 0;
  base::Timestamp last_rate_update_;
  base::Timestamp last_keyframe_request_;
  std::atomic<uint64_t> decoded_{0}, encoded_{0}, decode_errors_{0};
};

// Audio between Opus (48 kHz) and G.711 (PCMU/PCMA, 8 kHz) for peers that only take one of them: decode, resample,
// re-frame into 20 ms packets, encode, publish. Packets are decoded in arrival order (audio frames are whole
// packets; a late one is dropped rather than reordered).
class AudioTranscoder : public PacketSink {
 public:
  AudioTranscoder(base::CodecId target, uint64_t seed);
  const std::shared_ptr<Router>& output() const { return output_; }
  void on_packet(const PublishedPacket& packet, base::Timestamp now) override;
  uint64_t frames_encoded() const { return encoded_.load(std::memory_order_relaxed); }

 private:
  base::CodecId target_;
  int target_rate_;
  RtpFramePublisher publisher_;
  std::shared_ptr<Router> output_;  // the publisher's
  base::CodecId source_codec_ = base::CodecId::Unknown;
  const RtpSourceInfo* source_ = nullptr;
  std::unique_ptr<codec::AudioDecoder> decoder_;
  std::unique_ptr<codec::AudioEncoder> encoder_;
  std::optional<codec::Resampler> resampler_;
  codec::AudioFrame decoded_;
  std::vector<int16_t> mono_;
  std::vector<int16_t> resampled_;
  std::vector<int16_t> fifo_;  // target-rate mono samples waiting for a whole 20 ms frame
  codec::AudioFrame chunk_;
  base::EncodedFrame out_;
  int64_t last_seq_ = -1;
  rtp::SeqUnwrapper seq_in_;
  rtp::Ssrc source_ssrc_{0};
  bool have_in_ts_ = false;
  uint32_t expected_in_ts_ = 0;  // input timestamp the next packet should carry (the last one + its samples)
  uint32_t ts_out_ = 0;
  std::atomic<uint64_t> encoded_{0};
};

// The branch of `source` producing `target`, created on first use and shared afterwards (kept by the source).
std::shared_ptr<Router> transcoded_branch(Router& source, base::CodecId target, uint64_t seed);

}  // namespace medley::server::media
