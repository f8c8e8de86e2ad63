// RtpPacketView: RTP header validation (RFC 3550 §5.1, §5.3.1) and RFC 8285 extension element walking.
#include "rtp/packet_view.hpp"

namespace medley::rtp {
namespace {

constexpr ExtensionMap kNoExtensions{};

enum class Step : uint8_t { Element, End, Broken };

// One step through an RFC 8285 element list: skips padding bytes, then yields the next element's id and value
// position. End when the list is over; Broken when an element does not fit in the block.
template <bool TwoByte>
inline __attribute__((always_inline)) Step next_element(const uint8_t* p, size_t n, size_t& pos, uint8_t& id,
                                                        size_t& at, size_t& len) {
  while (pos < n) {
    const uint8_t b = p[pos];
    if (b == 0) {  // padding between elements (RFC 8285 §4.1), either form
      ++pos;
      continue;
    }
    size_t value_at;
    size_t value_len;
    if constexpr (!TwoByte) {
      // §4.2: id 15 ends processing. An id 0 with a non-zero length is not padding; libwebrtc stops there too.
      if (b >= 0xF0 || b < 0x10) return Step::End;
      id = static_cast<uint8_t>(b >> 4);
      value_at = pos + 1;
      value_len = (b & 0x0Fu) + 1;
    } else {
      if (pos + 2 > n) return Step::Broken;
      id = b;
      value_at = pos + 2;
      value_len = p[pos + 1];
    }
    if (value_at + value_len > n) return Step::Broken;
    at = value_at;
    len = value_len;
    pos = value_at + value_len;
    return Step::Element;
  }
  return Step::End;
}

inline Step next_element(ExtensionForm form, const uint8_t* p, size_t n, size_t& pos, uint8_t& id, size_t& at,
                         size_t& len) {
  return form == ExtensionForm::TwoByte ? next_element<true>(p, n, pos, id, at, len)
                                        : next_element<false>(p, n, pos, id, at, len);
}

}  // namespace

std::optional<ExtensionElement> ExtensionElementReader::next() {
  if (form_ != ExtensionForm::OneByte && form_ != ExtensionForm::TwoByte) return std::nullopt;
  uint8_t id = 0;
  size_t at = 0;
  size_t len = 0;
  if (next_element(form_, block_.data(), block_.size(), pos_, id, at, len) != Step::Element) {
    pos_ = block_.size();
    return std::nullopt;
  }
  return ExtensionElement{id, block_.subspan(at, len)};
}

std::optional<RtpPacketView> RtpPacketView::parse(base::Bytes packet) { return parse(packet, kNoExtensions); }

std::optional<RtpPacketView> RtpPacketView::parse(base::Bytes packet, const ExtensionMap& map) {
  // One named result on every path, so the view is built in the caller's slot rather than copied there.
  std::optional<RtpPacketView> out(RtpPacketView{});
  if (!out->init(packet, map)) out.reset();
  return out;
}

bool RtpPacketView::init(base::Bytes packet, const ExtensionMap& map) {
  const size_t size = packet.size();
  if (size < kFixedHeaderSize || size > kMaxPacketSize) return false;
  const uint8_t* p = packet.data();
  const uint8_t b0 = p[0];
  if ((b0 >> 6) != 2) return false;

  RtpPacketView& v = *this;
  v.data_ = p;
  v.size_ = static_cast<uint16_t>(size);
  size_t header = kFixedHeaderSize + 4 * size_t{b0 & 0x0Fu};

  if (b0 & 0x10) {
    if (header + 4 > size) return false;
    const uint16_t profile = base::load_be16(p + header);
    const size_t at = header + 4;
    const size_t block = size_t{base::load_be16(p + header + 2)} * 4;
    header = at + block;
    if (header > size) return false;
    v.ext_at_ = static_cast<uint16_t>(at);
    v.ext_size_ = static_cast<uint16_t>(block);
    if (profile == kOneByteProfile) {
      v.form_ = ExtensionForm::OneByte;
    } else if ((profile & 0xFFF0) == kTwoByteProfile) {
      v.form_ = ExtensionForm::TwoByte;
    } else {
      v.form_ = ExtensionForm::Other;
    }
    if (v.form_ == ExtensionForm::OneByte) {
      if (!fill_slots<false>(v, p + at, block, at, map)) return false;
    } else if (v.form_ == ExtensionForm::TwoByte) {
      if (!fill_slots<true>(v, p + at, block, at, map)) return false;
    }
  } else if (header > size) {
    return false;
  }

  size_t padding = 0;
  if (b0 & 0x20) {
    // RFC 3550 §5.1: the last octet counts the padding, itself included.
    if (header == size) return false;
    padding = p[size - 1];
    if (padding == 0 || padding > size - header) return false;
  }
  v.header_size_ = static_cast<uint16_t>(header);
  v.padding_size_ = static_cast<uint8_t>(padding);
  v.payload_size_ = static_cast<uint16_t>(size - header - padding);
  return true;
}

template <bool TwoByte>
bool RtpPacketView::fill_slots(RtpPacketView& v, const uint8_t* block, size_t size, size_t block_at,
                               const ExtensionMap& map) {
  size_t pos = 0;
  uint8_t id = 0;
  size_t at = 0;
  size_t len = 0;
  for (;;) {
    const Step s = next_element<TwoByte>(block, size, pos, id, at, len);
    if (s == Step::End) return true;
    if (s == Step::Broken) return false;
    const ExtensionType type = map.type_of(id);
    Slot& slot = v.slots_[static_cast<size_t>(type)];
    if (type != ExtensionType::None && slot.offset == 0) {  // the first of duplicate ids wins, as in libwebrtc
      slot.offset = static_cast<uint16_t>(block_at + at);
      slot.size = static_cast<uint8_t>(len);
    }
  }
}

std::optional<base::Bytes> RtpPacketView::extension(uint8_t id) const {
  ExtensionElementReader reader = extension_elements();
  while (auto e = reader.next()) {
    if (e->id == id) return e->value;
  }
  return std::nullopt;
}

}  // namespace medley::rtp
