// StunMessageView against the RFC 5769 vectors: header, typed attributes, integrity and fingerprint.
#include <gtest/gtest.h>

#include <cstring>

#include "ice/stun_message.hpp"
#include "tests/unit/ice/stun_test_util.hpp"

namespace medley::ice {
namespace {

using test::bytes_of;
using test::parse_ok;
using test::read_stun_data;

TEST(StunMessageType, MethodAndClassInterleave) {
  // RFC 8489 §5: Binding request 0x0001, success 0x0101, error 0x0111, indication 0x0011.
  EXPECT_EQ(stun_message_type(StunMethod::Binding, StunClass::Request), 0x0001);
  EXPECT_EQ(stun_message_type(StunMethod::Binding, StunClass::SuccessResponse), 0x0101);
  EXPECT_EQ(stun_message_type(StunMethod::Binding, StunClass::ErrorResponse), 0x0111);
  EXPECT_EQ(stun_message_type(StunMethod::Binding, StunClass::Indication), 0x0011);
  // TURN: Allocate request 0x0003, Send indication 0x0016, Data indication 0x0017, ChannelBind success 0x0109.
  EXPECT_EQ(stun_message_type(StunMethod::Allocate, StunClass::Request), 0x0003);
  EXPECT_EQ(stun_message_type(StunMethod::Send, StunClass::Indication), 0x0016);
  EXPECT_EQ(stun_message_type(StunMethod::Data, StunClass::Indication), 0x0017);
  EXPECT_EQ(stun_message_type(StunMethod::ChannelBind, StunClass::SuccessResponse), 0x0109);
  for (uint16_t m = 0; m < 0x1000; m += 37) {
    for (uint8_t c = 0; c < 4; ++c) {
      const uint16_t t = stun_message_type(static_cast<StunMethod>(m), static_cast<StunClass>(c));
      EXPECT_EQ(static_cast<uint16_t>(stun_method_of(t)), m);
      EXPECT_EQ(stun_class_of(t), static_cast<StunClass>(c));
      EXPECT_EQ(t & 0xC000, 0);
    }
  }
}

TEST(StunMessage, Rfc5769SampleRequest) {
  const auto bytes = read_stun_data("rfc5769_sample_request.bin");
  const auto m = parse_ok(bytes);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->is_binding_request());
  EXPECT_EQ(m->message_type(), 0x0001);
  EXPECT_EQ(m->transaction_id(), test::kRfcTxid);
  EXPECT_EQ(m->attribute_count(), 6u);
  EXPECT_EQ(m->software(), "STUN test client");
  EXPECT_EQ(m->username(), "evtj:h6vY");
  EXPECT_EQ(m->priority(), 0x6e0001ffu);
  EXPECT_EQ(m->ice_controlled(), 0x932ff9b151263b36ull);
  EXPECT_FALSE(m->ice_controlling());
  EXPECT_FALSE(m->use_candidate());
  EXPECT_TRUE(m->has_message_integrity());
  EXPECT_FALSE(m->has_message_integrity_sha256());
  EXPECT_TRUE(m->has_fingerprint());
  EXPECT_EQ(m->integrity_offset(), 76u);
  EXPECT_EQ(m->fingerprint_offset(), 108u - 8u);
  EXPECT_TRUE(m->unknown_comprehension_required().empty());

  EXPECT_TRUE(verify_integrity(*m, StunIntegrityKey::short_term(test::kRfcPassword)));
  EXPECT_TRUE(verify_any_integrity(*m, StunIntegrityKey::short_term(test::kRfcPassword)));
  EXPECT_FALSE(verify_integrity_sha256(*m, StunIntegrityKey::short_term(test::kRfcPassword)));
  EXPECT_TRUE(verify_fingerprint(*m));
  EXPECT_EQ(stun_fingerprint(base::Bytes(bytes).first(100)), 0xe57a3bcfu);
}

TEST(StunMessage, Rfc5769Ipv4Response) {
  const auto bytes = read_stun_data("rfc5769_ipv4_response.bin");
  const auto m = parse_ok(bytes);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->is_success_response());
  EXPECT_EQ(m->method(), StunMethod::Binding);
  EXPECT_EQ(m->software(), "test vector");
  const auto a = m->xor_mapped_address();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->to_string(), "192.0.2.1:32853");
  EXPECT_EQ(*a, *TransportAddress::parse("192.0.2.1", 32853));
  EXPECT_TRUE(verify_integrity(*m, StunIntegrityKey::short_term(test::kRfcPassword)));
  EXPECT_TRUE(verify_fingerprint(*m));
}

