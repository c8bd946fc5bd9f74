#pragma once
// The only way cardd includes Boost.Asio: every file that uses Asio includes
// this header, never <boost/asio/...> itself.
//
// Why: Boost 1.74's <boost/asio/awaitable.hpp> calls std::exchange without
// including <utility>, which GCC 12's headers no longer pull in on the way,
// so the first Asio include of a file fails to compile unless <utility> came
// before it. Including it here, first, keeps that true for every file.

#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
