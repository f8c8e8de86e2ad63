// The RTCP common header (RFC 3550 §6.4.1), the view of one packet inside a compound, and header writing helpers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "rtp/base/bytes.hpp"
#include "rtp/ids.hpp"

namespace medley::rtp::rtcp {

// RTCP packet types (RFC 3550 §12.1, RFC 4585 §6.1, RFC 3611).
enum class PacketType : uint8_t {
  kSr = 200,
  kRr = 201,
  kSdes = 202,
  kBye = 203,
  kApp = 204,
  kRtpfb = 205,  // transport-layer feedback
  kPsfb = 206,   // payload-specific feedback
  kXr = 207,
};

// FMT values inside RTPFB (RFC 4585 §6.2, draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).
inline constexpr uint8_t kFmtNack = 1;
inline constexpr uint8_t kFmtTwcc = 15;
// FMT values inside PSFB (RFC 4585 §6.3, RFC 5104 §4.3, draft-alvestrand-rmcat-remb §2.2: AFB).
inline constexpr uint8_t kFmtPli = 1;
inline constexpr uint8_t kFmtFir = 4;
inline constexpr uint8_t kFmtAfb = 15;

inline constexpr size_t kHeaderSize = 4;
// Sender SSRC + media source SSRC that open every RTPFB/PSFB payload (RFC 4585 §6.1).
inline constexpr size_t kFeedbackHeaderSize = 8;
// The 5-bit count field bounds report blocks, SDES chunks and BYE SSRCs per packet.
inline constexpr size_t kMaxCount = 31;
// The 16-bit length field counts 32-bit words minus one.
inline constexpr size_t kMaxPacketSize = (size_t{0xffff} + 1) * 4;

// One packet of a compound, validated for version and length; payload() excludes the header and any padding.
struct PacketView {
  uint8_t count = 0;  // RC / SC / FMT, 5 bits
  uint8_t type = 0;   // PT
  bool padding = false;
  base::Bytes data;     // the whole packet: header, payload, padding
  base::Bytes payload;  // after the 4-byte header, padding removed

  PacketType packet_type() const { return static_cast<PacketType>(type); }
  bool is(PacketType pt) const { return type == static_cast<uint8_t>(pt); }
  bool is(PacketType pt, uint8_t fmt) const { return is(pt) && count == fmt; }
};

// The two SSRCs every feedback message starts with; nullopt if the payload is shorter than 8 bytes.
struct FeedbackHeader {
  Ssrc sender;
  Ssrc media;
  static std::optional<FeedbackHeader> parse(base::Bytes payload);
};

// Writing: begin_packet() writes V=2, P=0, count and PT and reserves the length; end_packet() zero-pads the body to a
// 32-bit boundary and patches the length. Both report failure through w.ok(); end_packet() also fails when the
// packet outgrows the 16-bit length field.
size_t begin_packet(base::ByteWriter& w, uint8_t count, PacketType pt);
bool end_packet(base::ByteWriter& w, size_t start);
void write_feedback_header(base::ByteWriter& w, Ssrc sender, Ssrc media);

}  // namespace medley::rtp::rtcp
