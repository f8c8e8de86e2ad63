// SRTP key derivation (RFC 3711 §4.3): the AES-CM PRF over the master key, key derivation rate 0.
#pragma once

#include <cstdint>

#include "rtp/base/bytes.hpp"

namespace medley::rtp {

// RFC 3711 §4.3.2 labels.
enum class SrtpKdfLabel : uint8_t {
  RtpEncryption = 0,
  RtpAuth = 1,
  RtpSalt = 2,
  RtcpEncryption = 3,
  RtcpAuth = 4,
  RtcpSalt = 5,
};

// Fills out with the PRF keystream for label: AES-CM keyed with master_key (16 or 32 bytes, RFC 6188 for 256),
// IV = (master_salt XOR label << 48) << 16. A 12-byte GCM master salt is used as the first 12 of the 14
// salt bytes, the last two zero (RFC 7714 §11 keeps the AES-CM PRF; libsrtp2 pads the same way).
// False when the key or salt length is not supported.
bool srtp_kdf(base::Bytes master_key, base::Bytes master_salt, SrtpKdfLabel label, base::MutableBytes out);

}  // namespace medley::rtp
