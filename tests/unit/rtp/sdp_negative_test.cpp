// Malformed SDPs: each fails with the line number and a reason, never crashes; plus the leniencies we allow.
#include <gtest/gtest.h>

#include <string>

#include "rtp/sdp/sdp_parser.hpp"
#include "rtp/sdp/session_description.hpp"

namespace medley::rtp::sdp {
namespace {

const std::string kHead = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
const std::string kAudio = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n";

void expect_error(const std::string& text, size_t line, const std::string& reason_part) {
  auto r = parse_sdp(text);
  ASSERT_FALSE(r.ok()) << "parsed: " << text;
  EXPECT_EQ(r.error().line, line) << r.error().reason;
  EXPECT_NE(r.error().reason.find(reason_part), std::string::npos) << "reason: " << r.error().reason;
}

TEST(SdpNegative, EmptyInput) {
  expect_error("", 0, "missing v=");
  expect_error("\r\n\r\n", 0, "missing v=");
}

TEST(SdpNegative, MissingVersion) {
  expect_error("o=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", 1, "first line must be v=0");
  expect_error("v=1\r\n", 1, "version 0");
  expect_error(kHead + "v=0\r\n", 5, "duplicate v=");
}

TEST(SdpNegative, MissingOriginOrName) {
  expect_error("v=0\r\ns=-\r\nt=0 0\r\n", 0, "missing o=");
  expect_error("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\nt=0 0\r\n", 0, "missing s=");
  expect_error("v=0\r\no=- 1 2 IN IP4\r\ns=-\r\n", 2, "o=: expected 6 fields");
  expect_error("v=0\r\no=- 1 two IN IP4 127.0.0.1\r\ns=-\r\n", 2, "session version");
}

TEST(SdpNegative, BadMediaLine) {
  expect_error(kHead + "m=audio\r\n", 5, "m=: expected");
  expect_error(kHead + "m=audio 9\r\n", 5, "m=: expected");
  expect_error(kHead + "m=audio nine RTP/AVP 0\r\n", 5, "port");
  expect_error(kHead + "m=audio 70000 RTP/AVP 0\r\n", 5, "port");
  expect_error(kHead + "m=audio 9/x RTP/AVP 0\r\n", 5, "port count");
}

TEST(SdpNegative, SessionLinesInsideMedia) {
  expect_error(kHead + kAudio + "t=0 0\r\n", 7, "t= inside a media section");
  expect_error(kHead + kAudio + "o=- 1 2 IN IP4 127.0.0.1\r\n", 7, "o= inside");
  EXPECT_TRUE(parse_sdp(kHead + "r=7d 1h 0 25h\r\n").ok());  // r= belongs to the t= before it
}

TEST(SdpNegative, RtpmapNonNumericPayloadType) {
  expect_error(kHead + kAudio + "a=rtpmap:opus opus/48000/2\r\n", 7, "a=rtpmap: payload type");
  expect_error(kHead + kAudio + "a=rtpmap:128 opus/48000/2\r\n", 7, "a=rtpmap: payload type");
  expect_error(kHead + kAudio + "a=rtpmap:111 opus\r\n", 7, "a=rtpmap: expected");
  expect_error(kHead + kAudio + "a=rtpmap:111 opus/fast\r\n", 7, "clock rate");
  expect_error(kHead + kAudio + "a=rtpmap:111\r\n", 7, "missing encoding");
  expect_error(kHead + kAudio + "a=rtpmap\r\n", 7, "missing value");
  expect_error(kHead + kAudio + "a=fmtp:x apt=1\r\n", 7, "a=fmtp: payload type");
}

TEST(SdpNegative, FingerprintBadHex) {
  expect_error(kHead + "a=fingerprint:sha-256 ZZ:00\r\n", 5, "a=fingerprint: fingerprint is not hex");
  expect_error(kHead + "a=fingerprint:sha-256 A:B:C\r\n", 5, "a=fingerprint: fingerprint is not hex");
  expect_error(kHead + "a=fingerprint:sha-256 ABC\r\n", 5, "a=fingerprint: bad fingerprint length");
  expect_error(kHead + "a=fingerprint:sha-256 AB-CD\r\n", 5, "':'-separated");
  expect_error(kHead + "a=fingerprint:sha-256\r\n", 5, "expected <hash function>");
}

TEST(SdpNegative, CandidateMissingFields) {
  expect_error(kHead + kAudio + "a=candidate:1 1 udp 2122252543 10.0.0.1\r\n", 7, "at least 8 fields");
  expect_error(kHead + kAudio + "a=candidate:1 1 udp 2122252543 10.0.0.1 5000 host\r\n", 7, "at least 8 fields");
  expect_error(kHead + kAudio + "a=candidate:1 1 udp 2122252543 10.0.0.1 5000 typ host raddr\r\n", 7, "no value");
}

TEST(SdpNegative, VeryLongLine) {
  std::string longline = "a=x-long:" + std::string(kMaxLineLength, 'x') + "\r\n";
  expect_error(kHead + longline, 5, "longer than");
  // Just under the limit is fine.
  std::string ok = "a=x-long:" + std::string(kMaxLineLength - 9, 'x') + "\r\n";
  EXPECT_TRUE(parse_sdp(kHead + ok).ok());
  expect_error(std::string(kMaxSdpSize + 1, 'a'), 0, "larger than");
}

TEST(SdpNegative, EmbeddedNulAndControlCharacters) {
  std::string nul = kHead + "s=a";
  nul += '\0';
  nul += "b\r\n";
  expect_error(nul, 5, "NUL");
  expect_error(kHead + "a=mid:0\rx\r\n", 5, "control character");  // stray CR
  expect_error(kHead + "a=mid:\x01\r\n", 5, "control character");
  expect_error("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=\x7f\r\n", 3, "control character");
}

TEST(SdpNegative, LinesWithoutEquals) {
  expect_error(kHead + "a\r\n", 5, "expected <type>=<value>");
  expect_error(kHead + "hello world\r\n", 5, "expected <type>=<value>");
  expect_error(kHead + "a :x\r\n", 5, "expected <type>=<value>");
  expect_error(kHead + "A=foo\r\n", 5, "lower-case");
  expect_error(kHead + "x=foo\r\n", 5, "unknown line type 'x='");
  expect_error(kHead + "a=\r\n", 5, "attribute name");
  expect_error(kHead + "a=:value\r\n", 5, "attribute name");
}

TEST(SdpNegative, OtherMalformedValues) {
  expect_error(kHead + "c=IN IP4\r\n", 5, "c=");
  expect_error(kHead + "c=IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.4\r\n", 6, "duplicate");
  expect_error(kHead + "b=AS\r\n", 5, "b=");
  expect_error(kHead + "b=AS:lots\r\n", 5, "b=");
  expect_error("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0\r\n", 4, "t=");
  expect_error("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nr=1 2 3\r\n", 4, "r= before any t=");
  expect_error(kHead + "a=setup:both\r\n", 5, "a=setup");
  expect_error(kHead + kAudio + "a=extmap:x urn:y\r\n", 7, "a=extmap");
  expect_error(kHead + kAudio + "a=ssrc:abc cname:x\r\n", 7, "a=ssrc");
  expect_error(kHead + kAudio + "a=ssrc-group:FID 1 x\r\n", 7, "a=ssrc-group");
  expect_error(kHead + kAudio + "a=rtcp-fb:96\r\n", 7, "a=rtcp-fb");
  expect_error(kHead + kAudio + "a=simulcast:send\r\n", 7, "a=simulcast");
  expect_error(kHead + kAudio + "a=rid:h both\r\n", 7, "a=rid");
  expect_error(kHead + kAudio + "a=sctp-port:x\r\n", 7, "a=sctp-port");
  expect_error(kHead + kAudio + "a=mid:\r\n", 7, "a=mid");
  expect_error(kHead + kAudio + "a=msid:a b c\r\n", 7, "a=msid");
  expect_error(kHead + kAudio + "a=rtcp:9 IN IP4\r\n", 7, "a=rtcp");
}

TEST(SdpLenient, BareLfBlankLinesAndMissingTiming) {
  auto r = parse_sdp("v=0\no=- 1 2 IN IP4 127.0.0.1\ns=-\n\nm=audio 9 RTP/AVP 0\na=rtpmap:0 PCMU/8000\n\n\n");
  ASSERT_TRUE(r.ok()) << r.error().reason;
  EXPECT_TRUE(r->timings.empty());
  EXPECT_EQ(r->to_string(), "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n");
  // No final line ending at all.
  EXPECT_TRUE(parse_sdp("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-").ok());
}

TEST(SdpLenient, Rfc8866Example) {
  // RFC 8866 section 5 example, with the optional session lines.
  const std::string text =
      "v=0\r\n"
      "o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1\r\n"
      "s=Call to John Smith\r\n"
      "i=SDP Offer #1\r\n"
      "u=http://www.jdoe.example.com/home.html\r\n"
      "e=Jane Doe <jane@jdoe.example.com>\r\n"
      "p=+1 617 555-6011\r\n"
      "c=IN IP4 198.51.100.1\r\n"
      "t=0 0\r\n"
      "m=audio 49170 RTP/AVP 0\r\n"
      "m=audio 49180 RTP/AVP 0\r\n"
      "m=video 51372 RTP/AVP 99\r\n"
      "c=IN IP6 2001:db8::2\r\n"
      "a=rtpmap:99 h263-1998/90000\r\n";
  auto r = parse_sdp(text);
  ASSERT_TRUE(r.ok()) << r.error().reason;
  EXPECT_EQ(r->origin.session_version, 3724394405u);
  EXPECT_EQ(r->information, "SDP Offer #1");
  EXPECT_EQ(r->emails.size(), 1u);
  EXPECT_EQ(r->connection->address, "198.51.100.1");
  EXPECT_EQ(r->media.size(), 3u);
  EXPECT_EQ(r->media[2].connections[0].addr_type, "IP6");
  EXPECT_EQ(r->to_string(), text);
}

TEST(SdpLenient, RepeatsZoneKeyAndBandwidthRoundTrip) {
  const std::string text =
      "v=0\r\n"
      "o=- 1 2 IN IP4 127.0.0.1\r\n"
      "s=-\r\n"
      "b=CT:1000\r\n"
      "t=3724394400 3724398000\r\n"
      "r=604800 3600 0 90000\r\n"
      "z=2882844526 -1h 2898848070 0\r\n"
      "k=prompt\r\n"
      "a=ice-lite\r\n"
      "m=video 5004/2 RTP/AVP 96\r\n"
      "i=camera\r\n"
      "b=AS:512\r\n"
      "b=TIAS:500000\r\n"
      "a=framerate:29.97\r\n";
  auto r = parse_sdp(text);
  ASSERT_TRUE(r.ok()) << r.error().reason;
  EXPECT_TRUE(r->ice_lite());
  EXPECT_EQ(r->timings[0].repeats.size(), 1u);
  EXPECT_EQ(r->media[0].port_count, 2);
  EXPECT_EQ(r->media[0].bandwidths[1].type, "TIAS");
  EXPECT_EQ(r->media[0].bandwidths[1].value, 500000u);
  EXPECT_EQ(r->to_string(), text);
}

}  // namespace
}  // namespace medley::rtp::sdp
