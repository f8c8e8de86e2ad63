// Fuzzes StunMessageView: every typed getter and check runs on whatever parses; the message is rebuilt with
// StunWriter from its attributes and must parse back to the same content, with integrity and fingerprint that
// verify. Also feeds the bytes to the RFC 7983 demux and, as text, to TransportAddress::parse_with_port.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "ice/demux.hpp"
#include "ice/stun_message.hpp"
#include "ice/stun_writer.hpp"
#include "ice/transport_address.hpp"

using namespace medley::ice;
using medley::base::Bytes;

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

const StunIntegrityKey& fuzz_key() {
  static const StunIntegrityKey key = StunIntegrityKey::short_term("fuzz-password-0123456789");
  return key;
}

// Everything the getters report, for comparing the original and the rebuilt message.
struct Summary {
  uint16_t type = 0;
  StunTransactionId txid{};
  std::optional<TransportAddress> xor_mapped, xor_peer, xor_relayed, mapped;
  std::optional<std::string_view> username, software, realm, nonce;
  std::optional<uint32_t> priority, lifetime;
  std::optional<uint64_t> controlling, controlled;
  std::optional<uint16_t> channel;
  bool use_candidate = false;
  std::optional<uint16_t> error_code;
  std::optional<std::string_view> error_reason;
  std::optional<std::vector<uint16_t>> unknown_attrs;
  std::vector<uint16_t> unknown_required;
  std::optional<size_t> data_size;

  bool operator==(const Summary&) const = default;
};

Summary summarize(const StunMessageView& m) {
  Summary s;
  s.type = m.message_type();
  s.txid = m.transaction_id();
  s.xor_mapped = m.xor_mapped_address();
  s.xor_peer = m.xor_address(StunAttr::XorPeerAddress);
  s.xor_relayed = m.xor_address(StunAttr::XorRelayedAddress);
  s.mapped = m.mapped_address();
  s.username = m.username();
  s.software = m.software();
  s.realm = m.realm();
  s.nonce = m.nonce();
  s.priority = m.priority();
  s.lifetime = m.lifetime();
  s.controlling = m.ice_controlling();
  s.controlled = m.ice_controlled();
  s.channel = m.channel_number();
  s.use_candidate = m.use_candidate();
  if (auto e = m.error_code()) {
    s.error_code = e->code;
    s.error_reason = e->reason;
  }
  if (auto u = m.unknown_attributes()) s.unknown_attrs = std::vector<uint16_t>(u->span().begin(), u->span().end());
  const StunAttributeTypes req = m.unknown_comprehension_required();
  s.unknown_required.assign(req.span().begin(), req.span().end());
  if (auto d = m.data()) s.data_size = d->size();
  return s;
}

bool is_integrity_or_fingerprint(uint16_t t) {
  return t == static_cast<uint16_t>(StunAttr::MessageIntegrity) ||
         t == static_cast<uint16_t>(StunAttr::MessageIntegritySha256) ||
         t == static_cast<uint16_t>(StunAttr::Fingerprint);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Bytes in(data, size);
  (void)classify_datagram(in);
  (void)TransportAddress::parse_with_port(
      std::string_view(reinterpret_cast<const char*>(data), size < 64 ? size : 64));
  (void)StunMessageView::message_size(in);

  const auto parsed = StunMessageView::parse(in);
  check(parsed.ok() == StunMessageView::parse(in).ok());
  if (!parsed.ok()) return 0;
  const StunMessageView& m = *parsed;
  check(StunMessageView::looks_like_stun(in) && StunMessageView::message_size(in) == size);
  // RFC 7983 gives STUN only first bytes 0..3 (methods up to 0x0FF); RFC 8489 parses any 14-bit type.
  check(data[0] > 3 || classify_datagram(in) == DatagramKind::Stun);

  size_t count = 0;
  uint32_t sink = 0;
  for (const StunAttribute& a : m.attributes()) {
    check(a.offset >= kStunHeaderSize && a.offset + 4 + a.value.size() <= size);
    for (uint8_t b : a.value) sink += b;
    ++count;
  }
  check(count == m.attribute_count());
  (void)sink;
  const Summary original = summarize(m);
  const bool mi_ok = verify_integrity(m, fuzz_key());
  (void)verify_integrity_sha256(m, fuzz_key());
  (void)verify_any_integrity(m, fuzz_key());
  const bool fp_ok = verify_fingerprint(m);

  // Rebuild: the honoured ordinary attributes in order, then the integrity attributes and FINGERPRINT the
  // original had (computed with our key), with the same SHA256 tag length where that length is valid.
  static std::vector<uint8_t> buf(70000);
  StunWriter w(buf, m.message_type(), m.transaction_id());
  for (const StunAttribute& a : m.attributes()) {
    if (is_integrity_or_fingerprint(a.type)) break;
    w.add(a.type, a.value);
  }
  const auto mi256 = m.find(StunAttr::MessageIntegritySha256);
  const bool mi256_valid = mi256 && mi256->value.size() >= 16 && mi256->value.size() <= 32 &&
                           mi256->value.size() % 4 == 0;
  // The writer puts MESSAGE-INTEGRITY before -SHA256; an original with the opposite order ignores its MI.
  if (m.has_message_integrity()) w.add_message_integrity(fuzz_key());
  if (mi256_valid) w.add_message_integrity_sha256(fuzz_key(), mi256->value.size());
  if (m.has_fingerprint()) w.add_fingerprint();
  const auto out = w.finish();
  if (!out) {
    // Only the 16-bit length can refuse: our integrity attributes may be longer than the original's.
    check(size > 0xFFFF + kStunHeaderSize - 100);
    return 0;
  }
  const auto again = StunMessageView::parse(*out);
  check(again.ok());
  check(summarize(*again) == original);
  check(again->has_message_integrity() == m.has_message_integrity());
  check(again->has_fingerprint() == m.has_fingerprint());
  if (m.has_message_integrity()) check(verify_integrity(*again, fuzz_key()));
  if (mi256_valid) check(verify_integrity_sha256(*again, fuzz_key()));
  if (m.has_fingerprint()) check(verify_fingerprint(*again));
  // A message that already verified under our key, with nothing ignored in it, rebuilds to the same bytes up to
  // padding; compare lengths (padding content is the sender's choice).
  if (mi_ok && fp_ok && !m.has_message_integrity_sha256() && m.integrity_offset() + 24 == m.fingerprint_offset() &&
      m.fingerprint_offset() + 8 == size) {
    check(out->size() == size);
  }
  return 0;
}
