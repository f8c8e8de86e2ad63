// StunWriter: RFC 5769 messages rebuilt byte for byte, the ICE helpers round-trip, ordering and overflow errors.
#include <gtest/gtest.h>

#include <vector>

#include "ice/stun_writer.hpp"
#include "tests/unit/ice/stun_test_util.hpp"

namespace medley::ice {
namespace {

using test::parse_ok;
using test::read_stun_data;

std::vector<uint8_t> to_vec(const std::optional<base::Bytes>& b) {
  return b ? std::vector<uint8_t>(b->begin(), b->end()) : std::vector<uint8_t>{};
}

TEST(StunWriter, Rfc5769SampleRequestByteForByte) {
  uint8_t buf[1500];
  StunWriter w(buf, StunMethod::Binding, StunClass::Request, test::kRfcTxid);
  w.set_padding_byte(0x20);
  w.add_software("STUN test client");
  w.add_priority(0x6e0001ff);
  w.add_ice_controlled(0x932ff9b151263b36ull);
  w.add_username("evtj:h6vY");
  w.add_message_integrity(StunIntegrityKey::short_term(test::kRfcPassword));
  w.add_fingerprint();
  EXPECT_EQ(to_vec(w.finish()), read_stun_data("rfc5769_sample_request.bin"));
}

TEST(StunWriter, Rfc5769ResponsesByteForByte) {
  const auto key = StunIntegrityKey::short_term(test::kRfcPassword);
  struct Case {
    const char* file;
    TransportAddress mapped;
  };
  const Case cases[] = {
      {"rfc5769_ipv4_response.bin", *TransportAddress::parse("192.0.2.1", 32853)},
      {"rfc5769_ipv6_response.bin", *TransportAddress::parse("2001:db8:1234:5678:11:2233:4455:6677", 32853)},
  };
  for (const Case& c : cases) {
    uint8_t buf[1500];
    StunWriter w(buf, StunMethod::Binding, StunClass::SuccessResponse, test::kRfcTxid);
    w.set_padding_byte(0x20);
    w.add_software("test vector");
    w.add_xor_mapped_address(c.mapped);
    w.add_message_integrity(key);
    w.add_fingerprint();
    EXPECT_EQ(to_vec(w.finish()), read_stun_data(c.file)) << c.file;
  }
}

TEST(StunWriter, Rfc5769LongTermRequestByteForByte) {
  uint8_t buf[1500];
  StunWriter w(buf, StunMethod::Binding, StunClass::Request, test::kRfcLongTermTxid);
  w.add_username(test::kRfcLongTermUser);
  w.add_nonce(test::kRfcLongTermNonce);
  w.add_realm(test::kRfcLongTermRealm);
  w.add_message_integrity(
      StunIntegrityKey::long_term(test::kRfcLongTermUser, test::kRfcLongTermRealm, test::kRfcLongTermPassword));
  EXPECT_EQ(to_vec(w.finish()), read_stun_data("rfc5769_long_term_request.bin"));
}

TEST(StunWriter, BindingRequestRoundTrip) {
  const auto key = StunIntegrityKey::short_term("remote-password-1234567");
  const StunTransactionId txid = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  for (bool controlling : {false, true}) {
    uint8_t buf[1500];
    StunBindingRequestParams p;
    p.username = "rufrag:lufrag";
    p.priority = 1853824767;
    p.controlling = controlling;
    p.tie_breaker = 0x0123456789abcdefull;
    p.use_candidate = controlling;
    p.software = controlling ? "medley" : "";
    const auto out = write_binding_request(buf, txid, p, key);
    ASSERT_TRUE(out);
    const auto m = parse_ok(*out);
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->is_binding_request());
    EXPECT_EQ(m->transaction_id(), txid);
    EXPECT_EQ(m->username(), "rufrag:lufrag");
    EXPECT_EQ(m->priority(), 1853824767u);
    EXPECT_EQ(m->use_candidate(), controlling);
    EXPECT_EQ(m->ice_controlling().has_value(), controlling);
    EXPECT_EQ(m->ice_controlled().has_value(), !controlling);
    EXPECT_EQ(controlling ? *m->ice_controlling() : *m->ice_controlled(), 0x0123456789abcdefull);
    EXPECT_EQ(m->software().has_value(), controlling);
    EXPECT_TRUE(verify_integrity(*m, key));
    EXPECT_FALSE(verify_integrity(*m, StunIntegrityKey::short_term("remote-password-1234568")));
    EXPECT_TRUE(verify_fingerprint(*m));
    EXPECT_TRUE(m->unknown_comprehension_required().empty());
  }
}

TEST(StunWriter, BindingSuccessRoundTrip) {
  const auto key = StunIntegrityKey::short_term("local-password-abcdefghij");
  const StunTransactionId txid = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};
  for (const char* addr : {"203.0.113.7:61000", "[2001:db8::42]:3478"}) {
    const auto mapped = TransportAddress::parse_with_port(addr);
    ASSERT_TRUE(mapped) << addr;
    uint8_t buf[1500];
    const auto out = write_binding_success(buf, txid, *mapped, key);
    ASSERT_TRUE(out);
    EXPECT_EQ(out->size(), mapped->is_ipv4() ? 64u : 76u);  // the same sizes libwebrtc's responses have
    const auto m = parse_ok(*out);
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->is_success_response());
    EXPECT_EQ(m->xor_mapped_address(), mapped);
    EXPECT_TRUE(verify_integrity(*m, key));
    EXPECT_TRUE(verify_fingerprint(*m));
  }
}

