// Building SDP from the model: a from-scratch description and an answer shaped from a real Chromium offer,
// as processOffer will do later (the negotiation rules themselves come with the offer/answer issue).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "rtp/sdp/session_description.hpp"

namespace medley::rtp::sdp {
namespace {

TEST(SdpModel, BuildFromScratch) {
  SessionDescription sdp;
  sdp.origin.session_id = "4611731400430051336";
  sdp.origin.session_version = 2;
  sdp.timings.push_back({});
  sdp.attributes.add(Group{"BUNDLE", {"0"}});
  sdp.attributes.add(IceLite{});
  MediaDescription m;
  m.media = "audio";
  m.proto = "UDP/TLS/RTP/SAVPF";
  m.formats = {"111"};
  m.connections.push_back({"IN", "IP4", "203.0.113.1"});
  m.attributes.add(Mid{"0"});
  m.attributes.add(IceUfrag{"Fq3z"});
  m.attributes.add(IcePwd{"v1bt3hK6Dq7rpE5yB0n1p3qR"});
  m.attributes.add(Fingerprint{"sha-256", std::vector<uint8_t>(32, 0xab), false});
  m.attributes.add(sdp::Setup{SetupRole::Passive});
  m.attributes.add(DirectionAttr{Direction::RecvOnly});
  m.attributes.add(RtcpMux{});
  m.attributes.add(Rtpmap{PayloadType{111}, "opus", 48000, 2});
  m.attributes.add(RtcpFb{PayloadType{111}, "transport-cc", ""});
  m.attributes.add(Fmtp::from_parameters(PayloadType{111}, {{"minptime", "10"}, {"useinbandfec", "1"}}));
  Candidate c;
  c.foundation = "1";
  c.transport = "udp";
  c.priority = 2130706431;
  c.address = "203.0.113.1";
  c.port = 40000;
  m.attributes.add(c);
  m.attributes.add(EndOfCandidates{});
  sdp.media.push_back(std::move(m));

  const std::string expected =
      "v=0\r\n"
      "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
      "s=-\r\n"
      "t=0 0\r\n"
      "a=group:BUNDLE 0\r\n"
      "a=ice-lite\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
      "c=IN IP4 203.0.113.1\r\n"
      "a=mid:0\r\n"
      "a=ice-ufrag:Fq3z\r\n"
      "a=ice-pwd:v1bt3hK6Dq7rpE5yB0n1p3qR\r\n"
      "a=fingerprint:sha-256 AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:"
      "AB:AB:AB\r\n"
      "a=setup:passive\r\n"
      "a=recvonly\r\n"
      "a=rtcp-mux\r\n"
      "a=rtpmap:111 opus/48000/2\r\n"
      "a=rtcp-fb:111 transport-cc\r\n"
      "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
      "a=candidate:1 1 udp 2130706431 203.0.113.1 40000 typ host\r\n"
      "a=end-of-candidates\r\n";
  EXPECT_EQ(sdp.to_string(), expected);
  auto back = SessionDescription::parse(expected);
  ASSERT_TRUE(back.ok()) << back.error().reason;
  EXPECT_EQ(*back, sdp);
}

TEST(SdpModel, ShapeAnAnswerFromAChromiumOffer) {
  std::ifstream in(std::filesystem::path(MEDLEY_TEST_DATA) / "sdp" / "chromium_offer.sdp", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto offer = SessionDescription::parse(text);
  ASSERT_TRUE(offer.ok());

  SessionDescription answer;
  answer.origin.session_id = "1";
  answer.timings.push_back({});
  answer.attributes.add(*offer->group("BUNDLE"));
  for (const auto& om : offer->media) {
    MediaDescription am;
    am.media = om.media;
    am.proto = om.proto;
    am.connections.push_back({});
    am.attributes.add(Mid{std::string(*om.mid())});
    am.attributes.add(sdp::Setup{SetupRole::Passive});
    if (om.is_rtp()) {
      am.attributes.add(DirectionAttr{reversed(offer->direction(om))});
      am.attributes.add(RtcpMux{});
      for (const auto& codec : om.codecs()) {
        if (codec.encoding_name != "opus" && codec.encoding_name != "VP8") continue;
        am.formats.push_back(std::to_string(codec.payload_type.value));
        am.attributes.add(Rtpmap{codec.payload_type, codec.encoding_name, codec.clock_rate, codec.channels});
        for (const auto& fb : codec.feedback) am.attributes.add(fb);
        if (!codec.fmtp.empty()) am.attributes.add(Fmtp{codec.payload_type, codec.fmtp});
      }
      for (auto* e : om.extmaps())
        if (e->uri == "urn:ietf:params:rtp-hdrext:sdes:mid") am.attributes.add(*e);
    } else {
      am.formats = om.formats;
      am.attributes.add(SctpPort{*om.sctp_port()});
    }
    answer.media.push_back(std::move(am));
  }
  auto reparsed = SessionDescription::parse(answer.to_string());
  ASSERT_TRUE(reparsed.ok()) << reparsed.error().reason;
  ASSERT_EQ(reparsed->media.size(), 3u);
  EXPECT_EQ(reparsed->media[0].payload_types(), (std::vector<PayloadType>{PayloadType{111}}));
  EXPECT_EQ(reparsed->media[1].payload_types(), (std::vector<PayloadType>{PayloadType{96}}));
  EXPECT_EQ(reparsed->media[1].rtcp_feedback(PayloadType{96}).size(), 5u);
  EXPECT_EQ(reparsed->media[0].fmtp(PayloadType{111})->parameters, "minptime=10;useinbandfec=1");
  EXPECT_EQ(reparsed->media[2].sctp_port(), 5000);
  EXPECT_EQ(reparsed->setup(reparsed->media[1])->role, SetupRole::Passive);
  EXPECT_EQ(reparsed->direction(reparsed->media[0]), Direction::SendRecv);
}

TEST(SdpModel, SessionLevelValuesApplyToMediaUnlessOverridden) {
  auto sdp = SessionDescription::parse(
      "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=ice-ufrag:sess\r\na=ice-pwd:sessionpassword1234567\r\n"
      "a=setup:actpass\r\na=sendonly\r\na=extmap:5 urn:x\r\n"
      "m=audio 9 RTP/AVP 0\r\na=ice-ufrag:media\r\na=extmap:6 urn:y\r\n"
      "m=video 9 RTP/AVP 96\r\na=inactive\r\n");
  ASSERT_TRUE(sdp.ok()) << sdp.error().reason;
  EXPECT_EQ(sdp->ice_ufrag(sdp->media[0])->value, "media");
  EXPECT_EQ(sdp->ice_ufrag(sdp->media[1])->value, "sess");
  EXPECT_EQ(sdp->ice_pwd(sdp->media[0])->value, "sessionpassword1234567");
  EXPECT_EQ(sdp->setup(sdp->media[1])->role, SetupRole::ActPass);
  EXPECT_EQ(sdp->direction(sdp->media[0]), Direction::SendOnly);
  EXPECT_EQ(sdp->direction(sdp->media[1]), Direction::Inactive);
  auto ext = sdp->extmaps(sdp->media[0]);
  ASSERT_EQ(ext.size(), 2u);
  EXPECT_EQ(ext[0]->id, 6);
  EXPECT_EQ(ext[1]->id, 5);
  EXPECT_EQ(sdp->find_media("nope"), nullptr);
  EXPECT_TRUE(sdp->fingerprints(sdp->media[0]).empty());
}

}  // namespace
}  // namespace medley::rtp::sdp
