// Source description (RTCP SDES, PT 202; RFC 3550 §6.5): chunks of typed items, with CNAME access.
#pragma once

#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string_view>

#include "rtp/base/bytes.hpp"
#include "rtp/ids.hpp"
#include "rtp/rtcp/rtcp_header.hpp"

namespace medley::rtp::rtcp {

// Item types (RFC 3550 §12.2). Others are carried through as raw numbers.
inline constexpr uint8_t kSdesEnd = 0;
inline constexpr uint8_t kSdesCname = 1;
inline constexpr uint8_t kSdesName = 2;
inline constexpr uint8_t kSdesTool = 6;
inline constexpr uint8_t kSdesPriv = 8;

struct SdesItem {
  uint8_t type = kSdesCname;
  std::string_view text;  // at most 255 bytes; not necessarily valid UTF-8 when parsed
  bool operator==(const SdesItem&) const = default;
};

// One chunk of a validated SDES packet: an SSRC and its items (the terminating null item excluded).
class SdesChunkView {
 public:
  class ItemIterator {
   public:
    using value_type = SdesItem;
    using difference_type = std::ptrdiff_t;
    ItemIterator() = default;
    explicit ItemIterator(base::Bytes rest) : rest_(rest) {}
    SdesItem operator*() const;
    ItemIterator& operator++();
    void operator++(int) { ++*this; }
    bool operator==(std::default_sentinel_t) const { return rest_.empty(); }

   private:
    base::Bytes rest_;
  };

  SdesChunkView(Ssrc ssrc, base::Bytes items) : ssrc_(ssrc), items_(items) {}
  Ssrc ssrc() const { return ssrc_; }
  ItemIterator begin() const { return ItemIterator(items_); }
  std::default_sentinel_t end() const { return {}; }
  std::optional<std::string_view> find(uint8_t type) const;
  std::optional<std::string_view> cname() const { return find(kSdesCname); }

 private:
  Ssrc ssrc_;
  base::Bytes items_;
};

class SdesView {
 public:
  class ChunkIterator {
   public:
    using value_type = SdesChunkView;
    using difference_type = std::ptrdiff_t;
    ChunkIterator() = default;
    ChunkIterator(base::Bytes payload, size_t remaining) : payload_(payload), remaining_(remaining) {}
    SdesChunkView operator*() const;
    ChunkIterator& operator++();
    void operator++(int) { ++*this; }
    bool operator==(std::default_sentinel_t) const { return remaining_ == 0; }

   private:
    base::Bytes payload_;  // starts at the current chunk (32-bit aligned relative to the packet)
    size_t remaining_ = 0;
  };

  static std::optional<SdesView> parse(const PacketView& packet);

  size_t chunk_count() const { return count_; }
  ChunkIterator begin() const { return ChunkIterator(payload_, count_); }
  std::default_sentinel_t end() const { return {}; }
  // The CNAME of a given source, if this packet carries one.
  std::optional<std::string_view> cname(Ssrc ssrc) const;

 private:
  base::Bytes payload_;
  size_t count_ = 0;
};

struct SdesChunk {
  Ssrc ssrc;
  std::span<const SdesItem> items;
};

// Writers: false when more than 31 chunks, an item text longer than 255 bytes, item type 0, or no room.
bool write_sdes(base::ByteWriter& w, std::span<const SdesChunk> chunks);
bool write_sdes_cname(base::ByteWriter& w, Ssrc ssrc, std::string_view cname);

}  // namespace medley::rtp::rtcp
