// Generic NACK (RTPFB FMT 1; RFC 4585 §6.2.1): PID/BLP pairs to and from lists of lost sequence numbers.
#pragma once

#include <cstdint>
#include <iterator>
#include <optional>
#include <span>

#include "rtp/base/bytes.hpp"
#include "rtp/ids.hpp"
#include "rtp/rtcp/rtcp_header.hpp"

namespace medley::rtp::rtcp {

struct NackPair {
  uint16_t pid = 0;  // a lost packet
  uint16_t blp = 0;  // bit i set: pid + i + 1 lost too
  bool operator==(const NackPair&) const = default;
};

class NackView {
 public:
  // Yields every lost sequence number, pair by pair, in the order the packet lists them.
  class LostIterator {
   public:
    using value_type = uint16_t;
    using difference_type = std::ptrdiff_t;
    LostIterator() = default;
    LostIterator(const uint8_t* fci, size_t pairs);
    uint16_t operator*() const { return static_cast<uint16_t>(pid_ + bit_); }
    LostIterator& operator++();
    void operator++(int) { ++*this; }
    bool operator==(std::default_sentinel_t) const { return pairs_ == 0; }

   private:
    void settle();  // moves to the next set bit, or the next pair
    const uint8_t* fci_ = nullptr;
    size_t pairs_ = 0;
    uint16_t pid_ = 0;
    uint32_t mask_ = 0;  // bit 0: pid itself, bit i: pid + i
    unsigned bit_ = 0;
  };
  struct LostRange {
    const uint8_t* fci;
    size_t pairs;
    LostIterator begin() const { return LostIterator(fci, pairs); }
    std::default_sentinel_t end() const { return {}; }
  };

  // Needs at least one FCI entry (RFC 4585 §6.2.1 has no empty NACK); bytes short of a whole entry are ignored.
  static std::optional<NackView> parse(const PacketView& packet);

  Ssrc sender_ssrc() const { return sender_; }
  Ssrc media_ssrc() const { return media_; }
  size_t pair_count() const { return pairs_; }
  NackPair pair(size_t i) const;  // i < pair_count()
  LostRange lost() const { return LostRange{fci_, pairs_}; }
  size_t lost_count() const;

 private:
  Ssrc sender_;
  Ssrc media_;
  const uint8_t* fci_ = nullptr;
  size_t pairs_ = 0;
};

// Packs lost sequence numbers into pairs, in input order: a number within 1..16 after the current PID joins its
// mask, anything else opens a new pair. Minimal for a list in RTP order (wrap included); correct for any order.
// Writes at most out.size() pairs and returns how many were needed (so a caller may size a second attempt).
size_t pack_nack_pairs(std::span<const uint16_t> lost, std::span<NackPair> out);

// Writes one NACK for `lost`; false when `lost` is empty, needs more pairs than the packet can hold, or no room.
bool write_nack(base::ByteWriter& w, Ssrc sender, Ssrc media, std::span<const uint16_t> lost);
bool write_nack_pairs(base::ByteWriter& w, Ssrc sender, Ssrc media, std::span<const NackPair> pairs);

}  // namespace medley::rtp::rtcp
