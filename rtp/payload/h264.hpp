// H.264 over RTP (RFC 6184), packetization-mode 1: single NAL unit, STAP-A and FU-A; Annex B on the frame side.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "rtp/payload/payload.hpp"

namespace medley::rtp {

namespace h264 {
constexpr uint8_t kSlice = 1;
constexpr uint8_t kIdr = 5;
constexpr uint8_t kSei = 6;
constexpr uint8_t kSps = 7;
constexpr uint8_t kPps = 8;
constexpr uint8_t kAud = 9;
constexpr uint8_t kStapA = 24;
constexpr uint8_t kFuA = 28;
constexpr uint8_t kStartCode[4] = {0, 0, 0, 1};

// Splits an Annex B byte stream into NAL units (without start codes or trailing zero bytes), appending to out.
// False when the data does not begin with a start code or holds no NAL unit.
bool split_annex_b(base::Bytes stream, std::vector<base::Bytes>& out);
}  // namespace h264

// Depacketized frames hold every NAL unit behind a four-byte start code. An FU-A is reassembled in place in
// frame.data; a fragment without its start, or a start while one is open, fails the frame.
// inspect(): keyframe only on packets carrying IDR slice data (every FU-A fragment of one included), so an access
// unit's first packet, typically a STAP-A of SPS+PPS, says false while its size fields are set; append() sets
// frame.keyframe once any IDR data arrives. frame_start is true for any packet that can open an access unit
// (parameter sets, SEI, AUD, STAP-A led by one, or a slice with first_mb_in_slice 0), so the IDR's first FU-A after
// the SPS/PPS packet says true as well: frame boundaries need the RTP timestamp too.
class H264Depacketizer final : public Depacketizer {
 public:
  std::optional<PayloadInfo> inspect(base::Bytes payload) const override;
  bool append(base::Bytes payload, base::EncodedFrame& frame) override;
  void reset() override { in_fu_ = false; }

 private:
  bool in_fu_ = false;
  uint8_t fu_type_ = 0;
  size_t fu_nal_offset_ = 0;  // where the open FU-A's NAL header sits in frame.data
};

// Annex B frame in; a NAL that fits goes alone, or with following ones in a STAP-A while they fit together
// (SPS+PPS+IDR's small neighbours); a NAL too large goes as FU-A fragments of balanced size. Marker on the last.
class H264Packetizer final : public Packetizer {
 public:
  bool begin(const base::EncodedFrame& frame, size_t max_payload) override;
  std::optional<size_t> next(base::MutableBytes out, bool& marker) override;

 private:
  std::vector<base::Bytes> nals_;  // kept between frames for its capacity
  size_t max_payload_ = 0;
  size_t index_ = 0;         // next NAL to send
  size_t fu_offset_ = 0;     // bytes of nals_[index_] after its header already sent as FU-A; 0 = not started
  size_t fu_packets_left_ = 0;
};

}  // namespace medley::rtp
