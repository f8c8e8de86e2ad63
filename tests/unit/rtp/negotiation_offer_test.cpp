// generate_offer and process_answer (Kurento's generateOffer/processAnswer): our offer answered by our own
// process_offer and read back; answers that break the rules fail with 40206; bad requests with 40204.
#include <gtest/gtest.h>

#include <set>

#include "negotiation_test_util.hpp"
#include "rtp/negotiation/generate_offer.hpp"
#include "rtp/negotiation/process_offer.hpp"

namespace medley::rtp::negotiation {
namespace {

using testing::expect_valid_answer;
using testing::test_identity;
using testing::test_transport;

const std::vector<OfferSection> kAvd = {{MediaKind::Audio, sdp::Direction::SendRecv},
                                        {MediaKind::Video, sdp::Direction::SendRecv},
                                        {MediaKind::Data, sdp::Direction::SendRecv}};

GeneratedOffer offer(const std::vector<OfferSection>& s = kAvd, const LocalCapabilities& caps = LocalCapabilities::defaults()) {
  auto r = generate_offer(caps, test_transport(), test_identity(99), s);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().reason);
  return r.ok() ? std::move(r).value() : GeneratedOffer{};
}

TEST(NegotiationOffer, OfferShape) {
  auto o = offer();
  auto parsed = sdp::SessionDescription::parse(o.sdp);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->to_string(), o.sdp);
  EXPECT_EQ(parsed->bundle_mids(), (std::vector<std::string_view>{"0", "1", "2"}));
  ASSERT_EQ(parsed->media.size(), 3u);
  std::set<uint8_t> all_pts;
  size_t pt_count = 0;
  for (const auto& m : parsed->media) {
    ASSERT_NE(parsed->setup(m), nullptr);
    EXPECT_EQ(parsed->setup(m)->role, sdp::SetupRole::ActPass);
    if (m.is_sctp()) {
      EXPECT_EQ(m.proto, "UDP/DTLS/SCTP");
      EXPECT_EQ(m.sctp_port(), 5000);
      continue;
    }
    EXPECT_TRUE(m.attributes.has<sdp::RtcpMux>());
    EXPECT_EQ(m.direction(), sdp::Direction::SendRecv);
    for (auto pt : m.payload_types()) {
      all_pts.insert(pt.value);
      ++pt_count;
    }
    for (auto* e : m.extmaps()) EXPECT_LE(e->id, 14);
    auto* msid = m.attributes.find<sdp::Msid>();
    ASSERT_NE(msid, nullptr);
    EXPECT_EQ(msid->stream_id, "medley-stream");
  }
  EXPECT_EQ(all_pts.size(), pt_count) << "payload types are unique across the BUNDLE";
  EXPECT_NE(o.sdp.find("m=audio 9 UDP/TLS/RTP/SAVPF 96 0 8\r\n"), std::string::npos);
  EXPECT_NE(o.sdp.find("m=video 9 UDP/TLS/RTP/SAVPF 97 98 99 100 101 102\r\n"), std::string::npos);
  EXPECT_NE(o.sdp.find("a=fmtp:99 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"),
            std::string::npos);
  EXPECT_NE(o.sdp.find("a=fmtp:100 apt=99\r\n"), std::string::npos);
  ASSERT_EQ(o.state.local.size(), 3u);
  ASSERT_TRUE(o.state.local[1].send.has_value());
  EXPECT_TRUE(o.state.local[1].send->rtx_ssrc.has_value());
  EXPECT_FALSE(o.state.local[0].send->rtx_ssrc.has_value());
}

