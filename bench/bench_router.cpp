// Router fan-out cost: 1 source -> 1, 10, 100, 1000 RtpSinks, 1200-byte payloads, per delivered packet,
// (a) with SRTP protect per sink (AES_CM_128_HMAC_SHA1_80, AEAD_AES_128_GCM), (b) without SRTP, next to
// (c) raw SrtpSession::protect_rtp of the same bytes (copy + protect) in the same run.
//
// Run: build/hr/bench/bench_router --benchmark_repetitions=3 --benchmark_min_time=0.2 (medians go in the table).
// How to read it: each iteration publishes one packet to every sink; "CPU" is per published packet and
// items_per_second is delivered packets per core-second. The closing table divides by the sink count, giving ns
// per delivered packet:
//   b_plain    forwarding without SRTP (rewrite into the sink's buffer, RTX history, transmit callback)
//   a_aes_cm   forwarding with SRTP protect per sink, AES_CM_128_HMAC_SHA1_80; a_gcm the same with AEAD_AES_128_GCM
//   a_gcm_rb   a_gcm when the receiver's extension ids differ from the publisher's (each header rebuilt)
//   a_gcm_op   a_gcm with a send pool per leg instead of one per strand (cold buffers: why the pool is shared)
//   c1_*       raw SrtpSession::protect_rtp on the same bytes (copy in + protect), one session, hot
//   cN_*       the same over N sessions used in turn: the crypto's own cost of N cold key schedules
//   a/c1_*     the target ratio (<= 2): forwarding with SRTP over the raw protect, per delivered packet
// Every sink is a full passthrough leg: its own SRTP session, transport-wide counter and RTX history (RTX
// negotiated), Chrome's abs-send-time and transport-cc ids on both sides (the in-place rewrite path). The publish
// cost (the publisher's packet written into a pooled buffer, as the receive path does once per packet) is in every
// row, and alone in "publish/0".
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rtp/packet_writer.hpp"
#include "rtp/srtp/srtp_session.hpp"
#include "server/media/router.hpp"
#include "server/media/rtp_sink.hpp"

using namespace medley;
using namespace medley::server::media;
using rtp::ExtensionType;
using rtp::PayloadType;
using rtp::Ssrc;
using rtp::SrtpProfile;

namespace {

constexpr size_t kPayload = 1200;
constexpr int kSinkCounts[] = {1, 10, 100, 1000};

enum class Mode { Plain, AesCm, Gcm };
const char* mode_name(Mode m) { return m == Mode::Plain ? "plain" : m == Mode::AesCm ? "aes_cm" : "gcm"; }
std::optional<SrtpProfile> profile_of(Mode m) {
  if (m == Mode::AesCm) return SrtpProfile::AesCm128HmacSha1_80;
  if (m == Mode::Gcm) return SrtpProfile::AeadAes128Gcm;
  return std::nullopt;
}

struct Keys {
  uint8_t key[32];
  uint8_t salt[14];
  Keys() {
    for (int i = 0; i < 32; ++i) key[i] = static_cast<uint8_t>(i * 7 + 1);
    for (int i = 0; i < 14; ++i) salt[i] = static_cast<uint8_t>(i * 3 + 2);
  }
  rtp::SrtpMasterKey master(SrtpProfile p) const {
    return {base::Bytes(key, rtp::profile_info(p).master_key_len),
            base::Bytes(salt, rtp::profile_info(p).master_salt_len)};
  }
};
const Keys kKeys;

rtp::SrtpSession outbound_session(SrtpProfile p) {
  rtp::SrtpConfig c;
  c.profile = p;
  auto s = rtp::SrtpSession::create(c, kKeys.master(p), {});
  if (!s) std::abort();
  return std::move(*s);
}

void chrome_ids(rtp::ExtensionMap& m) {
  m.register_extension(2, ExtensionType::AbsSendTime);
  m.register_extension(3, ExtensionType::TransportSequenceNumber);
}

// The publisher: its packets written into pooled buffers (what the receive path hands the router).
struct Publisher {
  RtpSourceInfo info;
  base::BufferPool pool;
  std::vector<uint8_t> payload = std::vector<uint8_t>(kPayload);
  uint16_t seq = 0;
  uint32_t ts = 0;
  uint16_t twcc = 0;

