// A packet buffer pool for producers that are not on a socket's strand and run at media pace (players,
// transcoders): one process-wide pool behind a lock, never destroyed, because receivers' RTX histories may hold its
// buffers until the very end.
#pragma once

#include "rtp/base/buffer.hpp"

namespace medley::server::media {

base::BufferRef acquire_shared_buffer();

}  // namespace medley::server::media
