// Sender and receiver reports: parse, report block coding, and writers.
#include "rtp/rtcp/sender_report.hpp"

#include <algorithm>

namespace medley::rtp::rtcp {

namespace {
constexpr size_t kSenderInfoSize = 20;
}  // namespace

ReportBlock ReportBlock::decode(const uint8_t* p) {
  ReportBlock b;
  b.ssrc = Ssrc(base::load_be32(p));
  b.fraction_lost = p[4];
  uint32_t lost = base::load_be24(p + 5);
  b.cumulative_lost = (lost & 0x800000) ? static_cast<int32_t>(lost) - 0x1000000 : static_cast<int32_t>(lost);
  b.extended_highest_seq = base::load_be32(p + 8);
  b.jitter = base::load_be32(p + 12);
  b.lsr = base::load_be32(p + 16);
  b.dlsr = base::load_be32(p + 20);
  return b;
}

void ReportBlock::write(base::ByteWriter& w) const {
  w.u32(ssrc.value);
  w.u8(fraction_lost);
  int32_t lost = std::clamp(cumulative_lost, kMinCumulativeLost, kMaxCumulativeLost);
  w.u24(static_cast<uint32_t>(lost) & 0xffffff);
  w.u32(extended_highest_seq);
  w.u32(jitter);
  w.u32(lsr);
  w.u32(dlsr);
}

std::optional<SenderReportView> SenderReportView::parse(const PacketView& packet) {
  if (!packet.is(PacketType::kSr)) return std::nullopt;
  const base::Bytes p = packet.payload;
  const size_t need = 4 + kSenderInfoSize + ReportBlock::kSize * packet.count;
  if (p.size() < need) return std::nullopt;
  SenderReportView v;
  v.sender_ = Ssrc(base::load_be32(p.data()));
  v.info_.ntp = NtpTime{base::load_be64(p.data() + 4)};
  v.info_.rtp_timestamp = base::load_be32(p.data() + 12);
  v.info_.packet_count = base::load_be32(p.data() + 16);
  v.info_.octet_count = base::load_be32(p.data() + 20);
  v.count_ = packet.count;
  v.blocks_ = p.data() + 4 + kSenderInfoSize;
  v.extension_ = p.subspan(need);
  return v;
}

ReportBlock SenderReportView::report_block(size_t i) const { return ReportBlock::decode(blocks_ + i * ReportBlock::kSize); }

std::optional<ReceiverReportView> ReceiverReportView::parse(const PacketView& packet) {
  if (!packet.is(PacketType::kRr)) return std::nullopt;
  const base::Bytes p = packet.payload;
  const size_t need = 4 + ReportBlock::kSize * packet.count;
  if (p.size() < need) return std::nullopt;
  ReceiverReportView v;
  v.sender_ = Ssrc(base::load_be32(p.data()));
  v.count_ = packet.count;
  v.blocks_ = p.data() + 4;
  v.extension_ = p.subspan(need);
  return v;
}

ReportBlock ReceiverReportView::report_block(size_t i) const {
  return ReportBlock::decode(blocks_ + i * ReportBlock::kSize);
}

bool write_sender_report(base::ByteWriter& w, Ssrc sender, const SenderInfo& info, std::span<const ReportBlock> blocks) {
  if (blocks.size() > kMaxCount) return false;
  size_t start = begin_packet(w, static_cast<uint8_t>(blocks.size()), PacketType::kSr);
  w.u32(sender.value);
  w.u64(info.ntp.value);
  w.u32(info.rtp_timestamp);
  w.u32(info.packet_count);
  w.u32(info.octet_count);
  for (const ReportBlock& b : blocks) b.write(w);
  return end_packet(w, start);
}

bool write_receiver_report(base::ByteWriter& w, Ssrc sender, std::span<const ReportBlock> blocks) {
  if (blocks.size() > kMaxCount) return false;
  size_t start = begin_packet(w, static_cast<uint8_t>(blocks.size()), PacketType::kRr);
  w.u32(sender.value);
  for (const ReportBlock& b : blocks) b.write(w);
  return end_packet(w, start);
}

}  // namespace medley::rtp::rtcp
