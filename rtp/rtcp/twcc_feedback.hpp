// Transport-wide congestion control feedback (RTPFB FMT 15; draft-holmer-rmcat-transport-wide-cc-extensions-01
// §3.1): a validated view that iterates per-packet status and arrival times without allocating.
#pragma once

#include <cstdint>
#include <iterator>
#include <optional>

#include "rtp/base/bytes.hpp"
#include "rtp/base/time.hpp"
#include "rtp/ids.hpp"
#include "rtp/rtcp/rtcp_header.hpp"

namespace medley::rtp::rtcp {

// Packet status symbols (§3.1.1). The fourth 2-bit value is reserved; libwebrtc rejects it and so do we.
enum class TwccSymbol : uint8_t { kNotReceived = 0, kSmallDelta = 1, kLargeDelta = 2 };

inline constexpr base::Duration kTwccDeltaTick = base::Duration::micros(250);
inline constexpr base::Duration kTwccReferenceTick = base::Duration::millis(64);
// The 24-bit reference time wraps after 2^24 * 64 ms (about 12.4 days).
inline constexpr base::Duration kTwccReferenceWrap = kTwccReferenceTick * (int64_t{1} << 24);

struct TwccPacketStatus {
  uint16_t seq = 0;
  TwccSymbol symbol = TwccSymbol::kNotReceived;
  int16_t delta_ticks = 0;  // receive delta in 250 µs ticks; 0 when not received
  // Reference time plus every delta so far: the arrival time on the feedback sender's clock (meaningful only when
  // received; for a lost packet it repeats the previous arrival).
  base::Duration arrival;

  bool received() const { return symbol != TwccSymbol::kNotReceived; }
  base::Duration delta() const { return kTwccDeltaTick * delta_ticks; }
};

class TwccFeedbackView {
 public:
  class Iterator {
   public:
    using value_type = TwccPacketStatus;
    using difference_type = std::ptrdiff_t;
    Iterator() = default;
    const TwccPacketStatus& operator*() const { return cur_; }
    const TwccPacketStatus* operator->() const { return &cur_; }
    Iterator& operator++();
    void operator++(int) { ++*this; }
    bool operator==(std::default_sentinel_t) const { return left_ == 0; }

   private:
    friend class TwccFeedbackView;
    void load_chunk();
    void decode();
    const uint8_t* next_chunk_ = nullptr;
    const uint8_t* delta_ = nullptr;
    uint32_t left_ = 0;  // statuses left, the current one included
    uint16_t chunk_ = 0;
    uint16_t index_ = 0;  // position in the current chunk
    uint16_t chunk_len_ = 0;
    TwccPacketStatus cur_;
  };

  // Fails on a payload shorter than the fixed fields, chunks or deltas that run past the end, or a reserved
  // symbol among the first status_count() statuses. Bytes after the last delta are ignored (old libwebrtc padded
  // with zeros without setting P).
  static std::optional<TwccFeedbackView> parse(const PacketView& packet);

  Ssrc sender_ssrc() const { return sender_; }
  Ssrc media_ssrc() const { return media_; }
  uint16_t base_seq() const { return base_seq_; }
  uint16_t status_count() const { return status_count_; }
  uint8_t feedback_count() const { return fb_count_; }
  // The 24-bit field as sent, and read as the draft's signed value. Consumers comparing feedbacks must unwrap
  // modulo kTwccReferenceWrap: libwebrtc writes (time mod wrap) / 64 ms, unsigned.
  uint32_t reference_time_raw() const { return ref_raw_; }
  int32_t reference_time_ticks() const {
    return (ref_raw_ & 0x800000) ? static_cast<int32_t>(ref_raw_) - 0x1000000 : static_cast<int32_t>(ref_raw_);
  }
  base::Duration reference_time() const { return kTwccReferenceTick * reference_time_ticks(); }
  size_t received_count() const { return received_; }

  Iterator begin() const;
  std::default_sentinel_t end() const { return {}; }

 private:
  Ssrc sender_;
  Ssrc media_;
  uint16_t base_seq_ = 0;
  uint16_t status_count_ = 0;
  uint32_t ref_raw_ = 0;
  uint8_t fb_count_ = 0;
  size_t received_ = 0;
  const uint8_t* chunks_ = nullptr;
  const uint8_t* deltas_ = nullptr;
};

}  // namespace medley::rtp::rtcp
