// RtpPacketView: RTP header validation (RFC 3550 §5.1, §5.3.1) and RFC 8285 extension element walking.
#include "rtp/packet_view.hpp"

namespace medley::rtp {
namespace {

constexpr ExtensionMap kNoExtensions{};

enum class Step : uint8_t { Element, End, Broken };

// One step through an RFC 8285 element list: skips padding bytes, then yields the next element's id and value
// position. End when the list is over; Broken when an element does not fit in the block.
inline Step next_element(const uint8_t* p, size_t n, bool two_byte, size_t& pos, uint8_t& id, size_t& at,
                         size_t& len) {
  while (pos < n) {
    const uint8_t b = p[pos];
    if (b == 0) {  // padding between elements (RFC 8285 §4.1), either form
      ++pos;
      continue;
    }
    size_t value_at;
    size_t value_len;
    if (!two_byte) {
      const uint8_t eid = b >> 4;
      // §4.2: id 15 ends processing. An id 0 with a non-zero length is not padding; libwebrtc stops there too.
      if (eid == 15 || eid == 0) return Step::End;
      value_at = pos + 1;
      value_len = (b & 0x0F) + 1u;
    } else {
      if (pos + 2 > n) return Step::Broken;
      value_at = pos + 2;
      value_len = p[pos + 1];
    }
    if (value_at + value_len > n) return Step::Broken;
    id = two_byte ? b : static_cast<uint8_t>(b >> 4);
    at = value_at;
    len = value_len;
    pos = value_at + value_len;
    return Step::Element;
  }
  return Step::End;
}

}  // namespace

std::optional<ExtensionElement> ExtensionElementReader::next() {
  if (form_ != ExtensionForm::OneByte && form_ != ExtensionForm::TwoByte) return std::nullopt;
  uint8_t id = 0;
  size_t at = 0;
  size_t len = 0;
  if (next_element(block_.data(), block_.size(), form_ == ExtensionForm::TwoByte, pos_, id, at, len) !=
      Step::Element) {
    pos_ = block_.size();
    return std::nullopt;
  }
  return ExtensionElement{id, block_.subspan(at, len)};
}

std::optional<RtpPacketView> RtpPacketView::parse(base::Bytes packet) { return parse(packet, kNoExtensions); }

std::optional<RtpPacketView> RtpPacketView::parse(base::Bytes packet, const ExtensionMap& map) {
  const size_t size = packet.size();
  if (size < kFixedHeaderSize || size > kMaxPacketSize) return std::nullopt;
  const uint8_t* p = packet.data();
  const uint8_t b0 = p[0];
  if ((b0 >> 6) != 2) return std::nullopt;

  RtpPacketView v;
  v.data_ = p;
  v.size_ = static_cast<uint16_t>(size);
  v.slots_ = {};
  size_t header = kFixedHeaderSize + 4 * size_t{b0 & 0x0Fu};

  if (b0 & 0x10) {
    if (header + 4 > size) return std::nullopt;
    const uint16_t profile = base::load_be16(p + header);
    const size_t at = header + 4;
    const size_t block = size_t{base::load_be16(p + header + 2)} * 4;
    header = at + block;
    if (header > size) return std::nullopt;
    v.ext_at_ = static_cast<uint16_t>(at);
    v.ext_size_ = static_cast<uint16_t>(block);
    if (profile == kOneByteProfile) {
      v.form_ = ExtensionForm::OneByte;
    } else if ((profile & 0xFFF0) == kTwoByteProfile) {
      v.form_ = ExtensionForm::TwoByte;
    } else {
      v.form_ = ExtensionForm::Other;
    }
    if (v.form_ != ExtensionForm::Other) {
      const bool two_byte = v.form_ == ExtensionForm::TwoByte;
      const uint8_t* b = p + at;
      size_t pos = 0;
      uint8_t id = 0;
      size_t value_at = 0;
      size_t len = 0;
      for (;;) {
        const Step s = next_element(b, block, two_byte, pos, id, value_at, len);
        if (s == Step::End) break;
        if (s == Step::Broken) return std::nullopt;
        const ExtensionType type = map.type_of(id);
        Slot& slot = v.slots_[static_cast<size_t>(type)];
        if (type != ExtensionType::None && slot.offset == 0) {  // the first of duplicate ids wins, as in libwebrtc
          slot.offset = static_cast<uint16_t>(at + value_at);
          slot.size = static_cast<uint8_t>(len);
        }
      }
    }
  } else if (header > size) {
    return std::nullopt;
  }

  size_t padding = 0;
  if (b0 & 0x20) {
    // RFC 3550 §5.1: the last octet counts the padding, itself included.
    if (header == size) return std::nullopt;
    padding = p[size - 1];
    if (padding == 0 || padding > size - header) return std::nullopt;
  }
  v.header_size_ = static_cast<uint16_t>(header);
  v.padding_size_ = static_cast<uint8_t>(padding);
  v.payload_size_ = static_cast<uint16_t>(size - header - padding);
  return v;
}

std::optional<base::Bytes> RtpPacketView::extension(uint8_t id) const {
  ExtensionElementReader reader = extension_elements();
  while (auto e = reader.next()) {
    if (e->id == id) return e->value;
  }
  return std::nullopt;
}

}  // namespace medley::rtp
