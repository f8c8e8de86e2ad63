// Attribute-level SDP parsing and writing: candidates (also trickled alone), fmtp/H.264, rtcp-fb, extmap, ssrc,
// fingerprint, simulcast and rid, and the AttributeList editing used to build answers.
#include <gtest/gtest.h>

#include <string>

#include "rtp/sdp/attribute.hpp"
#include "rtp/sdp/session_description.hpp"

namespace medley::rtp::sdp {
namespace {

// Parses "name:value" as an a= line body and writes it back (without "a=" and CRLF).
std::string round_trip(std::string_view body) {
  auto a = parse_attribute(body);
  if (!a) return "ERROR: " + a.error().reason;
  std::string out;
  write_attribute(out, *a);
  return out.substr(2, out.size() - 4);
}

TEST(SdpCandidate, TrickleStringWithoutPrefix) {
  auto c = parse_candidate(
      "candidate:842163049 1 udp 1677729535 1.2.3.4 61015 typ srflx raddr 192.168.0.87 rport 61015 generation 0 "
      "ufrag XSmV network-id 1 network-cost 10");
  ASSERT_TRUE(c.ok()) << c.error().reason;
  EXPECT_EQ(c->foundation, "842163049");
  EXPECT_EQ(c->component, 1);
  EXPECT_EQ(c->priority, 1677729535u);
  EXPECT_EQ(c->address, "1.2.3.4");
  EXPECT_EQ(c->port, 61015);
  EXPECT_EQ(c->type, CandidateType::Srflx);
  EXPECT_EQ(c->related_address, "192.168.0.87");
  EXPECT_EQ(c->related_port, 61015);
  ASSERT_EQ(c->extensions.size(), 4u);
  EXPECT_EQ(c->extensions[0].name, "generation");
  EXPECT_EQ(c->extension("ufrag"), "XSmV");
  EXPECT_EQ(c->extension("network-id"), "1");
  EXPECT_EQ(c->extension("network-cost"), "10");
  EXPECT_EQ(c->extension("nope"), std::nullopt);
  EXPECT_EQ(c->to_string(),
            "candidate:842163049 1 udp 1677729535 1.2.3.4 61015 typ srflx raddr 192.168.0.87 rport 61015 generation 0 "
            "ufrag XSmV network-id 1 network-cost 10");
}

TEST(SdpCandidate, WithPrefixAndLineEnding) {
  auto c = parse_candidate("a=candidate:1 2 UDP 2122252542 192.168.99.7 52914 typ host\r\n");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->component, 2);
  EXPECT_EQ(c->transport, "UDP");
  EXPECT_TRUE(c->is_udp());
  EXPECT_TRUE(c->extensions.empty());
}

TEST(SdpCandidate, RelayTcpAndMdns) {
  auto relay = parse_candidate("candidate:3 1 udp 41885439 203.0.113.5 3478 typ relay raddr 198.51.100.2 rport 5000");
  ASSERT_TRUE(relay.ok());
  EXPECT_EQ(relay->type, CandidateType::Relay);
  auto tcp = parse_candidate("candidate:1 1 TCP 2105524479 192.168.99.7 9 typ host tcptype active");
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(tcp->tcp_type, "active");
  EXPECT_TRUE(tcp->is_tcp());
  auto mdns = parse_candidate(
      "candidate:1560499547 1 udp 2113937151 2cf0b2c0-0842-4fe3-aaa0-4556a2dfbadc.local 33192 typ host generation 0");
  ASSERT_TRUE(mdns.ok());
  EXPECT_EQ(mdns->address, "2cf0b2c0-0842-4fe3-aaa0-4556a2dfbadc.local");
  auto prflx = parse_candidate("candidate:9 1 udp 1845501695 10.0.0.9 5555 typ prflx raddr 10.0.0.1 rport 4444");
  ASSERT_TRUE(prflx.ok());
  EXPECT_EQ(prflx->type, CandidateType::Prflx);
}

TEST(SdpCandidate, UnknownTypeIsKeptNotUsable) {
  auto c = parse_candidate("candidate:1 1 udp 1 10.0.0.1 1 typ future");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->type, CandidateType::Other);
  EXPECT_EQ(c->other_type, "future");
  EXPECT_EQ(c->to_string(), "candidate:1 1 udp 1 10.0.0.1 1 typ future");
}

