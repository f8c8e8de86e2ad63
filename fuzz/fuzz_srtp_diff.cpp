// Differential fuzzer: our OpenSSL SRTP transform against libsrtp2. Any difference in accept/refuse, protected
// bytes or recovered plaintext traps.
//
// Input: byte 0 picks the profile (one fixed key set each). Then a sequence of operations:
//   op byte, length byte, then `length` bytes of packet (as many as remain).
//   op & 3: 0 protect RTP, 1 protect RTCP (each then delivered, maybe mutated, to both receivers),
//           2 unprotect the bytes as SRTP, 3 unprotect them as SRTCP (raw, unauthenticated input).
//   op & 4: before delivery, flip bits of the protected packet (position and mask from the packet bytes).
//   op & 8: for 2/3, deliver an earlier protected packet again instead (replay).
// Both backends get the same calls, so their replay and ROC state stay in step. Sessions live for the process
// (libsrtp2 on NSS takes ~1.5 ms to create one) but every SSRC an input touched is removed afterwards, and all
// state is per SSRC, so each input starts from fresh state and stays reproducible.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "rtp/srtp/srtp_session.hpp"

using namespace medley;
using namespace medley::rtp;

namespace {

[[noreturn]] void differ() { __builtin_trap(); }

struct Keys {
  uint8_t key[32];
  uint8_t salt[14];
};

SrtpSession make(SrtpProfile p, SrtpBackend b, bool outbound) {
  static Keys k = [] {
    Keys out;
    for (int i = 0; i < 32; ++i) out.key[i] = static_cast<uint8_t>(0x5A ^ (i * 29));
    for (int i = 0; i < 14; ++i) out.salt[i] = static_cast<uint8_t>(0xA5 ^ (i * 41));
    return out;
  }();
  const auto& info = profile_info(p);
  SrtpMasterKey mk{base::Bytes(k.key, info.master_key_len), base::Bytes(k.salt, info.master_salt_len)};
  // A small table so the SSRC limit is reachable too.
  auto s = outbound ? SrtpSession::create({p, b, 128, 8}, mk, {}) : SrtpSession::create({p, b, 128, 8}, {}, mk);
  if (!s) abort();
  return std::move(*s);
}

struct Buf {
  std::vector<uint8_t> bytes;
  size_t len;
  Buf(const uint8_t* p, size_t n) : bytes(p, p + n), len(n) { bytes.resize(n + kSrtpMaxRtcpOverhead); }
};

void same(const SrtpResult<size_t>& a, const Buf& ba, const SrtpResult<size_t>& b, const Buf& bb) {
  if (a.ok() != b.ok()) differ();
  if (!a.ok()) return;
  if (*a != *b) differ();
  for (size_t i = 0; i < *a; ++i)
    if (ba.bytes[i] != bb.bytes[i]) differ();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  struct Set {
    SrtpSession ours_tx, lib_tx, ours_rx, lib_rx;
  };
  static std::vector<Set> sets = [] {
    std::vector<Set> v;
    for (SrtpProfile p : kAllSrtpProfiles)
      v.push_back({make(p, SrtpBackend::OpenSsl, true), make(p, SrtpBackend::LibSrtp2, true),
                   make(p, SrtpBackend::OpenSsl, false), make(p, SrtpBackend::LibSrtp2, false)});
    return v;
  }();
  Set& set = sets[data[0] & 3];
  SrtpSession& ours_tx = set.ours_tx;
  SrtpSession& lib_tx = set.lib_tx;
  SrtpSession& ours_rx = set.ours_rx;
  SrtpSession& lib_rx = set.lib_rx;
  std::vector<uint32_t> touched;
  auto touch = [&](bool rtcp, const uint8_t* p, size_t n) {
    if (n >= (rtcp ? 8u : 12u)) touched.push_back(base::load_be32(p + (rtcp ? 4 : 8)));
  };
  std::vector<std::pair<bool, std::vector<uint8_t>>> history;  // (rtcp, protected bytes)

  auto deliver = [&](bool rtcp, const uint8_t* p, size_t n) {
    touch(rtcp, p, n);
    Buf a(p, n), b(p, n);
    auto ra = rtcp ? ours_rx.unprotect_rtcp(a.bytes, a.len) : ours_rx.unprotect_rtp(a.bytes, a.len);
    auto rb = rtcp ? lib_rx.unprotect_rtcp(b.bytes, b.len) : lib_rx.unprotect_rtp(b.bytes, b.len);
    same(ra, a, rb, b);
  };

  size_t pos = 1;
  while (pos + 2 <= size) {
    const uint8_t op = data[pos];
    size_t n = data[pos + 1];
    pos += 2;
    if (n > size - pos) n = size - pos;
    const uint8_t* pkt = data + pos;
    pos += n;
    const bool rtcp = (op & 1) != 0;
    if ((op & 2) == 0) {
      touch(rtcp, pkt, n);
      Buf a(pkt, n), b(pkt, n);
      auto ra = rtcp ? ours_tx.protect_rtcp(a.bytes, a.len) : ours_tx.protect_rtp(a.bytes, a.len);
      auto rb = rtcp ? lib_tx.protect_rtcp(b.bytes, b.len) : lib_tx.protect_rtp(b.bytes, b.len);
      same(ra, a, rb, b);
      if (!ra.ok()) continue;
      std::vector<uint8_t> wire(a.bytes.begin(), a.bytes.begin() + static_cast<std::ptrdiff_t>(*ra));
      if (history.size() < 64) history.emplace_back(rtcp, wire);
      if ((op & 4) && n > 0) {
        wire[pkt[0] % wire.size()] ^= static_cast<uint8_t>(pkt[n - 1] | 1);
        if (op & 0x10) wire.resize(wire.size() - 1 - pkt[n / 2] % wire.size());  // and truncate
      }
      deliver(rtcp, wire.data(), wire.size());
    } else if ((op & 8) && !history.empty()) {
      const auto& h = history[n % history.size()];
      deliver(h.first, h.second.data(), h.second.size());
    } else {
      deliver(rtcp, pkt, n);
    }
  }
  for (uint32_t ssrc : touched) {
    const bool a = ours_tx.remove_ssrc(ssrc), b = lib_tx.remove_ssrc(ssrc);
    const bool c = ours_rx.remove_ssrc(ssrc), d = lib_rx.remove_ssrc(ssrc);
    if (a != b || c != d) differ();  // the two backends must also agree on which SSRCs they hold
  }
  return 0;
}