TEST(StunWriter, BindingErrors) {
  const auto key = StunIntegrityKey::short_term("local-password-abcdefghij");
  const StunTransactionId txid = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};
  uint8_t buf[1500];
  for (uint16_t code : {400, 401}) {
    const auto out = write_binding_error(buf, txid, code, nullptr);
    ASSERT_TRUE(out);
    const auto m = parse_ok(*out);
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->is_error_response());
    EXPECT_EQ(m->method(), StunMethod::Binding);
    ASSERT_TRUE(m->error_code());
    EXPECT_EQ(m->error_code()->code, code);
    EXPECT_EQ(m->error_code()->reason, stun_error_reason(code));
    EXPECT_FALSE(m->has_message_integrity());
    EXPECT_TRUE(verify_fingerprint(*m));
  }
  {
    const uint16_t unknown[] = {0x7777, 0x0031, 0x0032};  // odd count: 6 bytes, padded to 8
    const auto out = write_binding_error(buf, txid, stun_error::kUnknownAttribute, &key, unknown);
    ASSERT_TRUE(out);
    const auto m = parse_ok(*out);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->error_code()->code, 420);
    const auto u = m->unknown_attributes();
    ASSERT_TRUE(u);
    ASSERT_EQ(u->count, 3u);
    EXPECT_EQ(u->types[2], 0x0032);
    EXPECT_TRUE(verify_integrity(*m, key));
    EXPECT_TRUE(verify_fingerprint(*m));
  }
  {
    const auto out = write_binding_error(buf, txid, stun_error::kRoleConflict, &key, {}, "custom reason!");
    ASSERT_TRUE(out);
    const auto m = parse_ok(*out);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->error_code()->code, 487);
    EXPECT_EQ(m->error_code()->reason, "custom reason!");
    EXPECT_TRUE(verify_integrity(*m, key));
  }
  EXPECT_FALSE(write_binding_error(buf, txid, 299, nullptr));
  EXPECT_FALSE(write_binding_error(buf, txid, 700, nullptr));
}

TEST(StunWriter, BindingIndication) {
  uint8_t buf[64];
  const StunTransactionId txid = {};
  const auto out = write_binding_indication(buf, txid);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->size(), 28u);
  const auto m = parse_ok(*out);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->is_indication());
  EXPECT_TRUE(verify_fingerprint(*m));
}