TEST(SdpCandidate, Malformed) {
  EXPECT_FALSE(parse_candidate("").ok());
  EXPECT_FALSE(parse_candidate("candidate:").ok());
  EXPECT_FALSE(parse_candidate("1 1 udp 1 10.0.0.1 1 typ host").ok());  // no prefix
  auto missing = parse_candidate("candidate:1 1 udp 2122252543 10.0.0.1 5000 typ");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().reason.find("at least 8 fields"), std::string::npos) << missing.error().reason;
  EXPECT_FALSE(parse_candidate("candidate:1 1 udp 2122252543 10.0.0.1 5000 host x").ok());   // no 'typ'
  EXPECT_FALSE(parse_candidate("candidate:1 x udp 2122252543 10.0.0.1 5000 typ host").ok());  // component
  EXPECT_FALSE(parse_candidate("candidate:1 0 udp 2122252543 10.0.0.1 5000 typ host").ok());  // component 0
  EXPECT_FALSE(parse_candidate("candidate:1 1 udp 4294967296 10.0.0.1 5000 typ host").ok());  // priority > 32 bits
  EXPECT_FALSE(parse_candidate("candidate:1 1 udp 1 10.0.0.1 65536 typ host").ok());          // port
  EXPECT_FALSE(parse_candidate("candidate:1 1 udp 1 10.0.0.1 1 typ srflx raddr 1.2.3.4 rport x").ok());
  EXPECT_FALSE(parse_candidate("candidate:1 1 udp 1 10.0.0.1 1 typ host generation").ok());  // dangling key
  EXPECT_FALSE(parse_candidate(std::string_view("candidate:1 1 udp 1 10.0.0.1 1 typ host\0", 41)).ok());
}

TEST(SdpAttribute, RtpmapAndFmtp) {
  EXPECT_EQ(round_trip("rtpmap:111 opus/48000/2"), "rtpmap:111 opus/48000/2");
  EXPECT_EQ(round_trip("rtpmap:0 PCMU/8000"), "rtpmap:0 PCMU/8000");
  EXPECT_EQ(round_trip("fmtp:101 0-15"), "fmtp:101 0-15");
  auto f = Fmtp::parse("96 profile-level-id=640c1f ; packetization-mode=1;sprop-parameter-sets=Z0IAH5WoFAFuQA==,aM48gA==");
  ASSERT_TRUE(f.ok());
  auto list = f->parameter_list();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].key, "profile-level-id");
  EXPECT_EQ(list[0].value, "640c1f");
  EXPECT_EQ(list[2].value, "Z0IAH5WoFAFuQA==,aM48gA==");  // only the first '=' splits
  EXPECT_EQ(f->h264_profile_level_id(), 0x640c1fu);
  EXPECT_EQ(f->h264_packetization_mode(), 1);
  EXPECT_FALSE(f->h264_level_asymmetry_allowed());
  // Kept as written, spaces and all.
  std::string out;
  f->write(out);
  EXPECT_EQ(out, "96 profile-level-id=640c1f ; packetization-mode=1;sprop-parameter-sets=Z0IAH5WoFAFuQA==,aM48gA==");
  auto built = Fmtp::from_parameters(PayloadType{97}, {{"apt", "96"}});
  EXPECT_EQ(built.parameters, "apt=96");
  EXPECT_EQ(built.apt(), PayloadType{96});
  EXPECT_EQ(Fmtp::parse("96 profile-level-id=zz").value().h264_profile_level_id(), std::nullopt);
}

TEST(SdpAttribute, RtcpFb) {
  auto fb = RtcpFb::parse("* trr-int 100");
  ASSERT_TRUE(fb.ok());
  EXPECT_EQ(fb->payload_type, std::nullopt);
  EXPECT_EQ(fb->type, "trr-int");
  EXPECT_EQ(fb->subtype, "100");
  EXPECT_EQ(round_trip("rtcp-fb:* trr-int 100"), "rtcp-fb:* trr-int 100");
  EXPECT_EQ(round_trip("rtcp-fb:96 nack"), "rtcp-fb:96 nack");
  EXPECT_EQ(round_trip("rtcp-fb:96 nack pli"), "rtcp-fb:96 nack pli");
  EXPECT_FALSE(RtcpFb::parse("96").ok());
  EXPECT_FALSE(RtcpFb::parse("x nack").ok());
}

TEST(SdpAttribute, Extmap) {
  auto e = Extmap::parse("1 urn:ietf:params:rtp-hdrext:encrypt urn:ietf:params:rtp-hdrext:ssrc-audio-level vad=on");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->id, 1);
  EXPECT_EQ(e->uri, "urn:ietf:params:rtp-hdrext:encrypt");
  EXPECT_EQ(e->attributes, "urn:ietf:params:rtp-hdrext:ssrc-audio-level vad=on");
  EXPECT_EQ(round_trip("extmap:2/recvonly urn:ietf:params:rtp-hdrext:csrc-audio-level"),
            "extmap:2/recvonly urn:ietf:params:rtp-hdrext:csrc-audio-level");
  EXPECT_FALSE(Extmap::parse("0 urn:x").ok());
  EXPECT_FALSE(Extmap::parse("1/sideways urn:x").ok());
  EXPECT_FALSE(Extmap::parse("1").ok());
}

