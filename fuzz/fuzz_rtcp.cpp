// Fuzzes the RTCP compound reader and every packet view: each decoded packet is rebuilt with our writers and must
// parse back to the same content; TWCC feedback is also rebuilt through TwccFeedbackBuilder.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "rtp/rtcp/compound.hpp"
#include "rtp/rtcp/twcc_feedback_builder.hpp"

using namespace medley::rtp;
using namespace medley::rtp::rtcp;
using medley::base::ByteWriter;
using medley::base::Bytes;

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

std::vector<uint8_t>& scratch() {
  static std::vector<uint8_t> buf(kMaxPacketSize + 64);
  return buf;
}

// Writes with `write`, frames the result as exactly one packet and returns it (nullopt if the writer refused).
template <class F>
std::optional<PacketView> rebuild(F&& write) {
  ByteWriter w(scratch());
  if (!write(w) || !w.ok()) return std::nullopt;
  CompoundReader r(w.written());
  auto v = r.next_view();
  check(v.has_value() && !r.next_view() && r.ok());
  return v;
}

template <class View>
std::vector<ReportBlock> blocks_of(const View& v) {
  std::vector<ReportBlock> out;
  for (size_t i = 0; i < v.report_count(); ++i) out.push_back(v.report_block(i));
  return out;
}

void roundtrip(const SenderReportView& v) {
  auto blocks = blocks_of(v);
  auto p = rebuild([&](ByteWriter& w) { return write_sender_report(w, v.sender_ssrc(), v.sender_info(), blocks); });
  check(p.has_value());
  auto r = SenderReportView::parse(*p);
  check(r && r->sender_ssrc() == v.sender_ssrc() && r->sender_info() == v.sender_info() && blocks_of(*r) == blocks);
}

void roundtrip(const ReceiverReportView& v) {
  auto blocks = blocks_of(v);
  auto p = rebuild([&](ByteWriter& w) { return write_receiver_report(w, v.sender_ssrc(), blocks); });
  check(p.has_value());
  auto r = ReceiverReportView::parse(*p);
  check(r && r->sender_ssrc() == v.sender_ssrc() && blocks_of(*r) == blocks);
}

std::vector<std::pair<Ssrc, std::vector<SdesItem>>> chunks_of(const SdesView& v) {
  std::vector<std::pair<Ssrc, std::vector<SdesItem>>> out;
  for (SdesChunkView c : v) {
    out.emplace_back(c.ssrc(), std::vector<SdesItem>{});
    for (SdesItem i : c) out.back().second.push_back(i);
  }
  return out;
}

void roundtrip(const SdesView& v) {
  auto chunks = chunks_of(v);
  check(chunks.size() == v.chunk_count());
  std::vector<SdesChunk> in;
  for (auto& [ssrc, items] : chunks) in.push_back(SdesChunk{ssrc, items});
  auto p = rebuild([&](ByteWriter& w) { return write_sdes(w, in); });
  check(p.has_value());
  auto r = SdesView::parse(*p);
  check(r && chunks_of(*r) == chunks);
}

void roundtrip(const ByeView& v) {
  std::vector<Ssrc> ssrcs;
  for (size_t i = 0; i < v.ssrc_count(); ++i) ssrcs.push_back(v.ssrc(i));
  auto p = rebuild([&](ByteWriter& w) { return write_bye(w, ssrcs, v.reason()); });
  check(p.has_value());
  auto r = ByeView::parse(*p);
  check(r && r->ssrc_count() == ssrcs.size() && r->reason() == v.reason());
  for (size_t i = 0; i < ssrcs.size(); ++i) check(r->ssrc(i) == ssrcs[i]);
}

