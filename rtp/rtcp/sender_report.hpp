// Sender and receiver reports (RTCP SR PT 200, RR PT 201; RFC 3550 §6.4) and their report blocks.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "rtp/base/bytes.hpp"
#include "rtp/ids.hpp"
#include "rtp/rtcp/ntp_time.hpp"
#include "rtp/rtcp/rtcp_header.hpp"

namespace medley::rtp::rtcp {

// One reception report block (RFC 3550 §6.4.1), decoded.
struct ReportBlock {
  Ssrc ssrc;                      // the source this block reports on
  uint8_t fraction_lost = 0;      // 8-bit fixed point, lost/expected since the previous report
  int32_t cumulative_lost = 0;    // signed 24-bit on the wire (duplicates can make it negative); clamped on write
  uint32_t extended_highest_seq = 0;
  uint32_t jitter = 0;            // RTP timestamp units
  uint32_t lsr = 0;               // compact NTP of the last SR received from this source, 0 if none
  uint32_t dlsr = 0;              // delay since that SR, 1/65536 s

  static constexpr size_t kSize = 24;
  static constexpr int32_t kMaxCumulativeLost = 0x7fffff;
  static constexpr int32_t kMinCumulativeLost = -0x800000;

  // Reads exactly kSize bytes (the caller checked the length).
  static ReportBlock decode(const uint8_t* p);
  void write(base::ByteWriter& w) const;
  bool operator==(const ReportBlock&) const = default;
};

// The sender info section of an SR (RFC 3550 §6.4.1).
struct SenderInfo {
  NtpTime ntp;
  uint32_t rtp_timestamp = 0;
  uint32_t packet_count = 0;
  uint32_t octet_count = 0;
  bool operator==(const SenderInfo&) const = default;
};

// A validated SR. Report blocks are decoded on access; profile-specific extensions after them are kept raw.
class SenderReportView {
 public:
  static std::optional<SenderReportView> parse(const PacketView& packet);

  Ssrc sender_ssrc() const { return sender_; }
  const SenderInfo& sender_info() const { return info_; }
  size_t report_count() const { return count_; }
  ReportBlock report_block(size_t i) const;  // i < report_count()
  base::Bytes extension() const { return extension_; }

 private:
  Ssrc sender_;
  SenderInfo info_;
  size_t count_ = 0;
  const uint8_t* blocks_ = nullptr;
  base::Bytes extension_;
};

// A validated RR.
class ReceiverReportView {
 public:
  static std::optional<ReceiverReportView> parse(const PacketView& packet);

  Ssrc sender_ssrc() const { return sender_; }
  size_t report_count() const { return count_; }
  ReportBlock report_block(size_t i) const;  // i < report_count()
  base::Bytes extension() const { return extension_; }

 private:
  Ssrc sender_;
  size_t count_ = 0;
  const uint8_t* blocks_ = nullptr;
  base::Bytes extension_;
};

// Writers: false (and nothing usable written) when more than 31 blocks or the buffer is too small.
bool write_sender_report(base::ByteWriter& w, Ssrc sender, const SenderInfo& info,
                         std::span<const ReportBlock> blocks = {});
bool write_receiver_report(base::ByteWriter& w, Ssrc sender, std::span<const ReportBlock> blocks = {});

}  // namespace medley::rtp::rtcp