TEST(StunMessage, Rfc5769Ipv6Response) {
  const auto bytes = read_stun_data("rfc5769_ipv6_response.bin");
  const auto m = parse_ok(bytes);
  ASSERT_TRUE(m);
  const auto a = m->xor_mapped_address();
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->is_ipv6());
  EXPECT_EQ(a->to_string(), "[2001:db8:1234:5678:11:2233:4455:6677]:32853");
  EXPECT_TRUE(verify_integrity(*m, StunIntegrityKey::short_term(test::kRfcPassword)));
  EXPECT_TRUE(verify_fingerprint(*m));
}

TEST(StunMessage, Rfc5769LongTermRequest) {
  const auto bytes = read_stun_data("rfc5769_long_term_request.bin");
  const auto m = parse_ok(bytes);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->transaction_id(), test::kRfcLongTermTxid);
  EXPECT_EQ(m->username(), test::kRfcLongTermUser);
  EXPECT_EQ(m->nonce(), test::kRfcLongTermNonce);
  EXPECT_EQ(m->realm(), test::kRfcLongTermRealm);
  EXPECT_FALSE(m->has_fingerprint());
  EXPECT_FALSE(verify_fingerprint(*m));
  const auto key =
      StunIntegrityKey::long_term(test::kRfcLongTermUser, test::kRfcLongTermRealm, test::kRfcLongTermPassword);
  EXPECT_TRUE(verify_integrity(*m, key));
  // The unprepared password is a different key.
  EXPECT_FALSE(verify_integrity(
      *m, StunIntegrityKey::long_term(test::kRfcLongTermUser, test::kRfcLongTermRealm, "The\xc2\xad" "M\xc2\xaatr\xe2\x85\xa8")));
  EXPECT_FALSE(verify_integrity(*m, StunIntegrityKey::short_term(test::kRfcLongTermPassword)));
}

TEST(StunMessage, LongTermKeyIsMd5OfUserRealmPassword) {
  // MD5("user:realm:pass") computed independently (python hashlib).
  const auto k = StunIntegrityKey::long_term_md5("user", "realm", "pass");
  const std::array<uint8_t, 16> want = {0x84, 0x93, 0xfb, 0xc5, 0x3b, 0xa5, 0x82, 0xfb,
                                        0x4c, 0x04, 0x4c, 0x45, 0x6b, 0xdc, 0x40, 0xeb};
  EXPECT_EQ(k, want);
}

TEST(StunMessage, WrongPasswordFailsIntegrity) {
  const auto bytes = read_stun_data("rfc5769_sample_request.bin");
  const auto m = parse_ok(bytes);
  ASSERT_TRUE(m);
  EXPECT_FALSE(verify_integrity(*m, StunIntegrityKey::short_term("VOkJxbRl1RmTxUk/WvJxBT")));
  EXPECT_FALSE(verify_integrity(*m, StunIntegrityKey::short_term("")));
  EXPECT_FALSE(verify_integrity(*m, StunIntegrityKey()));
}

