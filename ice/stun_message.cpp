// STUN message parsing (RFC 8489 §5, §14), typed attribute access, and the integrity and fingerprint checks.
#include "ice/stun_message.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <zlib.h>

#include <cstring>

namespace medley::ice {
namespace {

size_t padded(size_t len) { return (len + 3) & ~size_t{3}; }

std::string_view as_text(base::Bytes b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

}  // namespace

StunTransactionId random_stun_transaction_id() {
  StunTransactionId id{};
  // RAND_bytes fails only without any entropy source, where nothing else in the process (DTLS) works either.
  (void)RAND_bytes(id.data(), static_cast<int>(id.size()));
  return id;
}

uint16_t stun_message_type(StunMethod method, StunClass cls) {
  const auto m = static_cast<uint16_t>(static_cast<uint16_t>(method) & 0x0FFF);
  const auto c = static_cast<uint16_t>(cls);
  return static_cast<uint16_t>((m & 0x000F) | ((m & 0x0070) << 1) | ((m & 0x0F80) << 2) | ((c & 1) << 4) |
                               ((c & 2) << 7));
}

StunMethod stun_method_of(uint16_t t) {
  return static_cast<StunMethod>((t & 0x000F) | ((t & 0x00E0) >> 1) | ((t & 0x3E00) >> 2));
}

StunClass stun_class_of(uint16_t t) { return static_cast<StunClass>(((t >> 4) & 1) | ((t >> 7) & 2)); }

bool stun_attr_known(uint16_t type) {
  switch (static_cast<StunAttr>(type)) {
    case StunAttr::MappedAddress:
    case StunAttr::Username:
    case StunAttr::MessageIntegrity:
    case StunAttr::ErrorCode:
    case StunAttr::UnknownAttributes:
    case StunAttr::ChannelNumber:
    case StunAttr::Lifetime:
    case StunAttr::XorPeerAddress:
    case StunAttr::Data:
    case StunAttr::Realm:
    case StunAttr::Nonce:
    case StunAttr::XorRelayedAddress:
    case StunAttr::RequestedAddressFamily:
    case StunAttr::EvenPort:
    case StunAttr::RequestedTransport:
    case StunAttr::DontFragment:
    case StunAttr::MessageIntegritySha256:
    case StunAttr::PasswordAlgorithm:
    case StunAttr::Userhash:
    case StunAttr::XorMappedAddress:
    case StunAttr::ReservationToken:
    case StunAttr::Priority:
    case StunAttr::UseCandidate:
    case StunAttr::PasswordAlgorithms:
    case StunAttr::AlternateDomain:
    case StunAttr::Software:
    case StunAttr::AlternateServer:
    case StunAttr::Fingerprint:
    case StunAttr::IceControlled:
    case StunAttr::IceControlling:
    case StunAttr::GoogNetworkInfo:
      return true;
  }
  return false;
}

std::string_view stun_error_reason(uint16_t code) {
  switch (code) {
    case 300: return "Try Alternate";
    case 400: return "Bad Request";
    case 401: return "Unauthenticated";  // RFC 8489 renamed "Unauthorized"
    case 403: return "Forbidden";
    case 420: return "Unknown Attribute";
    case 437: return "Allocation Mismatch";
    case 438: return "Stale Nonce";
    case 440: return "Address Family not Supported";
    case 441: return "Wrong Credentials";
    case 442: return "Unsupported Transport Protocol";
    case 486: return "Allocation Quota Reached";
    case 487: return "Role Conflict";
    case 500: return "Server Error";
    case 508: return "Insufficient Capacity";
    default: return "";
  }
}

bool StunAttributeTypes::contains(uint16_t type) const {
  for (size_t i = 0; i < count; ++i) {
    if (types[i] == type) return true;
  }
  return false;
}

void StunAttributeTypes::push_unique(uint16_t type) {
  if (count < kMax && !contains(type)) types[count++] = type;
}

std::string_view to_string(StunParseError e) {
  switch (e) {
    case StunParseError::TooShort: return "too short";
    case StunParseError::NotStun: return "not STUN";
    case StunParseError::BadMagicCookie: return "bad magic cookie";
    case StunParseError::LengthNotMultipleOf4: return "length not a multiple of 4";
    case StunParseError::LengthMismatch: return "length does not match the datagram";
    case StunParseError::AttributeTruncated: return "attribute truncated";
  }
  return "?";
}

base::Result<StunMessageView, StunParseError> StunMessageView::parse(base::Bytes d) {
  if (d.size() < kStunHeaderSize) return StunParseError::TooShort;
  if ((d[0] & 0xC0) != 0) return StunParseError::NotStun;
  if (base::load_be32(d.data() + 4) != kStunMagicCookie) return StunParseError::BadMagicCookie;
  const size_t len = base::load_be16(d.data() + 2);
  if (len % 4 != 0) return StunParseError::LengthNotMultipleOf4;
  if (kStunHeaderSize + len != d.size()) return StunParseError::LengthMismatch;

  StunMessageView v;
  v.data_ = d;
  v.type_ = base::load_be16(d.data());
  std::memcpy(v.txid_.data(), d.data() + 8, kStunTransactionIdSize);
  v.ordinary_end_ = d.size();
  bool after_fingerprint = false;
  bool after_integrity = false;
  size_t pos = kStunHeaderSize;
  // pos and d.size() are multiples of 4, so a 4-byte attribute header always fits once pos < size.
  while (pos < d.size()) {
    const uint16_t type = base::load_be16(d.data() + pos);
    const size_t vlen = base::load_be16(d.data() + pos + 2);
    if (padded(vlen) > d.size() - pos - 4) return StunParseError::AttributeTruncated;
    if (!after_fingerprint) {
      // RFC 8489 §14.5/§14.6: after MESSAGE-INTEGRITY only MESSAGE-INTEGRITY-SHA256 and FINGERPRINT count,
      // after MESSAGE-INTEGRITY-SHA256 only FINGERPRINT; FINGERPRINT is last (§14.7).
      const auto t = static_cast<StunAttr>(type);
      if (t == StunAttr::Fingerprint) {
        v.fingerprint_offset_ = pos;
        after_fingerprint = true;
      } else if (t == StunAttr::MessageIntegrity && !after_integrity) {
        v.integrity_offset_ = pos;
      } else if (t == StunAttr::MessageIntegritySha256 && v.integrity_sha256_offset_ == 0) {
        v.integrity_sha256_offset_ = pos;
      }
      if ((t == StunAttr::Fingerprint || t == StunAttr::MessageIntegrity ||
           t == StunAttr::MessageIntegritySha256) &&
          v.ordinary_end_ == d.size()) {
        v.ordinary_end_ = pos;
      }
      if (t == StunAttr::MessageIntegrity || t == StunAttr::MessageIntegritySha256) after_integrity = true;
    }
    ++v.attribute_count_;
    pos += 4 + padded(vlen);
  }
  return v;
}

bool StunMessageView::looks_like_stun(base::Bytes d) {
  return d.size() >= kStunHeaderSize && (d[0] & 0xC0) == 0 && base::load_be32(d.data() + 4) == kStunMagicCookie;
}

std::optional<size_t> StunMessageView::message_size(base::Bytes prefix) {
  if (prefix.size() < 4 || (prefix[0] & 0xC0) != 0) return std::nullopt;
  return kStunHeaderSize + base::load_be16(prefix.data() + 2);
}

StunAttribute StunMessageView::Iterator::operator*() const {
  const size_t len = base::load_be16(msg_.data() + pos_ + 2);
  return StunAttribute{base::load_be16(msg_.data() + pos_), msg_.subspan(pos_ + 4, len), pos_};
}

StunMessageView::Iterator& StunMessageView::Iterator::operator++() {
  pos_ += 4 + padded(base::load_be16(msg_.data() + pos_ + 2));
  return *this;
}

StunMessageView::Range StunMessageView::attributes() const { return Range(data_); }

std::optional<StunAttribute> StunMessageView::attribute_at(size_t offset) const {
  if (offset == 0) return std::nullopt;
  return *Iterator(data_, offset);
}

std::optional<StunAttribute> StunMessageView::find(uint16_t type) const {
  switch (static_cast<StunAttr>(type)) {
    case StunAttr::MessageIntegrity: return attribute_at(integrity_offset_);
    case StunAttr::MessageIntegritySha256: return attribute_at(integrity_sha256_offset_);
    case StunAttr::Fingerprint: return attribute_at(fingerprint_offset_);
    default: break;
  }
  for (Iterator it(data_, kStunHeaderSize), end(data_, ordinary_end_); it != end; ++it) {
    if (base::load_be16(data_.data() + it.pos_) == type) return *it;
  }
  return std::nullopt;
}

std::optional<TransportAddress> StunMessageView::xor_address(StunAttr type) const {
  const auto a = find(type);
  if (!a || a->value.size() < 4) return std::nullopt;
  const uint8_t* p = a->value.data();
  const uint16_t port = base::load_be16(p + 2) ^ static_cast<uint16_t>(kStunMagicCookie >> 16);
  // RFC 8489 §14.2: IPv4 XORs with the cookie, IPv6 with cookie || transaction id, i.e. header bytes 4..19.
  const uint8_t* mask = data_.data() + 4;
  if (p[1] == static_cast<uint8_t>(AddressFamily::Ipv4) && a->value.size() == 8) {
    std::array<uint8_t, 4> ip;
    for (size_t i = 0; i < 4; ++i) ip[i] = p[4 + i] ^ mask[i];
    return TransportAddress::ipv4(ip, port);
  }
  if (p[1] == static_cast<uint8_t>(AddressFamily::Ipv6) && a->value.size() == 20) {
    std::array<uint8_t, 16> ip;
    for (size_t i = 0; i < 16; ++i) ip[i] = p[4 + i] ^ mask[i];
    return TransportAddress::ipv6(ip, port);
  }
  return std::nullopt;
}

std::optional<TransportAddress> StunMessageView::mapped_address() const {
  const auto a = find(StunAttr::MappedAddress);
  if (!a || a->value.size() < 4) return std::nullopt;
  const uint8_t* p = a->value.data();
  const uint16_t port = base::load_be16(p + 2);
  if (p[1] == static_cast<uint8_t>(AddressFamily::Ipv4) && a->value.size() == 8)
    return TransportAddress::from_bytes(a->value.subspan(4, 4), port);
  if (p[1] == static_cast<uint8_t>(AddressFamily::Ipv6) && a->value.size() == 20)
    return TransportAddress::from_bytes(a->value.subspan(4, 16), port);
  return std::nullopt;
}

namespace {
std::optional<std::string_view> text_of(const std::optional<StunAttribute>& a) {
  if (!a) return std::nullopt;
  return as_text(a->value);
}
}  // namespace

std::optional<std::string_view> StunMessageView::username() const { return text_of(find(StunAttr::Username)); }
std::optional<std::string_view> StunMessageView::software() const { return text_of(find(StunAttr::Software)); }
std::optional<std::string_view> StunMessageView::realm() const { return text_of(find(StunAttr::Realm)); }
std::optional<std::string_view> StunMessageView::nonce() const { return text_of(find(StunAttr::Nonce)); }

std::optional<uint32_t> StunMessageView::priority() const {
  const auto a = find(StunAttr::Priority);
  if (!a || a->value.size() != 4) return std::nullopt;
  return base::load_be32(a->value.data());
}

std::optional<uint64_t> StunMessageView::ice_controlling() const {
  const auto a = find(StunAttr::IceControlling);
  if (!a || a->value.size() != 8) return std::nullopt;
  return base::load_be64(a->value.data());
}

std::optional<uint64_t> StunMessageView::ice_controlled() const {
  const auto a = find(StunAttr::IceControlled);
  if (!a || a->value.size() != 8) return std::nullopt;
  return base::load_be64(a->value.data());
}

std::optional<StunErrorCode> StunMessageView::error_code() const {
  const auto a = find(StunAttr::ErrorCode);
  if (!a || a->value.size() < 4) return std::nullopt;
  // RFC 8489 §14.8: 21 reserved bits, 3-bit class (3..6), 8-bit number (0..99).
  const uint8_t cls = a->value[2] & 0x07;
  const uint8_t number = a->value[3];
  if (cls < 3 || cls > 6 || number > 99) return std::nullopt;
  return StunErrorCode{static_cast<uint16_t>(cls * 100 + number), as_text(a->value.subspan(4))};
}

std::optional<StunAttributeTypes> StunMessageView::unknown_attributes() const {
  const auto a = find(StunAttr::UnknownAttributes);
  if (!a || a->value.size() % 2 != 0) return std::nullopt;
  StunAttributeTypes out;
  for (size_t i = 0; i + 1 < a->value.size(); i += 2) out.push_unique(base::load_be16(a->value.data() + i));
  return out;
}

StunAttributeTypes StunMessageView::unknown_comprehension_required() const {
  StunAttributeTypes out;
  for (Iterator it(data_, kStunHeaderSize), end(data_, ordinary_end_); it != end; ++it) {
    const uint16_t type = base::load_be16(data_.data() + it.pos_);
    if (stun_attr_comprehension_required(type) && !stun_attr_known(type)) out.push_unique(type);
  }
  return out;
}

std::optional<uint32_t> StunMessageView::lifetime() const {
  const auto a = find(StunAttr::Lifetime);
  if (!a || a->value.size() != 4) return std::nullopt;
  return base::load_be32(a->value.data());
}

std::optional<uint16_t> StunMessageView::channel_number() const {
  const auto a = find(StunAttr::ChannelNumber);
  if (!a || a->value.size() != 4) return std::nullopt;
  return base::load_be16(a->value.data());
}

std::optional<base::Bytes> StunMessageView::data() const {
  const auto a = find(StunAttr::Data);
  if (!a) return std::nullopt;
  return a->value;
}

namespace {

// The HMAC input for an integrity attribute at `offset` with a value of `value_len` bytes: the message up to
// the attribute, with the header length field rewritten to end just after it (RFC 8489 §14.5).
struct IntegrityInput {
  base::Bytes head;  // type
  uint8_t length[2];
  base::Bytes rest;  // cookie, transaction id, attributes before the integrity attribute
};

IntegrityInput integrity_input(base::Bytes msg, size_t offset, size_t value_len) {
  IntegrityInput in;
  in.head = msg.first(2);
  base::store_be16(in.length, static_cast<uint16_t>(offset + 4 + value_len - kStunHeaderSize));
  in.rest = msg.subspan(4, offset - 4);
  return in;
}

}  // namespace

bool verify_integrity(const StunMessageView& msg, const StunIntegrityKey& key) {
  const auto a = msg.find(StunAttr::MessageIntegrity);
  if (!a || a->value.size() != 20) return false;
  const IntegrityInput in = integrity_input(msg.bytes(), a->offset, 20);
  uint8_t mac[20];
  key.hmac_sha1(in.head, base::Bytes(in.length, 2), in.rest, mac);
  return CRYPTO_memcmp(mac, a->value.data(), 20) == 0;
}

bool verify_integrity_sha256(const StunMessageView& msg, const StunIntegrityKey& key) {
  const auto a = msg.find(StunAttr::MessageIntegritySha256);
  // RFC 8489 §14.6: at least 16 bytes, at most 32, a multiple of 4.
  if (!a || a->value.size() < 16 || a->value.size() > 32 || a->value.size() % 4 != 0) return false;
  const IntegrityInput in = integrity_input(msg.bytes(), a->offset, a->value.size());
  uint8_t mac[32];
  key.hmac_sha256(in.head, base::Bytes(in.length, 2), in.rest, mac);
  return CRYPTO_memcmp(mac, a->value.data(), a->value.size()) == 0;
}

bool verify_any_integrity(const StunMessageView& msg, const StunIntegrityKey& key) {
  if (msg.has_message_integrity_sha256()) return verify_integrity_sha256(msg, key);
  return verify_integrity(msg, key);
}

uint32_t stun_fingerprint(base::Bytes prefix) {
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, prefix.data(), static_cast<uInt>(prefix.size()));
  return static_cast<uint32_t>(crc) ^ kStunFingerprintXor;
}

bool verify_fingerprint(const StunMessageView& msg) {
  const size_t at = msg.fingerprint_offset();
  if (at == 0 || at + 8 != msg.size()) return false;
  const auto a = msg.find(StunAttr::Fingerprint);
  if (!a || a->value.size() != 4) return false;
  return stun_fingerprint(msg.bytes().first(at)) == base::load_be32(a->value.data());
}

}  // namespace medley::ice
