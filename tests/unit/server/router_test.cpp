// Router and RtpSink: rewrite continuity, source switches, extension translation, RTX answers through SRTP,
// keyframe request throttling, large and grouped fan-outs, membership changes mid fan-out, no steady-state
// allocation.
#include <gtest/gtest.h>

#include "../common/alloc_counter.hpp"
#include <openssl/crypto.h>

#include <atomic>
#include <cstdlib>
#include <array>
#include <map>
#include <memory>
#include <new>
#include <thread>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <vector>

#include "rtp/packet_view.hpp"
#include "rtp/packet_writer.hpp"
#include "rtp/rtcp/compound.hpp"
#include "rtp/rtx.hpp"
#include "rtp/srtp/srtp_session.hpp"
#include "server/media/router.hpp"
#include "server/media/rtp_sink.hpp"

using medley::test::g_allocs;
using medley::test::g_hooked;

namespace medley::server::media {
namespace {

using base::Timestamp;
using rtp::ExtensionType;
using rtp::PayloadType;
using rtp::Ssrc;

Timestamp ms(int64_t v) { return Timestamp::millis(v); }

// A publisher: writes packets into pooled buffers as the receive path would hand them over.
struct TestSource {
  RtpSourceInfo info;
  base::BufferPool pool;
  uint32_t ssrc = 0xA0A0A0A0;
  uint16_t seq = 65530;  // the wrap comes early
  uint32_t ts = 0xFFFFF000;
  uint8_t pt = 100;
  uint16_t transport_seq = 500;
  std::string mid;  // written when set and the map binds mid
  std::string rid;

  explicit TestSource(MediaKind kind = MediaKind::Video) { info.kind = kind; }

  PublishedPacket next(Timestamp now, size_t payload_len = 1000, uint8_t fill = 0) {
    base::BufferRef buf = pool.acquire();
    rtp::RtpPacketWriter w(buf->writable());
    w.set_payload_type(PayloadType(pt));
    w.set_sequence_number(seq);
    w.set_timestamp(ts);
    w.set_ssrc(Ssrc(ssrc));
    w.set_marker(seq % 3 == 0);
    w.add<rtp::ext::TransportSequenceNumber>(info.extensions, transport_seq++);
    w.add<rtp::ext::AbsSendTime>(info.extensions, 0x123456);
    w.add<rtp::ext::VideoOrientation>(info.extensions, rtp::VideoOrientation{false, false, 90});
    if (!mid.empty()) w.add<rtp::ext::Mid>(info.extensions, mid);
    if (!rid.empty()) w.add<rtp::ext::Rid>(info.extensions, rid);
    for (size_t i = 0; i < payload_len; ++i) payload_[i] = static_cast<uint8_t>(fill + i * 13 + seq);
    auto n = w.finish(base::Bytes(payload_.data(), payload_len));
    EXPECT_TRUE(n.has_value());
    buf->resize(*n);
    ++seq;
    ts += 3000;
    auto view = rtp::RtpPacketView::parse(buf->span(), info.extensions);
    EXPECT_TRUE(view.has_value());
    return PublishedPacket{std::move(buf), *view, &info, now};
  }

 private:
  std::array<uint8_t, 1400> payload_{};
};

void chrome_ids(rtp::ExtensionMap& m) {
  m.register_extension(2, ExtensionType::AbsSendTime);
  m.register_extension(3, ExtensionType::TransportSequenceNumber);
  m.register_extension(4, ExtensionType::Mid);
  m.register_extension(10, ExtensionType::Rid);
  m.register_extension(13, ExtensionType::VideoOrientation);
}

struct Keys {
  uint8_t key[32];
  uint8_t salt[14];
  Keys() {
    for (int i = 0; i < 32; ++i) key[i] = static_cast<uint8_t>(0x40 + i * 5);
    for (int i = 0; i < 14; ++i) salt[i] = static_cast<uint8_t>(0x11 * i + 3);
  }
  rtp::SrtpMasterKey master(rtp::SrtpProfile p) const {
    return {base::Bytes(key, rtp::profile_info(p).master_key_len),
            base::Bytes(salt, rtp::profile_info(p).master_salt_len)};
  }
};
const Keys kKeys;

// One receiving leg: optionally an SRTP session and its peer, the transport, captured datagrams, and a sink.
struct Leg {
  std::optional<rtp::SrtpSession> srtp;
  std::optional<rtp::SrtpSession> peer;  // the browser's side: unprotects what we send
  std::vector<std::vector<uint8_t>> sent;
  bool capture = true;
  uint64_t count = 0;
  RtpSinkTransport transport;
  std::shared_ptr<RtpSink> sink;

  Leg(RtpSinkConfig config, std::optional<rtp::SrtpProfile> profile = std::nullopt)
      : srtp(make(profile, true)),
        peer(make(profile, false)),
        transport(srtp ? &*srtp : nullptr,
                  [this](base::BufferRef d) {
                    ++count;
                    if (capture) sent.emplace_back(d->data(), d->data() + d->size());
                  }),
        sink(std::make_shared<RtpSink>(std::move(config), transport)) {}

