// RTX wrap and unwrap (RFC 4588 §4).
#include "rtp/rtx.hpp"

#include <cstring>

#include "rtp/packet_rewrite.hpp"

namespace medley::rtp {
namespace {
constexpr size_t kOsnSize = 2;

// Copies the header with the padding bit cleared; the caller rewrites SSRC, PT and sequence number.
void copy_header(const RtpPacketView& p, uint8_t* out) {
  std::memcpy(out, p.data().data(), p.header_size());
  out[0] &= static_cast<uint8_t>(~0x20);
}
}  // namespace

std::optional<size_t> rtx_wrap(const RtpPacketView& original, Ssrc rtx_ssrc, PayloadType rtx_pt, uint16_t rtx_seq,
                               base::MutableBytes out) {
  const size_t header = original.header_size();
  const size_t total = header + kOsnSize + original.payload_size();
  if (out.size() < total) return std::nullopt;
  copy_header(original, out.data());
  base::store_be16(out.data() + header, original.sequence_number());
  if (original.payload_size() > 0) {
    std::memcpy(out.data() + header + kOsnSize, original.payload().data(), original.payload_size());
  }
  base::MutableBytes packet = out.first(total);
  rewrite_ssrc(packet, rtx_ssrc);
  rewrite_payload_type(packet, rtx_pt);
  rewrite_sequence_number(packet, rtx_seq);
  return total;
}

std::optional<size_t> rtx_unwrap(const RtpPacketView& rtx, Ssrc original_ssrc, PayloadType original_pt,
                                 base::MutableBytes out) {
  if (rtx.payload_size() < kOsnSize) return std::nullopt;
  const size_t header = rtx.header_size();
  const size_t media = rtx.payload_size() - kOsnSize;
  const size_t total = header + media;
  if (out.size() < total) return std::nullopt;
  const uint16_t osn = base::load_be16(rtx.payload().data());
  copy_header(rtx, out.data());
  if (media > 0) std::memcpy(out.data() + header, rtx.payload().data() + kOsnSize, media);
  base::MutableBytes packet = out.first(total);
  rewrite_ssrc(packet, original_ssrc);
  rewrite_payload_type(packet, original_pt);
  rewrite_sequence_number(packet, osn);
  return total;
}

}  // namespace medley::rtp
