// RTCP compound packets (RFC 3550 §6.1, RFC 5506 reduced size): a validating reader that yields raw or typed
// packets, and a writer that appends whole packets or nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <variant>

#include "rtp/base/bytes.hpp"
#include "rtp/rtcp/bye.hpp"
#include "rtp/rtcp/fir.hpp"
#include "rtp/rtcp/nack.hpp"
#include "rtp/rtcp/pli.hpp"
#include "rtp/rtcp/remb.hpp"
#include "rtp/rtcp/rtcp_header.hpp"
#include "rtp/rtcp/sdes.hpp"
#include "rtp/rtcp/sender_report.hpp"
#include "rtp/rtcp/twcc_feedback.hpp"

namespace medley::rtp::rtcp {

enum class ReadError : uint8_t {
  kNone,
  kTruncated,       // fewer than 4 bytes left, or the length field points past the end
  kBadVersion,      // V != 2
  kBadPadding,      // P set but the padding count is 0 or longer than the packet body
  kPaddingNotLast,  // P set on a packet that is not the last of the compound (RFC 3550 §6.4.1)
  kMalformed,       // a known packet type whose body fails its own parse
};

const char* to_string(ReadError e);

// A packet type this library does not decode (APP, XR, other feedback FMTs, non-REMB application feedback).
struct UnknownPacket {
  PacketView view;
};

using Packet = std::variant<SenderReportView, ReceiverReportView, SdesView, ByeView, NackView, TwccFeedbackView, PliView,
                            FirView, RembView, UnknownPacket>;

// Decodes one framed packet; nullopt when its type is known but its body is malformed.
std::optional<Packet> decode_packet(const PacketView& view);

struct ReadOptions {
  // RFC 3550 allows the P bit only on the last packet. libwebrtc writes padded TWCC feedback with P set and may
  // combine several feedback packets in one datagram, so a receiver facing it may need to relax this.
  bool padding_only_last = true;
};

// Iterates the packets of one compound datagram. Accepts any first packet (RFC 5506 reduced-size RTCP); does not
// insist on SR/RR first or an SDES CNAME (RFC 3550 §6.1), which are the sender's business. Stops at the first
// malformed packet with error() set; everything yielded before it stays valid (views into the datagram).
class CompoundReader {
 public:
  explicit CompoundReader(base::Bytes datagram, ReadOptions options = {}) : rest_(datagram), options_(options) {}

  // The next framed packet, or nullopt at the end (error() == kNone) or on an error.
  std::optional<PacketView> next_view();
  // The next packet decoded; unknown types come back as UnknownPacket and are counted, not errors.
  std::optional<Packet> next();

  ReadError error() const { return error_; }
  bool ok() const { return error_ == ReadError::kNone; }
  size_t offset() const { return offset_; }  // of the next packet, or of the bad one after an error
  size_t packet_count() const { return packets_; }
  size_t unknown_count() const { return unknown_; }

 private:
  base::Bytes rest_;
  ReadOptions options_;
  ReadError error_ = ReadError::kNone;
  size_t offset_ = 0;
  size_t packets_ = 0;
  size_t unknown_ = 0;
};

// Validates a whole datagram: true when every packet frames and decodes.
bool validate_compound(base::Bytes datagram, ReadOptions options = {});

// Appends packets to a caller buffer. Each append writes one packet through a sub-writer and keeps it only if it
// was written whole, so running out of room never leaves half a packet behind.
class CompoundWriter {
 public:
  explicit CompoundWriter(base::MutableBytes out) : out_(out) {}

  // write(base::ByteWriter&) -> bool writes one (or several) packets.
  template <class F>
  bool append(F&& write) {
    base::ByteWriter w(out_.subspan(size_));
    if (!write(w) || !w.ok()) return false;
    size_ += w.size();
    return true;
  }

  size_t size() const { return size_; }
  size_t remaining() const { return out_.size() - size_; }
  base::MutableBytes written() const { return out_.first(size_); }

 private:
  base::MutableBytes out_;
  size_t size_ = 0;
};

}  // namespace medley::rtp::rtcp
