// VP9 over RTP (RFC 9628): payload descriptor and scalability structure parsing, depacketizer and a packetizer
// for non-flexible single-layer streams.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "rtp/payload/payload.hpp"

namespace medley::rtp {

// RFC 9628 section 4.2 payload descriptor (with the section 4.2.1 scalability structure when V is set).
struct Vp9Descriptor {
  static constexpr size_t kMaxSpatialLayers = 8;  // N_S is 3 bits

  bool inter_picture_predicted = false;  // P
  bool flexible = false;                 // F
  bool begin_of_frame = false;           // B
  bool end_of_frame = false;             // E
  bool not_scaled_reference = false;     // Z
  std::optional<uint16_t> picture_id;    // I: 7-bit or 15-bit (long_picture_id)
  bool long_picture_id = false;
  bool has_layer_indices = false;        // L
  uint8_t temporal_id = 0;               // TID
  bool switching_up = false;             // U
  uint8_t spatial_id = 0;                // SID
  bool inter_layer_predicted = false;    // D
  std::optional<uint8_t> tl0_pic_idx;    // non-flexible mode with L
  uint8_t num_p_diffs = 0;               // flexible mode with P: up to 3 reference differences
  std::array<uint8_t, 3> p_diff{};
  // Scalability structure (V).
  bool has_ss = false;
  uint8_t ss_spatial_layers = 0;         // N_S + 1
  bool ss_has_resolution = false;        // Y
  std::array<uint16_t, kMaxSpatialLayers> ss_width{};
  std::array<uint16_t, kMaxSpatialLayers> ss_height{};
  uint8_t ss_pictures_in_gof = 0;        // N_G, when G is set
  size_t size = 0;                       // descriptor bytes; the VP9 payload follows

  // std::nullopt when truncated, inconsistent (a fourth P_DIFF), or with no VP9 payload byte after it.
  static std::optional<Vp9Descriptor> parse(base::Bytes payload);
};

// The start of a VP9 uncompressed header (VP9 bitstream spec 6.2): frame type and, on keyframes, the frame size.
struct Vp9FrameHeader {
  bool keyframe = false;
  bool show_existing_frame = false;
  uint16_t width = 0;   // keyframes only, when the header is long enough
  uint16_t height = 0;
  static std::optional<Vp9FrameHeader> parse(base::Bytes frame);
};

// A frame holding several spatial layers (a superframe) reports the highest layer seen and its size from the
// last scalability structure, which (RFC 9628 4.2.1) stays in force until the next one.
class Vp9Depacketizer final : public Depacketizer {
 public:
  std::optional<PayloadInfo> inspect(base::Bytes payload) const override;
  bool append(base::Bytes payload, base::EncodedFrame& frame) override;
  void reset() override {}

 private:
  uint8_t ss_layers_ = 0;
  std::array<uint16_t, Vp9Descriptor::kMaxSpatialLayers> ss_width_{};
  std::array<uint16_t, Vp9Descriptor::kMaxSpatialLayers> ss_height_{};
};

// Non-flexible, single spatial and temporal layer (what we forward from our own encoder): I with a 15-bit picture
// id incrementing per frame, P on delta frames, B/E, and on keyframes V with an SS giving the resolution
// (from the frame, or else the keyframe's own header).
class Vp9Packetizer final : public Packetizer {
 public:
  static constexpr size_t kDescriptorSize = 3;  // flags + 15-bit picture id
  static constexpr size_t kSsSize = 5;          // N_S/Y/G byte + 16-bit width + 16-bit height
  explicit Vp9Packetizer(uint16_t first_picture_id = 0) : picture_id_(first_picture_id & 0x7fff) {}

  bool begin(const base::EncodedFrame& frame, size_t max_payload) override;
  std::optional<size_t> next(base::MutableBytes out, bool& marker) override;

  uint16_t picture_id() const { return picture_id_; }

 private:
  base::Bytes data_;
  size_t max_payload_ = 0;
  size_t offset_ = 0;
  size_t packets_left_ = 0;
  size_t first_extra_ = 0;  // SS bytes carried by the first payload
  bool keyframe_ = false;
  uint16_t width_ = 0;
  uint16_t height_ = 0;
  uint16_t picture_id_;
  bool started_ = false;
};

}  // namespace medley::rtp