// Any bit flipped anywhere before FINGERPRINT breaks MESSAGE-INTEGRITY (or the parse), and anywhere at all
// breaks FINGERPRINT.
TEST(StunMessage, EveryFlippedBitFailsIntegrityOrFingerprint) {
  const auto orig = read_stun_data("rfc5769_sample_request.bin");
  const auto key = StunIntegrityKey::short_term(test::kRfcPassword);
  const size_t fp = 100;
  for (size_t i = 0; i < orig.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      auto b = orig;
      b[i] ^= static_cast<uint8_t>(1u << bit);
      const auto r = StunMessageView::parse(b);
      if (!r.ok()) continue;  // header damage: not STUN at all
      if (i < fp) {
        EXPECT_FALSE(verify_integrity(*r, key)) << "byte " << i << " bit " << bit;
      }
      EXPECT_FALSE(verify_fingerprint(*r)) << "byte " << i << " bit " << bit;  // CRC-32 catches every 1-bit error
    }
  }
}

TEST(StunMessage, WrongFingerprint) {
  auto b = read_stun_data("rfc5769_ipv4_response.bin");
  b.back() ^= 0x01;
  const auto m = parse_ok(b);
  ASSERT_TRUE(m);
  EXPECT_FALSE(verify_fingerprint(*m));
  EXPECT_TRUE(verify_integrity(*m, StunIntegrityKey::short_term(test::kRfcPassword)));  // FINGERPRINT is after it
}

TEST(StunParse, Truncated) {
  const auto b = read_stun_data("rfc5769_sample_request.bin");
  for (size_t n = 0; n < b.size(); ++n) {
    const auto r = StunMessageView::parse(base::Bytes(b).first(n));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error(), n < 20 ? StunParseError::TooShort : StunParseError::LengthMismatch) << n;
  }
}

TEST(StunParse, TrailingBytesAreNotOneMessage) {
  auto b = read_stun_data("rfc5769_sample_request.bin");
  b.insert(b.end(), {0, 0, 0, 0});
  const auto r = StunMessageView::parse(b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), StunParseError::LengthMismatch);
  EXPECT_EQ(StunMessageView::message_size(b), 108u);
}

TEST(StunParse, BadCookie) {
  auto b = read_stun_data("rfc5769_sample_request.bin");
  b[7] ^= 0x01;
  const auto r = StunMessageView::parse(b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), StunParseError::BadMagicCookie);
  EXPECT_FALSE(StunMessageView::looks_like_stun(b));
}

TEST(StunParse, TopBitsSet) {
  auto b = read_stun_data("rfc5769_sample_request.bin");
  b[0] |= 0x80;  // an RTP packet's version bits
  const auto r = StunMessageView::parse(b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), StunParseError::NotStun);
  EXPECT_FALSE(StunMessageView::message_size(b));
}

TEST(StunParse, LengthNotMultipleOf4) {
  auto b = read_stun_data("rfc5769_sample_request.bin");
  b[3] = 0x57;
  b.pop_back();
  const auto r = StunMessageView::parse(b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), StunParseError::LengthNotMultipleOf4);
}

TEST(StunParse, AttributePastEnd) {
  auto b = read_stun_data("rfc5769_ipv4_response.bin");
  b[b.size() - 5] = 0x08;  // FINGERPRINT claims 8 bytes, 4 are there
  auto r = StunMessageView::parse(b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), StunParseError::AttributeTruncated);
  // A value whose padding would run past the end is truncated too: 5 bytes need 8.
  b[b.size() - 5] = 0x05;
  r = StunMessageView::parse(b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), StunParseError::AttributeTruncated);
  // A huge length.
  b[b.size() - 6] = 0xff;
  r = StunMessageView::parse(b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), StunParseError::AttributeTruncated);
}

TEST(StunParse, HeaderOnlyIsValid) {
  const std::vector<uint8_t> b = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const auto m = parse_ok(b);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->attribute_count(), 0u);
  EXPECT_EQ(m->attributes().begin(), m->attributes().end());
  EXPECT_FALSE(m->username());
  EXPECT_FALSE(verify_integrity(*m, StunIntegrityKey::short_term("x")));
  EXPECT_FALSE(verify_fingerprint(*m));
}

