// RtpPacketWriter: serializes one RTP packet (RFC 3550 §5.1, RFC 8285 extensions) into a caller's buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>

#include "rtp/base/bytes.hpp"
#include "rtp/header_extensions.hpp"
#include "rtp/ids.hpp"

namespace medley::rtp {

// Use, in this order: header setters (any time), add_csrc(), extensions, then finish(payload, padding) — or
// payload_space() to let a packetizer write the payload in place and finish_in_place(n, padding).
// Allocates nothing. Any failure (no room, bad id, wrong order) is sticky and finish() returns std::nullopt.
// Extensions use the one-byte form while every id is 1-14 and every value 1-16 bytes; the first element that
// needs more switches the whole block to the two-byte form (RFC 8285 §4.3), rewriting what was written.
class RtpPacketWriter {
 public:
  explicit RtpPacketWriter(base::MutableBytes out);

  void set_marker(bool marker);
  void set_payload_type(PayloadType pt);
  void set_sequence_number(uint16_t seq);
  void set_timestamp(uint32_t ts);
  void set_ssrc(Ssrc ssrc);
  // Before any extension; at most 15.
  bool add_csrc(Ssrc csrc);

  // One element, copied now. id 1-255, value up to 255 bytes (0 only in the two-byte form).
  bool add_extension(uint8_t id, base::Bytes value);
  template <class Ext>
  bool add(uint8_t id, const typename Ext::Value& v) {
    const size_t n = Ext::size(v);
    if constexpr (std::is_same_v<typename Ext::Value, std::string_view>) {
      if (n == 0) return fail();  // an empty SDES item means nothing (RFC 8852 §3)
    }
    uint8_t* dst = begin_element(id, n);
    if (dst == nullptr) return false;
    Ext::write(dst, v);
    return true;
  }
  // As above with the id the session's map gives the type; false (and nothing written) when the type is unbound.
  template <class Ext>
  bool add(const ExtensionMap& map, const typename Ext::Value& v) {
    const uint8_t id = map.id_of(Ext::kType);
    return id != 0 && add<Ext>(id, v);
  }
  // A raw block of any profile (size a multiple of 4, e.g. one copied from a view), instead of elements.
  bool set_extension_block(uint16_t profile, base::Bytes block);

  // Closes the header and returns the room left for the payload (empty after a failure).
  base::MutableBytes payload_space();
  // Appends the payload and padding bytes (0 = none; otherwise 1-255, the count byte included) and sets P.
  std::optional<size_t> finish(base::Bytes payload, uint8_t padding = 0);
  // Same, for a payload already written at the start of payload_space().
  std::optional<size_t> finish_in_place(size_t payload_size, uint8_t padding = 0);

  bool ok() const { return !failed_; }

 private:
  uint8_t* begin_element(uint8_t id, size_t len);
  bool to_two_byte_form();
  bool close_header();
  bool fail() {
    failed_ = true;
    return false;
  }

  base::MutableBytes out_;
  size_t pos_ = 0;
  size_t ext_start_ = 0;  // offset of the block header (profile, length); 0 = no block yet
  size_t element_count_ = 0;
  bool two_byte_ = false;
  bool raw_block_ = false;
  bool header_closed_ = false;
  bool finished_ = false;
  bool failed_ = false;
};

}  // namespace medley::rtp