TEST(SdpAttribute, SsrcAndGroups) {
  auto s = SsrcAttribute::parse("2805193976 msid:- 53a91694-a120-4a65-96be-f164d2695455");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->ssrc, Ssrc{2805193976});
  EXPECT_EQ(s->attribute, "msid");
  EXPECT_EQ(s->value, "- 53a91694-a120-4a65-96be-f164d2695455");
  EXPECT_EQ(round_trip("ssrc:1 foo"), "ssrc:1 foo");  // attribute without value
  EXPECT_FALSE(SsrcAttribute::parse("4294967296 cname:x").ok());
  EXPECT_FALSE(SsrcAttribute::parse("1").ok());
  auto g = SsrcGroup::parse("SIM 1 2 3");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->ssrcs.size(), 3u);
  EXPECT_FALSE(SsrcGroup::parse("FID 1 x").ok());
  EXPECT_EQ(round_trip("group:BUNDLE 0 1 2"), "group:BUNDLE 0 1 2");
  EXPECT_EQ(round_trip("group:BUNDLE"), "group:BUNDLE");
  EXPECT_EQ(round_trip("group:LS a v"), "group:LS a v");
}

TEST(SdpAttribute, Fingerprint) {
  auto f = Fingerprint::parse("sha-1 b8:6c:de:15:7c:53:49:31:5c:0b:c0:6a:1b:66:f6:c8:35:fe:27:8d");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->bytes.size(), 20u);
  EXPECT_TRUE(f->lower_case);
  std::string out;
  f->write(out);
  EXPECT_EQ(out, "sha-1 b8:6c:de:15:7c:53:49:31:5c:0b:c0:6a:1b:66:f6:c8:35:fe:27:8d");
  EXPECT_FALSE(Fingerprint::parse("sha-256 -").ok());
  EXPECT_FALSE(Fingerprint::parse("sha-256 AB:CD:").ok());
  EXPECT_FALSE(Fingerprint::parse("sha-256 ABCD").ok());
  EXPECT_FALSE(Fingerprint::parse("sha-256 AB:CG").ok());
  EXPECT_FALSE(Fingerprint::parse("sha-256").ok());
  EXPECT_FALSE(Fingerprint::parse("sha-256 AB CD").ok());
}

TEST(SdpAttribute, SetupMidIceSctp) {
  EXPECT_EQ(sdp::Setup::parse("holdconn").value().role, SetupRole::HoldConn);
  EXPECT_FALSE(sdp::Setup::parse("both").ok());
  EXPECT_FALSE(Mid::parse("").ok());
  EXPECT_EQ(round_trip("ice-options:trickle renomination"), "ice-options:trickle renomination");
  EXPECT_EQ(round_trip("sctp-port:5000"), "sctp-port:5000");
  EXPECT_FALSE(SctpPort::parse("70000").ok());
  EXPECT_EQ(round_trip("sctpmap:5000 webrtc-datachannel 1024"), "sctpmap:5000 webrtc-datachannel 1024");
  EXPECT_EQ(round_trip("max-message-size:1073741823"), "max-message-size:1073741823");
  EXPECT_EQ(round_trip("msid-semantic: WMS"), "msid-semantic: WMS");
  EXPECT_EQ(round_trip("msid-semantic:WMS *"), "msid-semantic:WMS *");
  auto fr = Framerate::parse("29.97");
  ASSERT_TRUE(fr.ok());
  EXPECT_NEAR(*fr->fps(), 29.97, 1e-9);
  EXPECT_EQ(round_trip("framerate:30"), "framerate:30");
  EXPECT_FALSE(Framerate::parse("fast").ok());
  EXPECT_EQ(round_trip("rtcp:9 IN IP4 0.0.0.0"), "rtcp:9 IN IP4 0.0.0.0");
  EXPECT_EQ(round_trip("rtcp:23300"), "rtcp:23300");
}

TEST(SdpAttribute, FlagsAndUnknown) {
  for (const char* flag : {"rtcp-mux", "rtcp-mux-only", "rtcp-rsize", "ice-lite", "end-of-candidates", "bundle-only",
                           "extmap-allow-mixed", "sendrecv", "sendonly", "recvonly", "inactive"}) {
    auto a = parse_attribute(flag);
    ASSERT_TRUE(a.ok());
    EXPECT_FALSE(std::holds_alternative<UnknownAttribute>(*a)) << flag;
    EXPECT_EQ(attribute_name(*a), flag);
    EXPECT_EQ(round_trip(flag), flag);
  }
  // A flag with a value is not the flag; it is kept verbatim.
  auto odd = parse_attribute("rtcp-mux:yes");
  ASSERT_TRUE(odd.ok());
  EXPECT_TRUE(std::holds_alternative<UnknownAttribute>(*odd));
  EXPECT_EQ(round_trip("rtcp-mux:yes"), "rtcp-mux:yes");
  EXPECT_EQ(round_trip("x-google-flag:conference"), "x-google-flag:conference");
  EXPECT_EQ(round_trip("label:1"), "label:1");
  EXPECT_EQ(round_trip("foo:"), "foo:");
  EXPECT_EQ(round_trip("foo"), "foo");
  EXPECT_EQ(round_trip("ptime: 20  "), "ptime: 20  ");
}