// A message built by hand, attribute by attribute, for the cases the vectors do not cover.
class RawMessage {
 public:
  explicit RawMessage(uint16_t type = 0x0001) {
    b_ = {static_cast<uint8_t>(type >> 8), static_cast<uint8_t>(type), 0, 0, 0x21, 0x12, 0xa4, 0x42};
    for (int i = 0; i < 12; ++i) b_.push_back(static_cast<uint8_t>(0xa0 + i));
  }
  RawMessage& attr(uint16_t type, std::vector<uint8_t> value) {
    b_.push_back(static_cast<uint8_t>(type >> 8));
    b_.push_back(static_cast<uint8_t>(type));
    b_.push_back(static_cast<uint8_t>(value.size() >> 8));
    b_.push_back(static_cast<uint8_t>(value.size()));
    b_.insert(b_.end(), value.begin(), value.end());
    while (b_.size() % 4 != 0) b_.push_back(0);
    const size_t len = b_.size() - 20;
    b_[2] = static_cast<uint8_t>(len >> 8);
    b_[3] = static_cast<uint8_t>(len);
    return *this;
  }
  RawMessage& attr(uint16_t type, std::string_view s) { return attr(type, std::vector<uint8_t>(s.begin(), s.end())); }
  const std::vector<uint8_t>& bytes() const { return b_; }

 private:
  std::vector<uint8_t> b_;
};

TEST(StunAttributes, DuplicatesFirstWins) {
  const RawMessage raw = RawMessage()
                             .attr(0x0006, "first:user")
                             .attr(0x0024, {0, 0, 0, 1})
                             .attr(0x0006, "second:user")
                             .attr(0x0024, {0, 0, 0, 2});
  const auto m = parse_ok(raw.bytes());
  ASSERT_TRUE(m);
  EXPECT_EQ(m->username(), "first:user");
  EXPECT_EQ(m->priority(), 1u);
  EXPECT_EQ(m->attribute_count(), 4u);
}

TEST(StunAttributes, UnknownComprehensionRequiredReported) {
  const RawMessage raw = RawMessage()
                             .attr(0x0006, "a:b")
                             .attr(0x7777, "x")         // unknown, required
                             .attr(0x8888, "y")         // unknown, optional: ignored
                             .attr(0xC057, {0, 1, 0, 0})  // GOOG-NETWORK-INFO: known, tolerated
                             .attr(0x0031, std::vector<uint8_t>{})  // unknown, required
                             .attr(0x7777, "z");        // duplicate: listed once
  const auto m = parse_ok(raw.bytes());
  ASSERT_TRUE(m);
  const StunAttributeTypes u = m->unknown_comprehension_required();
  ASSERT_EQ(u.count, 2u);
  EXPECT_EQ(u.types[0], 0x7777);
  EXPECT_EQ(u.types[1], 0x0031);
  EXPECT_TRUE(u.contains(0x0031));
  EXPECT_FALSE(u.contains(0x8888));
}

TEST(StunAttributes, AttributesAfterIntegrityAreIgnored) {
  // RFC 8489 §14.5: only MESSAGE-INTEGRITY-SHA256 and FINGERPRINT count after MESSAGE-INTEGRITY.
  std::vector<uint8_t> mac(20, 0x55);
  const RawMessage raw = RawMessage()
                             .attr(0x0024, {0, 0, 0, 7})
                             .attr(0x0008, mac)
                             .attr(0x0006, "late:user")
                             .attr(0x0024, {0, 0, 0, 9})
                             .attr(0x7777, "x")
                             .attr(0x0008, mac);  // a second MESSAGE-INTEGRITY: ignored too
  const auto m = parse_ok(raw.bytes());
  ASSERT_TRUE(m);
  EXPECT_EQ(m->priority(), 7u);
  EXPECT_FALSE(m->username());
  EXPECT_TRUE(m->unknown_comprehension_required().empty());
  EXPECT_EQ(m->integrity_offset(), 28u);
  size_t n = 0;
  for (const StunAttribute& a : m->attributes()) {
    (void)a;
    ++n;
  }
  EXPECT_EQ(n, 6u);  // iteration still sees everything
}

