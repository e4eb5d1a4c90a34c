// The one place floatlm includes Boost.Asio. Boost 1.74's awaitable.hpp uses
// std::exchange without including <utility>; including it first keeps every
// translation unit building the same way.
#ifndef FLOATLM_DAEMON_ASIO_ASIO_H_
#define FLOATLM_DAEMON_ASIO_ASIO_H_

#include <utility>

#include <boost/asio.hpp>

namespace floatlm::server {
namespace asio = boost::asio;
}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_ASIO_ASIO_H_
