#pragma once
// The only way the console includes Boost.Asio and Boost.Beast: every file
// that uses them includes this header, never <boost/...> itself.
//
// Why: Boost 1.74's <boost/asio/awaitable.hpp> calls std::exchange without
// including <utility>, which GCC 12's headers no longer pull in on the way,
// so <utility> must come before the first Asio include of a file.

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