TEST(NegotiationOffer, OwnOfferAnsweredByOwnProcessOfferAndReadBack) {
  auto o = offer();
  auto a = process_offer(o.sdp, LocalCapabilities::defaults(), test_transport(), test_identity(5));
  ASSERT_TRUE(a.ok()) << a.error().reason;
  expect_valid_answer(o.sdp, a->sdp);
  EXPECT_EQ(a->session.accepted_count(), 3u);
  // Our offer's codecs come back in our order with our numbers.
  EXPECT_EQ(a->session.media[1].codecs.size(), 3u);

  auto s = process_answer(a->sdp, o.state);
  ASSERT_TRUE(s.ok()) << s.error().reason;
  ASSERT_EQ(s->media.size(), 3u);
  EXPECT_EQ(s->bundle_mids, (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(s->dtls_role, DtlsRole::Server);  // the answerer took active
  EXPECT_EQ(s->local_setup, sdp::SetupRole::Passive);
  EXPECT_EQ(s->remote.ice_ufrag, "mdly");
  for (const auto& m : s->media) EXPECT_TRUE(m.accepted);
  const auto& v = s->media[1];
  EXPECT_EQ(v.direction, sdp::Direction::SendRecv);
  ASSERT_EQ(v.codecs.size(), 3u);
  EXPECT_EQ(v.codecs[0].name, "VP8");
  EXPECT_EQ(v.codecs[0].rtx_payload_type, PayloadType{98});
  EXPECT_TRUE(v.codecs[0].has_feedback("nack", "pli"));
  EXPECT_EQ(v.codecs[1].remote_fmtp, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
  ASSERT_TRUE(v.send.has_value());
  EXPECT_EQ(v.send->ssrc, o.state.local[1].send->ssrc);
  // The remote streams are what the answerer announced.
  ASSERT_TRUE(a->session.media[1].send.has_value());
  EXPECT_EQ(v.remote.ssrcs.front(), a->session.media[1].send->ssrc);
  EXPECT_EQ(v.remote.fid_groups.size(), 1u);
  EXPECT_EQ(v.extension_id("urn:ietf:params:rtp-hdrext:sdes:mid"), o.state.local[1].extension_id("urn:ietf:params:rtp-hdrext:sdes:mid"));
  EXPECT_EQ(s->media[2].remote_sctp_port, 5000);
  EXPECT_EQ(s->media[2].remote_max_message_size, 262144u);
}

TEST(NegotiationOffer, DirectionsThroughAnOfferAnswerRound) {
  auto o = offer({{MediaKind::Video, sdp::Direction::RecvOnly}, {MediaKind::Audio, sdp::Direction::SendOnly}});
  EXPECT_FALSE(o.state.local[0].send.has_value());
  EXPECT_TRUE(o.state.local[1].send.has_value());
  auto a = process_offer(o.sdp, LocalCapabilities::defaults(), test_transport(), test_identity(5));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->session.media[0].direction, sdp::Direction::SendOnly);
  EXPECT_EQ(a->session.media[1].direction, sdp::Direction::RecvOnly);
  auto s = process_answer(a->sdp, o.state);
  ASSERT_TRUE(s.ok()) << s.error().reason;
  EXPECT_EQ(s->media[0].direction, sdp::Direction::RecvOnly);
  EXPECT_FALSE(s->media[0].send.has_value());
  EXPECT_EQ(s->media[1].direction, sdp::Direction::SendOnly);
  EXPECT_TRUE(s->media[1].send.has_value());
}

TEST(NegotiationOffer, AnswerWithFewerCodecsAndRejectedSection) {
  auto o = offer();
  auto caps = LocalCapabilities::defaults();
  caps.video_codecs.erase(caps.video_codecs.begin());  // the answerer has no VP8
  caps.data.enabled = false;
  auto a = process_offer(o.sdp, caps, test_transport(), test_identity(5));
  ASSERT_TRUE(a.ok());
  auto s = process_answer(a->sdp, o.state);
  ASSERT_TRUE(s.ok()) << s.error().reason;
  ASSERT_EQ(s->media[1].codecs.size(), 2u);
  EXPECT_EQ(s->media[1].codecs[0].name, "H264");
  EXPECT_FALSE(s->media[2].accepted);
  EXPECT_EQ(s->media[2].rejection_reason, "rejected by the answerer");
  EXPECT_EQ(s->bundle_mids, (std::vector<std::string>{"0", "1"}));
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size()) s.replace(p, from.size(), to);
  return s;
}

void expect_answer_error(const std::string& answer, const OfferState& state, const std::string& part) {
  auto s = process_answer(answer, state);
  ASSERT_FALSE(s.ok()) << part;
  EXPECT_EQ(s.error().code, kProcessAnswerError);
  EXPECT_NE(s.error().reason.find(part), std::string::npos) << s.error().reason;
}

TEST(NegotiationOffer, BadAnswersFailWith40206) {
  auto o = offer();
  auto a = process_offer(o.sdp, LocalCapabilities::defaults(), test_transport(), test_identity(5));
  ASSERT_TRUE(a.ok());
  const std::string good = a->sdp;
  expect_answer_error("garbage", o.state, "answer does not parse: line 1");
  expect_answer_error(good.substr(0, good.find("m=application")), o.state, "answer has 2 m-sections, the offer had 3");
  expect_answer_error(replace_all(good, "a=mid:1", "a=mid:x"), o.state, "m-section 1 has mid \"x\"");
  expect_answer_error(replace_all(good, "a=setup:active", "a=setup:actpass"), o.state, "actpass");
  expect_answer_error(replace_all(good, "a=setup:active", "a=setup:holdconn"), o.state, "holdconn");
  expect_answer_error(replace_all(good, "a=rtcp-mux\r\n", ""), o.state, "has no a=rtcp-mux");
  expect_answer_error(replace_all(good, "a=rtpmap:97 VP8/90000", "a=rtpmap:97 VP9/90000"), o.state,
                      "payload type 97 (VP9), which we did not offer");
  expect_answer_error(replace_all(good, "UDP/TLS/RTP/SAVPF 96 0 8", "UDP/TLS/RTP/SAVPF 96 0 8 120"), o.state,
                      "payload type 120");
  expect_answer_error(replace_all(good, "a=group:BUNDLE 0 1 2\r\n", ""), o.state, "without BUNDLE");
  expect_answer_error(replace_all(good, "a=group:BUNDLE 0 1 2", "a=group:BUNDLE 0 1"), o.state, "outside its BUNDLE");
  expect_answer_error(replace_all(good, "a=group:BUNDLE 0 1 2", "a=group:BUNDLE 0 1 2 9"), o.state, "did not offer");
  expect_answer_error(replace_all(good, "m=audio 9 ", "m=video 9 "), o.state, "m-section 0 is video");
  {
    std::string no_fp;
    for (size_t p = 0, q; p < good.size(); p = q + 2) {
      q = good.find("\r\n", p);
      auto line = good.substr(p, q - p);
      if (line.rfind("a=fingerprint", 0) != 0) no_fp += line + "\r\n";
    }
    expect_answer_error(no_fp, o.state, "no a=fingerprint");
  }
  // Every section rejected.
  std::string all_rejected = replace_all(replace_all(replace_all(good, "m=audio 9 ", "m=audio 0 "), "m=video 9 ", "m=video 0 "),
                                         "m=application 9 ", "m=application 0 ");
  expect_answer_error(all_rejected, o.state, "rejects every m-section");

  // Direction: our recvonly answered recvonly.
  auto r = offer({{MediaKind::Video, sdp::Direction::RecvOnly}});
  auto ra = process_offer(r.sdp, LocalCapabilities::defaults(), test_transport(), test_identity(5));
  ASSERT_TRUE(ra.ok());
  expect_answer_error(replace_all(ra->sdp, "a=sendonly", "a=recvonly"), r.state, "answers recvonly to our recvonly");
}

TEST(NegotiationOffer, AnswerWithoutSetupMeansTheyAreActive) {
  auto o = offer({{MediaKind::Audio, sdp::Direction::SendRecv}});
  auto a = process_offer(o.sdp, LocalCapabilities::defaults(), test_transport(), test_identity(5));
  ASSERT_TRUE(a.ok());
  auto s = process_answer(replace_all(a->sdp, "a=setup:active\r\n", ""), o.state);
  ASSERT_TRUE(s.ok()) << s.error().reason;
  EXPECT_EQ(s->dtls_role, DtlsRole::Server);
  s = process_answer(replace_all(a->sdp, "a=setup:active", "a=setup:passive"), o.state);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->dtls_role, DtlsRole::Client);
}

