// The process-wide pool for media-paced producers.
#include "server/media/shared_pool.hpp"

#include <mutex>

namespace medley::server::media {

base::BufferRef acquire_shared_buffer() {
  static std::mutex mu;
  static base::BufferPool* const pool = new base::BufferPool();  // reachable for ever: buffers outlive everything
  std::lock_guard lock(mu);
  return pool->acquire();
}

}  // namespace medley::server::media