  Publisher() {
    chrome_ids(info.extensions);
    for (size_t i = 0; i < kPayload; ++i) payload[i] = static_cast<uint8_t>(i * 31);
  }
  PublishedPacket next(base::Timestamp now) {
    base::BufferRef buf = pool.acquire();
    rtp::RtpPacketWriter w(buf->writable());
    w.set_payload_type(PayloadType(96));
    w.set_sequence_number(seq++);
    w.set_timestamp(ts);
    ts += 3000;
    w.set_ssrc(Ssrc(0x12345678));
    w.add<rtp::ext::AbsSendTime>(info.extensions, rtp::abs_send_time_from(now));
    w.add<rtp::ext::TransportSequenceNumber>(info.extensions, twcc++);
    buf->resize(*w.finish(payload));
    auto view = *rtp::RtpPacketView::parse(buf->span(), info.extensions);
    return PublishedPacket{std::move(buf), view, &info, now};
  }
};

struct Leg {
  std::optional<rtp::SrtpSession> srtp;
  uint64_t sent = 0;
  RtpSinkTransport transport;
  std::shared_ptr<RtpSink> sink;

  Leg(Mode mode, uint32_t i, bool same_ids, base::BufferPool* pool)
      : srtp(profile_of(mode) ? std::optional(outbound_session(*profile_of(mode))) : std::nullopt),
        transport(srtp ? &*srtp : nullptr, [this](base::BufferRef d) { sent += d->size(); }, pool),
        sink(std::make_shared<RtpSink>(config(i, same_ids), transport)) {}