TEST(SdpSimulcast, Rfc8853Examples) {
  auto sc = Simulcast::parse("send 1,2,3;~4,~5 recv 6;~7,~8");
  ASSERT_TRUE(sc.ok()) << sc.error().reason;
  ASSERT_EQ(sc->parts.size(), 2u);
  ASSERT_NE(sc->send(), nullptr);
  ASSERT_EQ(sc->send()->streams.size(), 2u);
  EXPECT_EQ(sc->send()->streams[0].size(), 3u);
  EXPECT_TRUE(sc->send()->streams[1][0].paused);
  EXPECT_EQ(sc->send()->streams[1][1].rid, "5");
  EXPECT_EQ(sc->recv()->streams[1][1].rid, "8");
  std::string out;
  sc->write(out);
  EXPECT_EQ(out, "send 1,2,3;~4,~5 recv 6;~7,~8");
  EXPECT_EQ(round_trip("simulcast:recv 1;4,5 send 6;7"), "simulcast:recv 1;4,5 send 6;7");
}

TEST(SdpSimulcast, DraftForm) {
  auto sc = Simulcast::parse(" send rid=h;m;l");
  ASSERT_TRUE(sc.ok());
  EXPECT_TRUE(sc->draft_form);
  EXPECT_EQ(sc->send()->streams.size(), 3u);
  EXPECT_EQ(round_trip("simulcast: send rid=h;m;l"), "simulcast: send rid=h;m;l");
}

TEST(SdpSimulcast, Malformed) {
  EXPECT_FALSE(Simulcast::parse("").ok());
  EXPECT_FALSE(Simulcast::parse("send").ok());
  EXPECT_FALSE(Simulcast::parse("sideways a").ok());
  EXPECT_FALSE(Simulcast::parse("send a send b").ok());
  EXPECT_FALSE(Simulcast::parse("send a;;b").ok());
  EXPECT_FALSE(Simulcast::parse("send ~").ok());
}

TEST(SdpRid, WithRestrictions) {
  auto r = Rid::parse("1 send pt=97,98;max-width=1280;max-height=720;max-fps=30");
  ASSERT_TRUE(r.ok()) << r.error().reason;
  EXPECT_EQ(r->id, "1");
  EXPECT_EQ(r->direction, RidDirection::Send);
  EXPECT_EQ(r->payload_types, (std::vector<PayloadType>{PayloadType{97}, PayloadType{98}}));
  ASSERT_EQ(r->restrictions.size(), 3u);
  EXPECT_EQ(r->restriction("max-width"), "1280");
  EXPECT_EQ(r->restriction("max-fps"), "30");
  EXPECT_EQ(round_trip("rid:1 send pt=97,98;max-width=1280;max-height=720;max-fps=30"),
            "rid:1 send pt=97,98;max-width=1280;max-height=720;max-fps=30");
  EXPECT_EQ(round_trip("rid:lo recv max-br=64000"), "rid:lo recv max-br=64000");
  EXPECT_EQ(round_trip("rid:h send"), "rid:h send");
  EXPECT_FALSE(Rid::parse("h").ok());
  EXPECT_FALSE(Rid::parse("h both").ok());
  EXPECT_FALSE(Rid::parse("h send pt=x").ok());
  EXPECT_FALSE(Rid::parse("h send pt=96;pt=97").ok());
  EXPECT_FALSE(Rid::parse("h;x send").ok());
}

TEST(SdpAttributeList, SetReplacesInPlaceAndRemoves) {
  AttributeList list;
  list.add(Mid{"0"});
  list.add(sdp::Setup{SetupRole::ActPass});
  list.add(RtcpMux{});
  list.add(sdp::Setup{SetupRole::Passive});
  list.set(sdp::Setup{SetupRole::Active});
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(std::get<sdp::Setup>(list[1]).role, SetupRole::Active);
  list.set(IceUfrag{"abcd"});
  EXPECT_EQ(list.size(), 4u);
  EXPECT_EQ(list.remove_all<RtcpMux>(), 1u);
  EXPECT_FALSE(list.has<RtcpMux>());
  EXPECT_EQ(list.all<sdp::Setup>().size(), 1u);
}

}  // namespace
}  // namespace medley::rtp::sdp