TEST(StunWriter, BufferTooSmallAtEverySize) {
  const auto key = StunIntegrityKey::short_term("pw");
  StunBindingRequestParams p;
  p.username = "abcd:efgh";
  p.priority = 1;
  p.controlling = true;
  p.use_candidate = true;
  std::vector<uint8_t> big(1500);
  const auto full = write_binding_request(big, {}, p, key);
  ASSERT_TRUE(full);
  const size_t need = full->size();
  for (size_t n = 0; n < need; ++n) {
    std::vector<uint8_t> buf(n);
    EXPECT_FALSE(write_binding_request(buf, {}, p, key)) << n;
  }
  std::vector<uint8_t> exact(need);
  const auto out = write_binding_request(exact, {}, p, key);
  ASSERT_TRUE(out);
  EXPECT_TRUE(std::equal(out->begin(), out->end(), full->begin(), full->end()));
}

TEST(StunWriter, OrderingRules) {
  const auto key = StunIntegrityKey::short_term("pw");
  uint8_t buf[1500];
  {
    StunWriter w(buf, StunMethod::Binding, StunClass::Request, {});
    w.add_fingerprint();
    w.add_username("late");
    EXPECT_FALSE(w.ok());
    EXPECT_FALSE(w.finish());
  }
  {
    StunWriter w(buf, StunMethod::Binding, StunClass::Request, {});
    w.add_message_integrity(key);
    w.add_priority(5);  // receivers would ignore it
    EXPECT_FALSE(w.ok());
  }
  {
    StunWriter w(buf, StunMethod::Binding, StunClass::Request, {});
    w.add_message_integrity_sha256(key);
    w.add_message_integrity(key);  // would be ignored after -SHA256
    EXPECT_FALSE(w.ok());
  }
  {
    StunWriter w(buf, StunMethod::Binding, StunClass::Request, {});
    w.add_message_integrity_sha256(key, 18);  // not a multiple of 4
    EXPECT_FALSE(w.ok());
  }
  {
    StunWriter w(buf, StunMethod::Binding, StunClass::Request, {});
    w.add_fingerprint();
    w.add_fingerprint();
    EXPECT_FALSE(w.ok());
  }
  {
    // Both integrity attributes, then FINGERPRINT: each verifies (RFC 8489 §14.5/§14.6 length rules).
    StunWriter w(buf, StunMethod::Binding, StunClass::Request, {});
    w.add_username("a:b");
    w.add_message_integrity(key);
    w.add_message_integrity_sha256(key, 24);
    w.add_fingerprint();
    const auto out = w.finish();
    ASSERT_TRUE(out);
    const auto m = parse_ok(*out);
    ASSERT_TRUE(m);
    EXPECT_TRUE(verify_integrity(*m, key));
    EXPECT_TRUE(verify_integrity_sha256(*m, key));
    EXPECT_TRUE(verify_any_integrity(*m, key));
    EXPECT_TRUE(verify_fingerprint(*m));
  }
}

TEST(StunWriter, ValueTooLong) {
  std::vector<uint8_t> buf(70000);
  std::vector<uint8_t> value(65536);
  StunWriter w(buf, StunMethod::Binding, StunClass::Request, {});
  w.add(0x8001, value);
  EXPECT_FALSE(w.ok());
  // The message length field is 16 bits: two 40000-byte attributes cannot both fit.
  StunWriter w2(buf, StunMethod::Binding, StunClass::Request, {});
  value.resize(40000);
  w2.add(0x8001, value);
  EXPECT_TRUE(w2.ok());
  w2.add(0x8001, value);
  EXPECT_FALSE(w2.ok());
}

TEST(StunWriter, RandomTransactionIdsDiffer) {
  EXPECT_NE(random_stun_transaction_id(), random_stun_transaction_id());
}

}  // namespace
}  // namespace medley::ice
