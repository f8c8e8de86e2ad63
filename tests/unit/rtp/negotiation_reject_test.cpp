// process_offer on synthetic offers: rejected sections (well-formed port-0 lines, out of BUNDLE), direction
// mirroring, extension and codec edge cases, and offers that fail as a whole with 40205 and a reason.
#include <gtest/gtest.h>

#include "negotiation_test_util.hpp"
#include "rtp/negotiation/process_offer.hpp"

namespace medley::rtp::negotiation {
namespace {

using testing::expect_valid_answer;
using testing::test_identity;
using testing::test_transport;

const std::string kHead =
    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
const std::string kTransport =
    "c=IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n"
    "a=fingerprint:sha-256 01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF\r\n"
    "a=setup:actpass\r\n";

std::string audio(const std::string& mid, const std::string& extra = "a=sendrecv\r\na=rtcp-mux\r\n") {
  return "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" + kTransport + "a=mid:" + mid + "\r\n" + extra +
         "a=rtpmap:111 opus/48000/2\r\n";
}

std::string video(const std::string& mid, const std::string& dir = "a=sendrecv\r\n") {
  return "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n" + kTransport + "a=mid:" + mid + "\r\n" + dir +
         "a=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n";
}

std::string data(const std::string& mid) {
  return "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n" + kTransport + "a=mid:" + mid +
         "\r\na=sctp-port:5000\r\n";
}

std::string bundle(const std::string& mids) { return "a=group:BUNDLE " + mids + "\r\n"; }

Result<Answer> answer(const std::string& offer, const LocalCapabilities& caps = LocalCapabilities::defaults()) {
  auto r = process_offer(offer, caps, test_transport(), test_identity());
  if (r.ok()) expect_valid_answer(offer, r->sdp);
  return r;
}

const NegotiatedMedia& section(const Result<Answer>& r, size_t i) { return r->session.media.at(i); }

TEST(NegotiationReject, UnknownMediaIsRejectedWithFourFieldsAndLeftOutOfBundle) {
  const std::string offer = kHead + bundle("0 1") + audio("0") + "m=text 9 UDP/TLS/RTP/SAVPF 98\r\n" + kTransport +
                            "a=mid:1\r\na=rtcp-mux\r\na=rtpmap:98 t140/1000\r\n";
  auto r = answer(offer);
  ASSERT_TRUE(r.ok()) << r.error().reason;
  EXPECT_FALSE(section(r, 1).accepted);
  EXPECT_NE(section(r, 1).rejection_reason.find("unsupported media type"), std::string::npos);
  EXPECT_NE(r->sdp.find("m=text 0 UDP/TLS/RTP/SAVPF 98\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=inactive\r\n"),
            std::string::npos);
  EXPECT_NE(r->sdp.find("a=group:BUNDLE 0\r\n"), std::string::npos);
  EXPECT_EQ(r->session.bundle_mids, (std::vector<std::string>{"0"}));
}

TEST(NegotiationReject, NoCommonCodec) {
  const std::string offer = kHead + bundle("0 1") + audio("0") + "m=video 9 UDP/TLS/RTP/SAVPF 45 46\r\n" +
                            kTransport + "a=mid:1\r\na=rtcp-mux\r\na=rtpmap:45 AV1/90000\r\na=rtpmap:46 rtx/90000\r\n" +
                            "a=fmtp:46 apt=45\r\n";
  auto r = answer(offer);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(section(r, 1).accepted);
  EXPECT_EQ(section(r, 1).rejection_reason,
            "no codec in common (this server has: VP8/90000, H264/90000, VP9/90000)");
  EXPECT_TRUE(section(r, 1).codecs.empty());
  EXPECT_NE(r->sdp.find("m=video 0 UDP/TLS/RTP/SAVPF 45\r\n"), std::string::npos);
}

TEST(NegotiationReject, PlainRtpProfilesAreNotWebRtc) {
  for (std::string proto : {"RTP/AVP", "RTP/SAVP", "RTP/AVPF", "UDP/TLS/RTP/SAVP"}) {
    const std::string offer = kHead + bundle("0 1") + audio("0") + "m=audio 9 " + proto + " 0\r\n" + kTransport +
                              "a=mid:1\r\na=rtcp-mux\r\n";
    auto r = answer(offer);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(section(r, 1).accepted) << proto;
    EXPECT_NE(r->sdp.find("m=audio 0 " + proto + " 0\r\n"), std::string::npos) << proto;
  }
}

TEST(NegotiationReject, RtcpMuxIsRequired) {
  auto r = answer(kHead + bundle("0 1") + audio("0") + audio("1", "a=sendrecv\r\n"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(section(r, 0).accepted);
  EXPECT_FALSE(section(r, 1).accepted);
  EXPECT_NE(section(r, 1).rejection_reason.find("rtcp-mux"), std::string::npos);
}

TEST(NegotiationReject, DataSections) {
  // Without SCTP.
  auto r = answer(kHead + bundle("0 1") + audio("0") + "m=application 9 UDP/TLS/RTP/SAVPF 100\r\n" + kTransport +
                  "a=mid:1\r\na=rtcp-mux\r\n");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(section(r, 1).accepted);
  EXPECT_NE(r->sdp.find("m=application 0 UDP/TLS/RTP/SAVPF 100\r\n"), std::string::npos);
  // A second data section.
  r = answer(kHead + bundle("0 1") + data("0") + data("1"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(section(r, 0).accepted);
  EXPECT_FALSE(section(r, 1).accepted);
  EXPECT_NE(r->sdp.find("m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\n"),
            std::string::npos);
  // Disabled by configuration.
  auto caps = LocalCapabilities::defaults();
  caps.data.enabled = false;
  r = answer(kHead + bundle("0 1") + audio("0") + data("1"), caps);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(section(r, 1).rejection_reason, "data channels are disabled");
  // No a=max-message-size: RFC 8841's 64 KiB; no a=sctp-port: 5000.
  r = answer(kHead + bundle("0") + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n" + kTransport +
             "a=mid:0\r\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(section(r, 0).remote_max_message_size, 65536u);
  EXPECT_EQ(section(r, 0).remote_sctp_port, 5000);
}

TEST(NegotiationReject, RejectedInTheOfferStaysRejected) {
  auto r = answer(kHead + bundle("0") + audio("0") + "m=video 0 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n" +
                  "a=mid:1\r\na=inactive\r\n" + "m=audio 0 RTP/AVP\r\n");
  ASSERT_TRUE(r.ok()) << r.error().reason;
  EXPECT_FALSE(section(r, 1).accepted);
  EXPECT_FALSE(section(r, 2).accepted);
  EXPECT_NE(r->sdp.find("m=video 0 UDP/TLS/RTP/SAVPF 96\r\n"), std::string::npos);
  EXPECT_NE(r->sdp.find("m=audio 0 RTP/AVP 0\r\n"), std::string::npos);  // a format is always written
}

TEST(NegotiationReject, OutsideTheBundleGroup) {
  auto r = answer(kHead + bundle("0") + audio("0") + video("1"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(section(r, 1).accepted);
  EXPECT_NE(section(r, 1).rejection_reason.find("BUNDLE"), std::string::npos);
}

TEST(NegotiationReject, WithoutBundleOneSectionOnly) {
  const std::string offer = kHead + audio("0") + video("1");
  auto r = answer(offer);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(section(r, 0).accepted);
  EXPECT_FALSE(section(r, 1).accepted);
  EXPECT_EQ(r->sdp.find("a=group:BUNDLE"), std::string::npos);
  EXPECT_TRUE(r->session.bundle_mids.empty());
}

TEST(NegotiationReject, BundleOnlySectionIsAccepted) {
  const std::string offer = kHead + bundle("0 1") + audio("0") +
                            "m=video 0 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=bundle-only\r\na=mid:1\r\n"
                            "a=sendrecv\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\n";
  auto r = answer(offer);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(section(r, 1).accepted);
  EXPECT_EQ(r->description.media[1].port, 9);
}

TEST(NegotiationReject, DirectionsAreMirrored) {
  struct Case {
    std::string offer_dir;
    sdp::Direction ours;
    bool we_send;
  };
  for (const auto& c : {Case{"a=sendrecv\r\n", sdp::Direction::SendRecv, true},
                        Case{"a=sendonly\r\n", sdp::Direction::RecvOnly, false},
                        Case{"a=recvonly\r\n", sdp::Direction::SendOnly, true},
                        Case{"a=inactive\r\n", sdp::Direction::Inactive, false},
                        Case{"", sdp::Direction::SendRecv, true}}) {
    auto r = answer(kHead + bundle("v") + video("v", c.offer_dir));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(section(r, 0).direction, c.ours) << c.offer_dir;
    EXPECT_EQ(section(r, 0).send.has_value(), c.we_send) << c.offer_dir;
    EXPECT_NE(r->sdp.find("a=" + std::string(sdp::to_string(c.ours)) + "\r\n"), std::string::npos);
  }
  // Session-level direction applies when the section has none.
  auto r = answer(kHead + "a=recvonly\r\n" + bundle("v") + video("v", ""));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(section(r, 0).direction, sdp::Direction::SendOnly);
}

TEST(NegotiationReject, StaticPayloadTypesAndUnsupportedAudioCodecs) {
  const std::string offer = kHead + bundle("0") + "m=audio 9 UDP/TLS/RTP/SAVPF 9 0 8 13 101 63\r\n" + kTransport +
                            "a=mid:0\r\na=rtcp-mux\r\na=rtpmap:101 telephone-event/8000\r\n"
                            "a=rtpmap:63 red/48000/2\r\na=fmtp:63 111/111\r\n";
  auto r = answer(offer);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(section(r, 0).codecs.size(), 2u);
  EXPECT_EQ(section(r, 0).codecs[0].name, "PCMU");
  EXPECT_EQ(section(r, 0).codecs[1].name, "PCMA");
  EXPECT_NE(r->sdp.find("m=audio 9 UDP/TLS/RTP/SAVPF 0 8\r\n"), std::string::npos);
  EXPECT_NE(r->sdp.find("a=rtpmap:0 PCMU/8000\r\n"), std::string::npos);
}

TEST(NegotiationReject, RtxFollowsItsCodecAndConfiguration) {
  // 97 repairs 98, which we do not accept: no RTX for VP8 at 96.
  const std::string offer = kHead + bundle("0") + "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98\r\n" + kTransport +
                            "a=mid:0\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\na=rtpmap:97 rtx/90000\r\n"
                            "a=fmtp:97 apt=98\r\na=rtpmap:98 H265/90000\r\n";
  auto r = answer(offer);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(section(r, 0).codecs.size(), 1u);
  EXPECT_FALSE(section(r, 0).codecs[0].rtx_payload_type.has_value());
  EXPECT_FALSE(section(r, 0).send->rtx_ssrc.has_value());
  EXPECT_EQ(r->sdp.find("a=ssrc-group"), std::string::npos);

  auto caps = LocalCapabilities::defaults();
  caps.rtx = false;
  r = answer(kHead + bundle("0") + video("0"), caps);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(section(r, 0).codecs[0].rtx_payload_type.has_value());
  EXPECT_NE(r->sdp.find("m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"), std::string::npos);
  EXPECT_EQ(section(r, 0).codecs[0].feedback.size(), 1u);  // only nack was offered
}

TEST(NegotiationReject, TwoByteExtensionIdsNeedExtmapAllowMixed) {
  const std::string ext = "a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
                          "a=extmap:15 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n";
  auto r = answer(kHead + bundle("0") + audio("0", "a=sendrecv\r\na=rtcp-mux\r\n" + ext));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(section(r, 0).extensions.size(), 1u);
  r = answer(kHead + "a=extmap-allow-mixed\r\n" + bundle("0") + audio("0", "a=sendrecv\r\na=rtcp-mux\r\n" + ext));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(section(r, 0).extension_id("http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"), 15);
  EXPECT_NE(r->sdp.find("a=extmap-allow-mixed\r\n"), std::string::npos);
}

TEST(NegotiationReject, SessionLevelExtmapApplies) {
  auto r = answer(kHead + "a=extmap:5 urn:ietf:params:rtp-hdrext:sdes:mid\r\n" + bundle("0") + audio("0"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(section(r, 0).extension_id("urn:ietf:params:rtp-hdrext:sdes:mid"), 5);
}

void expect_error(const std::string& offer, const std::string& reason_part) {
  auto r = process_offer(offer, LocalCapabilities::defaults(), test_transport(), test_identity());
  ASSERT_FALSE(r.ok()) << offer;
  EXPECT_EQ(r.error().code, kProcessOfferError);
  EXPECT_NE(r.error().reason.find(reason_part), std::string::npos) << r.error().reason;
}

TEST(NegotiationReject, MalformedOffersFailWith40205AndAReason) {
  expect_error("", "offer does not parse");
  expect_error("hello world", "offer does not parse: line 1");
  expect_error(kHead + "m=audio nine UDP/TLS/RTP/SAVPF 111\r\n", "offer does not parse: line 5: m=: port");
  expect_error(kHead, "offer has no media sections");
  expect_error(kHead + bundle("0 0") + audio("0") + audio("0"), "duplicate a=mid:0");
  expect_error(kHead + bundle("0 7") + audio("0"), "BUNDLE group names mid 7");
  expect_error(kHead + "a=group:BUNDLE\r\n" + audio("0"), "empty BUNDLE group");
  expect_error(kHead + bundle("0") + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtcp-mux\r\n"
                                     "a=fingerprint:sha-256 01:23\r\na=rtpmap:111 opus/48000/2\r\n",
               "no a=ice-ufrag/a=ice-pwd");
  expect_error(kHead + bundle("0") + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=ice-ufrag:abcd\r\n"
                                     "a=ice-pwd:abcdefghijklmnopqrstuv\r\na=mid:0\r\na=rtcp-mux\r\n"
                                     "a=rtpmap:111 opus/48000/2\r\n",
               "no a=fingerprint");
  std::string hold = kHead + bundle("0") + audio("0");
  hold.replace(hold.find("actpass"), 7, "holdconn");
  expect_error(hold, "holdconn");
  expect_error(kHead + bundle("0 1") + "m=text 9 UDP/TLS/RTP/SAVPF 98\r\na=mid:0\r\n" +
                   "m=audio 9 RTP/AVP 0\r\na=mid:1\r\n",
               "no usable media section: m-section 0: unsupported media type \"text\"; m-section 1: RTP profile RTP/AVP");
}

TEST(NegotiationReject, HugeOfferNeverYieldsAnUnparseableAnswer) {
  // Our answer repeats the transport attributes per section, so it outgrows a compact offer.
  std::string offer = kHead + "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n"
                      "a=fingerprint:sha-256 01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:"
                      "01:23:45:67:89:AB:CD:EF\r\na=group:BUNDLE";
  for (int i = 0; i < 300; ++i) offer += " " + std::to_string(i);
  offer += "\r\n";
  std::string formats, rtpmaps;
  for (int pt = 96; pt < 128; ++pt) {
    formats += " " + std::to_string(pt);
    rtpmaps += "a=rtpmap:" + std::to_string(pt) + " VP8/90000\r\n";
  }
  for (int i = 0; i < 300; ++i)
    offer += "m=video 9 UDP/TLS/RTP/SAVPF" + formats + "\r\na=mid:" + std::to_string(i) +
             "\r\na=rtcp-mux\r\na=rtcp-fb:* nack\r\na=rtcp-fb:* nack pli\r\na=rtcp-fb:* ccm fir\r\n"
             "a=rtcp-fb:* goog-remb\r\na=rtcp-fb:* transport-cc\r\n" + rtpmaps;
  ASSERT_TRUE(sdp::SessionDescription::parse(offer).ok());
  auto r = process_offer(offer, LocalCapabilities::defaults(), test_transport(), test_identity());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, "the answer would exceed the SDP size limit");
}

TEST(NegotiationReject, BadLocalTransportIsReported) {
  auto t = test_transport();
  t.fingerprint = "not hex";
  auto r = process_offer(kHead + bundle("0") + audio("0"), LocalCapabilities::defaults(), t, test_identity());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().reason.find("local DTLS fingerprint"), std::string::npos);
  t = test_transport();
  t.candidates = {"candidate:garbage"};
  r = process_offer(kHead + bundle("0") + audio("0"), LocalCapabilities::defaults(), t, test_identity());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().reason.find("local candidate"), std::string::npos);
}

}  // namespace
}  // namespace medley::rtp::negotiation
