// RtpPacketView: a validated, zero-copy view of one RTP packet (RFC 3550 §5.1) and its RFC 8285 extensions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "rtp/base/bytes.hpp"
#include "rtp/header_extensions.hpp"
#include "rtp/ids.hpp"

namespace medley::rtp {

// How the extension block is laid out.
enum class ExtensionForm : uint8_t {
  None,     // X bit clear
  OneByte,  // profile 0xBEDE (RFC 8285 §4.2)
  TwoByte,  // profile 0x100X (RFC 8285 §4.3)
  Other,    // another profile: the block is kept raw, no element access
};

struct ExtensionElement {
  uint8_t id = 0;
  base::Bytes value;
};

// Walks the elements of an RFC 8285 block in order, skipping padding; stops where parse() stopped
// (an id 15 in the one-byte form, or a one-byte id 0 with a non-zero length, ends the list as libwebrtc does).
class ExtensionElementReader {
 public:
  ExtensionElementReader() = default;
  ExtensionElementReader(base::Bytes block, ExtensionForm form) : block_(block), form_(form) {}
  std::optional<ExtensionElement> next();

 private:
  base::Bytes block_;
  size_t pos_ = 0;
  ExtensionForm form_ = ExtensionForm::None;
};

class RtpPacketView {
 public:
  static constexpr size_t kFixedHeaderSize = 12;
  static constexpr size_t kMaxCsrcs = 15;
  static constexpr uint16_t kOneByteProfile = 0xBEDE;
  static constexpr uint16_t kTwoByteProfile = 0x1000;  // low 4 bits are "appbits", any value accepted
  // Neither UDP nor RFC 4571 framing carries more; the bound keeps every offset in 16 bits.
  static constexpr size_t kMaxPacketSize = 65535;

  // Validates version 2, the CSRC list, the extension block (length, and for RFC 8285 profiles that every element
  // fits in it) and padding (count >= 1 and within the packet). The map only decides which elements the typed
  // getters find; it need not outlive the view. The view borrows the bytes: they must outlive it.
  static std::optional<RtpPacketView> parse(base::Bytes packet, const ExtensionMap& map);
  static std::optional<RtpPacketView> parse(base::Bytes packet);  // raw lookups only, no typed getters

  base::Bytes data() const { return {data_, size_}; }
  size_t size() const { return size_; }

  bool marker() const { return (data_[1] & 0x80) != 0; }
  PayloadType payload_type() const { return PayloadType(data_[1] & 0x7F); }
  uint16_t sequence_number() const { return base::load_be16(data_ + 2); }
  uint32_t timestamp() const { return base::load_be32(data_ + 4); }
  Ssrc ssrc() const { return Ssrc(base::load_be32(data_ + 8)); }

  size_t csrc_count() const { return data_[0] & 0x0F; }
  Ssrc csrc(size_t i) const { return Ssrc(base::load_be32(data_ + kFixedHeaderSize + 4 * i)); }  // i < count

  size_t header_size() const { return header_size_; }
  base::Bytes payload() const { return {data_ + header_size_, payload_size_}; }
  size_t payload_size() const { return payload_size_; }
  size_t padding_size() const { return padding_size_; }  // including the count byte; 0 when P is clear

  // The extension block. extension_block() is the data after the 4-byte block header (profile, length).
  ExtensionForm extension_form() const { return form_; }
  uint16_t extension_profile() const { return form_ == ExtensionForm::None ? 0 : base::load_be16(data_ + ext_at_ - 4); }
  base::Bytes extension_block() const { return {data_ + ext_at_, ext_size_}; }
  ExtensionElementReader extension_elements() const {
    return form_ == ExtensionForm::None ? ExtensionElementReader() : ExtensionElementReader(extension_block(), form_);
  }

  // The value of the first element with this id (walks the block; the typed path below does not).
  std::optional<base::Bytes> extension(uint8_t id) const;
  // The value of the first element whose id the map bound to type; O(1).
  std::optional<base::Bytes> extension(ExtensionType type) const {
    const Slot s = slots_[static_cast<size_t>(type)];
    if (s.offset == 0) return std::nullopt;
    return base::Bytes(data_ + s.offset, s.size);
  }
  // Offset of that value from the packet start, 0 when absent: for in-place rewriting of a copy of this packet.
  size_t extension_offset(ExtensionType type) const { return slots_[static_cast<size_t>(type)].offset; }

  template <class Ext>
  std::optional<typename Ext::Value> get() const {
    const Slot s = slots_[static_cast<size_t>(Ext::kType)];
    if (s.offset == 0) return std::nullopt;
    return Ext::parse(base::Bytes(data_ + s.offset, s.size));
  }
  std::optional<uint32_t> abs_send_time() const { return get<ext::AbsSendTime>(); }
  std::optional<uint16_t> transport_sequence_number() const { return get<ext::TransportSequenceNumber>(); }
  std::optional<std::string_view> mid() const { return get<ext::Mid>(); }
  std::optional<std::string_view> rid() const { return get<ext::Rid>(); }
  std::optional<std::string_view> repaired_rid() const { return get<ext::RepairedRid>(); }
  std::optional<AudioLevel> audio_level() const { return get<ext::AudioLevel>(); }
  std::optional<VideoOrientation> video_orientation() const { return get<ext::VideoOrientation>(); }
  std::optional<int32_t> transmission_offset() const { return get<ext::TransmissionOffset>(); }
  std::optional<AbsCaptureTime> abs_capture_time() const { return get<ext::AbsCaptureTime>(); }
  std::optional<PlayoutDelay> playout_delay() const { return get<ext::PlayoutDelay>(); }
  std::optional<uint8_t> video_content_type() const { return get<ext::VideoContentType>(); }
  std::optional<VideoTiming> video_timing() const { return get<ext::VideoTiming>(); }

 private:
  RtpPacketView() = default;
  bool init(base::Bytes packet, const ExtensionMap& map);
  template <bool TwoByte>
  static bool fill_slots(RtpPacketView& v, const uint8_t* block, size_t size, size_t block_at,
                         const ExtensionMap& map);

  struct Slot {
    uint16_t offset = 0;  // from the packet start; 0 = absent (no value can start inside the fixed header)
    uint8_t size = 0;
  };

  const uint8_t* data_ = nullptr;
  uint16_t size_ = 0;
  uint16_t header_size_ = 0;
  uint16_t payload_size_ = 0;
  uint16_t ext_at_ = 0;    // offset of the block data (after profile and length)
  uint16_t ext_size_ = 0;  // bytes of block data
  uint8_t padding_size_ = 0;
  ExtensionForm form_ = ExtensionForm::None;
  std::array<Slot, kExtensionTypeCount> slots_{};  // filled by parse()
};

}  // namespace medley::rtp