  static std::optional<rtp::SrtpSession> make(std::optional<rtp::SrtpProfile> p, bool outbound) {
    if (!p) return std::nullopt;
    rtp::SrtpConfig c;
    c.profile = *p;
    auto s = outbound ? rtp::SrtpSession::create(c, kKeys.master(*p), {})
                      : rtp::SrtpSession::create(c, {}, kKeys.master(*p));
    EXPECT_TRUE(s.ok());
    return std::move(*s);
  }

  // The i-th datagram as the receiver sees it (decrypted when SRTP is on).
  std::vector<uint8_t> plain(size_t i) {
    std::vector<uint8_t> d = sent.at(i);
    if (peer) {
      auto n = peer->unprotect_rtp(d, d.size());
      EXPECT_TRUE(n.ok()) << "datagram " << i;
      d.resize(n.ok() ? *n : 0);
    }
    return d;
  }

  struct Fields {
    Ssrc ssrc;
    uint16_t seq = 0;
    uint32_t ts = 0;
  };
  Fields fields(size_t i) {
    auto d = plain(i);
    auto v = rtp::RtpPacketView::parse(d);
    EXPECT_TRUE(v.has_value());
    return v ? Fields{v->ssrc(), v->sequence_number(), v->timestamp()} : Fields{};
  }
};

RtpSinkConfig sink_config(uint32_t ssrc = 0x5151, uint16_t first_seq = 1000, uint32_t first_ts = 5000) {
  RtpSinkConfig c;
  c.ssrc = Ssrc(ssrc);
  c.first_sequence = first_seq;
  c.first_timestamp = first_ts;
  chrome_ids(c.extensions);
  return c;
}

void send_rtcp(RtpSink& sink, base::Bytes datagram, Timestamp now) {
  rtp::rtcp::CompoundReader r(datagram);
  while (auto p = r.next()) sink.handle_rtcp(*p, now);
  ASSERT_TRUE(r.ok());
}

std::vector<uint8_t> nack_for(Ssrc media, std::vector<uint16_t> lost) {
  std::vector<uint8_t> out(256);
  base::ByteWriter w(out);
  EXPECT_TRUE(rtp::rtcp::write_nack(w, Ssrc(1), media, lost));
  out.resize(w.size());
  return out;
}

std::vector<uint8_t> pli_for(Ssrc media) {
  std::vector<uint8_t> out(64);
  base::ByteWriter w(out);
  EXPECT_TRUE(rtp::rtcp::write_pli(w, Ssrc(1), media));
  out.resize(w.size());
  return out;
}

// ---- Rewriting -------------------------------------------------------------------------------------------------

TEST(RtpSink, RewritesSsrcSeqTimestampPayloadTypeAndTransportSequence) {
  TestSource src;
  chrome_ids(src.info.extensions);
  Leg leg(sink_config());
  const std::pair<PayloadType, PayloadType> map[] = {{PayloadType(100), PayloadType(96)}};
  leg.sink->set_payload_type_map(map);
  std::vector<PublishedPacket> in;
  for (int i = 0; i < 12; ++i) {  // source seq 65530..65535, 0..5: across its wrap
    in.push_back(src.next(ms(i * 33)));
    leg.sink->on_packet(in.back(), ms(i * 33));
  }
  ASSERT_EQ(leg.sent.size(), 12u);
  for (size_t i = 0; i < 12; ++i) {
    auto d = leg.plain(i);
    auto v = rtp::RtpPacketView::parse(d, leg.sink->config().extensions);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->ssrc(), Ssrc(0x5151));
    EXPECT_EQ(v->sequence_number(), 1000 + i);
    EXPECT_EQ(v->timestamp(), 5000 + 3000 * i);
    EXPECT_EQ(v->payload_type(), PayloadType(96));
    EXPECT_EQ(v->marker(), in[i].view.marker());
    EXPECT_EQ(v->transport_sequence_number(), 1 + i);  // the leg's own counter, not the publisher's
    EXPECT_TRUE(v->abs_send_time().has_value());
    EXPECT_EQ(v->video_orientation(), in[i].view.video_orientation());
    ASSERT_EQ(v->payload().size(), in[i].view.payload().size());
    EXPECT_TRUE(std::equal(v->payload().begin(), v->payload().end(), in[i].view.payload().begin()));
  }
  // The shared plaintext was never touched.
  auto again = rtp::RtpPacketView::parse(in[0].buffer->span(), src.info.extensions);
  EXPECT_EQ(again->ssrc(), Ssrc(0xA0A0A0A0));
  EXPECT_EQ(again->transport_sequence_number(), 500);
  EXPECT_EQ(leg.sink->sender_report().packets_sent(), 12u);
  EXPECT_EQ(leg.sink->sender_report().octets_sent(), 12u * 1000);
  // The SR speaks our timestamps: the last one sent (at 363 ms), plus 100 ms of the 90 kHz clock.
  auto info = leg.sink->make_sender_info(ms(463), rtp::rtcp::NtpTime{0x0000000500000000});
  ASSERT_TRUE(info);
  EXPECT_EQ(info->rtp_timestamp, 5000u + 3000 * 11 + 9000);
  EXPECT_EQ(info->packet_count, 12u);
  // A receiver report echoing that SR gives the RTT; a report block about another SSRC is not ours.
  rtp::rtcp::ReportBlock rb;
  rb.ssrc = Ssrc(0x5151);
  rb.lsr = rtp::rtcp::NtpTime{0x0000000500000000}.compact();
  rb.dlsr = 65536 / 10;  // 100 ms held by the receiver
  leg.sink->handle_report_block(rb, ms(463 + 150));
  ASSERT_TRUE(leg.sink->sender_report().rtt().has_value());
  EXPECT_NEAR(leg.sink->sender_report().rtt()->ms(), 50, 1);
}

TEST(RtpSink, ReorderedAndDuplicatePacketsKeepTheirPlace) {
  TestSource src;
  chrome_ids(src.info.extensions);
  Leg leg(sink_config());
  auto a = src.next(ms(0));
  auto b = src.next(ms(1));
  auto c = src.next(ms(2));
  for (auto* p : {&a, &c, &b, &c}) leg.sink->on_packet(*p, ms(3));
  std::vector<uint16_t> seqs;
  for (size_t i = 0; i < leg.sent.size(); ++i) seqs.push_back(leg.fields(i).seq);
  EXPECT_EQ(seqs, (std::vector<uint16_t>{1000, 1002, 1001, 1002}));
}

TEST(RtpSink, TwoSourcesSwitchedIntoOneSinkKeepSequenceContinuous) {
  TestSource a, b;
  chrome_ids(a.info.extensions);
  chrome_ids(b.info.extensions);
  b.ssrc = 0xB0B0B0B0;
  b.seq = 17;
  b.ts = 123456;
  Router ra(a.info), rb(b.info);
  Leg leg(sink_config(0x7777, 40000, 0xFFFFFF00));
  ra.add_sink(leg.sink);
  for (int i = 0; i < 5; ++i) ra.publish(a.next(ms(i * 10)), ms(i * 10));
  ra.remove_sink(leg.sink.get());
  rb.add_sink(leg.sink);
  EXPECT_EQ(leg.sink->upstream(), &rb);
  for (int i = 0; i < 5; ++i) rb.publish(b.next(ms(100 + i * 10)), ms(100 + i * 10));
  ASSERT_EQ(leg.sent.size(), 10u);
  uint32_t prev_ts = 0;
  for (size_t i = 0; i < 10; ++i) {
    auto v = leg.fields(i);
    EXPECT_EQ(v.ssrc, Ssrc(0x7777));
    EXPECT_EQ(v.seq, static_cast<uint16_t>(40000 + i));
    if (i > 0) {
      const auto step = static_cast<int32_t>(v.ts - prev_ts);
      // 3000 within a source; across the switch the 60 ms between the last A and first B packet (5400 ticks).
      EXPECT_EQ(step, i == 5 ? 5400 : 3000) << i;
    }
    prev_ts = v.ts;
  }
  EXPECT_EQ(leg.sink->stats().source_switches, 1u);
}

TEST(RtpSink, TranslatesExtensionIdsAndReplacesMidDropsRid) {
  TestSource src;
  chrome_ids(src.info.extensions);
  src.mid = "0";
  src.rid = "hi";
  RtpSinkConfig c = sink_config();
  c.extensions.clear();
  c.extensions.register_extension(7, ExtensionType::TransportSequenceNumber);
  c.extensions.register_extension(1, ExtensionType::Mid);
  c.extensions.register_extension(5, ExtensionType::VideoOrientation);
  c.mid = "video1";
  Leg leg(c);
  auto in = src.next(ms(0));
  leg.sink->on_packet(in, ms(0));
  ASSERT_EQ(leg.sent.size(), 1u);
  auto d = leg.plain(0);
  auto v = rtp::RtpPacketView::parse(d, c.extensions);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->transport_sequence_number(), 1);
  EXPECT_EQ(v->mid(), "video1");
  EXPECT_EQ(v->video_orientation(), in.view.video_orientation());
  EXPECT_FALSE(v->extension(uint8_t{2}).has_value());   // abs-send-time: not negotiated by this receiver
  EXPECT_FALSE(v->extension(uint8_t{10}).has_value());  // rid never reaches a receiver
  EXPECT_TRUE(std::equal(v->payload().begin(), v->payload().end(), in.view.payload().begin(), in.view.payload().end()));
}