  static RtpSinkConfig config(uint32_t i, bool same_ids) {
    RtpSinkConfig c;
    c.ssrc = Ssrc(0x10000 + i);
    c.rtx_ssrc = Ssrc(0x20000 + i);
    c.rtx_payload_type = PayloadType(97);
    c.first_sequence = static_cast<uint16_t>(i * 7);
    c.first_timestamp = i * 1000;
    if (same_ids) {
      chrome_ids(c.extensions);
    } else {
      c.extensions.register_extension(5, ExtensionType::AbsSendTime);
      c.extensions.register_extension(6, ExtensionType::TransportSequenceNumber);
    }
    return c;
  }
};

void fanout(benchmark::State& state, Mode mode, int sinks, bool same_ids, bool shared_pool) {
  Publisher pub;
  Router router(pub.info);
  base::BufferPool strand_pool;  // declared before the legs: it outlives every buffer they hold
  std::vector<std::unique_ptr<Leg>> legs;
  for (int i = 0; i < sinks; ++i) {
    legs.push_back(std::make_unique<Leg>(mode, static_cast<uint32_t>(i), same_ids, shared_pool ? &strand_pool : nullptr));
    router.add_sink(legs.back()->sink);
  }
  base::Timestamp now = base::Timestamp::millis(1);
  for (int i = 0; i < 600; ++i) {  // pools, histories (512 packets) and SRTP state reach their steady size
    now += base::Duration::micros(1000);
    router.publish(pub.next(now), now);
  }
  for (auto _ : state) {
    now += base::Duration::micros(1000);
    router.publish(pub.next(now), now);
  }
  state.SetItemsProcessed(state.iterations() * (sinks > 0 ? sinks : 1));
  for (auto& l : legs) {
    if (l->transport.srtp_errors() != 0) state.SkipWithError("SRTP refused a packet");
  }
}

// (c): what bench_srtp calls "a_ours" protect: copy the plaintext in, protect it, same bytes. With n sessions
// (one per sink, used in turn) it also pays for n sets of cold key schedules, as the fan-out must.
void raw_protect(benchmark::State& state, SrtpProfile p, int n) {
  Publisher pub;
  PublishedPacket tmpl = pub.next(base::Timestamp::millis(1));
  std::vector<rtp::SrtpSession> tx;
  for (int i = 0; i < n; ++i) tx.push_back(outbound_session(p));
  std::vector<uint8_t> buf(2048);
  const size_t len = tmpl.view.size();
  uint16_t seq = 0;
  for (auto _ : state) {
    for (auto& s : tx) {
      std::memcpy(buf.data(), tmpl.view.data().data(), len);
      base::store_be16(&buf[2], seq);
      auto r = s.protect_rtp(buf, len);
      if (!r.ok()) state.SkipWithError("protect failed");
      benchmark::DoNotOptimize(buf.data());
    }
    ++seq;
  }
  state.SetItemsProcessed(state.iterations() * n);
}

std::string key(const std::string& what, int sinks) { return what + "/" + std::to_string(sinks); }

// Keeps each benchmark's CPU ns/iteration (the median with --benchmark_repetitions) for the closing table.
class TableReporter : public benchmark::ConsoleReporter {
 public:
  std::map<std::string, double> ns;
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.error_occurred) continue;
      const bool aggregate = r.run_type == Run::RT_Aggregate;
      if (aggregate && r.aggregate_name != "median") continue;
      const std::string name = r.run_name.function_name;
      if (aggregate || !ns.count(name)) ns[name] = r.GetAdjustedCPUTime();
    }
    ConsoleReporter::ReportRuns(runs);
  }
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::RegisterBenchmark("publish/0", fanout, Mode::Plain, 0, true, true);
  for (int n : kSinkCounts) {
    for (Mode m : {Mode::Plain, Mode::AesCm, Mode::Gcm}) {
      benchmark::RegisterBenchmark(key(std::string("fanout_") + mode_name(m), n).c_str(), fanout, m, n, true, true);
    }
    benchmark::RegisterBenchmark(key("fanout_gcm_rebuild", n).c_str(), fanout, Mode::Gcm, n, false, true);
    benchmark::RegisterBenchmark(key("fanout_gcm_ownpools", n).c_str(), fanout, Mode::Gcm, n, true, false);
    benchmark::RegisterBenchmark(key("raw_protect_aes_cm", n).c_str(), raw_protect, SrtpProfile::AesCm128HmacSha1_80, n);
    benchmark::RegisterBenchmark(key("raw_protect_gcm", n).c_str(), raw_protect, SrtpProfile::AeadAes128Gcm, n);
  }
  benchmark::Initialize(&argc, argv);
  TableReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  auto get = [&](const std::string& k) {
    auto it = reporter.ns.find(k);
    return it == reporter.ns.end() ? 0.0 : it->second;
  };
  const double c1_cm = get(key("raw_protect_aes_cm", 1));
  const double c1_gcm = get(key("raw_protect_gcm", 1));
  std::printf("\nRouter fan-out, 1200-byte payload, CPU ns per delivered packet (publish alone: %.0f ns per packet)\n",
              get("publish/0"));
  std::printf("(a) SRTP protect per sink, (b) no SRTP, (c) raw protect_rtp on the same bytes: c1 one session, cN one\n"
              "session per sink used in turn. a/c1 is the target ratio (<= 2); Mpkt/s = delivered packets per core-second.\n");
  std::printf("%5s %7s %8s %7s %8s %8s %7s %8s %7s %7s %7s %7s %8s %8s\n", "sinks", "b_plain", "a_aes_cm", "a_gcm",
              "a_gcm_rb", "a_gcm_op", "c1_cm", "c1_gcm", "cN_cm", "cN_gcm", "a/c1_cm", "a/c1_gcm", "Mpkt/s_cm",
              "Mpkt/s_gcm");
  for (int n : kSinkCounts) {
    const double b = get(key("fanout_plain", n)) / n;
    const double a_cm = get(key("fanout_aes_cm", n)) / n;
    const double a_gcm = get(key("fanout_gcm", n)) / n;
    const double a_rb = get(key("fanout_gcm_rebuild", n)) / n;
    const double a_op = get(key("fanout_gcm_ownpools", n)) / n;
    const double cn_cm = get(key("raw_protect_aes_cm", n)) / n;
    const double cn_gcm = get(key("raw_protect_gcm", n)) / n;
    if (a_cm == 0 && a_gcm == 0 && b == 0) continue;  // filtered out
    std::printf("%5d %7.0f %8.0f %7.0f %8.0f %8.0f %7.0f %8.0f %7.0f %7.0f %7.2f %8.2f %9.2f %10.2f\n", n, b, a_cm,
                a_gcm, a_rb, a_op, c1_cm, c1_gcm, cn_cm, cn_gcm, c1_cm > 0 ? a_cm / c1_cm : 0.0,
                c1_gcm > 0 ? a_gcm / c1_gcm : 0.0, a_cm > 0 ? 1e3 / a_cm : 0.0, a_gcm > 0 ? 1e3 / a_gcm : 0.0);
  }
  return 0;
}
