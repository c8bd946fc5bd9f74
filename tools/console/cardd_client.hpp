#pragma once
// The console's only way to act: one request on cardd's control socket
// (docs/control-socket.md), its progress lines and its final answer. Each
// call is its own connection, so a browser that goes away takes nothing with it.

#include <nlohmann/json.hpp>

#include <chrono>
#include <expected>
#include <filesystem>
#include <functional>
#include <string>

#include "tools/console/beast.hpp"

namespace cardd::console {

/// Called with each progress object before the final answer.
using ProgressFn = std::function<boost::asio::awaitable<void>(const nlohmann::json& progress)>;

/// What cardd answered, or why it could not be asked.
using BackendAnswer = std::expected<nlohmann::json, std::string>;

/// Where requests go: cardd's socket in the console, a script in tests.
class Backend {
public:
    virtual ~Backend() = default;
    /// Sends `request` (command, arguments, session) and gives the final answer line.
    virtual boost::asio::awaitable<BackendAnswer> call(nlohmann::json request, ProgressFn progress) = 0;
};

class CarddClient final : public Backend {
public:
    /// `timeout` bounds the silence between two lines of one answer; a card
    /// workflow sends a progress line before it waits for the card.
    CarddClient(std::filesystem::path socket, std::chrono::seconds timeout)
        : socket_(std::move(socket)), timeout_(timeout) {}

    boost::asio::awaitable<BackendAnswer> call(nlohmann::json request, ProgressFn progress) override;

private:
    std::filesystem::path socket_;
    std::chrono::seconds timeout_;
};

}  // namespace cardd::console
