// VP8 over RTP (RFC 7741): payload descriptor parsing, keyframe/size detection, depacketizer and packetizer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "rtp/payload/payload.hpp"

namespace medley::rtp {

// RFC 7741 section 4.2 payload descriptor.
struct Vp8Descriptor {
  bool non_reference = false;    // N
  bool start_of_partition = false;  // S
  uint8_t partition_id = 0;      // PID
  std::optional<uint16_t> picture_id;  // I: 7-bit or 15-bit (long_picture_id)
  bool long_picture_id = false;  // M
  std::optional<uint8_t> tl0_pic_idx;  // L
  std::optional<uint8_t> temporal_id;  // T: TID
  bool layer_sync = false;       // Y (meaningful with T)
  std::optional<uint8_t> key_idx;  // K
  size_t size = 0;               // descriptor bytes; the VP8 payload follows

  // std::nullopt when truncated or when no VP8 payload byte follows the descriptor.
  static std::optional<Vp8Descriptor> parse(base::Bytes payload);
};

// RFC 7741 section 4.3 / RFC 6386 section 9.1: the frame tag (and on keyframes the start code and size) at the
// start of a VP8 frame. std::nullopt when too short for the tag (or a keyframe's start code is wrong).
struct Vp8FrameHeader {
  bool keyframe = false;
  uint16_t width = 0;   // keyframes only: 14-bit size; the 2 scaling bits are dropped
  uint16_t height = 0;
  static std::optional<Vp8FrameHeader> parse(base::Bytes frame);
};

class Vp8Depacketizer final : public Depacketizer {
 public:
  std::optional<PayloadInfo> inspect(base::Bytes payload) const override;
  bool append(base::Bytes payload, base::EncodedFrame& frame) override;
  void reset() override {}
};

// One partition-agnostic stream of payloads per frame, each with an X/I descriptor carrying a 15-bit PictureID
// that increments per frame; sizes balanced as libwebrtc does (the first packets take the smaller share).
class Vp8Packetizer final : public Packetizer {
 public:
  static constexpr size_t kDescriptorSize = 4;
  explicit Vp8Packetizer(uint16_t first_picture_id = 0) : picture_id_(first_picture_id & 0x7fff) {}

  bool begin(const base::EncodedFrame& frame, size_t max_payload) override;
  std::optional<size_t> next(base::MutableBytes out, bool& marker) override;

  uint16_t picture_id() const { return picture_id_; }  // of the frame begun last (or the next, before any)

 private:
  base::Bytes data_;
  size_t max_payload_ = 0;
  size_t offset_ = 0;
  size_t packets_left_ = 0;
  uint16_t picture_id_;
  bool started_ = false;  // a frame has been begun, so the next begin() moves to the next PictureID
};

}  // namespace medley::rtp