TEST(StunAttributes, FingerprintMustBeLast) {
  auto b = RawMessage().attr(0x0006, "a:b").bytes();
  // Append a FINGERPRINT computed properly, then another attribute after it.
  b.insert(b.end(), {0x80, 0x28, 0x00, 0x04, 0, 0, 0, 0});
  b[3] = static_cast<uint8_t>(b.size() - 20);
  const uint32_t crc = stun_fingerprint(base::Bytes(b).first(b.size() - 8));
  base::store_be32(b.data() + b.size() - 4, crc);
  {
    const auto m = parse_ok(b);
    ASSERT_TRUE(m);
    EXPECT_TRUE(verify_fingerprint(*m));
  }
  b.insert(b.end(), {0x80, 0x22, 0x00, 0x00});
  b[3] = static_cast<uint8_t>(b.size() - 20);
  const auto m = parse_ok(b);
  ASSERT_TRUE(m);
  EXPECT_FALSE(verify_fingerprint(*m));
  EXPECT_FALSE(m->software());  // after FINGERPRINT: ignored
}

TEST(StunAttributes, ErrorCode) {
  const auto raw = RawMessage(0x0111).attr(0x0009, {0, 0, 4, 20, 'U', 'n', 'k'}).bytes();
  const auto m = parse_ok(raw);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->is_error_response());
  const auto e = m->error_code();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, 420);
  EXPECT_EQ(e->reason, "Unk");
  // Class out of range, number out of range, too short.
  for (const std::vector<uint8_t>& bad : {std::vector<uint8_t>{0, 0, 2, 0}, std::vector<uint8_t>{0, 0, 4, 100},
                                          std::vector<uint8_t>{0, 0, 4}}) {
    const auto raw_bad = RawMessage(0x0111).attr(0x0009, bad).bytes();
    const auto mb = parse_ok(raw_bad);
    ASSERT_TRUE(mb);
    EXPECT_FALSE(mb->error_code());
  }
}

TEST(StunAttributes, UnknownAttributesList) {
  const auto raw = RawMessage(0x0111).attr(0x000A, {0x77, 0x77, 0x00, 0x31, 0x77, 0x77}).bytes();
  const auto m = parse_ok(raw);
  ASSERT_TRUE(m);
  const auto u = m->unknown_attributes();
  ASSERT_TRUE(u);
  ASSERT_EQ(u->count, 2u);
  EXPECT_EQ(u->types[0], 0x7777);
  EXPECT_EQ(u->types[1], 0x0031);
  const auto odd = RawMessage(0x0111).attr(0x000A, {0x77, 0x77, 0x00}).bytes();
  EXPECT_FALSE(parse_ok(odd)->unknown_attributes());
}

TEST(StunAttributes, MalformedValuesAreAbsent) {
  const auto raw = RawMessage()
                       .attr(0x0024, {0, 0, 1})                 // PRIORITY of 3 bytes
                       .attr(0x802A, {1, 2, 3, 4})              // ICE-CONTROLLING of 4 bytes
                       .attr(0x0020, {0, 3, 0, 0, 1, 2, 3, 4})  // XOR-MAPPED-ADDRESS family 3
                       .attr(0x0001, {0, 2, 0, 0, 1, 2, 3, 4})  // MAPPED-ADDRESS IPv6 of 4 bytes
                       .attr(0x000D, {0, 0, 0, 1, 0})           // LIFETIME of 5 bytes
                       .bytes();
  const auto m = parse_ok(raw);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->priority());
  EXPECT_FALSE(m->ice_controlling());
  EXPECT_FALSE(m->xor_mapped_address());
  EXPECT_FALSE(m->mapped_address());
  EXPECT_FALSE(m->lifetime());
}

TEST(StunAttributes, MappedAddressAndTurnAttributes) {
  const auto raw = RawMessage(0x0103)
                       .attr(0x0001, {0, 1, 0x13, 0x88, 10, 0, 0, 1})
                       .attr(0x000D, {0, 0, 0x02, 0x58})
                       .attr(0x000C, {0x40, 0x01, 0, 0})
                       .attr(0x0013, {9, 8, 7})
                       .bytes();
  const auto m = parse_ok(raw);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->method(), StunMethod::Allocate);
  EXPECT_EQ(m->mapped_address()->to_string(), "10.0.0.1:5000");
  EXPECT_EQ(m->lifetime(), 600u);
  EXPECT_EQ(m->channel_number(), 0x4001);
  ASSERT_TRUE(m->data());
  EXPECT_EQ(m->data()->size(), 3u);
}