std::vector<uint16_t> sorted_lost(const NackView& v) {
  std::vector<uint16_t> out;
  for (uint16_t s : v.lost()) out.push_back(s);
  check(out.size() == v.lost_count());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void roundtrip(const NackView& v) {
  std::vector<NackPair> pairs;
  for (size_t i = 0; i < v.pair_count(); ++i) pairs.push_back(v.pair(i));
  auto p = rebuild([&](ByteWriter& w) { return write_nack_pairs(w, v.sender_ssrc(), v.media_ssrc(), pairs); });
  check(p.has_value());
  auto r = NackView::parse(*p);
  check(r && r->pair_count() == pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) check(r->pair(i) == pairs[i]);
  // Repacking the lost list keeps the same set of sequence numbers.
  std::vector<uint16_t> lost;
  for (uint16_t s : v.lost()) lost.push_back(s);
  auto q = rebuild([&](ByteWriter& w) { return write_nack(w, v.sender_ssrc(), v.media_ssrc(), lost); });
  check(q.has_value());
  auto r2 = NackView::parse(*q);
  check(r2 && r2->pair_count() <= pairs.size() && sorted_lost(*r2) == sorted_lost(v));
}

void roundtrip(const PliView& v) {
  auto p = rebuild([&](ByteWriter& w) { return write_pli(w, v.sender_ssrc(), v.media_ssrc()); });
  check(p.has_value());
  auto r = PliView::parse(*p);
  check(r && r->sender_ssrc() == v.sender_ssrc() && r->media_ssrc() == v.media_ssrc());
}

void roundtrip(const FirView& v) {
  std::vector<FirEntry> entries;
  for (size_t i = 0; i < v.entry_count(); ++i) entries.push_back(v.entry(i));
  auto p = rebuild([&](ByteWriter& w) { return write_fir(w, v.sender_ssrc(), entries); });
  check(p.has_value());
  auto r = FirView::parse(*p);
  check(r && r->sender_ssrc() == v.sender_ssrc() && r->entry_count() == entries.size());
  for (size_t i = 0; i < entries.size(); ++i) check(r->entry(i) == entries[i]);
}

void roundtrip(const RembView& v) {
  std::vector<Ssrc> ssrcs;
  for (size_t i = 0; i < v.ssrc_count(); ++i) ssrcs.push_back(v.ssrc(i));
  auto p = rebuild([&](ByteWriter& w) { return write_remb(w, v.sender_ssrc(), v.bitrate_bps(), ssrcs); });
  check(p.has_value());
  auto r = RembView::parse(*p);
  check(r && r->sender_ssrc() == v.sender_ssrc() && r->bitrate_bps() == v.bitrate_bps() &&
        r->ssrc_count() == ssrcs.size());
  for (size_t i = 0; i < ssrcs.size(); ++i) check(r->ssrc(i) == ssrcs[i]);
}

void roundtrip(const TwccFeedbackView& v) {
  std::vector<TwccArrival> in;
  size_t statuses = 0;
  for (const TwccPacketStatus& s : v) {
    ++statuses;
    if (s.received()) in.push_back({s.seq, medley::base::Timestamp::micros(s.arrival.us())});
  }
  check(statuses == v.status_count() && in.size() == v.received_count());
  // Rebuild the received packets (losses are implied by the gaps) into as many packets as needed.
  TwccFeedbackBuilder b(v.sender_ssrc(), v.media_ssrc(), kMaxPacketSize);
  std::span<const TwccArrival> rest = in;
  size_t k = 0;
  const int64_t wrap = kTwccReferenceWrap.us();
  while (!rest.empty()) {
    size_t n = 0;
    auto p = rebuild([&](ByteWriter& w) { return (n = b.write(rest, w)) > 0; });
    check(p.has_value());
    auto r = TwccFeedbackView::parse(*p);
    check(r && r->sender_ssrc() == v.sender_ssrc() && r->base_seq() == rest[0].seq);
    for (const TwccPacketStatus& s : *r) {
      if (!s.received()) continue;
      check(k < in.size() && s.seq == in[k].seq);
      // Arrival times match modulo the 24-bit reference wrap (the builder writes time mod wrap).
      int64_t d = (s.arrival.us() - in[k].arrival.us()) % wrap;
      check(d == 0);
      ++k;
    }
    rest = rest.subspan(n);
  }
  check(k == in.size());
}

void roundtrip(const UnknownPacket&) {}

void read_all(Bytes data, ReadOptions options) {
  CompoundReader r(data, options);
  size_t packets = 0;
  while (auto p = r.next()) {
    ++packets;
    std::visit([](const auto& v) { roundtrip(v); }, *p);
  }
  check(packets == r.packet_count());
  check(r.ok() == (r.offset() == data.size()));

  // The raw framing alone, plus the TWCC parser on every RTPFB FMT 15 whatever the typed pass decided.
  CompoundReader raw(data, options);
  while (auto v = raw.next_view()) {
    check(v->payload.size() + kHeaderSize <= v->data.size());
    if (v->is(PacketType::kRtpfb, kFmtTwcc)) {
      if (auto t = TwccFeedbackView::parse(*v)) {
        size_t n = 0;
        for (const auto& s : *t) n += s.received();
        check(n == t->received_count());
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes in(data, size);
  read_all(in, ReadOptions{});
  read_all(in, ReadOptions{.padding_only_last = false});
  return 0;
}
