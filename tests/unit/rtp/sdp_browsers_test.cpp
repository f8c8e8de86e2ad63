// Typed checks on real browser SDPs (tests/data/sdp/README.md says where each came from).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "rtp/sdp/session_description.hpp"

namespace medley::rtp::sdp {
namespace {

SessionDescription load(const std::string& name) {
  std::ifstream in(std::filesystem::path(MEDLEY_TEST_DATA) / "sdp" / name, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto r = SessionDescription::parse(text);
  if (!r) ADD_FAILURE() << name << " line " << r.error().line << ": " << r.error().reason;
  return r ? std::move(r).value() : SessionDescription{};
}

std::string hex(const Fingerprint& f) {
  std::string s;
  f.write(s);
  return s;
}

std::vector<std::string> as_strings(const std::vector<std::string_view>& v) { return {v.begin(), v.end()}; }

TEST(SdpBrowsers, ChromiumOffer) {
  auto sdp = load("chromium_offer.sdp");
  EXPECT_EQ(sdp.origin.username, "-");
  EXPECT_EQ(sdp.origin.session_id, "6527109962520600476");
  EXPECT_EQ(sdp.origin.session_version, 2u);
  EXPECT_EQ(as_strings(sdp.bundle_mids()), (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_TRUE(sdp.attributes.has<ExtmapAllowMixed>());
  auto* ms = sdp.attributes.find<MsidSemantic>();
  ASSERT_NE(ms, nullptr);
  EXPECT_TRUE(ms->leading_space);
  EXPECT_EQ(ms->semantic, "WMS");
  ASSERT_EQ(sdp.media.size(), 3u);

  const auto& audio = sdp.media[0];
  EXPECT_EQ(audio.media, "audio");
  EXPECT_EQ(audio.port, 55001);
  EXPECT_EQ(audio.proto, "UDP/TLS/RTP/SAVPF");
  EXPECT_EQ(audio.mid(), "0");
  EXPECT_EQ(sdp.direction(audio), Direction::SendRecv);
  EXPECT_TRUE(audio.attributes.has<RtcpMux>());
  EXPECT_TRUE(audio.attributes.has<RtcpRsize>());
  ASSERT_NE(audio.attributes.find_unknown("rtcp-xr"), nullptr);
  EXPECT_EQ(*audio.attributes.find_unknown("rtcp-xr")->value, "rcvr-rtt=all");
  auto* rtpmap = audio.rtpmap(PayloadType{111});
  ASSERT_NE(rtpmap, nullptr);
  EXPECT_EQ(rtpmap->encoding_name, "opus");
  EXPECT_EQ(rtpmap->clock_rate, 48000u);
  EXPECT_EQ(rtpmap->channels, 2u);
  EXPECT_EQ(audio.fmtp(PayloadType{111})->get("useinbandfec"), "1");
  EXPECT_EQ(audio.fmtp(PayloadType{63})->parameters, "111/111");
  auto* rtcp = audio.attributes.find<Rtcp>();
  ASSERT_NE(rtcp, nullptr);
  EXPECT_EQ(rtcp->port, 9);
  EXPECT_EQ(rtcp->address, "0.0.0.0");
  EXPECT_EQ(audio.extmap("urn:ietf:params:rtp-hdrext:sdes:mid")->id, 4);
  EXPECT_EQ(audio.extmap("urn:ietf:params:rtp-hdrext:ssrc-audio-level")->id, 1);
  EXPECT_EQ(sdp.ice_ufrag(audio)->value, "smSA");
  EXPECT_EQ(sdp.ice_pwd(audio)->value, "3FUzZRcQhfoNmqtUNpuN4Ukw");
  EXPECT_TRUE(sdp.ice_options(audio)->has("trickle"));
  EXPECT_EQ(sdp.setup(audio)->role, SetupRole::ActPass);
  auto fps = sdp.fingerprints(audio);
  ASSERT_EQ(fps.size(), 1u);
  EXPECT_EQ(fps[0]->hash_function, "sha-256");
  ASSERT_EQ(fps[0]->bytes.size(), 32u);
  EXPECT_EQ(fps[0]->bytes[0], 0x59);
  EXPECT_EQ(fps[0]->bytes[31], 0xD5);

  auto cands = audio.candidates();
  ASSERT_EQ(cands.size(), 8u);
  EXPECT_EQ(cands[0]->foundation, "4014564831");
  EXPECT_EQ(cands[0]->component, 1);
  EXPECT_TRUE(cands[0]->is_udp());
  EXPECT_EQ(cands[0]->priority, 2122194687u);
  EXPECT_EQ(cands[0]->address, "127.0.0.1");
  EXPECT_EQ(cands[0]->port, 55001);
  EXPECT_EQ(cands[0]->type, CandidateType::Host);
  EXPECT_EQ(cands[0]->extension("network-cost"), "50");
  EXPECT_EQ(cands[4]->tcp_type, "active");
  EXPECT_TRUE(cands[4]->is_tcp());
  EXPECT_EQ(cands[2]->address, "::1");
  EXPECT_EQ(audio.ssrc_attribute(Ssrc{1816757409}, "cname"), "PqCWJKZfMO5xk1bz");

  const auto& video = sdp.media[1];
  auto codecs = video.codecs();
  ASSERT_EQ(codecs.size(), 23u);
  EXPECT_EQ(codecs[0].payload_type, PayloadType{96});
  EXPECT_EQ(codecs[0].encoding_name, "VP8");
  EXPECT_EQ(codecs[0].feedback.size(), 5u);
  EXPECT_EQ(codecs[1].encoding_name, "rtx");
  EXPECT_EQ(video.fmtp(PayloadType{97})->apt(), PayloadType{96});
  // H.264: Chromium offers constrained baseline (42e01f) and baseline (42001f), main (4d001f), modes 0 and 1.
  auto* h264 = video.fmtp(PayloadType{102});
  EXPECT_EQ(video.rtpmap(PayloadType{102})->encoding_name, "H264");
  EXPECT_EQ(h264->h264_profile_level_id(), 0x42001fu);
  EXPECT_EQ(h264->h264_packetization_mode(), 1);
  EXPECT_TRUE(h264->h264_level_asymmetry_allowed());
  EXPECT_EQ(video.fmtp(PayloadType{104})->h264_packetization_mode(), 0);
  EXPECT_EQ(video.fmtp(PayloadType{108})->h264_profile_level_id(), 0x42e01fu);
  EXPECT_EQ(video.fmtp(PayloadType{116})->h264_profile_level_id(), 0x4d001fu);
  EXPECT_EQ(video.rtpmap(PayloadType{45})->encoding_name, "AV1");
  auto fb = video.rtcp_feedback(PayloadType{96});
  ASSERT_EQ(fb.size(), 5u);
  EXPECT_EQ(fb[2]->type, "ccm");
  EXPECT_EQ(fb[2]->subtype, "fir");
  EXPECT_EQ(fb[4]->subtype, "pli");
  auto* fid = video.ssrc_group("FID");
  ASSERT_NE(fid, nullptr);
  EXPECT_EQ(fid->ssrcs, (std::vector<Ssrc>{Ssrc{2424636512}, Ssrc{2888429757}}));
  EXPECT_EQ(video.ssrcs(), fid->ssrcs);
  EXPECT_EQ(video.ssrc_attribute(Ssrc{2888429757}, "msid"),
            "43afbbd9-81e1-4e30-9a3e-5339395c50d2 c4947ae1-31e8-4ac3-92c2-ae446d470545");
  EXPECT_EQ(video.extmap("urn:ietf:params:rtp-hdrext:toffset")->id, 14);
  auto* msid = video.attributes.find<Msid>();
  EXPECT_EQ(msid->stream_id, "43afbbd9-81e1-4e30-9a3e-5339395c50d2");
  EXPECT_EQ(msid->track_id, "c4947ae1-31e8-4ac3-92c2-ae446d470545");

  const auto& data = sdp.media[2];
  EXPECT_EQ(data.media, "application");
  EXPECT_EQ(data.proto, "UDP/DTLS/SCTP");
  EXPECT_TRUE(data.is_sctp());
  EXPECT_FALSE(data.is_rtp());
  EXPECT_EQ(data.formats, (std::vector<std::string>{"webrtc-datachannel"}));
  EXPECT_EQ(data.sctp_port(), 5000);
  EXPECT_EQ(data.attributes.find<MaxMessageSize>()->size, 262144u);
}

TEST(SdpBrowsers, ChromiumAnswer) {
  auto sdp = load("chromium_answer.sdp");
  ASSERT_EQ(sdp.media.size(), 3u);
  for (const auto& m : sdp.media) EXPECT_EQ(sdp.setup(m)->role, SetupRole::Active);
  EXPECT_EQ(sdp.media[1].port, 9);
  EXPECT_EQ(sdp.media[0].candidates().size(), 4u);
  EXPECT_EQ(sdp.media[1].ssrc_group("FID")->ssrcs, (std::vector<Ssrc>{Ssrc{1856518037}, Ssrc{2295461330}}));
}

TEST(SdpBrowsers, ChromiumSimulcastOffer) {
  auto sdp = load("chromium_simulcast_offer.sdp");
  ASSERT_EQ(sdp.media.size(), 1u);
  const auto& v = sdp.media[0];
  EXPECT_EQ(sdp.direction(v), Direction::SendOnly);
  auto rids = v.rids();
  ASSERT_EQ(rids.size(), 3u);
  EXPECT_EQ(rids[0]->id, "h");
  EXPECT_EQ(rids[1]->id, "m");
  EXPECT_EQ(rids[2]->id, "l");
  for (auto* r : rids) EXPECT_EQ(r->direction, RidDirection::Send);
  auto* sc = v.attributes.find<Simulcast>();
  ASSERT_NE(sc, nullptr);
  ASSERT_NE(sc->send(), nullptr);
  EXPECT_EQ(sc->recv(), nullptr);
  ASSERT_EQ(sc->send()->streams.size(), 3u);
  EXPECT_EQ(sc->send()->streams[1][0].rid, "m");
  EXPECT_FALSE(sc->send()->streams[1][0].paused);
  EXPECT_EQ(v.extmap("urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id")->id, 10);
  EXPECT_EQ(v.extmap("urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id")->id, 11);
}

TEST(SdpBrowsers, LibwebrtcOfferAndAnswer) {
  auto offer = load("libwebrtc_offer.sdp");
  auto answer = load("libwebrtc_answer.sdp");
  ASSERT_EQ(offer.media.size(), 3u);
  ASSERT_EQ(answer.media.size(), 3u);
  EXPECT_EQ(hex(*offer.fingerprints(offer.media[0])[0]),
            "sha-256 36:DC:F1:67:9C:D3:A6:00:78:4B:59:10:FD:3F:DC:AD:01:0F:EB:05:17:3A:62:91:DA:FC:7F:09:31:CC:21:BB");
  EXPECT_EQ(offer.media[0].candidates()[4]->tcp_type, "passive");
  EXPECT_EQ(offer.media[1].ssrc_group("FID")->ssrcs, (std::vector<Ssrc>{Ssrc{1132211563}, Ssrc{2303693726}}));
  EXPECT_EQ(answer.media[1].ssrc_group("FID")->ssrcs, (std::vector<Ssrc>{Ssrc{200054461}, Ssrc{3984112132}}));
  EXPECT_EQ(answer.setup(answer.media[0])->role, SetupRole::Active);
  // The answer's mids follow the offer's, in order.
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(offer.media[i].mid(), answer.media[i].mid());
  EXPECT_EQ(answer.media[2].sctp_port(), 5000);
}

TEST(SdpBrowsers, LibwebrtcSimulcastOffer) {
  auto sdp = load("libwebrtc_simulcast_offer.sdp");
  ASSERT_EQ(sdp.media.size(), 1u);
  std::string sc;
  sdp.media[0].attributes.find<Simulcast>()->write(sc);
  EXPECT_EQ(sc, "send h;m;l");
  EXPECT_EQ(sdp.media[0].rids().size(), 3u);
}

TEST(SdpBrowsers, Firefox121Offer) {
  auto sdp = load("firefox121_offer.sdp");
  EXPECT_EQ(sdp.origin.username, "mozilla...THIS_IS_SDPARTA-99.0");
  EXPECT_EQ(as_strings(sdp.bundle_mids()), (std::vector<std::string>{"0", "1"}));
  auto* ms = sdp.attributes.find<MsidSemantic>();
  EXPECT_FALSE(ms->leading_space);
  EXPECT_EQ(ms->ids, (std::vector<std::string>{"*"}));
  // Session-level fingerprint applies to every section.
  ASSERT_EQ(sdp.fingerprints(sdp.media[1]).size(), 1u);
  EXPECT_EQ(sdp.fingerprints(sdp.media[1])[0]->bytes[0], 0x75);
  EXPECT_TRUE(sdp.ice_options(sdp.media[0])->has("trickle"));
  const auto& audio = sdp.media[0];
  auto* csrc = audio.extmap("urn:ietf:params:rtp-hdrext:csrc-audio-level");
  ASSERT_NE(csrc, nullptr);
  EXPECT_EQ(csrc->id, 2);
  EXPECT_EQ(csrc->direction, Direction::RecvOnly);
  EXPECT_EQ(audio.rtpmap(PayloadType{9})->channels, 1u);  // "G722/8000/1"
  EXPECT_EQ(audio.rtpmap(PayloadType{0})->channels, std::nullopt);
  auto params = audio.fmtp(PayloadType{101})->parameter_list();
  ASSERT_EQ(params.size(), 1u);
  EXPECT_EQ(params[0].key, "0-15");
  EXPECT_EQ(params[0].value, std::nullopt);
  EXPECT_EQ(audio.attributes.find<Msid>()->stream_id, "-");
  const auto& video = sdp.media[1];
  EXPECT_EQ(video.fmtp(PayloadType{126})->h264_profile_level_id(), 0x42e01fu);
  EXPECT_EQ(video.fmtp(PayloadType{126})->h264_packetization_mode(), 1);
  EXPECT_EQ(video.fmtp(PayloadType{97})->h264_packetization_mode(), 0);
  EXPECT_EQ(video.ssrc_group("FID")->ssrcs, (std::vector<Ssrc>{Ssrc{7463831}, Ssrc{2513307155}}));
  // Firefox groups attributes by name, so rtcp-fb lines come long after their rtpmap; codecs() still joins them.
  auto codecs = video.codecs();
  ASSERT_EQ(codecs.size(), 8u);
  EXPECT_EQ(codecs[0].encoding_name, "VP8");
  EXPECT_EQ(codecs[0].fmtp, "max-fs=12288;max-fr=60");
  EXPECT_EQ(codecs[0].feedback.size(), 5u);
}

TEST(SdpBrowsers, Firefox58Audio) {
  auto sdp = load("firefox58_audio_offer.sdp");
  EXPECT_TRUE(sdp.attributes.has<DirectionAttr>());
  const auto& a = sdp.media[0];
  EXPECT_TRUE(a.attributes.has<EndOfCandidates>());
  auto cands = a.candidates();
  ASSERT_EQ(cands.size(), 10u);
  const Candidate& srflx = *cands[8];
  EXPECT_EQ(srflx.type, CandidateType::Srflx);
  EXPECT_EQ(srflx.transport, "UDP");
  EXPECT_EQ(srflx.related_address, "192.168.99.58");
  EXPECT_EQ(srflx.related_port, 37264);
  EXPECT_EQ(cands[4]->component, 2);
  EXPECT_EQ(a.attributes.find<Rtcp>()->port, 38612);
  EXPECT_EQ(a.extmap("urn:ietf:params:rtp-hdrext:ssrc-audio-level")->direction, Direction::SendOnly);
  EXPECT_EQ(a.mid(), "sdparta_0");
}

TEST(SdpBrowsers, Firefox58LegacyDataChannel) {
  auto sdp = load("firefox58_datachannel_sctpmap_offer.sdp");
  const auto& d = sdp.media[0];
  EXPECT_EQ(d.proto, "DTLS/SCTP");
  EXPECT_EQ(d.formats, (std::vector<std::string>{"5000"}));
  auto* map = d.attributes.find<Sctpmap>();
  ASSERT_NE(map, nullptr);
  EXPECT_EQ(map->port, 5000);
  EXPECT_EQ(map->protocol, "webrtc-datachannel");
  EXPECT_EQ(map->streams, 256u);
  EXPECT_EQ(d.sctp_port(), 5000);
  EXPECT_EQ(d.attributes.find<MaxMessageSize>()->size, 1073741823u);
}

TEST(SdpBrowsers, Firefox61Video) {
  auto sdp = load("firefox61_video_offer.sdp");
  const auto& v = sdp.media[0];
  EXPECT_EQ(v.payload_types(), (std::vector<PayloadType>{PayloadType{120}, PayloadType{121}}));
  EXPECT_EQ(v.rtpmap(PayloadType{121})->encoding_name, "VP9");
  EXPECT_EQ(v.rtcp_feedback(PayloadType{121}).size(), 4u);
  EXPECT_EQ(v.ssrcs(), (std::vector<Ssrc>{Ssrc{3408404552}}));
}

TEST(SdpBrowsers, SafariOffer) {
  auto sdp = load("safari_offer.sdp");
  EXPECT_EQ(as_strings(sdp.bundle_mids()), (std::vector<std::string>{"audio", "video", "data"}));
  auto* video = sdp.find_media("video");
  ASSERT_NE(video, nullptr);
  EXPECT_EQ(video->fmtp(PayloadType{96})->h264_profile_level_id(), 0x640c1fu);  // High, level 1.2
  EXPECT_EQ(video->ssrc_group("FID")->ssrcs, (std::vector<Ssrc>{Ssrc{11942296}, Ssrc{149700150}}));
  EXPECT_EQ(video->ssrc_attribute(Ssrc{11942296}, "mslabel"), "cb7e185b-6110-4f65-b027-ddb8b5fa78c7");
  auto* data = sdp.find_media("data");
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(data->attributes.find<Sctpmap>()->streams, 1024u);
  EXPECT_EQ(data->candidates()[2]->type, CandidateType::Srflx);
  EXPECT_EQ(data->candidates()[2]->extension("network-cost"), "999");
}

TEST(SdpBrowsers, SafariMacOffer) {
  auto sdp = load("safari_mac_offer.sdp");
  ASSERT_EQ(sdp.media.size(), 3u);
  EXPECT_EQ(sdp.media[0].media, "video");  // Safari put video first here
  EXPECT_EQ(sdp.direction(sdp.media[0]), Direction::RecvOnly);
  EXPECT_EQ(sdp.media[0].extmap("http://tools.ietf.org/html/draft-ietf-avtext-framemarking-07")->id, 8);
  EXPECT_EQ(sdp.media[2].sctp_port(), 5000);
  EXPECT_TRUE(sdp.attributes.find<MsidSemantic>()->ids.empty());
}

// Every attribute these browsers send is modelled, except the few we deliberately keep verbatim.
TEST(SdpBrowsers, OnlyExpectedAttributesStayUntyped) {
  const std::set<std::string> verbatim = {"rtcp-xr", "ptime"};
  for (const char* name :
       {"chromium_offer.sdp", "chromium_answer.sdp", "chromium_simulcast_offer.sdp", "libwebrtc_offer.sdp",
        "libwebrtc_answer.sdp", "libwebrtc_simulcast_offer.sdp", "firefox121_offer.sdp", "firefox61_video_offer.sdp",
        "firefox58_audio_offer.sdp", "firefox58_datachannel_sctpmap_offer.sdp", "safari_offer.sdp",
        "safari_mac_offer.sdp"}) {
    auto sdp = load(name);
    auto check = [&](const AttributeList& list) {
      for (const auto& a : list) {
        if (auto* u = std::get_if<UnknownAttribute>(&a)) {
          EXPECT_TRUE(verbatim.count(u->name)) << name << ": a=" << u->name;
        }
      }
    };
    check(sdp.attributes);
    for (const auto& m : sdp.media) check(m.attributes);
  }
}

}  // namespace
}  // namespace medley::rtp::sdp
