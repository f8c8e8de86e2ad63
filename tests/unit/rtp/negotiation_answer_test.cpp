// process_offer against real browser offers (tests/data/sdp): the answers obey the JSEP rules and carry what
// Kurento's answers carry (BUNDLE, rtcp-mux, mirrored directions, setup:active, msid with a real stream).
#include <gtest/gtest.h>

#include "negotiation_test_util.hpp"
#include "rtp/negotiation/process_offer.hpp"

namespace medley::rtp::negotiation {
namespace {

using testing::expect_valid_answer;
using testing::load_sdp;
using testing::test_identity;
using testing::test_transport;

Answer answer_for(const std::string& offer, const LocalCapabilities& caps = LocalCapabilities::defaults(),
                  const TransportParams& t = test_transport()) {
  auto r = process_offer(offer, caps, t, test_identity());
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().reason);
  if (!r.ok()) return {};
  expect_valid_answer(offer, r->sdp);
  return std::move(r).value();
}

std::vector<uint8_t> pts(const NegotiatedMedia& m) {
  std::vector<uint8_t> v;
  for (const auto& c : m.codecs) v.push_back(c.payload_type.value);
  return v;
}

TEST(NegotiationAnswer, ChromiumOfferAudioVideoData) {
  const auto offer = load_sdp("chromium_offer.sdp");
  auto a = answer_for(offer);
  const auto& s = a.session;
  ASSERT_EQ(s.media.size(), 3u);
  EXPECT_EQ(s.bundle_mids, (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(s.local_setup, sdp::SetupRole::Active);  // Kurento answers actpass with active
  EXPECT_EQ(s.dtls_role, DtlsRole::Client);
  EXPECT_EQ(s.remote.ice_ufrag, "smSA");
  EXPECT_EQ(s.remote.ice_pwd, "3FUzZRcQhfoNmqtUNpuN4Ukw");
  ASSERT_EQ(s.remote.fingerprints.size(), 1u);
  EXPECT_EQ(s.remote.fingerprints[0].hash_function, "sha-256");
  EXPECT_EQ(s.remote.candidates.size(), 8u);  // the tagged section's; the others die with BUNDLE
  EXPECT_EQ(s.remote.candidates[0].port, 55001);
  EXPECT_TRUE(s.remote.trickle);

  const auto& audio = s.media[0];
  EXPECT_TRUE(audio.accepted);
  EXPECT_EQ(audio.kind, MediaKind::Audio);
  EXPECT_EQ(audio.direction, sdp::Direction::SendRecv);
  EXPECT_EQ(pts(audio), (std::vector<uint8_t>{111, 0, 8}));  // opus, PCMU, PCMA in the offer's order
  EXPECT_EQ(audio.codecs[0].codec_id, base::CodecId::Opus);
  EXPECT_EQ(audio.codecs[0].channels, 2u);
  EXPECT_TRUE(audio.codecs[0].has_feedback("transport-cc"));
  EXPECT_EQ(audio.codecs[0].remote_fmtp, "minptime=10;useinbandfec=1");
  EXPECT_EQ(audio.extension_id("urn:ietf:params:rtp-hdrext:ssrc-audio-level"), 1);
  EXPECT_EQ(audio.extension_id("urn:ietf:params:rtp-hdrext:sdes:mid"), 4);
  EXPECT_EQ(audio.extension_id("urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"), std::nullopt);
  EXPECT_TRUE(audio.rtcp_mux);
  EXPECT_TRUE(audio.rtcp_rsize);
  EXPECT_EQ(audio.remote.ssrcs, (std::vector<Ssrc>{Ssrc{1816757409}}));
  EXPECT_EQ(audio.remote.cname, "PqCWJKZfMO5xk1bz");
  ASSERT_TRUE(audio.remote.msid.has_value());
  EXPECT_EQ(audio.remote.msid->stream_id, "43afbbd9-81e1-4e30-9a3e-5339395c50d2");
  ASSERT_TRUE(audio.send.has_value());
  EXPECT_FALSE(audio.send->rtx_ssrc.has_value());
  EXPECT_EQ(audio.send->stream_id, "medley-stream");

  const auto& video = s.media[1];
  EXPECT_TRUE(video.accepted);
  // VP8, H.264 Constrained Baseline mode 1 (108, not Baseline 102 or mode 0 104/114), VP9 profile 0 (not 100).
  EXPECT_EQ(pts(video), (std::vector<uint8_t>{96, 108, 98}));
  EXPECT_EQ(video.codecs[0].rtx_payload_type, PayloadType{97});
  EXPECT_EQ(video.codecs[1].rtx_payload_type, PayloadType{109});
  EXPECT_EQ(video.codecs[2].rtx_payload_type, PayloadType{99});
  EXPECT_EQ(video.codecs[1].codec_id, base::CodecId::H264);
  EXPECT_EQ(video.codecs[1].local_fmtp, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
  for (const auto& c : video.codecs) {
    EXPECT_TRUE(c.has_feedback("nack"));
    EXPECT_TRUE(c.has_feedback("nack", "pli"));
    EXPECT_TRUE(c.has_feedback("ccm", "fir"));
    EXPECT_TRUE(c.has_feedback("goog-remb"));
    EXPECT_TRUE(c.has_feedback("transport-cc"));
  }
  EXPECT_EQ(video.extension_id("urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"), 10);
  EXPECT_EQ(video.extension_id("urn:ietf:params:rtp-hdrext:toffset"), std::nullopt);
  EXPECT_EQ(video.remote.fid_groups, (std::vector<std::pair<Ssrc, Ssrc>>{{Ssrc{2424636512}, Ssrc{2888429757}}}));
  ASSERT_TRUE(video.send.has_value());
  ASSERT_TRUE(video.send->rtx_ssrc.has_value());
  EXPECT_NE(video.send->ssrc, audio.send->ssrc);
  EXPECT_NE(video.send->track_id, audio.send->track_id);

  const auto& data = s.media[2];
  EXPECT_TRUE(data.accepted);
  EXPECT_EQ(data.kind, MediaKind::Data);
  EXPECT_EQ(data.remote_sctp_port, 5000);
  EXPECT_EQ(data.remote_max_message_size, 262144u);
  EXPECT_EQ(data.local_sctp_port, 5000);
  EXPECT_FALSE(data.legacy_sctpmap);

  // The text itself.
  EXPECT_NE(a.sdp.find("a=group:BUNDLE 0 1 2\r\n"), std::string::npos);
  EXPECT_NE(a.sdp.find("a=extmap-allow-mixed\r\n"), std::string::npos);
  EXPECT_NE(a.sdp.find("a=msid-semantic: WMS medley-stream\r\n"), std::string::npos);
  EXPECT_NE(a.sdp.find("m=audio 9 UDP/TLS/RTP/SAVPF 111 0 8\r\n"), std::string::npos);
  EXPECT_NE(a.sdp.find("m=video 9 UDP/TLS/RTP/SAVPF 96 97 108 109 98 99\r\n"), std::string::npos);
  EXPECT_NE(a.sdp.find("m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"), std::string::npos);
  EXPECT_NE(a.sdp.find("a=setup:active\r\n"), std::string::npos);
  EXPECT_NE(a.sdp.find("a=ssrc-group:FID " + std::to_string(video.send->ssrc.value) + " " +
                       std::to_string(video.send->rtx_ssrc->value) + "\r\n"),
            std::string::npos);
  EXPECT_NE(a.sdp.find("a=msid:medley-stream " + video.send->track_id + "\r\n"), std::string::npos);
  EXPECT_NE(a.sdp.find("a=sctp-port:5000\r\na=max-message-size:262144\r\n"), std::string::npos);
}

TEST(NegotiationAnswer, LibwebrtcOffer) {
  const auto offer = load_sdp("libwebrtc_offer.sdp");
  auto a = answer_for(offer);
  ASSERT_EQ(a.session.accepted_count(), a.session.media.size());
  for (const auto& m : a.session.media) EXPECT_TRUE(m.accepted) << m.mid << ": " << m.rejection_reason;
}

TEST(NegotiationAnswer, LibwebrtcSimulcastOfferKeepsRids) {
  const auto offer = load_sdp("libwebrtc_simulcast_offer.sdp");
  auto a = answer_for(offer);
  const NegotiatedMedia* video = nullptr;
  for (const auto& m : a.session.media)
    if (m.kind == MediaKind::Video) video = &m;
  ASSERT_NE(video, nullptr);
  ASSERT_EQ(video->remote.rids.size(), 3u);
  EXPECT_EQ(video->remote.rids[0].id, "h");
  EXPECT_EQ(video->remote.rids[0].direction, sdp::RidDirection::Send);
  // Simulcast is not answered yet: the browser then sends one layer.
  EXPECT_EQ(a.sdp.find("a=simulcast"), std::string::npos);
  EXPECT_EQ(a.sdp.find("a=rid:"), std::string::npos);
}

TEST(NegotiationAnswer, ChromiumSimulcastSendOnlyOfferIsAnsweredRecvOnly) {
  const auto offer = load_sdp("chromium_simulcast_offer.sdp");
  auto a = answer_for(offer);
  for (const auto& m : a.session.media) {
    if (m.kind != MediaKind::Video) continue;
    EXPECT_EQ(m.direction, sdp::Direction::RecvOnly);
    EXPECT_FALSE(m.send.has_value());
  }
}

TEST(NegotiationAnswer, Firefox121Offer) {
  const auto offer = load_sdp("firefox121_offer.sdp");
  auto a = answer_for(offer);
  const auto& s = a.session;
  ASSERT_EQ(s.media.size(), 2u);
  EXPECT_EQ(s.bundle_mids, (std::vector<std::string>{"0", "1"}));
  // Session-level fingerprint and media-level credentials.
  EXPECT_EQ(s.remote.ice_ufrag, "6c0579ea");
  EXPECT_EQ(s.remote.fingerprints.size(), 1u);
  EXPECT_EQ(pts(s.media[0]), (std::vector<uint8_t>{109, 0, 8}));
  // VP8 120 (rtx 124), VP9 121 (rtx 125; no profile-id means 0), H.264 126 mode 1 (rtx 127); 97 is mode 0.
  EXPECT_EQ(pts(s.media[1]), (std::vector<uint8_t>{120, 121, 126}));
  EXPECT_EQ(s.media[1].codecs[2].rtx_payload_type, PayloadType{127});
  EXPECT_EQ(s.media[1].codecs[2].local_fmtp,
            "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
  // Firefox's a=msid:- {track}: no stream on its side; ours always has one.
  ASSERT_TRUE(s.media[0].remote.msid.has_value());
  EXPECT_EQ(s.media[0].remote.msid->stream_id, "-");
  ASSERT_TRUE(s.media[0].send.has_value());
  EXPECT_EQ(s.media[0].send->stream_id, "medley-stream");
  // Firefox's extmap:2/recvonly csrc-audio-level is not ours; its playout-delay/recvonly neither.
  EXPECT_EQ(s.media[0].extensions.size(), 2u);
  EXPECT_EQ(s.media[1].remote.fid_groups.size(), 1u);
}

TEST(NegotiationAnswer, Firefox61VideoWithRtcpComponent) {
  const auto offer = load_sdp("firefox61_video_offer.sdp");
  auto a = answer_for(offer);
  const auto& v = a.session.media[0];
  EXPECT_EQ(v.mid, "sdparta_0");
  EXPECT_EQ(pts(v), (std::vector<uint8_t>{120, 121}));
  EXPECT_FALSE(v.codecs[0].rtx_payload_type.has_value());
  EXPECT_FALSE(v.send->rtx_ssrc.has_value());
  EXPECT_FALSE(v.rtcp_rsize);
  EXPECT_TRUE(a.session.remote.end_of_candidates);
  EXPECT_EQ(a.session.remote.candidates.size(), 4u);  // both components, as offered
  EXPECT_EQ(v.remote.msid->stream_id, "{38c9a1f0-d360-4ad8-afe3-4d7f6d4ae4e1}");
}

TEST(NegotiationAnswer, Firefox58AudioWithSendonlyExtmap) {
  const auto offer = load_sdp("firefox58_audio_offer.sdp");
  auto a = answer_for(offer);
  const auto& m = a.session.media[0];
  EXPECT_EQ(m.direction, sdp::Direction::SendRecv);  // session-level a=sendrecv
  ASSERT_EQ(m.extensions.size(), 2u);
  EXPECT_EQ(m.extensions[0].uri, "urn:ietf:params:rtp-hdrext:ssrc-audio-level");
  EXPECT_EQ(m.extensions[0].direction, sdp::Direction::RecvOnly);  // answers its 1/sendonly
  EXPECT_NE(a.sdp.find("a=extmap:1/recvonly urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"), std::string::npos);
}

TEST(NegotiationAnswer, Firefox58LegacyDataChannel) {
  const auto offer = load_sdp("firefox58_datachannel_sctpmap_offer.sdp");
  auto a = answer_for(offer);
  const auto& d = a.session.media[0];
  EXPECT_TRUE(d.accepted);
  EXPECT_TRUE(d.legacy_sctpmap);
  EXPECT_EQ(d.remote_sctp_port, 5000);
  EXPECT_EQ(d.remote_max_message_size, 1073741823u);
  EXPECT_NE(a.sdp.find("m=application 9 DTLS/SCTP 5000\r\n"), std::string::npos);
  EXPECT_NE(a.sdp.find("a=sctpmap:5000 webrtc-datachannel 1024\r\n"), std::string::npos);
}

TEST(NegotiationAnswer, SafariOfferH264ConstrainedHighIsNotBaseline) {
  const auto offer = load_sdp("safari_offer.sdp");
  auto a = answer_for(offer);
  const auto& s = a.session;
  ASSERT_EQ(s.media.size(), 3u);
  EXPECT_EQ(s.bundle_mids, (std::vector<std::string>{"audio", "video", "data"}));
  // 96 is 640c1f (Constrained High): not our profile. 98 is 42e01f.
  EXPECT_EQ(pts(s.media[1]), (std::vector<uint8_t>{98, 100}));
  EXPECT_EQ(s.media[1].remote.msid->stream_id, "cb7e185b-6110-4f65-b027-ddb8b5fa78c7");  // from a=ssrc msid
  EXPECT_TRUE(s.media[2].legacy_sctpmap);
}

TEST(NegotiationAnswer, SafariOfferWithConstrainedHighCapability) {
  auto caps = LocalCapabilities::defaults();
  CodecCapability high = caps.video_codecs[1];
  high.fmtp = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640c34";
  caps.video_codecs.insert(caps.video_codecs.begin() + 1, high);
  auto a = answer_for(load_sdp("safari_offer.sdp"), caps);
  const auto& v = a.session.media[1];
  EXPECT_EQ(pts(v), (std::vector<uint8_t>{96, 98, 100}));
  // Both sides allow level asymmetry: we write our own receive level (5.2).
  EXPECT_EQ(v.codecs[0].local_fmtp, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640c34");
}

TEST(NegotiationAnswer, SafariMacRecvOnlyVideoFirst) {
  const auto offer = load_sdp("safari_mac_offer.sdp");
  auto a = answer_for(offer);
  const auto& s = a.session;
  ASSERT_EQ(s.media.size(), 3u);
  EXPECT_EQ(s.media[0].kind, MediaKind::Video);
  EXPECT_EQ(s.media[0].direction, sdp::Direction::SendOnly);  // it receives only: we send
  ASSERT_TRUE(s.media[0].send.has_value());
  EXPECT_TRUE(s.media[0].remote.ssrcs.empty());
  EXPECT_EQ(s.media[1].direction, sdp::Direction::SendRecv);
  EXPECT_EQ(s.media[1].remote.msid->stream_id, "-");
}

TEST(NegotiationAnswer, DeterministicForASeed) {
  const auto offer = load_sdp("chromium_offer.sdp");
  auto caps = LocalCapabilities::defaults();
  auto a = process_offer(offer, caps, test_transport(), test_identity(7));
  auto b = process_offer(offer, caps, test_transport(), test_identity(7));
  auto c = process_offer(offer, caps, test_transport(), test_identity(8));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->sdp, b->sdp);
  EXPECT_NE(a->sdp, c->sdp);
}

TEST(NegotiationAnswer, EmptyOrDashStreamIdGetsARealOne) {
  auto id = test_identity();
  id.stream_id = "-";
  id.cname.clear();
  auto r = process_offer(load_sdp("chromium_offer.sdp"), LocalCapabilities::defaults(), test_transport(), id);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->session.media[0].send.has_value());
  EXPECT_NE(r->session.media[0].send->stream_id, "-");
  EXPECT_EQ(r->session.media[0].send->stream_id.size(), 36u);
  EXPECT_EQ(r->session.media[0].send->cname.size(), 16u);
  EXPECT_EQ(r->sdp.find("a=msid:- "), std::string::npos);
}

TEST(NegotiationAnswer, CandidatesAndEndOfCandidatesInTheTaggedSectionOnly) {
  auto t = test_transport();
  t.candidates = {"candidate:1 1 udp 2122260223 192.0.2.10 40000 typ host generation 0",
                  "2 1 udp 1686052607 203.0.113.5 40000 typ srflx raddr 192.0.2.10 rport 40000"};
  t.gathering_done = true;
  auto r = process_offer(load_sdp("chromium_offer.sdp"), LocalCapabilities::defaults(), t, test_identity());
  ASSERT_TRUE(r.ok()) << r.error().reason;
  expect_valid_answer(load_sdp("chromium_offer.sdp"), r->sdp);
  EXPECT_EQ(r->description.media[0].candidates().size(), 2u);
  EXPECT_TRUE(r->description.media[0].attributes.has<sdp::EndOfCandidates>());
  EXPECT_TRUE(r->description.media[1].candidates().empty());
  EXPECT_TRUE(r->description.media[2].candidates().empty());
}

TEST(NegotiationAnswer, PassiveWhenConfiguredOrWhenTheOfferIsActive) {
  auto t = test_transport();
  t.answer_setup = sdp::SetupRole::Passive;
  auto offer = load_sdp("chromium_offer.sdp");
  auto r = process_offer(offer, LocalCapabilities::defaults(), t, test_identity());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->session.dtls_role, DtlsRole::Server);
  EXPECT_NE(r->sdp.find("a=setup:passive"), std::string::npos);

  std::string active = offer;
  for (size_t p; (p = active.find("a=setup:actpass")) != std::string::npos;) active.replace(p, 15, "a=setup:active");
  r = process_offer(active, LocalCapabilities::defaults(), test_transport(), test_identity());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->session.local_setup, sdp::SetupRole::Passive);
  EXPECT_EQ(r->session.dtls_role, DtlsRole::Server);

  std::string passive = offer;
  for (size_t p; (p = passive.find("a=setup:actpass")) != std::string::npos;) passive.replace(p, 15, "a=setup:passive");
  t.answer_setup = sdp::SetupRole::Passive;
  r = process_offer(passive, LocalCapabilities::defaults(), t, test_identity());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->session.dtls_role, DtlsRole::Client);
}

}  // namespace
}  // namespace medley::rtp::negotiation