TEST(StunIntegrity, Sha256VerifiesAndTruncatedTags) {
  // Build by hand: header + USERNAME + MESSAGE-INTEGRITY-SHA256 computed with OpenSSL's one-shot HMAC.
  const auto key = StunIntegrityKey::short_term("secret");
  for (size_t tag : {32u, 16u, 20u}) {
    auto raw = RawMessage().attr(0x0006, "u:v").bytes();
    const size_t at = raw.size();
    raw.resize(at + 4 + tag);
    raw[at] = 0x00;
    raw[at + 1] = 0x1C;
    raw[at + 3] = static_cast<uint8_t>(tag);
    raw[3] = static_cast<uint8_t>(raw.size() - 20);
    uint8_t mac[32];
    key.hmac_sha256(base::Bytes(raw).first(at), {}, {}, mac);
    std::copy(mac, mac + tag, raw.begin() + static_cast<std::ptrdiff_t>(at + 4));
    const auto m = parse_ok(raw);
    ASSERT_TRUE(m);
    EXPECT_TRUE(verify_integrity_sha256(*m, key)) << tag;
    EXPECT_TRUE(verify_any_integrity(*m, key)) << tag;
    EXPECT_FALSE(verify_integrity(*m, key));
    EXPECT_FALSE(verify_integrity_sha256(*m, StunIntegrityKey::short_term("secreT")));
  }
}

TEST(StunIntegrity, HmacMatchesKnownAnswer) {
  // RFC 2202 test case 2 (HMAC-SHA1) and RFC 4231 test case 2 (HMAC-SHA256): key "Jefe".
  const auto key = StunIntegrityKey::short_term("Jefe");
  const auto data = bytes_of("what do ya want for nothing?");
  uint8_t sha1[20];
  key.hmac_sha1(data.first(5), data.subspan(5, 10), data.subspan(15), sha1);
  const uint8_t want1[20] = {0xef, 0xfc, 0xdf, 0x6a, 0xe5, 0xeb, 0x2f, 0xa2, 0xd2, 0x74,
                             0x16, 0xd5, 0xf1, 0x84, 0xdf, 0x9c, 0x25, 0x9a, 0x7c, 0x79};
  EXPECT_EQ(0, std::memcmp(sha1, want1, 20));
  uint8_t sha256[32];
  key.hmac_sha256(data, {}, {}, sha256);
  const uint8_t want256[32] = {0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24,
                               0x26, 0x08, 0x95, 0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27,
                               0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43};
  EXPECT_EQ(0, std::memcmp(sha256, want256, 32));
  // Keys longer than the 64-byte block are hashed first (RFC 2104); RFC 2202 test case 6.
  const std::vector<uint8_t> long_key(80, 0xaa);
  const StunIntegrityKey lk{base::Bytes(long_key)};
  lk.hmac_sha1(bytes_of("Test Using Larger Than Block-Size Key - Hash Key First"), {}, {}, sha1);
  const uint8_t want6[20] = {0xaa, 0x4a, 0xe5, 0xe1, 0x52, 0x72, 0xd0, 0x0e, 0x95, 0x70,
                             0x56, 0x37, 0xce, 0x8a, 0x3b, 0x55, 0xed, 0x40, 0x21, 0x12};
  EXPECT_EQ(0, std::memcmp(sha1, want6, 20));
}

TEST(StunError, ReasonPhrases) {
  EXPECT_EQ(stun_error_reason(400), "Bad Request");
  EXPECT_EQ(stun_error_reason(420), "Unknown Attribute");
  EXPECT_EQ(stun_error_reason(487), "Role Conflict");
  EXPECT_EQ(stun_error_reason(499), "");
}

}  // namespace
}  // namespace medley::ice
