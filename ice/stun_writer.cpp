// StunWriter: STUN message serialization with padding, MESSAGE-INTEGRITY and FINGERPRINT; the ICE messages.
#include "ice/stun_writer.hpp"

#include <cstring>

namespace medley::ice {

StunWriter::StunWriter(base::MutableBytes out, uint16_t message_type, const StunTransactionId& txid) : w_(out) {
  w_.u16(message_type & 0x3FFF);
  w_.u16(0);
  w_.u32(kStunMagicCookie);
  w_.bytes(txid);
}

void StunWriter::update_length() {
  if (ok()) w_.patch_u16(2, static_cast<uint16_t>(w_.size() - kStunHeaderSize));
}

void StunWriter::begin_attribute(uint16_t type, size_t len, Stage stage) {
  // Ordinary attributes after an integrity attribute would be ignored by the receiver (RFC 8489 §14.5), and
  // nothing may follow FINGERPRINT (§14.7): refuse rather than write a message that means something else.
  if (len > 0xFFFF || stage_ > stage || stage_ == Stage::Fingerprint ||
      w_.size() + 4 + ((len + 3) & ~size_t{3}) - kStunHeaderSize > 0xFFFF) {
    ok_ = false;
    return;
  }
  stage_ = stage;
  w_.u16(type);
  w_.u16(static_cast<uint16_t>(len));
}

void StunWriter::end_attribute(size_t len) {
  const size_t pad = ((len + 3) & ~size_t{3}) - len;
  for (size_t i = 0; i < pad; ++i) w_.u8(padding_);
  update_length();
}

void StunWriter::add(uint16_t type, base::Bytes value) {
  begin_attribute(type, value.size(), Stage::Attributes);
  if (!ok()) return;
  w_.bytes(value);
  end_attribute(value.size());
}

void StunWriter::add_string(StunAttr type, std::string_view value) {
  add(static_cast<uint16_t>(type), base::Bytes(reinterpret_cast<const uint8_t*>(value.data()), value.size()));
}

void StunWriter::add_u32(StunAttr type, uint32_t value) {
  uint8_t b[4];
  base::store_be32(b, value);
  add(type, b);
}

void StunWriter::add_u64(StunAttr type, uint64_t value) {
  uint8_t b[8];
  base::store_be64(b, value);
  add(type, b);
}

void StunWriter::add_xor_address(StunAttr type, const TransportAddress& address) {
  uint8_t b[20] = {};
  const size_t len = address.is_ipv4() ? 8 : 20;
  b[1] = static_cast<uint8_t>(address.family());
  base::store_be16(b + 2, address.port() ^ static_cast<uint16_t>(kStunMagicCookie >> 16));
  // The mask is cookie || transaction id (RFC 8489 §14.2): header bytes 4..19 as already written.
  uint8_t mask[16];
  base::store_be32(mask, kStunMagicCookie);
  if (ok()) std::memcpy(mask + 4, w_.written().data() + 8, kStunTransactionIdSize);
  const base::Bytes ip = address.address();
  for (size_t i = 0; i < ip.size(); ++i) b[4 + i] = ip[i] ^ mask[i];
  add(type, base::Bytes(b, len));
}

void StunWriter::add_mapped_address(const TransportAddress& address) {
  uint8_t b[20] = {};
  const base::Bytes ip = address.address();
  b[1] = static_cast<uint8_t>(address.family());
  base::store_be16(b + 2, address.port());
  std::memcpy(b + 4, ip.data(), ip.size());
  add(StunAttr::MappedAddress, base::Bytes(b, 4 + ip.size()));
}

void StunWriter::add_error_code(uint16_t code, std::string_view reason) {
  if (code < 300 || code > 699) {
    ok_ = false;
    return;
  }
  if (reason.empty()) reason = stun_error_reason(code);
  // RFC 8489 §14.8: the reason phrase is at most 128 characters (763 bytes); the caller's text is trusted.
  begin_attribute(static_cast<uint16_t>(StunAttr::ErrorCode), 4 + reason.size(), Stage::Attributes);
  if (!ok()) return;
  w_.u16(0);
  w_.u8(static_cast<uint8_t>(code / 100));
  w_.u8(static_cast<uint8_t>(code % 100));
  w_.bytes(base::Bytes(reinterpret_cast<const uint8_t*>(reason.data()), reason.size()));
  end_attribute(4 + reason.size());
}

void StunWriter::add_unknown_attributes(std::span<const uint16_t> types) {
  begin_attribute(static_cast<uint16_t>(StunAttr::UnknownAttributes), types.size() * 2, Stage::Attributes);
  if (!ok()) return;
  for (uint16_t t : types) w_.u16(t);
  end_attribute(types.size() * 2);
}

void StunWriter::add_message_integrity(const StunIntegrityKey& key) {
  // MESSAGE-INTEGRITY-SHA256 before MESSAGE-INTEGRITY would make the receiver ignore the latter.
  if (stage_ != Stage::Attributes) {
    ok_ = false;
    return;
  }
  begin_attribute(static_cast<uint16_t>(StunAttr::MessageIntegrity), 20, Stage::Integrity);
  if (!ok() || w_.remaining() < 20) {
    ok_ = false;
    return;
  }
  // The length field already counts the attribute header just written; count its value too, then HMAC
  // everything before the attribute header.
  const size_t at = w_.size() - 4;
  w_.patch_u16(2, static_cast<uint16_t>(at + 24 - kStunHeaderSize));
  uint8_t mac[20];
  key.hmac_sha1(w_.written().first(at), {}, {}, mac);
  w_.bytes(mac);
  end_attribute(20);
}

void StunWriter::add_message_integrity_sha256(const StunIntegrityKey& key, size_t tag_len) {
  if (tag_len < 16 || tag_len > 32 || tag_len % 4 != 0 || sha256_written_) {
    ok_ = false;
    return;
  }
  begin_attribute(static_cast<uint16_t>(StunAttr::MessageIntegritySha256), tag_len, Stage::Integrity);
  if (!ok() || w_.remaining() < tag_len) {
    ok_ = false;
    return;
  }
  sha256_written_ = true;
  const size_t at = w_.size() - 4;
  w_.patch_u16(2, static_cast<uint16_t>(at + 4 + tag_len - kStunHeaderSize));
  uint8_t mac[32];
  key.hmac_sha256(w_.written().first(at), {}, {}, mac);
  w_.bytes(base::Bytes(mac, tag_len));
  end_attribute(tag_len);
}

void StunWriter::add_fingerprint() {
  begin_attribute(static_cast<uint16_t>(StunAttr::Fingerprint), 4, Stage::Fingerprint);
  if (!ok() || w_.remaining() < 4) {
    ok_ = false;
    return;
  }
  const size_t at = w_.size() - 4;
  w_.patch_u16(2, static_cast<uint16_t>(at + 8 - kStunHeaderSize));
  w_.u32(stun_fingerprint(w_.written().first(at)));
  end_attribute(4);
}

std::optional<base::Bytes> StunWriter::finish() const {
  if (!ok()) return std::nullopt;
  return base::Bytes(w_.written());
}

std::optional<base::Bytes> write_binding_request(base::MutableBytes out, const StunTransactionId& txid,
                                                 const StunBindingRequestParams& params,
                                                 const StunIntegrityKey& remote_password) {
  StunWriter w(out, StunMethod::Binding, StunClass::Request, txid);
  if (!params.software.empty()) w.add_software(params.software);
  w.add_username(params.username);
  w.add_priority(params.priority);
  if (params.controlling) {
    w.add_ice_controlling(params.tie_breaker);
  } else {
    w.add_ice_controlled(params.tie_breaker);
  }
  if (params.use_candidate) w.add_use_candidate();
  w.add_message_integrity(remote_password);
  w.add_fingerprint();
  return w.finish();
}

std::optional<base::Bytes> write_binding_success(base::MutableBytes out, const StunTransactionId& txid,
                                                 const TransportAddress& mapped,
                                                 const StunIntegrityKey& local_password) {
  StunWriter w(out, StunMethod::Binding, StunClass::SuccessResponse, txid);
  w.add_xor_mapped_address(mapped);
  w.add_message_integrity(local_password);
  w.add_fingerprint();
  return w.finish();
}

std::optional<base::Bytes> write_binding_error(base::MutableBytes out, const StunTransactionId& txid,
                                               uint16_t code, const StunIntegrityKey* local_password,
                                               std::span<const uint16_t> unknown, std::string_view reason) {
  StunWriter w(out, StunMethod::Binding, StunClass::ErrorResponse, txid);
  w.add_error_code(code, reason);
  if (!unknown.empty()) w.add_unknown_attributes(unknown);
  if (local_password != nullptr) w.add_message_integrity(*local_password);
  w.add_fingerprint();
  return w.finish();
}

std::optional<base::Bytes> write_binding_indication(base::MutableBytes out, const StunTransactionId& txid) {
  StunWriter w(out, StunMethod::Binding, StunClass::Indication, txid);
  w.add_fingerprint();
  return w.finish();
}

}  // namespace medley::ice