TEST(NegotiationOffer, BadRequestsFailWith40204) {
  auto caps = LocalCapabilities::defaults();
  auto expect = [&](const LocalCapabilities& c, const TransportParams& t, const std::vector<OfferSection>& s,
                    const std::string& part) {
    auto r = generate_offer(c, t, test_identity(), s);
    ASSERT_FALSE(r.ok()) << part;
    EXPECT_EQ(r.error().code, kGenerateOfferError);
    EXPECT_NE(r.error().reason.find(part), std::string::npos) << r.error().reason;
  };
  expect(caps, test_transport(), {}, "nothing to offer");
  expect(caps, test_transport(), {{MediaKind::Data}, {MediaKind::Data}}, "only one data channel section");
  expect(caps, test_transport(), {{MediaKind::Other}}, "unknown media kind");
  auto no_video = caps;
  no_video.video_codecs.clear();
  expect(no_video, test_transport(), {{MediaKind::Video}}, "no video codec configured");
  auto no_data = caps;
  no_data.data.enabled = false;
  expect(no_data, test_transport(), {{MediaKind::Data}}, "data channels are disabled");
  auto t = test_transport();
  t.ice_pwd = "short";
  expect(caps, t, {{MediaKind::Audio}}, "local ICE password");
}

TEST(NegotiationOffer, PayloadTypesRunOutGracefully) {
  auto caps = LocalCapabilities::defaults();
  // 40 video codecs with RTX need 80 dynamic types: only 61 exist.
  for (int i = 0; i < 40; ++i) caps.video_codecs.push_back(caps.video_codecs[0]);
  auto r = generate_offer(caps, test_transport(), test_identity(), {{MediaKind::Video}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, "out of dynamic payload types");
}

TEST(NegotiationOffer, CapabilitiesFromKurentoCodecNames) {
  auto caps = LocalCapabilities::from_codec_names({"opus/48000/2", "PCMU/8000"}, {"VP8/90000", "H264/90000"});
  ASSERT_TRUE(caps.ok()) << caps.error();
  ASSERT_EQ(caps->audio_codecs.size(), 2u);
  EXPECT_EQ(caps->audio_codecs[0].config_name(), "opus/48000/2");
  EXPECT_EQ(caps->audio_codecs[1].static_payload_type, 0);
  ASSERT_EQ(caps->video_codecs.size(), 2u);
  EXPECT_EQ(caps->video_codecs[1].codec_id(), base::CodecId::H264);
  EXPECT_TRUE(LocalCapabilities::from_codec_names({"OPUS/48000/2"}, {"vp9/90000"}).ok());
  for (auto [a, v, part] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"opus/48000", "VP8/90000", ""},  // opus without channels is opus/48000/2
           {"speex/16000", "VP8/90000", "codec \"speex/16000\": not a codec this server supports"},
           {"opus", "VP8/90000", "expected <name>/<clock rate>"},
           {"opus/x/2", "VP8/90000", "clock rate is not a number"},
           {"VP8/90000", "VP8/90000", "not an audio codec"},
           {"opus/48000/2", "PCMA/8000", "not a video codec"},
           {"opus/48000/1", "VP8/90000", "not a codec"}}) {
    auto r = LocalCapabilities::from_codec_names({a}, {v});
    if (part.empty()) {
      EXPECT_TRUE(r.ok()) << a;
    } else {
      ASSERT_FALSE(r.ok()) << a << " " << v;
      EXPECT_NE(r.error().find(part), std::string::npos) << r.error();
    }
  }
}

}  // namespace
}  // namespace medley::rtp::negotiation
