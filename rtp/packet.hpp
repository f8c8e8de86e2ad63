// RTP packets: one include for the view, the writer and the in-place rewriters.
#pragma once

#include "rtp/header_extensions.hpp"
#include "rtp/packet_rewrite.hpp"
#include "rtp/packet_view.hpp"
#include "rtp/packet_writer.hpp"