TEST(RtpSink, UnmappedPayloadTypeIsDroppedWithoutAGap) {
  TestSource src;
  chrome_ids(src.info.extensions);
  Leg leg(sink_config());
  const std::pair<PayloadType, PayloadType> map[] = {{PayloadType(100), PayloadType(96)}};
  leg.sink->set_payload_type_map(map);
  leg.sink->on_packet(src.next(ms(0)), ms(0));
  src.pt = 101;  // e.g. the publisher's RED, which this receiver did not negotiate
  leg.sink->on_packet(src.next(ms(1)), ms(1));
  src.pt = 100;
  leg.sink->on_packet(src.next(ms(2)), ms(2));
  ASSERT_EQ(leg.sent.size(), 2u);
  EXPECT_EQ(leg.fields(1).seq, 1001);
  EXPECT_EQ(leg.sink->stats().dropped_payload_type, 1u);
}

// ---- RTX ---------------------------------------------------------------------------------------------------------

class RtxAnswer : public ::testing::TestWithParam<rtp::SrtpProfile> {};

TEST_P(RtxAnswer, NackedPacketComesBackOverRtxEqualToTheOriginal) {
  TestSource src;
  chrome_ids(src.info.extensions);
  RtpSinkConfig c = sink_config();
  c.extensions.clear();  // no per-datagram extensions: the RTX payload must be byte-equal to what was sent
  c.rtx_ssrc = Ssrc(0x5152);
  c.rtx_payload_type = PayloadType(97);
  Leg leg(c, GetParam());
  for (int i = 0; i < 20; ++i) leg.sink->on_packet(src.next(ms(i)), ms(i));
  ASSERT_EQ(leg.sent.size(), 20u);
  std::vector<std::vector<uint8_t>> originals;
  for (size_t i = 0; i < 20; ++i) originals.push_back(leg.plain(i));

  send_rtcp(*leg.sink, nack_for(Ssrc(0x5151), {1003, 1007}), ms(50));
  ASSERT_EQ(leg.sent.size(), 22u);
  for (size_t k = 0; k < 2; ++k) {
    auto d = leg.plain(20 + k);
    auto rtx = rtp::RtpPacketView::parse(d);
    ASSERT_TRUE(rtx);
    EXPECT_EQ(rtx->ssrc(), Ssrc(0x5152));
    EXPECT_EQ(rtx->payload_type(), PayloadType(97));
    EXPECT_EQ(rtx->sequence_number(), k);
    std::vector<uint8_t> restored(2048);
    auto n = rtp::rtx_unwrap(*rtx, Ssrc(0x5151), PayloadType(100), restored);
    ASSERT_TRUE(n);
    restored.resize(*n);
    const size_t idx = k == 0 ? 3 : 7;
    EXPECT_EQ(restored, originals[idx]) << "seq " << 1000 + idx;
  }
  // Asked again at once (within the RTT floor): not resent. Unknown sequence: nothing. Later: resent.
  send_rtcp(*leg.sink, nack_for(Ssrc(0x5151), {1003, 999, 2000}), ms(55));
  EXPECT_EQ(leg.sent.size(), 22u);
  send_rtcp(*leg.sink, nack_for(Ssrc(0x5151), {1003}), ms(100));
  EXPECT_EQ(leg.sent.size(), 23u);
  // A NACK about another SSRC is not ours.
  send_rtcp(*leg.sink, nack_for(Ssrc(0x9999), {1004}), ms(200));
  EXPECT_EQ(leg.sent.size(), 23u);
  // Too old: beyond the history's max age.
  send_rtcp(*leg.sink, nack_for(Ssrc(0x5151), {1010}), ms(1500));
  EXPECT_EQ(leg.sent.size(), 23u);
  EXPECT_EQ(leg.transport.srtp_errors(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Profiles, RtxAnswer,
                         ::testing::Values(rtp::SrtpProfile::AesCm128HmacSha1_80, rtp::SrtpProfile::AeadAes128Gcm),
                         [](const auto& info) { return std::string(rtp::name(info.param)) == "AEAD_AES_128_GCM" ? "Gcm" : "AesCm"; });

// The history starts small and grows with the stream's rate: 300 packets within the max age (1 s) are all still
// there, though the first allocation held 64; a slow stream never grows it.
TEST(RtpSink, HistoryGrowsWithTheRateUpToItsMaxAge) {
  TestSource src;
  chrome_ids(src.info.extensions);
  RtpSinkConfig c = sink_config();
  c.rtx_ssrc = Ssrc(0x5152);
  c.rtx_payload_type = PayloadType(97);
  Leg leg(c);
  for (int i = 0; i < 300; ++i) leg.sink->on_packet(src.next(ms(i)), ms(i));  // 1000 packets per second
  ASSERT_EQ(leg.sent.size(), 300u);
  send_rtcp(*leg.sink, nack_for(Ssrc(0x5151), {1000, 1100, 1299}), ms(400));
  EXPECT_EQ(leg.sent.size(), 303u);
}

TEST(RtpSink, RtxResendGetsAFreshTransportSequenceNumber) {
  TestSource src;
  chrome_ids(src.info.extensions);
  RtpSinkConfig c = sink_config();
  c.rtx_ssrc = Ssrc(0x5152);
  c.rtx_payload_type = PayloadType(97);
  Leg leg(c);
  for (int i = 0; i < 5; ++i) leg.sink->on_packet(src.next(ms(i)), ms(i));
  send_rtcp(*leg.sink, nack_for(Ssrc(0x5151), {1002}), ms(30));
  ASSERT_EQ(leg.sent.size(), 6u);
  auto d = leg.plain(5);
  auto rtx = rtp::RtpPacketView::parse(d, c.extensions);
  ASSERT_TRUE(rtx);
  EXPECT_EQ(rtx->transport_sequence_number(), 6);  // after the five media packets
  std::vector<uint8_t> restored(2048);
  auto n = rtp::rtx_unwrap(*rtx, Ssrc(0x5151), PayloadType(100), restored);
  ASSERT_TRUE(n);
  auto orig = leg.plain(2);
  restored.resize(*n);
  auto rv = rtp::RtpPacketView::parse(restored, c.extensions);
  auto ov = rtp::RtpPacketView::parse(orig, c.extensions);
  EXPECT_EQ(rv->sequence_number(), ov->sequence_number());
  EXPECT_EQ(rv->timestamp(), ov->timestamp());
  EXPECT_TRUE(std::equal(rv->payload().begin(), rv->payload().end(), ov->payload().begin(), ov->payload().end()));
}

TEST(RtpSink, AfterASourceSwitchOnlyTheNewSourcesPacketsAreResent) {
  TestSource a, b;
  chrome_ids(a.info.extensions);
  b.info.extensions.register_extension(9, ExtensionType::TransportSequenceNumber);  // other ids: rebuilt path
  b.ssrc = 0xB0B0B0B0;
  b.seq = 300;
  RtpSinkConfig c = sink_config();
  c.rtx_ssrc = Ssrc(0x5152);
  c.rtx_payload_type = PayloadType(97);
  Leg leg(c, rtp::SrtpProfile::AeadAes128Gcm);
  for (int i = 0; i < 3; ++i) leg.sink->on_packet(a.next(ms(i)), ms(i));
  for (int i = 0; i < 3; ++i) leg.sink->on_packet(b.next(ms(10 + i)), ms(10 + i));
  ASSERT_EQ(leg.sent.size(), 6u);
  send_rtcp(*leg.sink, nack_for(Ssrc(0x5151), {1001, 1004}), ms(30));
  ASSERT_EQ(leg.sent.size(), 7u);  // 1001 came from the previous source: gone with its binding
  auto d = leg.plain(6);
  auto rtx = rtp::RtpPacketView::parse(d, c.extensions);
  ASSERT_TRUE(rtx);
  std::vector<uint8_t> restored(2048);
  auto n = rtp::rtx_unwrap(*rtx, Ssrc(0x5151), PayloadType(100), restored);
  ASSERT_TRUE(n);
  restored.resize(*n);
  auto orig = leg.plain(4);
  auto rv = rtp::RtpPacketView::parse(restored, c.extensions);
  auto ov = rtp::RtpPacketView::parse(orig, c.extensions);
  ASSERT_TRUE(rv && ov);
  EXPECT_EQ(rv->sequence_number(), 1004);
  EXPECT_EQ(rv->timestamp(), ov->timestamp());
  EXPECT_EQ(rv->transport_sequence_number(), 7);
  EXPECT_EQ(ov->transport_sequence_number(), 5);
  EXPECT_TRUE(std::equal(rv->payload().begin(), rv->payload().end(), ov->payload().begin(), ov->payload().end()));
}

TEST(RtpSink, WithoutRtxNacksAreNotAnswered) {
  TestSource src;
  chrome_ids(src.info.extensions);
  Leg leg(sink_config());
  for (int i = 0; i < 5; ++i) leg.sink->on_packet(src.next(ms(i)), ms(i));
  send_rtcp(*leg.sink, nack_for(Ssrc(0x5151), {1002}), ms(30));
  EXPECT_EQ(leg.sent.size(), 5u);
  EXPECT_EQ(leg.sink->stats().nacked, 1u);
}

// ---- Keyframe requests -----------------------------------------------------------------------------------------

TEST(Router, KeyframeRequestsFromManySinksAreThrottledAndNotLost) {
  TestSource src;
  Router router(src.info);
  std::vector<Timestamp> requested;
  router.set_keyframe_requester([&](Timestamp now) { requested.push_back(now); });
  std::vector<std::unique_ptr<Leg>> legs;
  for (uint32_t i = 0; i < 10; ++i) {
    legs.push_back(std::make_unique<Leg>(sink_config(0x100 + i)));
    router.add_sink(legs.back()->sink);
  }
  router.publish(src.next(ms(0)), ms(0));  // the joins ask once
  ASSERT_EQ(requested.size(), 1u);
  for (uint32_t i = 0; i < 10; ++i) send_rtcp(*legs[i]->sink, pli_for(Ssrc(0x100 + i)), ms(10 + i));
  EXPECT_EQ(requested.size(), 1u);
  EXPECT_EQ(router.next_timeout(), ms(300));
  router.handle_timeout(ms(299));
  EXPECT_EQ(requested.size(), 1u);
  router.handle_timeout(ms(300));  // the merged request goes out when the interval ends
  ASSERT_EQ(requested.size(), 2u);
  EXPECT_EQ(requested[1], ms(300));
  EXPECT_EQ(router.next_timeout(), Timestamp::infinite());
  // A FIR later, past the interval, goes at once.
  std::vector<uint8_t> fir(64);
  base::ByteWriter w(fir);
  const rtp::rtcp::FirEntry e{Ssrc(0x103), 1};
  ASSERT_TRUE(rtp::rtcp::write_fir(w, Ssrc(1), std::span(&e, 1)));
  fir.resize(w.size());
  send_rtcp(*legs[3]->sink, fir, ms(700));
  EXPECT_EQ(requested.size(), 3u);
  // A PLI about someone else's SSRC is ignored.
  send_rtcp(*legs[3]->sink, pli_for(Ssrc(0x104)), ms(2000));
  EXPECT_EQ(requested.size(), 3u);
  EXPECT_EQ(router.stats().keyframe_requests_sent, 3u);
}

TEST(Router, NewVideoSinkAsksForAKeyframeAudioDoesNot) {
  TestSource video, audio(MediaKind::Audio);
  Router rv(video.info), ra(audio.info);
  int video_requests = 0, audio_requests = 0;
  rv.set_keyframe_requester([&](Timestamp) { ++video_requests; });
  ra.set_keyframe_requester([&](Timestamp) { ++audio_requests; });
  rv.publish(video.next(ms(0)), ms(0));
  EXPECT_EQ(video_requests, 0);  // nobody is watching yet
  Leg a(sink_config(1)), b(sink_config(2)), c(sink_config(3));
  rv.add_sink(a.sink);
  ra.add_sink(c.sink);
  rv.publish(video.next(ms(1000)), ms(1000));
  ra.publish(audio.next(ms(1000), 100), ms(1000));
  EXPECT_EQ(video_requests, 1);
  EXPECT_EQ(audio_requests, 0);
  EXPECT_EQ(a.sent.size(), 1u);
  rv.add_sink(b.sink);  // a second viewer joins 100 ms later: its request waits for the interval
  rv.publish(video.next(ms(1100)), ms(1100));
  EXPECT_EQ(video_requests, 1);
  rv.publish(video.next(ms(1300)), ms(1300));
  EXPECT_EQ(video_requests, 2);
}

// ---- Fan-out -----------------------------------------------------------------------------------------------------

TEST(Router, FanOutTo100SinksDeliversEveryPacketToEachInOrder) {
  TestSource src;
  chrome_ids(src.info.extensions);
  Router router(src.info);
  std::vector<std::unique_ptr<Leg>> legs;
  for (uint32_t i = 0; i < 100; ++i) {
    legs.push_back(std::make_unique<Leg>(sink_config(0x1000 + i, static_cast<uint16_t>(i * 100))));
    router.add_sink(legs.back()->sink);
  }
  EXPECT_EQ(router.sink_count(), 100u);
  EXPECT_EQ(router.group_count(), 2u);  // 64 + 36, both inline without a dispatch
  for (int p = 0; p < 50; ++p) router.publish(src.next(ms(p), 200, static_cast<uint8_t>(p)), ms(p));
  for (uint32_t i = 0; i < 100; ++i) {
    ASSERT_EQ(legs[i]->sent.size(), 50u) << "sink " << i;
    for (size_t p = 0; p < 50; ++p) {
      auto v = legs[i]->fields(p);
      EXPECT_EQ(v.ssrc, Ssrc(0x1000 + i));
      EXPECT_EQ(v.seq, static_cast<uint16_t>(i * 100 + p));
    }
  }
  EXPECT_EQ(router.stats().delivered_inline, 5000u);
}

TEST(Router, GroupsBeyondTheFirstAreServedInBatchesByTheirDispatch) {
  TestSource src;
  chrome_ids(src.info.extensions);
  RouterConfig rc;
  rc.group_size = 10;
  rc.max_batch = 8;
  Router router(src.info, rc);
  std::map<uint32_t, std::vector<size_t>> batches;  // slot -> batch sizes
  router.set_group_dispatch([&](const std::shared_ptr<const SinkGroup>& g, std::span<const PublishedPacket> batch,
                                Timestamp now) {
    batches[g->slot].push_back(batch.size());
    g->deliver(batch, now);  // the server posts this to the slot's strand; here it runs at once
  });
  std::vector<std::unique_ptr<Leg>> legs;
  for (uint32_t i = 0; i < 35; ++i) {
    legs.push_back(std::make_unique<Leg>(sink_config(0x2000 + i)));
    router.add_sink(legs.back()->sink);
  }
  EXPECT_EQ(router.group_count(), 4u);
  for (int p = 0; p < 20; ++p) router.publish(src.next(ms(p), 100), ms(p));
  EXPECT_EQ(legs[0]->sent.size(), 20u);   // inline group
  EXPECT_EQ(legs[34]->sent.size(), 16u);  // two full batches so far
  router.flush(ms(20));
  for (uint32_t i = 0; i < 35; ++i) {
    ASSERT_EQ(legs[i]->sent.size(), 20u) << i;
    for (size_t p = 0; p < 20; ++p)
      EXPECT_EQ(legs[i]->fields(p).seq, 1000 + p);
  }
  EXPECT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches.count(0), 0u);  // slot 0 is the inline group
  for (const auto& [slot, sizes] : batches) EXPECT_EQ(sizes, (std::vector<size_t>{8, 8, 4})) << slot;
  // Removing sinks keeps each group's slot (its strand); freed places are refilled first.
  ASSERT_TRUE(router.remove_sink(legs[12]->sink.get()));
  ASSERT_FALSE(router.remove_sink(legs[12]->sink.get()));
  EXPECT_EQ(legs[12]->sink->upstream(), nullptr);
  auto extra = std::make_unique<Leg>(sink_config(0x3000));
  router.add_sink(extra->sink);
  EXPECT_EQ(router.group_count(), 4u);
  batches.clear();
  router.publish(src.next(ms(30), 100), ms(30));
  router.flush(ms(30));
  EXPECT_EQ(extra->sent.size(), 1u);
  EXPECT_EQ(legs[12]->sent.size(), 20u);
  EXPECT_EQ(batches.size(), 3u);
}

// The server's shape: groups beyond the first posted to strands of a thread pool, one batch per group and flush.
TEST(Router, GroupsPostedToStrandsOfAThreadPoolGetEveryPacketInOrder) {
  TestSource src;
  chrome_ids(src.info.extensions);
  RouterConfig rc;
  rc.group_size = 16;
  rc.max_batch = 8;
  Router router(src.info, rc);
  boost::asio::thread_pool pool(2);
  std::vector<boost::asio::strand<boost::asio::thread_pool::executor_type>> strands;
  for (int i = 0; i < 3; ++i) strands.push_back(boost::asio::make_strand(pool.get_executor()));
  router.set_group_dispatch(make_posting_dispatch([&](uint32_t slot, auto task) {
    boost::asio::post(strands[slot % strands.size()], std::move(task));
  }));
  std::vector<std::unique_ptr<Leg>> legs;
  for (uint32_t i = 0; i < 70; ++i) {
    legs.push_back(std::make_unique<Leg>(sink_config(0x6000 + i)));
    router.add_sink(legs.back()->sink);
  }
  EXPECT_EQ(router.group_count(), 5u);
  constexpr int kPackets = 100;
  for (int p = 0; p < kPackets; ++p) {
    router.publish(src.next(ms(p), 100), ms(p));
    if (p % 5 == 4) router.flush(ms(p));  // the end of a receive batch
  }
  router.flush(ms(kPackets));
  pool.join();
  for (uint32_t i = 0; i < 70; ++i) {
    ASSERT_EQ(legs[i]->sent.size(), static_cast<size_t>(kPackets)) << i;
    for (size_t p = 0; p < kPackets; ++p) ASSERT_EQ(legs[i]->fields(p).seq, 1000 + p) << i;
  }
}

// A sink that changes the membership from inside the fan-out: the running fan-out keeps its snapshot.
class MeddlingSink : public PacketSink {
 public:
  MeddlingSink(Router& r, std::shared_ptr<PacketSink> victim, std::shared_ptr<PacketSink> newcomer)
      : router_(r), victim_(std::move(victim)), newcomer_(std::move(newcomer)) {}
  void on_packet(const PublishedPacket&, Timestamp) override {
    ++seen;
    if (seen == 2) {
      router_.remove_sink(victim_.get());
      router_.add_sink(newcomer_);
      victim_.reset();  // the snapshot still holds it
    }
  }
  int seen = 0;

 private:
  Router& router_;
  std::shared_ptr<PacketSink> victim_;
  std::shared_ptr<PacketSink> newcomer_;
};

TEST(Router, MembershipChangesDuringFanOutTakeEffectAtTheNextPacket) {
  TestSource src;
  chrome_ids(src.info.extensions);
  Router router(src.info);
  Leg before(sink_config(1)), victim(sink_config(2)), newcomer(sink_config(3));
  auto meddler = std::make_shared<MeddlingSink>(router, victim.sink, newcomer.sink);
  router.add_sink(before.sink);
  router.add_sink(meddler);
  router.add_sink(victim.sink);
  for (int p = 0; p < 4; ++p) router.publish(src.next(ms(p), 100), ms(p));
  EXPECT_EQ(before.sent.size(), 4u);
  EXPECT_EQ(victim.sent.size(), 2u);    // got packet 2 from the snapshot, nothing after
  EXPECT_EQ(newcomer.sent.size(), 2u);  // from packet 3 on
  EXPECT_EQ(meddler->seen, 4);
}

// Publishing on one thread while another adds and removes sinks: the fan-out never waits, never sees a torn
// list, and the sinks that stay get every packet.
TEST(Router, AddAndRemoveFromAnotherThreadDuringFanOut) {
  TestSource src;
  chrome_ids(src.info.extensions);
  Router router(src.info);
  std::vector<std::unique_ptr<Leg>> stay;
  for (uint32_t i = 0; i < 8; ++i) {
    stay.push_back(std::make_unique<Leg>(sink_config(0x10 + i)));
    stay.back()->capture = false;
    router.add_sink(stay.back()->sink);
  }
  std::atomic<bool> done{false};
  std::vector<std::unique_ptr<Leg>> churn;
  for (uint32_t i = 0; i < 16; ++i) {
    churn.push_back(std::make_unique<Leg>(sink_config(0x100 + i)));
    churn.back()->capture = false;
  }
  std::thread control([&] {
    // The churning sinks' own state is touched only by the publishing thread; this thread only links them.
    size_t rounds = 0;
    while (!done.load() || rounds < 50) {
      for (auto& l : churn) router.add_sink(l->sink);
      for (auto& l : churn) router.remove_sink(l->sink.get());
      ++rounds;
    }
  });
  constexpr int kPackets = 3000;
  for (int p = 0; p < kPackets; ++p) router.publish(src.next(ms(p), 100), ms(p));
  done = true;
  control.join();
  for (auto& l : stay) EXPECT_EQ(l->count, static_cast<uint64_t>(kPackets));
  EXPECT_EQ(router.sink_count(), 8u);
}

// ---- Allocation ----------------------------------------------------------------------------------------------------

TEST(Router, SteadyStateForwardingAllocatesNothing) {
  ASSERT_TRUE(g_hooked) << "OpenSSL allocated before the hooks; the count would miss its allocations";
  for (auto profile : {rtp::SrtpProfile::AesCm128HmacSha1_80, rtp::SrtpProfile::AeadAes128Gcm}) {
    SCOPED_TRACE(rtp::name(profile));
    TestSource src;
    chrome_ids(src.info.extensions);
    src.mid = "0";  // half the packets take the rebuilding path
    Router router(src.info);
    int keyframes = 0;
    router.set_keyframe_requester([&](Timestamp) { ++keyframes; });
    std::vector<std::unique_ptr<Leg>> legs;
    for (uint32_t i = 0; i < 10; ++i) {
      RtpSinkConfig c = sink_config(0x400 + i);
      c.rtx_ssrc = Ssrc(0x500 + i);
      c.rtx_payload_type = PayloadType(97);
      c.history_size = 128;
      c.mid = "v";
      legs.push_back(std::make_unique<Leg>(c, profile));
      legs.back()->capture = false;
      router.add_sink(legs.back()->sink);
    }
    auto nack = nack_for(Ssrc(0x400), {1050});  // the RTX stream starts (and its SRTP state) while warming up
    auto pli = pli_for(Ssrc(0x401));
    const long before_setup = g_allocs.load();
    Timestamp now = ms(0);
    for (int p = 0; p < 400; ++p) {  // pools, histories, SRTP per-SSRC state fill up
      now += base::Duration::millis(1);
      src.mid = (p % 2) ? "0" : "";
      router.publish(src.next(now, 1100), now);
      if (p == 100) send_rtcp(*legs[0]->sink, nack, now);
    }
    ASSERT_GT(g_allocs.load(), before_setup);
    // Prebuilt RTCP (the RTCP path's own buffers are the endpoint's business).
    std::vector<std::vector<uint8_t>> nacks;
    for (int k = 0; k < 20; ++k) nacks.push_back(nack_for(Ssrc(0x400), {static_cast<uint16_t>(1000 + 390 + k * 10)}));
    const long at = g_allocs.load();
    const uint64_t sent_before = legs[0]->count;
    for (int k = 0; k < 20; ++k) {
      for (int p = 0; p < 10; ++p) {
        now += base::Duration::millis(1);
        src.mid = (p % 2) ? "0" : "";
        router.publish(src.next(now, 1100), now);
      }
      send_rtcp(*legs[0]->sink, nacks[k], now);
      send_rtcp(*legs[1]->sink, pli, now);
      router.handle_timeout(now);
    }
    const long during = g_allocs.load() - at;
    EXPECT_EQ(during, 0) << "allocations while forwarding 200 packets to 10 sinks";
    EXPECT_GT(legs[0]->count - sent_before, 200u) << "the NACKs were answered too";
    EXPECT_GE(keyframes, 2);
  }
}

}  // namespace
}  // namespace medley::server::media
