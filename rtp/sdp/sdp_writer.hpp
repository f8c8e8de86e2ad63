// SessionDescription to SDP text: CRLF line endings, RFC 8866 line order, attributes in stored order.
#pragma once

#include <string>

#include "rtp/sdp/session_description.hpp"

namespace medley::rtp::sdp {

std::string write_sdp(const SessionDescription& sdp);
void write_media(std::string& out, const MediaDescription& m);

}  // namespace medley::rtp::sdp
