// Fuzzes the receive-side state machines fed by network sequence numbers: RFC 3550 statistics and NACK generation.
// Invariants: the NACK list stays bounded, and a packet that arrived is never NACKed afterwards.
#include <cstddef>
#include <cstdint>
#include <unordered_set>
#include <vector>

#include "rtp/base/bytes.hpp"
#include "rtp/nack_generator.hpp"
#include "rtp/receive_statistics.hpp"

using namespace medley;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  base::ByteReader in(base::Bytes(data, size));
  rtp::NackConfig cfg;
  cfg.max_missing = 200;
  rtp::NackGenerator nack(cfg);
  rtp::ReceiveStatistics stats(90000);
  rtp::SeqUnwrapper unwrap;
  std::unordered_set<rtp::SeqNo> arrived;
  std::vector<uint16_t> out;
  int64_t now_us = 0;
  uint16_t seq = in.u16();
  uint32_t ts = in.u32();
  while (in.ok() && in.remaining() >= 4) {
    const uint8_t op = in.u8();
    const int16_t delta = static_cast<int16_t>(in.u16());
    const uint8_t step = in.u8();
    now_us += int64_t{step} * 997;
    const base::Timestamp now = base::Timestamp::micros(now_us);
    if (op & 0x80) {
      out.clear();
      nack.poll(now, out);
      for (uint16_t s : out) {
        if (arrived.count(unwrap.peek(s))) __builtin_trap();  // asked for a packet we have
      }
      if (nack.missing_count() > cfg.max_missing) __builtin_trap();
      if (op & 0x40) (void)stats.make_report_block(rtp::Ssrc{1}, now);
      if (op & 0x20) stats.on_sender_report(rtp::rtcp::NtpTime{(uint64_t{op} << 40) | uint64_t(now_us)}, now);
      continue;
    }
    // Mostly small steps (loss, reordering), sometimes big jumps.
    seq = static_cast<uint16_t>(seq + ((op & 0x40) ? delta : (delta % 8)));
    ts += static_cast<uint32_t>(delta) * 300;
    const rtp::SeqNo unwrapped = unwrap.unwrap(seq);
    arrived.insert(unwrapped);
    nack.on_packet(unwrapped, now, (op & 0x01) != 0);
    stats.on_packet(seq, ts, now, step, (op & 0x02) != 0);
    if (nack.next_timeout() < now && nack.missing_count() == 0 && nack.next_timeout() != base::Timestamp::zero()) {
      __builtin_trap();  // nothing missing, yet a timeout in the past
    }
  }
  return 0;
}
